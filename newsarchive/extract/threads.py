"""Forum, Q&A and blog-comment threads: the posts that repeat the main post's structure.

A thread page holds several posts built from one template: a post wrapper with a header (who, when)
and a body. The main content block found by the scorer is one post's body; its peers are the other
elements reached by the same path of tags and class kinds from a repeated wrapper. The page is a
thread when most wrappers carry a date in their header; it is a blog's index (each post a teaser
under its own headline link to another page) when the posts are headed by such links.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from lxml.html import HtmlElement

from newsarchive.extract.dates import FoundDate, parse_date
from newsarchive.extract.vocab import (
    CHROME_TAGS,
    STATS_RE,
    alternation,
    label_pattern,
    labelled,
)

# How far above the main block the repeated post wrapper may sit.
_MAX_UP = 7
_MIN_POSTS = 2
# A post body may hold links, but a block whose text is mostly links is no post.
_POST_LINKED = 0.5
# More same-kind blocks than this are a page's generic building block, not its posts.
_MAX_POSTS = 300
# The share of post headers that must show a date for the page to read as a thread.
_DATED_SHARE = 0.5
# A date, a time, or a relative age in a post header ('2005-03-21', '11:21', '3 days ago', '3天前').
_HEADER_DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2}|\d{1,2}:\d{2}|"
    r"\d+\s*(?:秒|分钟|分鐘|小时|小時|天|日|周|週|个月|個月|月|年)前|刚刚|剛剛|昨天|前天|"
    r"\b\d+\s*(?:sec|second|min|minute|hour|hr|day|week|month|year)s?\s+ago\b|\byesterday\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
    re.IGNORECASE,
)
# Who wrote a post: a user-named element, or a link to a profile.
_POSTER = label_pattern(
    "poster",
    r"author|user|poster|member|nick|uname|username|(^|[\s_-])name([\s_-]|$)|avatar|profile",
)
_PROFILE_HREF_RE = re.compile(
    r"/(?:u|user|users|member|members|people|profile|space|home|author|people)(?:/|\.php|-|$)|"
    r"space-uid-|mod=space|uid=|/@[\w.-]+",
    re.IGNORECASE,
)
_NOT_POSTER_WORDS = "回复 引用 举报 楼主 只看该作者 发表于 关注 私信 编辑".split()
_NOT_POSTER_RE = re.compile(
    rf"^(?:{alternation(_NOT_POSTER_WORDS)}|reply|quote|"
    r"report|share|edit|follow|like|permalink|link|#\d+|\d+)$",
    re.IGNORECASE,
)
_POSTER_MAX = 40
# How much of a post body's start may hold its post line ('发表于 2008-4-9 21:05').
_OPENING = 60
_OPENING_PIECES = 2
# A headline link is at least this long, a title-named element or heading this long.
_HEADLINE_MIN = 8
_TITLE_MIN = 2
_TITLED = label_pattern(
    "titled", r"title|subject|headline|heading|(^|[\s_-])(bt|tit|hd)(\d|[\s_-]|$)"
)
# A reply's subject repeats the thread's ('Re: ...', '回复：...').
_REPLY_PREFIXES = tuple(f"{word}{colon}" for word in ("re", "aw", "sv", "回复", "回覆")
                        for colon in (":", "：", " :"))


@dataclass(frozen=True)
class ThreadPost:
    """One post of a thread: its body element and its wrapper (the body plus its header)."""

    body: HtmlElement
    wrapper: HtmlElement


_NO_DIGITS = str.maketrans("", "", "0123456789")


def _first_class(element: HtmlElement) -> str:
    """An element's first class word, as written."""
    words = (element.get("class") or "").split(None, 1)
    return words[0] if words else ""


def _kind(element: HtmlElement) -> tuple[str, str]:
    """An element's tag and class kind: its first class word without digits ('post_830' ->
    'post_')."""
    return element.tag, _first_class(element).translate(_NO_DIGITS)


def _path(top: HtmlElement, bottom: HtmlElement) -> list[tuple[str, str]] | None:
    """The kinds of the elements from below `top` down to `bottom`, or None when not under it."""
    path: list[tuple[str, str]] = []
    node: HtmlElement | None = bottom
    while node is not None and node is not top:
        path.append(_kind(node))
        node = node.getparent()
    return list(reversed(path)) if node is top else None


def _follow(start: HtmlElement, path: list[tuple[str, str]]) -> Iterator[HtmlElement]:
    """The elements reached from `start` by the kinds of `path`, one child step each."""
    if not path:
        yield start
        return
    head, rest = path[0], path[1:]
    for child in start:
        if isinstance(child.tag, str) and _kind(child) == head:
            yield from _follow(child, rest)


