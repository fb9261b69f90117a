"""Article metadata from the tree and its text lines: title, source, editor, keywords, breadcrumbs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from difflib import SequenceMatcher
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.vocab import (
    AUTHOR_WORDS,
    CJK,
    EDITOR_WORDS,
    KEYWORD_WORDS,
    SOURCE_WORDS,
    alternation,
    label_matches,
    label_pattern,
    labelled,
)

Normalise = Callable[[str], str]

TITLE_SPLIT_RE = re.compile(r"\s*(?:_|\||｜|--|::|»|«)\s*|\s+[-—–]\s+")
# 'Headline-Site Name': a bare hyphen before a short site name with a space or CJK in it (not
# 'COVID-19').
_BARE_HYPHEN_SUFFIX_RE = re.compile(rf"^(.{{8,}}?)-((?=[^-]*(?:\s|{CJK}))[^-]{{2,20}})$")
_NOT_HEADLINE = label_pattern(
    "not-headline", r"comment|respond|reply|sidebar|widget|footer|nav|menu|related"
)
_HEADLINE = label_pattern(
    "headline", r"title|headline|biaoti|heading|(^|[\s_-])(bt|tit|hd)(\d|[\s_-]|$)"
)
_LINK_HEAVY_TITLE = 0.8

_COLON = r"\s*[:：]\s*"
_SOURCE_RE = re.compile(
    f"(?:{alternation(SOURCE_WORDS)})"
    + _COLON
    + r"([^\s|｜()（）【】\[\]]+(?:\s(?![^\s]*[:：])[A-Za-z][\w.]*)?)"
)
# Where a source value ends: the next label or a date.
_SOURCE_END_RE = re.compile(
    f"(?:{alternation((*AUTHOR_WORDS, *EDITOR_WORDS, '发布', '时间', '点击', '浏览', '字号'))}"
    r"|\d{4}[-/年])"
)
_EDITOR_RE = re.compile(
    f"(?:{alternation(EDITOR_WORDS)})"
    + _COLON
    + r"?([^\s|｜()（）【】\[\]:：]+)"
)
_KEYWORDS_RE = re.compile(
    rf"^[【\[]?\s*(?:{alternation(KEYWORD_WORDS)}|tags?|keywords?)\s*[】\]]?\s*[:：]?\s*(.+)$",
    re.IGNORECASE,
)
_KEYWORD_SPLIT_RE = re.compile(r"[\s,，、;；|｜/]+")
_CRUMB = label_pattern(
    "breadcrumb",
    r"crumb|breadcrumb|position|location|weizhi|dqwz|(^|[\s_-])(path|place|navpath|nav_path|"
    r"site-?path|daohang|lmdh|curpos|current)([\s_-]|$)",
)
_CRUMB_SEP_RE = re.compile(r"\s*(?:>>|>|»|›|＞|→|/|\||｜|-&gt;|::)\s*")
_CRUMB_LEAD_RE = re.compile(
    r"^.{0,8}?(?:当前位置|當前位置|您的位置|你的位置|现在位置|所在位置|位置|您现在的位置是|"
    r"您现在的位置|you are here)\s*[:：]?\s*",
    re.IGNORECASE,
)
_CRUMB_DROP = frozenset(
    {
        "正文",
        "正文内容",
        "內容",
        "内容",
        "正文內容",
        "详情",
        "詳情",
        "文章",
        "阅读文章",
        "閱讀文章",
        "浏览文章",
        "瀏覽文章",
        "查看文章",
        "内容页",
        "內容頁",
        "详细内容",
        "詳細內容",
        "article",
        "content",
    }
)


def first_meta(tree: HtmlElement, *names: str) -> str | None:
    """The first non-empty <meta> content whose name or property is one of `names`."""
    found = _metas(tree)
    for name in names:
        value = found.get(name.lower())
        if value:
            return value
    return None


# The last tree's <meta> map: extract() asks for a dozen names on one tree.
_META_CACHE: list[tuple[HtmlElement, dict[str, str]]] = []


def _metas(tree: HtmlElement) -> dict[str, str]:
    """Each <meta> name/property/itemprop (lower case) and its first non-empty content."""
    if _META_CACHE and _META_CACHE[0][0] is tree:
        return _META_CACHE[0][1]
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (
            (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        )
        content = (meta.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = content
    _META_CACHE[:] = [(tree, found)]
    return found


def json_ld(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page (nested @graph items flattened)."""
    out: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                out.append(item)
                if "@graph" in item:
                    stack.append(item["@graph"])
    return out


# A bracketed promo tag opening a title ('【独家】', '[视频]', '〖图〗'); a column's name in
# brackets ('【资讯汇总】') is part of the headline and stays.
_PROMO_WORDS = "独家 视频 图 组图 图文 多图 高清 直播 原创 重磅 突发 转载 转 音频 热 荐".split()
_PROMO_PREFIX_RE = re.compile(
    rf"^\s*[【\[［〖]\s*(?:{alternation(_PROMO_WORDS)}|video|photos?|exclusive|watch)\s*[】\]］〗]\s*",
    re.IGNORECASE,
)


