"""The archive's one reader and writer: crawl runs, raw fetches, articles and their revisions."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, cast

from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import clusters, search
from newsarchive.db import default_db_url, make_engine, upgrade
from newsarchive.extract.article import Article
from newsarchive.filters import ArticleFilter, apply_filter
from newsarchive.models import (
    ArticleEvent,
    ArticleRevision,
    ArticleRow,
    Base,
    CrawlRun,
    Failure,
    Fetch,
    RawPage,
    Site,
    join_time,
    split_time,
)
from newsarchive.urls import canonical_url, site_host

ARTICLE_OUTCOMES = ("new", "changed", "unchanged")
STREAM_BATCH = 500
# The extracted fields whose change makes a new revision; the URL a copy was fetched
# from, the encoding label and the evidence describe the fetch, not the content.
HASHED_FIELDS = ("title", "body", "published", "updated", "authors", "source", "editor",
                 "keywords", "section_path", "summary")


class NotArchived(LookupError):
    """The archive holds no such run or fetch."""

    def __init__(self, what: str, reason: str) -> None:
        self.what = what
        self.reason = reason
        super().__init__(f"{what}: {reason}")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _jsonable(value: Any) -> Any:
    """`value` as plain JSON data; anything JSON cannot hold becomes its str()."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def content_hash(article: Article) -> str:
    """SHA-256 of the article's extracted content (the fields in HASHED_FIELDS)."""
    data = article.to_dict()
    payload = json.dumps({key: data[key] for key in HASHED_FIELDS}, ensure_ascii=False,
                         sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _article_fields(article: Article) -> dict[str, Any]:
    """The column values an article row and its revision share."""
    published_at, published_offset = split_time(article.published)
    updated_at, updated_offset = split_time(article.updated)
    return {
        "url": article.url, "title": article.title, "body": article.body,
        "published_at": published_at, "published_offset": published_offset,
        "updated_at": updated_at, "updated_offset": updated_offset,
        "authors": list(article.authors), "source": article.source, "editor": article.editor,
        "keywords": list(article.keywords), "section_path": list(article.section_path),
        "summary": article.summary, "language": article.language, "encoding": article.encoding,
        "content_hash": content_hash(article),
    }


def _headers_json(headers: Mapping[Any, Any]) -> dict[str, list[str]]:
    """Response headers as {name: [values]} of str (Scrapy gives bytes)."""
    def text(value: Any) -> str:
        return value.decode("latin-1") if isinstance(value, bytes) else str(value)

    result: dict[str, list[str]] = {}
    for name, values in headers.items():
        items = values if isinstance(values, list | tuple) else [values]
        result.setdefault(text(name), []).extend(text(v) for v in items)
    return result


class Archive:
    """Reads and writes the archive at a SQLAlchemy URL; each write is one transaction."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or default_db_url()
        if migrate:
            upgrade(self.url)
        self.engine = make_engine(self.url)
        self._insert_ignore_statements: dict[tuple[type[Base], str], Any] = {}
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        # On SQLite a writer takes the write lock at BEGIN, so concurrent writers queue.
        self._writer = sessionmaker(self.engine.execution_options(sqlite_begin="IMMEDIATE"),
                                    expire_on_commit=False)

    def reading(self) -> Session:
        """A read-only session for the query modules (search, export, stats); close it after."""
        return self._reader()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- writes ------------------------------------------------------------------

    def _insert_ignore(self, session: Session, model: type[Base], values: dict[str, Any],
                       key: str) -> int | None:
        """Insert a row unless one with the same unique `key` exists; the new id, or None."""
        connection = session.connection()
        stmt_key = (model, key)
        stmt = self._insert_ignore_statements.get(stmt_key)
        if stmt is None:
            dialect = connection.dialect.name
            if dialect not in ("postgresql", "sqlite"):
                raise NotImplementedError(f"{dialect}: the archive supports SQLite and PostgreSQL")
            dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            table = cast(Table, model.__table__)
            # Built once, executed with parameters: building .values() each time costs more
            # than the insert itself.
            stmt = (dialect_insert(table).on_conflict_do_nothing(index_elements=[key])
                    .returning(table.c.id))
            self._insert_ignore_statements[stmt_key] = stmt
        return connection.execute(stmt, values).scalar_one_or_none()

    def _site_id(self, session: Session, host: str) -> int:
        found = session.scalar(select(Site.id).where(Site.host == host))
        if found is not None:
            return found
        new_id = self._insert_ignore(session, Site, {"host": host}, "host")
        return new_id if new_id is not None else session.scalars(
            select(Site.id).where(Site.host == host)).one()

    def _raw_page_id(self, session: Session, body: bytes) -> int:
        digest = hashlib.sha256(body).hexdigest()
        found = session.scalar(select(RawPage.id).where(RawPage.sha256 == digest))
        if found is not None:
            return found
        values = {"sha256": digest, "size": len(body), "compression": "zlib",
                  "body": zlib.compress(body)}
        new_id = self._insert_ignore(session, RawPage, values, "sha256")
        return new_id if new_id is not None else session.scalars(
            select(RawPage.id).where(RawPage.sha256 == digest)).one()

    def start_run(self, start_urls: list[str], settings: dict[str, Any]) -> int:
        """Open a crawl run; its id."""
        with self._writer.begin() as session:
            run = CrawlRun(started_at=_now(), start_urls=list(start_urls),
                           settings=_jsonable(dict(settings)))
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, finish_reason: str) -> dict[str, Any]:
        """Close a crawl run with its reason and counts by outcome; its summary."""
        with self._writer.begin() as session:
            run = self._run(session, run_id)
            counts = dict(session.execute(
                select(Fetch.outcome, func.count()).where(Fetch.crawl_run_id == run_id)
                .group_by(Fetch.outcome)).all())
            counts["failures"] = session.scalar(
                select(func.count()).select_from(Failure).where(Failure.crawl_run_id == run_id)
            ) or 0
            run.finished_at = _now()
            run.finish_reason = finish_reason
            run.counts = counts
        return self.run_summary(run_id)

    def record_fetch(self, run_id: int, *, url: str, final_url: str, status: int,
                     headers: Mapping[Any, Any], body: bytes, fetched_at: datetime,
                     encoding: dict[str, Any] | None = None) -> int:
        """Archive one HTTP response (its body stored once per distinct content); the fetch id."""
        with self._writer.begin() as session:
            fetch = Fetch(
                crawl_run_id=run_id, url=url, final_url=final_url, status=status,
                headers=_headers_json(headers), fetched_at=fetched_at,
                raw_page_id=self._raw_page_id(session, body), outcome="fetched",
                encoding=_jsonable(encoding) if encoding is not None else None,
            )
            session.add(fetch)
            session.flush()
            return fetch.id

    def store_article(self, run_id: int, fetch_ids: list[int], article: Article,
                      extractor_version: str) -> str:
        """Archive an extracted article from its fetches: "new", "changed" or "unchanged".

        The article is keyed by its canonical URL; changed content adds a revision and
        becomes the current fields, unchanged content only moves last_seen.
        """
        if not fetch_ids:
            raise ValueError(f"{article.url}: an article needs the fetch(es) it came from")
        canonical = canonical_url(article.url, article.canonical_url)
        fields = _article_fields(article)
        now = _now()
        with self._writer.begin() as session:
            site_id = self._site_id(session, site_host(canonical) or site_host(article.url))
            by_url = (select(ArticleRow).where(ArticleRow.canonical_url == canonical)
                      .with_for_update())
            row = session.scalars(by_url).one_or_none()
            article_id = None
            if row is None:
                # A concurrent writer may insert the same URL first: then ours is a no-op
                # and we carry on with its row, locked.
                article_id = self._insert_ignore(session, ArticleRow, {
                    "site_id": site_id, "canonical_url": canonical, "first_seen": now,
                    "last_seen": now, **fields}, "canonical_url")
                if article_id is None:
                    row = session.scalars(by_url).one()
            if row is None:
                outcome = "new"
            else:
                article_id = row.id
                outcome = "unchanged" if row.content_hash == fields["content_hash"] else "changed"
                row.last_seen = now
                if row.deleted_at is not None:
                    # Back after being seen gone: the event keeps when it was gone.
                    row.deleted_at = None
                    session.add(ArticleEvent(article_id=row.id, kind="restored", at=now,
                                             fetch_id=fetch_ids[0], reason=None))
                if outcome == "changed":
                    for name, value in fields.items():
                        setattr(row, name, value)
            assert article_id is not None
            if outcome != "unchanged":
                self._add_revision(session, article_id, fetch_ids[0], article, fields,
                                   extractor_version, now, row.cluster_id if row else None,
                                   fresh=row is None)
            session.execute(update(Fetch).where(Fetch.id == fetch_ids[0])
                            .values(outcome=outcome, article_id=article_id))
            if len(fetch_ids) > 1:
                session.execute(update(Fetch).where(Fetch.id.in_(fetch_ids[1:]))
                                .values(outcome="continuation", article_id=article_id))
        return outcome

    def _add_revision(self, session: Session, article_id: int, fetch_id: int, article: Article,
                      fields: dict[str, Any], extractor_version: str, now: datetime,
                      cluster_id: int | None, *, fresh: bool) -> None:
        """A revision, and the search index and cluster brought up to date, in `session`."""
        session.add(ArticleRevision(
            article_id=article_id, extractor_version=extractor_version, fetch_id=fetch_id,
            evidence=_jsonable(article.evidence), created_at=now, **fields))
        session.flush()
        search.index_article(session.connection(), article_id, fields["title"], fields["body"])
        clusters.assign_cluster(session, article_id, fields["body"], cluster_id, fresh=fresh)

    def record_revision(self, article_id: int, fetch_id: int, article: Article,
                        extractor_version: str) -> bool:
        """Re-extracted content for an archived article: a new revision only if it changed."""
        fields = _article_fields(article)
        with self._writer.begin() as session:
            row = session.get(ArticleRow, article_id, with_for_update=True)
            if row is None:
                raise NotArchived(f"article {article_id}", "no such article")
            if row.content_hash == fields["content_hash"]:
                return False
            fields["url"] = row.url
            for name, value in fields.items():
                setattr(row, name, value)
            self._add_revision(session, article_id, fetch_id, article, fields,
                               extractor_version, _now(), row.cluster_id, fresh=False)
            return True

    def _article_for_url(self, session: Session, url: str) -> ArticleRow | None:
        """The archived article a URL belongs to: by canonical URL, else by an earlier fetch."""
        row = session.scalars(select(ArticleRow).where(
            ArticleRow.canonical_url == canonical_url(url)).with_for_update()).one_or_none()
        if row is not None:
            return row
        article_id = session.scalar(select(Fetch.article_id).where(
            or_(Fetch.url == url, Fetch.final_url == url), Fetch.article_id.is_not(None))
            .order_by(Fetch.id.desc()).limit(1))
        return session.get(ArticleRow, article_id, with_for_update=True) if article_id else None

    def mark_gone(self, run_id: int, fetch_ids: list[int], url: str, reason: str,
                  seen_at: datetime) -> str | None:
        """A known article seen gone: "deleted" (first time, deleted_at = seen_at) or "gone"
        (still gone); None when the URL is no archived article. Nothing is removed."""
        with self._writer.begin() as session:
            row = self._article_for_url(session, url)
            if row is None:
                return None
            outcome = "gone"
            if row.deleted_at is None:
                outcome = "deleted"
                row.deleted_at = seen_at
                session.add(ArticleEvent(article_id=row.id, kind="deleted", at=seen_at,
                                         fetch_id=fetch_ids[0] if fetch_ids else None,
                                         reason=reason))
            if fetch_ids:
                session.execute(update(Fetch).where(Fetch.id.in_(fetch_ids))
                                .values(outcome=outcome, error=reason, article_id=row.id))
            return outcome

    def events(self, article_id: int) -> list[dict[str, Any]]:
        """An article's deletion and restoration events, oldest first."""
        with self._reader() as session:
            rows = session.scalars(select(ArticleEvent).where(
                ArticleEvent.article_id == article_id).order_by(ArticleEvent.id)).all()
            return [{"kind": e.kind, "at": _iso(e.at), "fetch_id": e.fetch_id,
                     "reason": e.reason} for e in rows]

    def record_failure(self, run_id: int, fetch_id: int | None, url: str, reason: str) -> None:
        """Record why `url` gave no article (and mark its fetch failed, when there was one)."""
        with self._writer.begin() as session:
            session.add(Failure(crawl_run_id=run_id, fetch_id=fetch_id, url=url, reason=reason,
                                created_at=_now()))
            if fetch_id is not None:
                session.execute(update(Fetch).where(Fetch.id == fetch_id)
                                .values(outcome="failed", error=reason))

    # -- reads -------------------------------------------------------------------

    def _run(self, session: Session, run_id: int) -> CrawlRun:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise NotArchived(f"crawl run {run_id}", "no such crawl run")
        return run

    def run_summary(self, run_id: int) -> dict[str, Any]:
        """A crawl run: sections, pages fetched, articles by outcome, failures with reasons."""
        with self._reader() as session:
            run = self._run(session, run_id)
            outcomes = dict(session.execute(
                select(Fetch.outcome, func.count())
                .where(Fetch.crawl_run_id == run_id, Fetch.outcome.in_(ARTICLE_OUTCOMES))
                .group_by(Fetch.outcome)).all())
            pages = session.scalar(
                select(func.count()).select_from(Fetch).where(Fetch.crawl_run_id == run_id))
            failures = session.execute(
                select(Failure.url, Failure.reason).where(Failure.crawl_run_id == run_id)
                .order_by(Failure.id)).all()
            return {
                "run_id": run.id, "started_at": _iso(run.started_at),
                "finished_at": _iso(run.finished_at), "finish_reason": run.finish_reason,
                "pages_fetched": pages or 0, "sections": list(run.start_urls),
                "articles": {name: outcomes.get(name, 0) for name in ARTICLE_OUTCOMES},
                "failures": [{"url": url, "reason": reason} for url, reason in failures],
            }

    def iter_articles(self, *, site: str | None = None, since: datetime | None = None,
                      until: datetime | None = None, author: str | None = None
                      ) -> Iterator[dict[str, Any]]:
        """Current articles as export rows, oldest archived first; since <= published < until.

        `site` is a host or URL (``www.`` and scheme do not matter); a time without an
        offset is taken as UTC. `crawled_at` is when the article was last fetched.
        """
        stmt = apply_filter(select(ArticleRow, Site.host).join(Site).order_by(ArticleRow.id),
                            ArticleFilter(site, since, until, author), self.engine.dialect.name)
        with self._reader() as session:
            for row, host in session.execute(stmt.execution_options(yield_per=STREAM_BATCH)):
                yield {
                    "url": row.url, "canonical_url": row.canonical_url, "title": row.title,
                    "body": row.body, "published": _iso(row.published),
                    "updated": _iso(join_time(row.updated_at, row.updated_offset)),
                    "authors": row.authors, "source": row.source, "editor": row.editor,
                    "keywords": row.keywords, "section_path": row.section_path,
                    "summary": row.summary, "language": row.language,
                    "encoding": row.encoding, "site": host, "crawled_at": _iso(row.last_seen),
                    "first_seen": _iso(row.first_seen), "deleted_at": _iso(row.deleted_at),
                }

    def search(self, query: str, *, limit: int = 20, site: str | None = None,
               since: datetime | None = None, until: datetime | None = None,
               author: str | None = None) -> list[dict[str, Any]]:
        """Ranked articles whose title or body contains `query`; Simplified finds Traditional."""
        with self._reader() as session:
            return search.search(session, query, ArticleFilter(site, since, until, author), limit)

    def cluster(self, article_id: int) -> list[dict[str, Any]]:
        """The article's near-duplicate cluster, origin (earliest published) first."""
        with self._reader() as session:
            cluster_id = session.scalar(select(ArticleRow.cluster_id).where(
                ArticleRow.id == article_id))
            if cluster_id is None:
                raise NotArchived(f"article {article_id}", "no such article, or not clustered")
            rows = session.execute(
                select(ArticleRow.id, ArticleRow.canonical_url, ArticleRow.published_at,
                       ArticleRow.published_offset, Site.host).join(Site)
                .where(ArticleRow.cluster_id == cluster_id)
                .order_by(*clusters.origin_order())).all()
            return [{"id": i, "canonical_url": u, "published": _iso(join_time(p, o)),
                     "site": h, "origin": n == 0} for n, (i, u, p, o, h) in enumerate(rows)]

    def raw_body(self, fetch_id: int) -> bytes:
        """The exact bytes fetch `fetch_id` received."""
        with self._reader() as session:
            page = session.execute(
                select(RawPage.body, RawPage.compression).join(Fetch, Fetch.raw_page_id == RawPage.id)
                .where(Fetch.id == fetch_id)).one_or_none()
        if page is None:
            raise NotArchived(f"fetch {fetch_id}", "no such fetch, or no body kept for it")
        body, compression = page
        if compression != "zlib":
            raise NotArchived(f"fetch {fetch_id}", f"unknown compression {compression!r}")
        return zlib.decompress(body)

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        with self._reader() as session:
            return {
                table.name: session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }


__all__ = ["Archive", "NotArchived", "content_hash"]