def find_posts(
    best: HtmlElement, text_of: dict[HtmlElement, tuple[int, int]]
) -> list[ThreadPost]:
    """The posts of the thread whose main post body is `best`, in page order; [] when the page is
    not a thread. `text_of` gives (characters, characters in links) under each element with text.
    """
    chain = [best, *best.iterancestors()][:_MAX_UP + 1]
    by_kind = _of_kinds(text_of, chain)
    for wrapper in chain:
        if wrapper.tag in ("body", "html"):
            break
        kind = _kind(wrapper)
        path = _path(wrapper, best) if kind[1] else None
        if path is None:
            continue
        peers = _outermost(by_kind.get(kind, []))
        if len(peers) < _MIN_POSTS or len(peers) > _MAX_POSTS:
            continue
        bodies: list[tuple[HtmlElement, HtmlElement]] = []
        for peer in peers:
            for body in _follow(peer, path):
                chars, linked = text_of.get(body, (0, 0))
                # A post is prose: a block that is mostly a link is a list item (a related
                # thread, a teaser), not a reply.
                if chars > 0 and linked <= _POST_LINKED * chars and not _in_chrome(body):
                    bodies.append((peer, body))
                    break
        if len(bodies) < _MIN_POSTS or not any(body is best for _, body in bodies):
            continue
        thread = _as_thread([ThreadPost(body, box) for body, box in _boxes(bodies)])
        if thread:
            return thread
        # The paragraphs of one post repeat too, with no header each: the posts may be further up.
    return []


def _of_kinds(holders: dict[HtmlElement, tuple[int, int]],
              chain: list[HtmlElement]) -> dict[tuple[str, str], list[HtmlElement]]:
    """The elements of the kinds of `chain`'s elements among those holding text (a post holds
    text, so its wrapper does too), by kind, in reading order."""
    # Each class's start up to its first digit, as written ('css-1fijy7' -> 'css-'): a cheap
    # test before an element's kind is computed (the kind drops the digits, so its own start
    # would miss 'css-1fijy7').
    prefixes = tuple({re.split(r"\d", _first_class(element), maxsplit=1)[0]
                      for element in chain} - {""})
    wanted = {_kind(element) for element in chain}
    out: dict[tuple[str, str], list[HtmlElement]] = {}
    if not prefixes:
        return out
    for element in holders:
        cls = element.get("class")
        if cls and cls.lstrip().startswith(prefixes):
            kind = _kind(element)
            if kind in wanted:
                out.setdefault(kind, []).append(element)
    return out


def _outermost(elements: list[HtmlElement]) -> list[HtmlElement]:
    """The elements that sit inside no other of them (document order kept)."""
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]


def _boxes(bodies: list[tuple[HtmlElement, HtmlElement]]) -> list[tuple[HtmlElement, HtmlElement]]:
    """Each post's body and box: the highest ancestor of its peer holding no other post."""
    counts: dict[HtmlElement, int] = {}
    for peer, _ in bodies:
        for ancestor in peer.iterancestors():
            counts[ancestor] = counts.get(ancestor, 0) + 1
    out = []
    for peer, body in bodies:
        box = peer
        for ancestor in peer.iterancestors():
            if counts[ancestor] != 1 or ancestor.tag in ("body", "html"):
                break
            box = ancestor
        out.append((body, box))
    return out


def _nested(element: HtmlElement, wrapper: HtmlElement) -> bool:
    """Whether an element contains, or sits inside, the wrapper (other than being it)."""
    if element is wrapper:
        return False
    return _under(element, wrapper) or _under(wrapper, element)


def _in_chrome(element: HtmlElement) -> bool:
    """Whether an element sits in a nav, aside, footer or form."""
    node: HtmlElement | None = element
    while node is not None:
        if node.tag in CHROME_TAGS and node.tag != "header":
            return True
        node = node.getparent()
    return False


def _as_thread(posts: list[ThreadPost]) -> list[ThreadPost]:
    """The posts when their headers read as a thread's (dated or signed by a poster, some dated,
    no headline links); else []."""
    dated = signed = 0
    headlines: set[str] = set()
    for post in posts:
        header = _header_text(post)
        if _HEADER_DATE_RE.search(header):
            dated += 1
            signed += 1
        elif poster(post) is not None:
            signed += 1  # a collapsed answer's date may be left out of the page; its poster is not
        headline = _headline(post)
        if headline:
            headlines.add(headline)
    if not dated or signed < _MIN_POSTS or signed < _DATED_SHARE * len(posts):
        return []
    # A blog's index: two or more posts (most of them) under headlines of their own.
    if len(headlines) >= 2 and len(headlines) >= _DATED_SHARE * len(posts):
        return []
    return posts


def _header_text(post: ThreadPost) -> str:
    """The wrapper's text outside the post body (its header and footer lines), and the body's
    opening (a post line may open the body block itself)."""
    return " ".join(_outside(post.wrapper, post.body)) + " " + _opening(post.body)