# A <title> that opens with a separator names the site alone.
_SEPARATORS = "-_|｜—–:"
# A head line glued to the headline inside its element ('标题 来源：新华社 作者： 2023-12-01').
_GLUED_META_RE = re.compile(
    rf"\s+(?:{alternation((*SOURCE_WORDS, *AUTHOR_WORDS, '发布时间'))})\s*[:：]"
)


def strip_promo(title: str | None) -> str | None:
    """A title without a bracketed promo tag at its start, or a source/author line glued after it,
    when enough headline is left."""
    if not title:
        return title
    rest = _PROMO_PREFIX_RE.sub("", title, count=1)
    rest = _GLUED_META_RE.split(rest, maxsplit=1)[0].strip()
    return rest if len(rest) >= 4 else title


def split_site_suffix(title: str) -> str:
    """A <title> without the site name around it: its longest part between separators."""
    parts = [part for part in TITLE_SPLIT_RE.split(title) if part and part.strip()]
    if len(parts) <= 1:
        bare = _BARE_HYPHEN_SUFFIX_RE.match(title.strip())
        return (
            bare.group(1).strip()
            if bare and len(bare.group(1)) >= 2 * len(bare.group(2))
            else title.strip()
        )
    return max(parts, key=len).strip()


def _similarity(candidate: str, reference: str, floor: float = 0.45,
                matcher: SequenceMatcher[str] | None = None) -> float:
    """How well a headline candidate matches the <title> text (1.0 when it is all of it); 0.0 when
    it cannot reach `floor` (the costly full comparison is then skipped)."""
    if not candidate or not reference:
        return 0.0
    if candidate in reference:
        return len(candidate) / len(split_site_suffix(reference)) if len(candidate) >= 4 else 0.0
    if matcher is None:
        matcher = SequenceMatcher(None, candidate, reference, autojunk=False)
    else:
        # One matcher per reference: its index of the reference is built once, not per candidate.
        matcher.set_seq1(candidate)
    floor = max(floor, 0.45)
    if matcher.real_quick_ratio() * 0.8 < floor or matcher.quick_ratio() * 0.8 < floor:
        return 0.0
    return matcher.ratio() * 0.8


def find_title(
    tree: HtmlElement, body: HtmlElement | None, normalise: Normalise
) -> tuple[str | None, HtmlElement | None]:
    """The headline text and its element: the headline-like element that best matches
    <title>/og:title. """
    title_element = tree.find(".//title")
    page_title = normalise(title_element.text_content()) if title_element is not None else ""
    if page_title[:1] in _SEPARATORS and page_title:
        page_title = ""  # '-Site Name': the <title> names only the site, no headline to match
    og_title = normalise(first_meta(tree, "og:title", "twitter:title") or "")
    reference = page_title or og_title
    best: tuple[float, str, HtmlElement] | None = None
    seen: list[HtmlElement] = []
    # The <title>'s later parts and og:site_name name the site (a blog's or a forum's banner): an
    # element saying only that is no headline.
    parts = [part.strip() for part in TITLE_SPLIT_RE.split(page_title) if part and part.strip()]
    site_parts = {part for part in parts[1:] if part != parts[0]} if len(parts) > 1 else set()
    site_name = normalise(first_meta(tree, "og:site_name") or "")
    if site_name and site_name != page_title:
        site_parts.add(site_name)
    title_matcher = SequenceMatcher(None, "", page_title, autojunk=False)
    og_matcher = SequenceMatcher(None, "", og_title, autojunk=False)
    if body is not None:
        for element in _headline_candidates(body):
            text = normalise(element.text_content())
            if not 2 <= len(text) <= 150:
                continue
            tag = element.tag
            bonus = {"h1": 0.3, "h2": 0.15, "h3": 0.05}.get(tag, 0.1)
            # Only a similarity that can beat the best so far matters (ties keep the earlier
            # element).
            floor = best[0] - bonus if best is not None else 0.45
            sim = _similarity(text, page_title, floor, title_matcher)
            if og_title and og_title != page_title:
                sim = max(sim, _similarity(text, og_title, floor, og_matcher))
            linked = sum(len(a.text_content()) for a in element.iter("a"))
            if linked >= _LINK_HEAVY_TITLE * len(text):
                bonus -= 0.25
            if text in site_parts:
                sim *= 0.5
            if reference and sim < 0.45:
                continue
            if not reference:
                # No <title> to match: the first headline-like element wins, h1 before named ones.
                if not 4 <= len(text) <= 80 or linked >= _LINK_HEAVY_TITLE * len(text):
                    continue
                sim = 1.0 - 0.001 * len(seen)
            seen.append(element)
            value = sim + bonus
            if best is None or value > best[0]:
                best = (value, text, element)
    if best is not None:
        return best[1], best[2]
    if og_title:
        return split_site_suffix(
            og_title
        ) if page_title and og_title == page_title else og_title, None
    if page_title:
        return split_site_suffix(page_title), None
    return None, None


# Breadcrumb separators, raw and in the forms that normalise to them.
_CRUMB_SEP_CHARS_RE = re.compile("[>»›＞﹥]")
_CANDIDATE_TAGS = ("div", "span", "td", "p", "font", "strong", "b")


