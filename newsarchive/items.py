"""Items passed from the spider to the pipelines (plain dataclasses, read through ItemAdapter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsarchive.extract.article import Article


@dataclass
class FetchedPage:
    """One HTTP response, exactly as received."""

    url: str
    final_url: str
    status: int
    headers: dict[str, list[str]]
    body: bytes
    fetched_at: datetime


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