def _opening(body: HtmlElement) -> str:
    """The first characters of a body's text."""
    return " ".join(body.text_content()[:_OPENING].split())


def _outside(node: HtmlElement, body: HtmlElement) -> Iterator[str]:
    """The texts under `node` that are not under `body`."""
    if node is body:
        return
    if node.text and isinstance(node.tag, str):
        yield node.text
    for child in node:
        if isinstance(child.tag, str):
            yield from _outside(child, body)
        if child.tail:
            yield child.tail


def _headline(post: ThreadPost) -> str | None:
    """A post's own headline before its body: a link out to another page, a heading or a
    title-named element (a post's own anchor, a profile, a date or a 'Re:' line is none)."""
    for element in post.wrapper.iter():
        if element is post.body:
            return None
        if not isinstance(element.tag, str) or _under(element, post.body):
            continue
        href = (element.get("href") or "").strip() if element.tag == "a" else ""
        titled = element.tag in ("h1", "h2", "h3", "h4") or labelled(element, _TITLED)
        linked = bool(href) and not href.startswith(("#", "javascript:"))
        if not (titled or linked):
            continue
        if _to_profile(element) or _in_poster_box(element, post.wrapper):
            continue  # the poster's name or rank, however it is classed ('item-title', <h5>)
        text = " ".join(" ".join(element.itertext()).split())  # pieces kept apart
        if (
            len(text) >= (_TITLE_MIN if titled else _HEADLINE_MIN)
            and not _HEADER_DATE_RE.search(text)
            and not _NOT_POSTER_RE.match(text)
            and not text.lower().startswith(_REPLY_PREFIXES)
        ):
            return text
    return None


def _in_poster_box(element: HtmlElement, wrapper: HtmlElement) -> bool:
    """Whether an element sits in a user-named box of the post (name, rank, stats)."""
    node: HtmlElement | None = element
    while node is not None and node is not wrapper:
        if labelled(node, _POSTER):
            return True
        node = node.getparent()
    return False


def _to_profile(element: HtmlElement) -> bool:
    """Whether an element is, or holds, a link to a user's profile."""
    return any(
        _PROFILE_HREF_RE.search(link.get("href") or "") for link in element.iter("a")
    )


def _under(element: HtmlElement, top: HtmlElement) -> bool:
    """Whether an element is `top` or sits inside it."""
    return element is top or any(ancestor is top for ancestor in element.iterancestors())


def poster(post: ThreadPost) -> str | None:
    """The poster's name in a post's header: a profile link's text, else a user-named element's
    (never a stats line such as '粉丝：23文章：11', a date or an action)."""
    candidates = [
        element
        for element in post.wrapper.iter()
        if isinstance(element.tag, str) and not _under(element, post.body)
    ]
    linked = [
        e for e in candidates if e.tag == "a" and _PROFILE_HREF_RE.search(e.get("href") or "")
    ]
    named = [e for e in candidates if labelled(e, _POSTER)]
    for element in linked + named:
        text = " ".join(element.text_content().split()).strip("@:： ")
        if (
            1 < len(text) <= _POSTER_MAX
            and not _NOT_POSTER_RE.match(text)
            and not _HEADER_DATE_RE.search(text)
            and not STATS_RE.search(text)
        ):
            return text
    return None


def header_lines(post: ThreadPost) -> list[str]:
    """The short text pieces of a post's header, in order, then the body's first ones (for its
    date)."""
    pieces = list(_outside(post.wrapper, post.body))
    pieces += [t for t in post.body.itertext()][:_OPENING_PIECES]
    lines = [" ".join(piece.split()) for piece in pieces]
    return [line for line in lines if line and len(line) <= 120]


def time_values(post: ThreadPost) -> list[str]:
    """The machine-readable times in a post's header (<time datetime>, title/data attributes)."""
    out = []
    for element in post.wrapper.iter("time", "abbr", "span", "a"):
        if _under(element, post.body):
            continue
        for attribute in ("datetime", "data-time", "data-datetime", "title"):
            value = element.get(attribute)
            if value and _HEADER_DATE_RE.search(value):
                out.append(value)
                break
    return out


def thread_date(post: ThreadPost, *, tz: str, now: datetime | None, url: str) -> FoundDate | None:
    """When a post was written: a machine-readable time in its header, else its first dated line."""
    for value in time_values(post):
        found = parse_date(value, tz=tz, now=now, url=url)
        if found is not None:
            return replace(found, rule="thread:time")
    for line in header_lines(post):
        if not _HEADER_DATE_RE.search(line):
            continue
        found = parse_date(line, tz=tz, now=now, url=url)
        if found is not None:
            return replace(found, rule="thread:header")
    return None