def _headline_candidates(body: HtmlElement) -> Iterator[HtmlElement]:
    """Headings and title-named elements, in document order, at most a few dozen."""
    count = 0
    # The whole document, as an XPath '//' from `body` saw it; iter() by tag is several times
    # faster.
    for element in body.getroottree().getroot().iter("h1", "h2", "h3", *_CANDIDATE_TAGS):
        tag = element.tag
        heading = tag in ("h1", "h2", "h3")
        cls, ident = element.get("class"), element.get("id")
        if not heading and cls is None and ident is None:
            continue
        label = f"{cls or ''} {ident or ''}"
        # Every word _HEADLINE knows holds one of these: a cheap test first.
        low = label.lower()
        if not heading and not (
            "tit" in low or "head" in low or "bt" in low or "hd" in low or "biaoti" in low
        ):
            continue
        if label_matches(_NOT_HEADLINE, label) or (
            not heading and not label_matches(_HEADLINE, label)
        ):
            continue
        yield element
        count += 1
        if count >= 60:
            return


def find_source(lines: Iterable[str]) -> tuple[str | None, str | None]:
    """The source named on a 来源/稿源 line, and that line."""
    for line in lines:
        if len(line) > 200:
            continue
        match = _SOURCE_RE.search(line)
        if match:
            value = _SOURCE_END_RE.split(match.group(1))[0].strip(" ,，;；:：")
            if value:
                return value, line
    return None, None


def find_editor(lines: Iterable[str]) -> tuple[str | None, str | None]:
    """The editor on a 责任编辑/编辑 line, and that line."""
    for line in lines:
        if len(line) > 120:
            continue
        match = _EDITOR_RE.search(line)
        if match and match.group(1).strip():
            return match.group(1).strip(" ,，;；"), line
    return None, None


def find_keywords(
    lines: Iterable[str], tree: HtmlElement, normalise: Normalise
) -> tuple[list[str], str]:
    """Keywords from the visible 关键词/标签 line, else from <meta name=keywords>; and where
    from."""
    for line in lines:
        if len(line) > 200:
            continue
        match = _KEYWORDS_RE.match(line)
        if match:
            words = dedupe(word.strip() for word in _KEYWORD_SPLIT_RE.split(match.group(1)))
            if words:
                return words, "visible"
    meta = first_meta(tree, "keywords", "news_keywords")
    if meta:
        return dedupe(normalise(word) for word in re.split(r"[,，;；、|]+", meta)), "meta"
    return [], "none"


def dedupe(words: Iterable[str]) -> list[str]:
    """Non-empty words, first occurrence kept."""
    out: list[str] = []
    for word in words:
        if word and word not in out:
            out.append(word)
    return out


def find_section_path(
    body: HtmlElement | None, title: str | None, normalise: Normalise
) -> list[str]:
    """Breadcrumb items (home first), without 正文/current-page markers or the headline."""
    if body is None:
        return []
    for element in body.iter("div", "nav", "p", "span", "td", "ol", "ul"):
        if not labelled(element, _CRUMB):
            continue
        items = _crumb_items(element, title, normalise)
        if len(items) >= 2:
            return items
    marked = _holding(body)
    for element in body.iter("div", "p", "td", "span") if marked else ():
        if element not in marked:
            continue
        links = element.findall(".//a")
        if len(links) < 2 or len(links) > 10:
            continue
        text = normalise(element.text_content())
        if (
            len(text) > 100
            or text.count(">") + text.count("»") + text.count("›") + text.count("＞") < 1
        ):
            continue
        items = _crumb_items(element, title, normalise)
        if len(items) >= 2:
            return items
    return []


def _holding(root: HtmlElement) -> set[HtmlElement]:
    """The elements under `root` (itself included) whose text holds a breadcrumb separator."""
    out: set[HtmlElement] = set()

    def mark(node: HtmlElement | None) -> None:
        while node is not None and node not in out:
            out.add(node)
            node = node.getparent()

    # Most pages hold no separator at all: the text, serialised in C, tells at a fraction of the
    # walk's cost.
    if not _CRUMB_SEP_CHARS_RE.search(
        etree.tostring(root, method="text", encoding=str, with_tail=False)
    ):
        return out
    # A walk in Python beats an XPath over every text node here.
    for element in root.iter():
        text = element.text
        if text and isinstance(element.tag, str) and _CRUMB_SEP_CHARS_RE.search(text):
            mark(element)
        tail = element.tail
        if tail and element is not root and _CRUMB_SEP_CHARS_RE.search(tail):
            mark(element.getparent())
    return out


def _crumb_items(element: HtmlElement, title: str | None, normalise: Normalise) -> list[str]:
    """The items of one breadcrumb element."""
    text = normalise(element.text_content())
    if not text or len(text) > 150:
        return []
    text = _CRUMB_LEAD_RE.sub("", text)
    items = []
    for part in _CRUMB_SEP_RE.split(text):
        part = part.strip(" :：")
        if not part or part.lower() in _CRUMB_DROP or (title and (part == title or len(part) > 30)):
            continue
        items.append(part)
    return items
