"""The Article value that extraction produces, and its JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class PageKind(StrEnum):
    """What a page is: only an article (or a thread) is archived as one."""

    ARTICLE = "article"
    LIST = "list"
    GALLERY = "gallery"
    VIDEO = "video"
    OTHER = "other"


@dataclass
class Post:
    """One post of a forum or blog thread: who wrote it, when, and its text."""

    author: str | None = None
    published: datetime | None = None
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; the datetime becomes ISO 8601 with offset."""
        return {
            "author": self.author,
            "published": self.published.isoformat() if self.published is not None else None,
            "text": self.text,
        }


@dataclass
class Article:
    """What one article page says, free of the page's chrome."""

    url: str
    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    editor: str | None = None
    keywords: list[str] = field(default_factory=list)
    section_path: list[str] = field(default_factory=list)
    summary: str | None = None
    language: str | None = None
    encoding: str | None = None
    canonical_url: str | None = None
    page_type: PageKind = PageKind.ARTICLE
    page_type_confidence: float = 0.0
    # How values were decided, kept so an archivist can re-check them later:
    # {"encoding": {...}, "published": {"raw": ..., "rule": ...}, ...}
    evidence: dict[str, Any] = field(default_factory=dict)
    # The URL of the next page when the article is split over several pages.
    next_page_url: str | None = None
    # The article alone as clean HTML (headline, paragraphs, main image), for display and
    # re-reading.
    html: str | None = None
    # The main image (absolute URL) and its caption.
    image_url: str | None = None
    image_caption: str | None = None
    # A forum or blog thread's posts in page order (the body is their texts joined); empty for an
    # article that is not a thread.
    posts: list[Post] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The body as paragraphs joined by newlines."""
        return "\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; datetimes become ISO 8601 with offset."""
        data = asdict(self)
        data["body"] = self.body
        data["posts"] = [post.to_dict() for post in self.posts]
        for key in ("published", "updated"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data
