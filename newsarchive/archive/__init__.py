"""The archive's one reader and writer: crawl runs, raw fetches, articles and their revisions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.archive import clusters, runs
from newsarchive.archive.db import (
    ArchiveUnavailable,
    check_schema,
    close_engine,
    default_db_url,
    make_engine,
    shown_url,
    unavailable_reason,
    upgrade,
)
from newsarchive.archive.models import (
    ArticleEvent,
    ArticleRow,
    Base,
    CrawlRun,
    Failure,
    Fetch,
    Site,
    join_time,
)
from newsarchive.archive.rawpages import RawPageCodec, RawPageReader, UnknownCompression
from newsarchive.archive.writes import (
    ARTICLE_OUTCOMES,
    Writes,
    article_fields,
    content_hash,
    jsonable,
)
from newsarchive.archive.writes import (
    now as _now,
)
from newsarchive.extract.article import Article
from newsarchive.extract.errors import FailureKind, NewsarchiveError

STREAM_BATCH = 500
# PostgreSQL writers take this advisory lock: a batch resolves its articles against a
# state no concurrent writer changes (SQLite writers queue at BEGIN IMMEDIATE).
WRITE_LOCK_ID = 0x6E657774


class NotArchived(NewsarchiveError, LookupError):
    """The archive holds no such run, fetch or article; `url` names what was asked for."""

    kind = FailureKind.NOT_ARCHIVED

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(what, reason)

    @property
    def what(self) -> str:
        return self.url


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class Archive:
    """Reads and writes the archive at a SQLAlchemy URL; each write is one transaction.

    Opened for writing, the archive is created or migrated to the code's schema first
    (`migrate`). Opened `readonly` (the query commands, the web interface), it must exist
    with the code's schema, and nothing is written: not even SQLite's WAL switch.
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True,
                 readonly: bool = False) -> None:
        self.url = url or default_db_url()
        self.readonly = readonly
        if migrate and not readonly:
            upgrade(self.url)
        self.engine = make_engine(self.url, readonly=readonly)
        if readonly:
            try:
                with self.engine.connect() as connection:
                    check_schema(connection, shown_url(self.url))
            except SQLAlchemyError as exc:
                close_engine(self.engine)
                raise ArchiveUnavailable(shown_url(self.url), unavailable_reason(exc)) from exc
            except ArchiveUnavailable:
                close_engine(self.engine)
                raise
        self._site_ids: dict[str, int] = {}
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        # On SQLite a writer takes the write lock at BEGIN, so concurrent writers queue.
        self._write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._writer = sessionmaker(self._write_engine, expire_on_commit=False)
        self._codec = RawPageCodec()
        self._raw_reader = RawPageReader()

    def reading(self) -> Session:
        """A read-only session for the query modules (search, export, stats); close it after."""
        return self._reader()

    def close(self) -> None:
        """Release the database connections."""
        close_engine(self.engine)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- writes ------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Writes]:
        """One write transaction: everything written through the `Writes` commits together.

        What the transaction adds to the archive's caches (site ids, raw-page dictionaries)
        is kept only once it has committed: a rolled-back site row must not be referenced."""
        if self.readonly:
            raise ArchiveUnavailable(shown_url(self.url), "opened read-only: nothing is written")
        site_ids = dict(self._site_ids)
        try:
            with self._write_engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"),
                                       {"id": WRITE_LOCK_ID})
                yield Writes(connection, site_ids, self._codec)
        except BaseException:
            self._codec.rolled_back()
            raise
        self._site_ids = site_ids
        self._codec.committed()

    def start_run(self, start_urls: list[str], settings: dict[str, Any],
                  stale_after: timedelta = runs.STALE_AFTER) -> int:
        """Open a crawl run owned by this process; its id. Open runs whose owner is gone (see
        newsarchive.archive.runs) are closed first, as "killed"."""
        self.close_killed_runs(stale_after)
        me = runs.this_process()
        with self._writer.begin() as session:
            at = _now()
            run = CrawlRun(started_at=at, start_urls=list(start_urls),
                           settings=jsonable(dict(settings)), owner_pid=me.pid,
                           owner_host=me.host, heartbeat_at=at)
            session.add(run)
            session.flush()
            return run.id

    def close_killed_runs(self, stale_after: timedelta = runs.STALE_AFTER) -> list[int]:
        """Close the open runs whose owner is dead as "killed" (with their counts); their ids."""
        me, at = runs.this_process(), _now()
        with self._writer.begin() as session:
            killed = [run for run in session.scalars(
                select(CrawlRun).where(CrawlRun.finished_at.is_(None)).order_by(CrawlRun.id))
                if runs.owner_gone(run.owner_pid, run.owner_host,
                                   run.heartbeat_at or run.started_at, at, me, stale_after)]
            for run in killed:
                self._close_run(session, run, runs.KILLED)
            return [run.id for run in killed]

    def heartbeat(self, run_id: int) -> None:
        """Say the run's owner is alive (the crawl calls this every NEWSARCHIVE_HEARTBEAT_S)."""
        with self._writer.begin() as session:
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id)
                            .values(heartbeat_at=_now()))

    def finish_run(self, run_id: int, finish_reason: str) -> dict[str, Any]:
        """Close a crawl run with its reason and counts by outcome; its summary."""
        with self._writer.begin() as session:
            self._close_run(session, self._run(session, run_id), finish_reason)
        return self.run_summary(run_id)

    @staticmethod
    def _close_run(session: Session, run: CrawlRun, finish_reason: str) -> None:
        counts = dict(session.execute(
            select(Fetch.outcome, func.count()).where(Fetch.crawl_run_id == run.id)
            .group_by(Fetch.outcome)).all())
        counts["failures"] = session.scalar(
            select(func.count()).select_from(Failure).where(Failure.crawl_run_id == run.id)
        ) or 0
        run.finished_at = _now()
        run.finish_reason = finish_reason
        run.counts = counts

    def record_revision(self, article_id: int, fetch_id: int, article: Article,
                        extractor_version: str) -> bool:
        """Re-extracted content for an archived article: a new revision only if it changed."""
        fields = article_fields(article)
        with self.writing() as writes:
            row = writes.connection.execute(select(ArticleRow.url, ArticleRow.content_hash)
                                            .where(ArticleRow.id == article_id)).one_or_none()
            if row is None:
                raise NotArchived(f"article {article_id}", "no such article")
            if row.content_hash == fields["content_hash"]:
                return False
            fields["url"] = row.url
            writes.revise_article(article_id, fetch_id, fields, jsonable(article.evidence),
                                  extractor_version)
            return True

    def events(self, article_id: int) -> list[dict[str, Any]]:
        """An article's deletion and restoration events, oldest first."""
        with self._reader() as session:
            rows = session.scalars(select(ArticleEvent).where(
                ArticleEvent.article_id == article_id).order_by(ArticleEvent.id)).all()
            return [{"kind": e.kind, "at": _iso(e.at), "fetch_id": e.fetch_id,
                     "reason": e.reason} for e in rows]

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
                select(Failure.url, Failure.kind, Failure.reason)
                .where(Failure.crawl_run_id == run_id).order_by(Failure.id)).all()
            return {
                "run_id": run.id, "started_at": _iso(run.started_at),
                "finished_at": _iso(run.finished_at), "finish_reason": run.finish_reason,
                "pages_fetched": pages or 0, "sections": list(run.start_urls),
                "articles": {str(name): outcomes.get(name, 0) for name in ARTICLE_OUTCOMES},
                "failures": [{"url": url, "kind": kind, "reason": reason}
                             for url, kind, reason in failures],
            }

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
            try:
                body = self._raw_reader.fetch_body(session, fetch_id)
            except UnknownCompression as exc:
                raise NotArchived(f"fetch {fetch_id}", str(exc)) from exc
        if body is None:
            raise NotArchived(f"fetch {fetch_id}", "no such fetch, or no body kept for it")
        return body

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        with self._reader() as session:
            return {
                table.name: session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }


__all__ = ["Archive", "ArchiveUnavailable", "NotArchived", "content_hash"]
