"""Items passed from the spider to the pipelines and on to the writer process (plain dataclasses,
read through ItemAdapter, picklable).

A fetched page is the archive's own `FetchedPage` (one type from response to row). What went
wrong travels as a named error (`NewsarchiveError`: url, kind, reason), never as a bare string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from newsarchive.archive.writes import FetchedPage, headers_json
from newsarchive.extract.article import Article
from newsarchive.extract.errors import FailureKind, NewsarchiveError

if TYPE_CHECKING:
    from scrapy.http import Response

__all__ = ["ROLE_META", "SECTION_META", "ArticlePages", "CrawlError", "FailedRequest",
           "FetchedPage", "RequestRole", "SectionPage", "fetched_page", "request_failure"]

# Request meta keys: what the spider asked the URL for, and the section it was listed in.
ROLE_META = "newsarchive_role"
SECTION_META = "newsarchive_section"


class CrawlError(NewsarchiveError):
    """A request or page of a crawl that gave no usable response or no article."""


class RequestRole(StrEnum):
    """What the spider asked a URL for."""

    SECTION = "section"  # a list page of a section
    FEED = "feed"  # a sitemap or RSS/Atom feed
    ARTICLE = "article"
    ROBOTS = "robots"  # robots.txt, read for its Sitemap: lines


def fetched_page(response: Response) -> FetchedPage:
    """The response as the archive keeps it (headers decoded once, as latin-1, the HTTP way),
    under the URL the spider scheduled (the first of a redirect chain)."""
    url = response.url
    if response.request is not None:
        url = str((response.request.meta.get("redirect_urls") or [response.request.url])[0])
    return FetchedPage(
        url=url,
        final_url=response.url,
        status=response.status,
        headers=headers_json(response.headers),
        body=response.body,
        fetched_at=datetime.now(UTC),
    )


@dataclass
class SectionPage:
    """A fetched section (list) page, sitemap or feed, and what the spider found on it."""

    page: FetchedPage
    section_url: str
    article_links: int = 0
    next_pages: int = 0
    error: NewsarchiveError | None = None
    # The redirects followed on the way to `page` (archived with it, outcome "redirect").
    redirects: list[FetchedPage] = field(default_factory=list)


@dataclass
class ArticlePages:
    """An article's page(s) and, as the pipelines run, what became of them."""

    url: str
    pages: list[FetchedPage]
    section_url: str | None = None
    article: Article | None = None
    error: NewsarchiveError | None = None
    duplicate_of: str | None = None
    # A later page of a multi-page article that could not be had: the article ends before it.
    continuation_error: NewsarchiveError | None = None
    # The redirects followed on the way to the first page (archived, outcome "redirect").
    redirects: list[FetchedPage] = field(default_factory=list)


@dataclass
class FailedRequest:
    """A request that produced no usable response (network error, robots.txt, retries exhausted,
    a link or redirect refused), under the URL the spider scheduled."""

    url: str
    error: NewsarchiveError
    role: RequestRole = RequestRole.ARTICLE
    section_url: str | None = None
    # The redirects followed before it failed; the failure names the last one's fetch.
    redirects: list[FetchedPage] = field(default_factory=list)


# Exception class names (Twisted's and Scrapy's) by the failure kind they stand for.
_KIND_BY_ERROR = {
    "TimeoutError": FailureKind.TIMEOUT, "TCPTimedOutError": FailureKind.TIMEOUT,
    "DNSLookupError": FailureKind.NETWORK, "ConnectionRefusedError": FailureKind.NETWORK,
    "ConnectError": FailureKind.NETWORK, "ConnectionLost": FailureKind.NETWORK,
    "ConnectionDone": FailureKind.NETWORK, "ResponseFailed": FailureKind.NETWORK,
    "ResponseNeverReceived": FailureKind.NETWORK, "TunnelError": FailureKind.NETWORK,
    # Scrapy's own names for the same (2.13 on).
    "DownloadTimeoutError": FailureKind.TIMEOUT, "ResponseDataLossError": FailureKind.NETWORK,
    "DownloadConnectionRefusedError": FailureKind.NETWORK,
    "CannotResolveHostError": FailureKind.NETWORK, "DownloadFailedError": FailureKind.NETWORK,
    "UnsupportedURLSchemeError": FailureKind.BAD_SCHEME,
}


def request_failure(url: str, error: BaseException) -> NewsarchiveError:
    """The named failure of a request that gave no usable response."""
    if isinstance(error, NewsarchiveError):
        return error
    message = str(error) or type(error).__name__
    if "robots.txt" in message.lower():
        return CrawlError(url, "forbidden by robots.txt", FailureKind.ROBOTS)
    kind = _KIND_BY_ERROR.get(type(error).__name__, FailureKind.OTHER)
    return CrawlError(url, f"{type(error).__name__}: {message}", kind)
