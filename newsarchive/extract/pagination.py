"""Pagination: the next pages of a section list, and the next page of a multi-page article."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import lxml.html
from lxml import etree

from newsarchive.extract.clean import squash
from newsarchive.extract.listing_urls import anchors, base_url, parse_html, resolve

_DECOR = re.compile(r"[\s<>›»«‹＞＜》《\[\]【】()（）→←.…·|:：、,，\-–—_/]+")
_NEXT_WORDS = frozenset(
    {"下一页", "下页", "后页", "后一页", "下一頁", "下頁", "next", "nextpage", "more"}
)
_OTHER_PAGER_WORDS = frozenset(
    {
        "上一页",
        "上页",
        "前页",
        "首页",
        "尾页",
        "末页",
        "最后一页",
        "第一页",
        "prev",
        "previous",
        "first",
        "last",
        "more",
        "更多",
    }
)
_NEXT_ARROWS = frozenset({"›", "»", ">", ">>", "＞", "→", "»»", "››"})
# Longer than any pager word, arrow or page number with its decoration ('>> 下一页 >>', '第 12 页').
_PAGER_TEXT_MAX = 24
# A character or word every next word, arrow and page number holds.
_PAGER_HINT_RE = re.compile(r"[\d下后後›»>＞→]|next", re.IGNORECASE)
# Links to another article or chapter, never to the next page of this one.
_OTHER_ITEM = re.compile(
    r"下一篇|上一篇|下一条|上一条|下篇|上篇|上一章|下一章|next\s*(article|story|post)|previous",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^(第\s*)?\[?(\d{1,4})\]?(\s*页)?$")
_PAGE_SUFFIX = re.compile(r"^(.*?)[_-](\d{1,4})$")


def _kind(a: lxml.html.HtmlElement) -> tuple[str | None, int | None]:
    """('next', None), ('arrow', None), ('number', n) or (None, None) for one anchor."""
    found = _shape(a)
    # A link to another article or chapter is never a pager link; tested last as most anchors fail
    # sooner.
    if found[0] is not None and (_OTHER_ITEM.search(squash(_anchor_text(a)))
                                 or _OTHER_ITEM.search(a.get("title") or "")):
        return None, None
    return found


def _anchor_text(a: lxml.html.HtmlElement) -> str:
    """An anchor's text; read directly when it has no child elements (most do not), which is far
    cheaper.

    Otherwise serialised as text in C, which gives what text_content() does in about half the time.
    """
    return (
        (a.text or "")
        if len(a) == 0
        else etree.tostring(a, method="text", encoding=str, with_tail=False)
    )


def _shape(a: lxml.html.HtmlElement) -> tuple[str | None, int | None]:
    """What an anchor's text, rel and class make it, before the other-item veto."""
    raw = _anchor_text(a)
    # Pager words, arrows and page numbers are short and each holds a digit, an arrow or a next-word
    # character: a long text, or one without these, can only be a pager link by rel or class.
    plausible = _PAGER_HINT_RE.search(raw) and not (len(raw) > _PAGER_TEXT_MAX
                                                    and len("".join(raw.split())) > _PAGER_TEXT_MAX)
    text = squash(raw) if plausible else ""
    if text:  # most anchors have no plausible text: only their rel and class are left to test
        core = _DECOR.sub("", text).lower()
        if core in _NEXT_WORDS:
            return ("next", None) if core != "more" else (None, None)
        if not core and text.replace(" ", "") in _NEXT_ARROWS:
            return "arrow", None
    rel = a.get("rel")
    classes = (a.get("class") or "").lower()
    if (rel is not None and "next" in rel.lower().split()) or (
            "next" in classes and re.search(r"(^|[\s_-])next($|[\s_-])", classes)):
        return "next", None
    match = _NUMBER.match(text) if text else None
    if match:
        return "number", int(match.group(2))
    return None, None


def is_pager_link(a: lxml.html.HtmlElement) -> bool:
    """Whether an anchor is a pagination control (next, previous, first, last, a page number)."""
    text = squash(a.text_content())
    core = _DECOR.sub("", text).lower()
    return _kind(a)[0] is not None or core in _OTHER_PAGER_WORDS or (not core and bool(text))


