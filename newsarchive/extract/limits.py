"""What extraction refuses to work through: a page too big or too deeply nested, a body too long.

A hostile or broken page must fail fast with its true reason, not take the extractor's memory and
time or lose its text silently at a parser limit. The caps are data (`Limits`), passed in by the
caller (the crawl reads them from its settings); the defaults suit any news page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.errors import EmptyPage, PageTooDeep, PageTooLarge

# libxml2 stops building the tree at its depth limit (256 levels) and reports it so: the text
# beyond is lost. The message of that report.
_DEPTH_ERROR = "Excessive depth"
# Control characters no text page holds (tab, newlines and form feed aside); in a binary body
# decoded as text they are one character in ten or so.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_BINARY_SHARE = 0.03
_BINARY_SAMPLE = 65536


@dataclass(frozen=True)
class Limits:
    """Caps on one page's extraction (0 turns a cap off)."""

    # Characters of article body at most (paragraphs joined): more is not a news article.
    max_body_chars: int = 1_000_000
    # Elements in the parsed page at most: every later stage walks them.
    max_elements: int = 200_000


DEFAULT_LIMITS = Limits()


def check_text(text: str, url: str) -> None:
    """EmptyPage if the decoded page is binary data rather than text: no HTML document."""
    sample = text[:_BINARY_SAMPLE]
    controls = len(_CONTROL_RE.findall(sample))
    if sample and controls > _BINARY_SHARE * len(sample):
        raise EmptyPage(url, f"binary data, not a text page ({controls:,} control "
                             f"characters in the first {len(sample):,})")


def check_parse(parser: etree.HTMLParser, url: str) -> None:
    """PageTooDeep if the parser's last document hit its depth limit."""
    for entry in parser.error_log:
        if _DEPTH_ERROR in entry.message:
            raise PageTooDeep(url, f"elements nested past the parser's depth limit "
                                   f"(line {entry.line}): the text inside is lost")


def check_elements(tree: HtmlElement, url: str, limits: Limits) -> None:
    """PageTooLarge if the page has more elements than `limits` allow."""
    cap = limits.max_elements
    if not cap:
        return
    count = int(tree.xpath("count(//*)"))  # counted in C: a walk in Python costs on every page
    if count > cap:
        raise PageTooLarge(url, f"{count:,} elements in the page, over the cap of {cap:,}")


def check_body(paragraphs: list[str], url: str, limits: Limits) -> None:
    """PageTooLarge if the body is longer than `limits` allow."""
    cap = limits.max_body_chars
    length = sum(len(p) for p in paragraphs)
    if cap and length > cap:
        raise PageTooLarge(url, f"article body of {length:,} characters, over the cap of {cap:,}")
