"""Sitemaps and RSS/Atom feeds: bytes + URL -> the article URLs they list, with dates, and child
sitemaps.

Never fetches and imports no Scrapy: the spider hands every sitemap or feed response here. One lxml
parse covers sitemap indexes, urlsets (plain or gzip'd), Google News sitemaps, RSS 0.9x/2.0, RSS 1.0
(RDF) and Atom; only an entry's URL and its latest date are needed, so a full feed library would
parse (and sanitise) much more than we keep.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree

# The sitemap protocol's limit for one (uncompressed) file; a gzip bomb stops here.
MAX_UNCOMPRESSED = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
# Root elements by local name: sitemaps, RSS 0.9x/2.0, RSS 1.0 (rdf:RDF) and Atom.
KINDS = {
    "urlset": "urlset",
    "sitemapindex": "sitemapindex",
    "rss": "rss",
    "RDF": "rdf",
    "feed": "atom",
}
# The first element of an XML document, after its declaration, processing instructions, comments,
# doctype.
_ROOT_RE = re.compile(
    rb"^(?:\s|\xef\xbb\xbf|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^[>]*(?:\[.*?\])?\s*>)*<(?:[\w.-]+:)?([A-Za-z]+)[\s>/]",
    re.DOTALL,
)
_SNIFF_BYTES = 4096
_ATOM_ALTERNATE = ("", "alternate")


class FeedError(ValueError):
    """A sitemap or feed that cannot be used: which URL and why."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


@dataclass(frozen=True)
class FeedEntry:
    """One listed URL and its latest date (lastmod, news publication date, pubDate, updated), if
    any. """

    url: str
    lastmod: datetime | None = None


@dataclass(frozen=True)
class Feed:
    """What a sitemap or feed lists: article entries, child sitemaps, and what was wrong with it."""

    kind: str
    entries: tuple[FeedEntry, ...] = ()
    sitemaps: tuple[FeedEntry, ...] = ()
    # Set when the XML was broken but lxml's recovery still found entries.
    problem: str | None = None


def gunzip(body: bytes, url: str, limit: int = MAX_UNCOMPRESSED) -> bytes:
    """The body itself, or its gzip'd content (a .xml.gz sitemap) up to `limit` bytes."""
    if not body.startswith(GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit)
    except zlib.error as exc:
        raise FeedError(url, f"broken gzip: {exc}") from exc
    if inflater.unconsumed_tail:
        raise FeedError(url, f"more than {limit} bytes once uncompressed")
    if not inflater.eof:
        raise FeedError(url, "broken gzip: the stream is cut short")
    return data


def feed_kind(body: bytes) -> str | None:
    """'urlset', 'sitemapindex', 'rss', 'rdf' or 'atom' when the bytes are one (by content), else
    None. """
    if body.startswith(GZIP_MAGIC):
        try:
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, _SNIFF_BYTES)
        except zlib.error:
            return None
    match = _ROOT_RE.match(body[:_SNIFF_BYTES])
    return KINDS.get(match.group(1).decode("ascii")) if match else None


def parse_feed(body: bytes, url: str, *, tz: str = "UTC") -> Feed:
    """The entries of the sitemap or feed at `url`; FeedError when it is none or holds nothing
    usable.

    Dates without an offset are read in `tz` (the site's timezone).
    """
    data = gunzip(body, url)
    if not data.strip():
        raise FeedError(url, "empty body")
    kind = feed_kind(data)
    if kind is None:
        raise FeedError(
            url, "not a sitemap or feed (no urlset, sitemapindex, rss, rdf:RDF or Atom feed root)"
        )
    root, problem = _parse_xml(data, url)
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # a bad setting, not a bad feed
        raise FeedError(url, f"timezone {tz!r} is not an IANA zone") from exc
    if kind == "sitemapindex":
        feed = Feed(
            kind, sitemaps=_unique(_sitemap_entries(root, "sitemap", url, zone)), problem=problem
        )
    elif kind == "urlset":
        feed = Feed(
            kind, entries=_unique(_sitemap_entries(root, "url", url, zone)), problem=problem
        )
    elif kind == "atom":
        feed = Feed(kind, entries=_unique(_atom_entries(root, url, zone)), problem=problem)
    else:
        feed = Feed(kind, entries=_unique(_rss_entries(root, url, zone)), problem=problem)
    if problem is not None and not feed.entries and not feed.sitemaps:
        raise FeedError(url, problem)
    return feed


