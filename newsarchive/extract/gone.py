"""Recognise a response saying an article is gone: HTTP 404/410, or a "page deleted" page."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

import lxml.html
from lxml.etree import ParserError
from lxml.html import HtmlElement

from newsarchive.extract.decode import decode_html
from newsarchive.extract.text import fold_simplified

GONE_STATUSES = frozenset({404, 410})
# What portals print instead of a removed article, in Simplified form (pages are folded
# to Simplified first, so Traditional pages match too). The one list of such phrases.
GONE_PHRASES = (
    "页面不存在", "您访问的页面不存在", "你访问的页面不存在", "页面已删除", "页面已被删除",
    "页面找不到", "页面未找到", "找不到该页面", "内容已删除", "内容已被删除", "内容不存在",
    "该内容已被删除", "该文章已被删除", "文章已被删除", "文章已删除", "文章不存在",
    "该文章不存在", "新闻不存在", "稿件已删除", "信息已删除", "该信息已被删除",
    "page not found", "this article has been removed", "this page has been removed",
    "the page you requested does not exist",
)
# A real article quoting one of the phrases is longer than a notice page.
MAX_NOTICE_CHARS = 1500
_SPACE_RE = re.compile(r"\s+")
# Longest first, so a page is reported by its most specific phrase.
_BY_LENGTH = sorted(GONE_PHRASES, key=len, reverse=True)


def _visible_text(body: bytes, headers: Mapping[str, Any] | None) -> tuple[str, str]:
    """(title, visible text) of a page, folded to Simplified and lower-cased."""
    decoded = decode_html(body, headers or {})
    try:
        tree = cast(HtmlElement, lxml.html.document_fromstring(decoded.text))
    except (ParserError, ValueError):
        return "", ""
    for element in cast(list[HtmlElement], tree.xpath("//script|//style|//noscript|//template")):
        element.drop_tree()
    title = " ".join(str(t) for t in cast(list[str], tree.xpath("//title//text()")))
    text = _SPACE_RE.sub("", tree.text_content())
    return fold_simplified(title).lower(), fold_simplified(text).lower()


def gone_phrase(body: bytes, headers: Mapping[str, Any] | None = None) -> str | None:
    """The "page deleted" phrase a page shows in its title or short text, if any."""
    if not body or not body.strip():
        return None
    title, text = _visible_text(body, headers)
    compact_title = _SPACE_RE.sub("", title)
    for phrase in _BY_LENGTH:
        needle = _SPACE_RE.sub("", phrase)
        if needle in compact_title or (len(text) <= MAX_NOTICE_CHARS and needle in text):
            return phrase
    return None


def gone_reason(status: int, body: bytes, headers: Mapping[str, Any] | None = None) -> str | None:
    """Why a response shows the article is gone ("HTTP 404", "page says: 文章不存在"), or None."""
    if status in GONE_STATUSES:
        return f"HTTP {status}"
    if status >= 400:
        return None  # 403, 5xx: an outage or a block says nothing about the article
    phrase = gone_phrase(body, headers)
    return f"page says: {phrase}" if phrase is not None else None
