"""What the archive already knows about a site's articles, and which are due for a re-check.

Read-only over the archive's tables: the crawl asks it before fetching an article again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from newsarchive.archive.db import make_engine
from newsarchive.archive.models import ArticleRow, Fetch, Site
from newsarchive.archive.rawpages import RawPageReader, UnknownCompression
from newsarchive.archive.urls import canonical_url, site_host
from newsarchive.archive.writes import ARTICLE_OUTCOMES


@dataclass(frozen=True)
class KnownArticle:
    """An archived article as the crawler needs it: when seen, when checked, how to ask again."""

    canonical_url: str
    url: str
    first_seen: datetime
    last_checked: datetime
    fetch_id: int | None
    etag: str | None
    last_modified: str | None
    headers: dict[str, list[str]]
    deleted: bool = False


def revisit_due(known: KnownArticle, now: datetime, after: Sequence[timedelta]) -> bool:
    """Whether a re-check point (first_seen + d) has passed since the article was last checked."""
    passed = [known.first_seen + d for d in after if known.first_seen + d <= now]
    return bool(passed) and known.last_checked < max(passed)


def _header(headers: dict[str, Any], name: str) -> str | None:
    for key, values in (headers or {}).items():
        if key.lower() == name:
            value = values[-1] if isinstance(values, list) and values else values
            return str(value) if value else None
    return None


class Frontier:
    """The archived articles of some hosts, keyed by canonical URL (and by their fetched URL)."""

    def __init__(self, articles: Iterable[KnownArticle] = (), db_url: str | None = None) -> None:
        self.db_url = db_url
        self._engine: Engine | None = None
        self._raw_pages = RawPageReader()
        self._by_key: dict[str, KnownArticle] = {}
        for article in articles:
            self._by_key[article.canonical_url] = article
            self._by_key.setdefault(canonical_url(article.url), article)

    @classmethod
    def load(cls, db_url: str, hosts: Iterable[str]) -> Frontier:
        """The frontier of `hosts` (URLs or hosts) as the archive at `db_url` holds it."""
        wanted = {site_host(h if "://" in h else f"http://{h}") for h in hosts}
        engine = make_engine(db_url)
        try:
            with engine.connect() as conn:
                site_ids = [i for i, host in conn.execute(select(Site.id, Site.host))
                            if host in wanted]
                if not site_ids:
                    return cls(db_url=db_url)
                rows = conn.execute(
                    select(ArticleRow.id, ArticleRow.canonical_url, ArticleRow.url,
                           ArticleRow.first_seen, ArticleRow.last_seen, ArticleRow.deleted_at)
                    .where(ArticleRow.site_id.in_(site_ids))).all()
                # The article's latest fetch: its headers carry ETag / Last-Modified.
                latest = (select(Fetch.article_id, func.max(Fetch.id).label("fetch_id"))
                          .where(Fetch.outcome.in_(ARTICLE_OUTCOMES),
                                 Fetch.article_id.is_not(None))
                          .group_by(Fetch.article_id).subquery())
                fetches = {
                    article_id: (fetch_id, headers, fetched_at)
                    for article_id, fetch_id, headers, fetched_at in conn.execute(
                        select(latest.c.article_id, Fetch.id, Fetch.headers, Fetch.fetched_at)
                        .join(Fetch, Fetch.id == latest.c.fetch_id))
                }
        finally:
            engine.dispose()
        articles = []
        for article_id, canonical, url, first_seen, last_seen, deleted_at in rows:
            fetch_id, headers, fetched_at = fetches.get(article_id, (None, {}, None))
            checked = max(t for t in (last_seen, fetched_at) if t is not None)
            articles.append(KnownArticle(
                canonical_url=canonical, url=url, first_seen=first_seen, last_checked=checked,
                fetch_id=fetch_id, etag=_header(headers, "etag"),
                last_modified=_header(headers, "last-modified"), headers=headers or {},
                deleted=deleted_at is not None))
        return cls(articles, db_url)

    def __len__(self) -> int:
        return len({a.canonical_url for a in self._by_key.values()})

    def get(self, url: str) -> KnownArticle | None:
        """The archived article a link points to, if any."""
        return self._by_key.get(canonical_url(url))

    def articles(self) -> list[KnownArticle]:
        """Every known article once."""
        return list({a.canonical_url: a for a in self._by_key.values()}.values())

    def due(self, now: datetime, after: Sequence[timedelta]) -> list[KnownArticle]:
        """Known articles (not marked deleted) whose re-check is due at `now`."""
        return [a for a in self.articles() if not a.deleted and revisit_due(a, now, after)]

    def stored_body(self, fetch_id: int) -> bytes | None:
        """The body a fetch received (for a 304 answer: what the server says is unchanged)."""
        if self.db_url is None:
            return None
        if self._engine is None:
            self._engine = make_engine(self.db_url)
        with self._engine.connect() as conn:
            try:
                return self._raw_pages.fetch_body(conn, fetch_id)
            except UnknownCompression:
                return None

    def close(self) -> None:
        """Release the database connection, if one was opened."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