def _parse_xml(data: bytes, url: str) -> tuple[etree._Element, str | None]:
    """The document's root, parsed safely (no entities, no network); a broken one is recovered if it
    can be. """
    strict = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        return etree.fromstring(data, strict), None
    except etree.XMLSyntaxError as exc:
        problem = f"broken XML: {exc}"
    lenient = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, recover=True
    )
    try:
        root = etree.fromstring(data, lenient)
    except etree.XMLSyntaxError as exc:
        raise FeedError(url, f"broken XML: {exc}") from exc
    if root is None:
        raise FeedError(url, problem)
    return root, problem


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element, *names: str) -> Iterator[etree._Element]:
    return (child for child in element if _local(child) in names)


def _child_text(element: etree._Element, name: str) -> str | None:
    """The first non-empty text of a child named `name`."""
    return next((c.text for c in _children(element, name) if c.text and c.text.strip()), None)


def _texts(element: etree._Element, *names: str) -> Iterator[str]:
    """The stripped texts of the descendants named `names` (any namespace)."""
    for child in element.iter():
        if child is not element and _local(child) in names and child.text and child.text.strip():
            yield child.text.strip()


def _url(raw: str | None, base: str) -> str | None:
    """An absolute http(s) URL, or None."""
    raw = raw.strip() if raw else ""
    if raw.startswith(("http://", "https://")):
        # Nearly every sitemap <loc> and feed link: no join needed (urljoin is the slow part).
        return raw
    url = urljoin(base, raw) if raw else ""
    return url if urlsplit(url).scheme in ("http", "https") else None


def _latest(texts: Iterable[str], zone: ZoneInfo) -> datetime | None:
    """The latest of the dates among `texts` (unreadable ones are ignored)."""
    dates = [d for d in (parse_feed_date(t, zone) for t in texts) if d is not None]
    return max(dates) if dates else None


def _sitemap_entries(
    root: etree._Element, item: str, base: str, zone: ZoneInfo
) -> Iterator[FeedEntry]:
    """<url> or <sitemap> items: <loc>, and <lastmod> or a Google News <news:publication_date>."""
    for element in _children(root, item):
        # <loc> of the item itself, not of an <image:image> or <video:video> inside it.
        url = _url(_child_text(element, "loc"), base)
        if url is not None:
            yield FeedEntry(url, _latest(_texts(element, "lastmod", "publication_date"), zone))


def _rss_entries(root: etree._Element, base: str, zone: ZoneInfo) -> Iterator[FeedEntry]:
    """RSS <item>s (2.0 under <channel>, 1.0 beside it): <link>, else a permalink <guid>."""
    for element in root.iter():
        if _local(element) != "item":
            continue
        raw = _child_text(element, "link")
        if raw is None:
            raw = next((c.text for c in _children(element, "guid")
                        if c.get("isPermaLink", "true") != "false" and c.text), None)
        url = _url(raw, base)
        if url is not None:
            yield FeedEntry(
                url, _latest(_texts(element, "pubDate", "date", "updated", "modified"), zone)
            )


def _atom_entries(root: etree._Element, base: str, zone: ZoneInfo) -> Iterator[FeedEntry]:
    """Atom <entry>s: the alternate <link href>, resolved against xml:base."""
    feed_base = _url(root.get("{http://www.w3.org/XML/1998/namespace}base"), base) or base
    for element in _children(root, "entry"):
        links = [
            link for link in _children(element, "link") if link.get("rel", "") in _ATOM_ALTERNATE
        ]
        url = _url(links[0].get("href") if links else None, feed_base)
        if url is not None:
            yield FeedEntry(url, _latest(_texts(element, "updated", "published"), zone))


def _unique(entries: Iterable[FeedEntry]) -> tuple[FeedEntry, ...]:
    """Entries in order, each URL once (with its latest date)."""
    by_url: dict[str, FeedEntry] = {}
    for entry in entries:
        seen = by_url.get(entry.url)
        if seen is None or (
            entry.lastmod and (seen.lastmod is None or entry.lastmod > seen.lastmod)
        ):
            by_url[entry.url] = entry
    return tuple(by_url.values())


def parse_feed_date(text: str, zone: ZoneInfo) -> datetime | None:
    """An RFC 822 (RSS) or W3C/ISO 8601 (sitemaps, Atom) date as an aware datetime, else the
    page-date rules. """
    text = text.strip()
    value = _iso_or_rfc822(text)
    if value is None:
        from newsarchive.extract.dates import parse_date

        found = parse_date(text, tz=zone.key)
        value = found.value if found is not None else None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _iso_or_rfc822(text: str) -> datetime | None:
    """W3C/ISO 8601 (sitemaps, Atom: they start with the year) or RFC 822 (RSS), else None."""
    try:
        return datetime.fromisoformat(text) if text[:1].isdigit() else parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


__all__ = ["Feed", "FeedEntry", "FeedError", "feed_kind", "gunzip", "parse_feed", "parse_feed_date"]
