"""The owner of a blog page: on a personal blog the posts are the owner's, whatever names the text
quotes. """

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsarchive.extract.metadata import TITLE_SPLIT_RE
from newsarchive.extract.vocab import CJK_RANGES

Normalise = Callable[[str], str]

_BLOG_RE = re.compile(r"blog|博客|部落格", re.IGNORECASE)
# 'NAME的博客' ('NAME's blog') in a link title or a short label names the owner.
_BLOG_OF_RE = re.compile(
    r"^[\[【「(（]?\s*([^\s\[\]【】「」()（）]{1,20}?)\s*[\]】」)）]?\s*的(?:博客|blog|部落格|空间|空間|个人空间)",
    re.IGNORECASE,
)
# A user id as a URL path segment right after 'blog'/'u'/'user' ('/blog/zboygirl/archive/...').
_PATH_OWNER_RE = re.compile(
    r"/(?:blogs?|u|user|users|people)/([A-Za-z0-9_.-]{2,30})(?:/|$)", re.IGNORECASE
)
# A name-like title part: one word of 2-20 letters (CJK names, user names), no sentence punctuation.
_OWNER_NAME_RE = re.compile(rf"^[\w.{CJK_RANGES}-]{{2,20}}$")
# Words of a navigation link ('注册新的博客', '我的博客', '热门博客'), not of a name.
_NOT_OWNER_PART_RE = re.compile(
    r"注册|註冊|申请|申請|开通|開通|创建|創建|进入|進入|访问|訪問|登录|登錄|更多|热门|熱門|最新|推荐|推薦|"
    r"^(?:我|你|他|她|我们|我們|大家|新)$"
)
_LABEL_MAX = 30
_NOT_OWNER = frozenset(
    {"archive", "archives", "index", "home", "default", "list", "post", "posts", "article"}
)


def is_blog_page(url: str) -> bool:
    """Whether a URL is on a blog host or under a blog path."""
    parts = urlsplit(url)
    return bool(_BLOG_RE.search(parts.hostname or "") or _BLOG_RE.search(parts.path))


def blog_owner(tree: HtmlElement, url: str, normalise: Normalise) -> str | None:
    """The blog owner's name on a blog page: a 'NAME的博客' label, else a name the URL or the
    <title> gives that the page also shows on its own (the owner's name box), else None."""
    if not is_blog_page(url):
        return None
    body = tree.find("body")
    if body is None:
        return None
    labels = _standalone_texts(body, normalise)
    for text in [normalise(a.get("title", "")) for a in body.iter("a") if a.get("title")] + labels:
        match = _BLOG_OF_RE.match(text) if len(text) <= _LABEL_MAX else None
        if (
            match
            and not _BLOG_RE.search(match.group(1))
            and not _NOT_OWNER_PART_RE.search(match.group(1))
        ):
            return match.group(1)
    shown = set(labels)
    for name in _url_names(url) + _title_names(tree, normalise):
        if name in shown and name.lower() not in _NOT_OWNER:
            return name
    return None


def _standalone_texts(body: HtmlElement, normalise: Normalise) -> list[str]:
    """The short texts that fill a whole element of the page (name boxes, labels), in page order."""
    out: list[str] = []
    for element in body.iter():
        if not isinstance(element.tag, str) or element.text is None:
            continue
        if len(element) == 0 or all(
            child.tag == "br" or not isinstance(child.tag, str) for child in element
        ):
            text = normalise(element.text_content())
            if text and len(text) <= _LABEL_MAX:
                out.append(text)
    return out


def _url_names(url: str) -> list[str]:
    """User ids a blog URL carries: a path segment after /blog/, or the first host label before a
    blog host. """
    parts = urlsplit(url)
    names = [match.group(1) for match in _PATH_OWNER_RE.finditer(parts.path)]
    labels = (parts.hostname or "").split(".")
    if (
        len(labels) >= 3
        and labels[0] not in ("www", "blog", "blogs")
        and _BLOG_RE.search(".".join(labels[1:]))
    ):
        names.append(labels[0])
    return names


def _title_names(tree: HtmlElement, normalise: Normalise) -> list[str]:
    """In a <title> made of the blog's name and one other short word ('NAME | blog.site.com'), that
    word. """
    title = tree.find(".//title")
    if title is None:
        return []
    parts = [
        part.strip()
        for part in TITLE_SPLIT_RE.split(normalise(title.text_content()))
        if part.strip()
    ]
    if len(parts) != 2 or not any(_BLOG_RE.search(part) for part in parts):
        return []
    return [part for part in parts if not _BLOG_RE.search(part) and _OWNER_NAME_RE.match(part)]
