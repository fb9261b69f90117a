"""The archive schema: SQLAlchemy 2.x models, the same on SQLite and PostgreSQL.

Times of our own (fetches, runs, first/last seen) are instants in UTC. A page's own times
(published, updated) are stored as the UTC instant (``*_at``, what filters compare) plus the
page's UTC offset in seconds (``*_offset``), so 2020-01-09T07:56:40+08:00 comes back as
exactly that; a NULL offset means the page gave a time without a zone, stored as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Deterministic constraint names, so migrations can name what they alter on both engines.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: stored as UTC (timestamptz on PostgreSQL), read back aware in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        # SQLite keeps text without a zone; all-UTC text compares in instant order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def split_time(value: datetime | None) -> tuple[datetime | None, int | None]:
    """A page time as (instant, UTC offset in seconds); a naive time keeps offset None."""
    if value is None:
        return None, None
    offset = value.utcoffset()
    if offset is None:
        return value, None
    return value.astimezone(UTC), int(offset.total_seconds())


def join_time(instant: datetime | None, offset: int | None) -> datetime | None:
    """The page time back with its original offset (naive when the page gave none)."""
    if instant is None:
        return None
    if offset is None:
        return instant.replace(tzinfo=None)
    return instant.astimezone(timezone(timedelta(seconds=offset)))


class Base(DeclarativeBase):
    """The one declarative base of the archive."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(), dict[str, Any]: JSONType, list[str]: JSONType,
    }


class Site(Base):
    """A portal, by host (lower-case, no www.)."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str | None] = mapped_column(String(64))


class CrawlRun(Base):
    """One crawl: what it started from, with which settings, how it ended."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    start_urls: Mapped[list[str]]
    settings: Mapped[dict[str, Any]]
    counts: Mapped[dict[str, Any] | None]
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    # The process running the crawl and when it was last alive (newsarchive.archive.runs): an
    # open run whose owner is gone is closed as "killed" by the next run's start.
    owner_pid: Mapped[int | None] = mapped_column(Integer)
    owner_host: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None]


class RawPageDictionary(Base):
    """A zstd dictionary for one host's raw pages, trained on its first pages (never changed)."""

    __tablename__ = "raw_page_dictionaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime]
    samples: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class RawPage(Base):
    """A distinct response body, compressed, stored once by its SHA-256
    (newsarchive.archive.rawpages). """

    __tablename__ = "raw_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    # "zstd" (with `dictionary_id`, or none), or "zlib" (rows written before migration 0004).
    compression: Mapped[str] = mapped_column(String(16))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    dictionary_id: Mapped[int | None] = mapped_column(ForeignKey("raw_page_dictionaries.id"))


class Fetch(Base):
    """One HTTP response as received, and what became of it."""

    __tablename__ = "fetches"

    id: Mapped[int] = mapped_column(primary_key=True)
    crawl_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]]
    fetched_at: Mapped[datetime]
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id"), index=True)
    # "fetched", then "new" / "changed" / "unchanged" on an article's first page,
    # "continuation" on its later pages, or "failed".
    outcome: Mapped[str] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[dict[str, Any] | None]
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    # Where the WARC copy of this fetch is, when the crawl wrote WARCs (newsarchive.archive.warc).
    warc_file: Mapped[str | None] = mapped_column(String(255))
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)

    raw_page: Mapped[RawPage | None] = relationship()


class Failure(Base):
    """A page that yielded no article, or a request that yielded no response, with the reason."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    crawl_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    fetch_id: Mapped[int | None] = mapped_column(ForeignKey("fetches.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    # A FailureKind code (newsarchive.extract.errors): what stats and dashboards group by.
    kind: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class ArticleFields:
    """The extracted fields an article row and each of its revisions carry."""

    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    published_offset: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime | None]
    updated_offset: Mapped[int | None] = mapped_column(Integer)
    authors: Mapped[list[str]]
    source: Mapped[str | None] = mapped_column(Text)
    editor: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[str]]
    section_path: Mapped[list[str]]
    summary: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(35))
    encoding: Mapped[str | None] = mapped_column(String(40))
    # A forum or blog thread's posts in page order, [{author, published, text}]; NULL for an
    # article that is no thread (its body is the posts' texts joined).
    posts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    content_hash: Mapped[str] = mapped_column(String(64))


class ArticleRow(ArticleFields, Base):
    """One article per canonical URL, holding its current fields."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_site_id_published_at", "site_id", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    # Near-duplicate cluster: the id of the first archived copy of the story.
    cluster_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Bottom-k MinHash sketch of the body's character shingles (newsarchive.archive.clusters).
    sketch: Mapped[bytes | None] = mapped_column(LargeBinary)

    site: Mapped[Site] = relationship()

    @property
    def published(self) -> datetime | None:
        """The publication time with the page's own offset."""
        return join_time(self.published_at, self.published_offset)


Index("ix_articles_published_at", ArticleRow.published_at)


class ArticleRevision(ArticleFields, Base):
    """One distinct extracted content of an article, never deleted.

    The article's latest revision leaves `body` NULL: its body is the article's current
    one (``articles.body``), not stored twice; the view ``article_revisions_full`` gives
    every revision with its body.
    """

    __tablename__ = "article_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str | None] = mapped_column(Text)  # type: ignore[assignment]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    extractor_version: Mapped[str] = mapped_column(String(40))
    fetch_id: Mapped[int | None] = mapped_column(ForeignKey("fetches.id"), index=True)
    # How extraction decided (encoding, date rules), kept for re-checking later.
    evidence: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class ArticleEvent(Base):
    """A change in an article's life that is not a revision: seen gone ("deleted"), back
    ("restored"). """

    __tablename__ = "article_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    fetch_id: Mapped[int | None] = mapped_column(ForeignKey("fetches.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)


class SketchAnchor(Base):
    """One of an article's smallest shingle hashes: articles sharing one are near-duplicate
    candidates. """

    __tablename__ = "sketch_anchors"

    anchor: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True, index=True)