def _group(a: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The pager block around an anchor: the nearest ancestor (up to three) holding other links."""
    node = a
    for _ in range(3):
        parent = node.getparent()
        if parent is None:
            break
        node = parent
        if sum(1 for _ in node.iter("a")) >= 2:
            break
    return node


def _same_page(a: str, b: str) -> bool:
    def norm(u: str) -> str:
        parts = urlsplit(u)
        path = re.sub(r"(^|/)(index|default)\.(s?html?|php|aspx?|jsp)$", r"\1", parts.path) or "/"
        return f"{parts.hostname}{path}?{parts.query}"

    return norm(a) == norm(b)


def _page_anchors(
    tree: lxml.html.HtmlElement, base: str, exclude: Iterable[lxml.html.HtmlElement] = ()
) -> list[tuple[lxml.html.HtmlElement, str, str, int | None]]:
    excluded = {a for block in exclude for a in block.iter("a")}
    out = []
    for a in anchors(tree):
        if a in excluded:
            continue
        kind, number = _kind(a)
        if kind is None:
            continue
        url = resolve(a.get("href"), base)
        if url is not None:
            out.append((a, url, kind, number))
    return out


def find_next_pages(
    tree: lxml.html.HtmlElement,
    url: str,
    base: str | None = None,
    lists: Iterable[lxml.html.HtmlElement] = (),
) -> list[str]:
    """Next page and numbered pages of a section list, absolute, de-duplicated, without this page.
    """
    base = base or base_url(tree, url)
    host = urlsplit(url).hostname
    page_dir = urlsplit(url).path.rsplit("/", 1)[0] + "/"
    found = _page_anchors(tree, base, lists)
    groups: dict[lxml.html.HtmlElement, dict[str, int]] = {}
    for a, _, kind, _ in found:
        counts = groups.setdefault(_group(a), {"next": 0, "arrow": 0, "number": 0})
        counts[kind] += 1
    firsts: list[str] = [u for u in _head_next(tree, base)]
    numbered: list[str] = []
    for a, link, kind, _ in found:
        if urlsplit(link).hostname != host:
            continue
        counts = groups[_group(a)]
        pager = counts["number"] >= 2 or counts["next"] >= 1
        if kind == "next" or (kind == "arrow" and counts["number"] >= 2):
            firsts.append(link)
        elif (
            kind == "number"
            and pager
            and (counts["next"] or urlsplit(link).path.startswith(page_dir))
        ):
            numbered.append(link)
    out: list[str] = []
    for link in firsts + numbered:
        if link not in out and not _same_page(link, url):
            out.append(link)
    return out


def _head_next(tree: lxml.html.HtmlElement, base: str) -> list[str]:
    out = []
    for link in tree.iter("link"):
        if "next" in (link.get("rel") or "").lower().split():
            resolved = resolve(link.get("href"), base)
            if resolved:
                out.append(resolved)
    return out


def _path_forms(path: str) -> tuple[list[tuple[str, int]], str]:
    """(stem that pages of this article extend, this page's number under it) pairs, and the
    extension. """
    last = path.rsplit("/", 1)[-1]
    stem, dot, ext = last.rpartition(".") if "." in last else (last, "", "")
    folder = path[: len(path) - len(last)]
    stems: list[tuple[str, int]] = []
    # content_99.htm may be page 99 of "content" or page 1 of "content_99": both are tried.
    match = _PAGE_SUFFIX.match(stem)
    if match:
        stems.append((folder + match.group(1), int(match.group(2))))
    if stem in ("", "index", "default"):
        stems.append((folder.rstrip("/"), 0))
        stems.append((folder + "index", 0))
    else:
        stems.append((folder + stem, 0))
    return stems, dot + ext


def page_number(candidate: str, url: str) -> tuple[int, int] | None:
    """(candidate's number, this page's number) in the URL when the candidate is a page of this one.

    A URL without a page number counts as 0: sites number their second page 1 or 2.
    """
    cand, cur = urlsplit(candidate), urlsplit(url)
    if cand.hostname != cur.hostname:
        return None
    if cand.path == cur.path:
        cand_q, cur_q = dict(parse_qsl(cand.query)), dict(parse_qsl(cur.query))
        changed = [k for k in cand_q.keys() | cur_q.keys() if cand_q.get(k) != cur_q.get(k)]
        if len(changed) == 1 and cand_q.get(changed[0], "").isdigit():
            key = changed[0]
            now = cur_q.get(key, "")
            return int(cand_q[key]), int(now) if now.isdigit() else 0
        return None
    if cand.query != cur.query:
        return None
    stems, ext = _path_forms(cur.path)
    ext_re = re.escape(ext) if ext else r"(\.\w+)?"
    for stem, current in stems:
        match = re.fullmatch(re.escape(stem) + r"[_/-](\d{1,4})" + ext_re + "/?", cand.path)
        if match:
            return int(match.group(1)), current
    return None


def find_continuation_tree(tree: lxml.html.HtmlElement, url: str) -> str | None:
    """The next page of a multi-page article, or None; never the next article."""
    base = base_url(tree, url)
    for link in _head_next(tree, base):
        numbers = page_number(link, url)
        if numbers and numbers[0] > numbers[1]:
            return link
    numbered: list[tuple[int, int, int, str]] = []
    for _, link, kind, shown in _page_anchors(tree, base):
        numbers = page_number(link, url)
        if not numbers:
            continue
        if kind in ("next", "arrow") and numbers[0] > numbers[1]:
            return link
        if kind == "number" and shown is not None:
            numbered.append((shown, numbers[0], numbers[1], link))
    if not numbered:
        return None
    # The pager shows page numbers while URLs may count the second page as 1 or 2: learn the offset.
    offset = Counter(shown - in_url for shown, in_url, _, _ in numbered).most_common(1)[0][0]
    for shown, _, current, link in numbered:
        here = current + offset if current else 1
        if shown == here + 1:
            return link
    return None


def find_continuation(
    body: bytes, url: str, headers: Mapping[str, Any] | None = None
) -> str | None:
    """The next page of a multi-page article given as raw bytes, or None."""
    return find_continuation_tree(parse_html(body, url, headers), url)
