"""Recognise a response saying an article is gone: HTTP 404/410, or a "page deleted" page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import lxml.html
from lxml.etree import ParserError
from lxml.html import HtmlElement

from newsarchive.extract.clean import drop_keeping_tail
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
# Longest first, so a page is reported by its most specific phrase.
_BY_LENGTH = sorted(GONE_PHRASES, key=len, reverse=True)


def _visible_text(body: bytes, headers: Mapping[str, Any] | None) -> tuple[str, str]:
    """(title, visible text) of a page given as bytes."""
    decoded = decode_html(body, headers or {})
    try:
        tree = cast(HtmlElement, lxml.html.document_fromstring(decoded.text))
    except (ParserError, ValueError):
        return "", ""
    for element in cast(list[HtmlElement], tree.xpath("//script|//style|//noscript|//template")):
        drop_keeping_tail(element)
    title = " ".join(str(t) for t in cast(list[str], tree.xpath("//title//text()")))
    return title, tree.text_content()


def gone_phrase_in(title: str, text: str) -> str | None:
    """The "page deleted" phrase a page shows in its `title` or short visible `text`, if any
    (extract() asks this of a page it has parsed and found no article on)."""
    compact_title = fold_simplified("".join(title.split())).lower()
    compact = "".join(text.split())
    # Only a short page is a notice: a long one is folded for nothing.
    short = fold_simplified(compact).lower() if len(compact) <= MAX_NOTICE_CHARS else ""
    for phrase in _BY_LENGTH:
        needle = "".join(phrase.split())
        if needle in compact_title or needle in short:
            return phrase
    return None


def gone_phrase(body: bytes, headers: Mapping[str, Any] | None = None) -> str | None:
    """The "page deleted" phrase a page given as bytes shows, if any."""
    if not body or not body.strip():
        return None
    return gone_phrase_in(*_visible_text(body, headers))


def gone_status(status: int) -> str | None:
    """The reason an HTTP status alone says the article is gone ("HTTP 404"), or None (403 and
    5xx, an outage or a block, say nothing about the article)."""
    return f"HTTP {status}" if status in GONE_STATUSES else None


def gone_reason(status: int, body: bytes, headers: Mapping[str, Any] | None = None) -> str | None:
    """Why a response shows the article is gone ("HTTP 404", "page says: 文章不存在"), or None."""
    if status >= 400:
        return gone_status(status)
    phrase = gone_phrase(body, headers)
    return notice_reason(phrase) if phrase is not None else None


def notice_reason(phrase: str) -> str:
    """The recorded reason for a page that says the article was removed."""
    return f"page says: {phrase}"
