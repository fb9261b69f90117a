"""Items passed from the spider to the pipelines (plain dataclasses, read through ItemAdapter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newsarchive.extract.article import Article

if TYPE_CHECKING:
    from scrapy.http import Response


@dataclass
class FetchedPage:
    """One HTTP response, exactly as received."""

    url: str
    final_url: str
    status: int
    headers: dict[str, list[str]]
    body: bytes
    fetched_at: datetime


def fetched_page(response: Response) -> FetchedPage:
    """The response as the archive keeps it (headers decoded as latin-1, the HTTP way)."""
    headers = {
        key.decode("latin-1"): [v.decode("latin-1") for v in values]
        for key, values in response.headers.items()
    }
    url = response.request.url if response.request is not None else response.url
    return FetchedPage(
        url=url,
        final_url=response.url,
        status=response.status,
        headers=headers,
        body=response.body,
        fetched_at=datetime.now(UTC),
    )


@dataclass
class SectionPage:
    """A fetched section (list) page and what the spider found on it."""

    page: FetchedPage
    section_url: str
    article_links: int = 0
    next_pages: int = 0
    error: str | None = None


@dataclass
class ArticlePages:
    """An article's page(s) and, as the pipelines run, what became of them."""

    url: str
    pages: list[FetchedPage]
    section_url: str | None = None
    article: Article | None = None
    error: str | None = None
    duplicate_of: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class FailedRequest:
    """A request that produced no response (network error, robots.txt, retries exhausted)."""

    url: str
    reason: str
    kind: str  # "section" or "article"
    section_url: str | None = None


def request_failure_reason(error: BaseException) -> str:
    """A one-line reason for a request that gave no usable response."""
    message = str(error) or type(error).__name__
    if "robots.txt" in message.lower():
        return "forbidden by robots.txt"
    return f"{type(error).__name__}: {message}"
