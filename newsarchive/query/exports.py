"""Researcher exports: current articles or every revision, with provenance, as JSONL, CSV or
Parquet, streamed; optionally pinned to a search query and an as-of time.

A pinned export (the web interface's) carries its pin in the file: the query, the filters, the
as-of time and the versions that wrote it. JSONL: a first line ``{"newsarchive_export": {...}}``;
CSV: a first line ``# newsarchive export {...}`` (read on with ``skiprows=1``); Parquet: the
schema's metadata key ``newsarchive_export``. Its rows are the archive as it was at the as-of
time: articles first seen by then, each with the revision current then, deleted only if it was
gone then; a query is matched against that revision's text, so the same pin gives the same rows
however the archive has grown since.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from newsarchive.archive.filters import ArticleFilter, apply_filter
from newsarchive.archive.models import (
    ArticleEvent,
    ArticleRevision,
    ArticleRow,
    Fetch,
    RawPage,
    Site,
    join_time,
)
from newsarchive.extract.errors import FailureKind, NewsarchiveError

FORMATS = ("jsonl", "csv", "parquet")
BATCH = 1000
LIST_FIELDS = ("authors", "keywords", "section_path")
# A thread's posts, [{author, published, text}] in page order; null for an article that is no
# thread. A JSON array in CSV cells, a list of structs in Parquet.
POST_FIELDS = ("author", "published", "text")
INT_FIELDS = ("article_id", "revision_id", "cluster_id", "crawl_run_id", "fetch_id")
# Content, then identity and life, then provenance: where and how each row was made.
EXPORT_FIELDS = (
    "url", "canonical_url", "site", "title", "body", "published", "updated", "authors",
    "source", "editor", "keywords", "section_path", "summary", "posts", "language", "encoding",
    "content_hash", "article_id", "revision_id", "revision_created_at", "first_seen",
    "crawled_at", "deleted_at", "cluster_id", "crawl_run_id", "fetch_id", "fetched_at",
    "extractor_version", "raw_sha256",
)


class ExportError(NewsarchiveError):
    """An export that cannot be written (a missing optional dependency, a bad target)."""

    kind = FailureKind.EXPORT

    @property
    def what(self) -> str:
        return self.url


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


CONTENT = ("url", "title", "published_at", "published_offset", "updated_at", "updated_offset",
           "authors", "source", "editor", "keywords", "section_path", "summary", "posts",
           "language", "encoding", "content_hash")


def _row(r: Any, deleted_at: datetime | None) -> dict[str, Any]:
    """An export row from a statement row (see _statement: the fields' columns are `f_*`)."""
    return {
        "url": r.f_url, "canonical_url": r.canonical_url, "site": r.host,
        "title": r.f_title,
        "body": r.f_body if r.f_body is not None else r.article_body,
        "published": _iso(join_time(r.f_published_at, r.f_published_offset)),
        "updated": _iso(join_time(r.f_updated_at, r.f_updated_offset)),
        "authors": list(r.f_authors), "source": r.f_source, "editor": r.f_editor,
        "keywords": list(r.f_keywords), "section_path": list(r.f_section_path),
        "summary": r.f_summary, "posts": r.f_posts or None, "language": r.f_language,
        "encoding": r.f_encoding,
        "content_hash": r.f_content_hash, "article_id": r.article_id,
        "revision_id": r.revision_id, "revision_created_at": _iso(r.revision_created_at),
        "first_seen": _iso(r.first_seen), "crawled_at": _iso(r.last_seen),
        "deleted_at": _iso(deleted_at), "cluster_id": r.cluster_id,
        "crawl_run_id": r.crawl_run_id, "fetch_id": r.fetch_id,
        "fetched_at": _iso(r.fetched_at), "extractor_version": r.extractor_version,
        "raw_sha256": r.raw_sha256,
    }


def _statement(flt: ArticleFilter, revisions: bool, dialect: str
               ) -> Select[*tuple[Any, ...]]:
    """Plain columns (no ORM objects: an export reads hundreds of thousands of rows), each
    article's fields from itself when current, else from the revision."""
    revision = aliased(ArticleRevision)
    source: Any = revision if revisions or flt.as_of is not None else ArticleRow
    columns = [getattr(source, name).label(f"f_{name}") for name in CONTENT]
    columns.append((revision.body if source is revision else ArticleRow.body).label("f_body"))
    stmt = select(
        *columns, ArticleRow.body.label("article_body"), ArticleRow.id.label("article_id"),
        ArticleRow.canonical_url, ArticleRow.first_seen, ArticleRow.last_seen,
        ArticleRow.deleted_at, ArticleRow.cluster_id, Site.host,
        revision.id.label("revision_id"), revision.created_at.label("revision_created_at"),
        revision.fetch_id, revision.extractor_version, Fetch.crawl_run_id, Fetch.fetched_at,
        RawPage.sha256.label("raw_sha256")).select_from(ArticleRow).join(
        Site, Site.id == ArticleRow.site_id)
    if revisions:
        stmt = stmt.join(revision, revision.article_id == ArticleRow.id)
        if flt.as_of is not None:
            stmt = stmt.where(revision.created_at <= flt.as_of)
    else:
        # The latest revision (as of the time asked) looked up per article through the
        # article_id index: rows stream at once, no grouping of every revision first.
        latest = select(func.max(ArticleRevision.id)).where(
            ArticleRevision.article_id == ArticleRow.id)
        if flt.as_of is not None:
            latest = latest.where(ArticleRevision.created_at <= flt.as_of)
        stmt = stmt.join(revision, revision.id == latest.correlate(ArticleRow)
                         .scalar_subquery())
    stmt = (stmt.outerjoin(Fetch, Fetch.id == revision.fetch_id)
            .outerjoin(RawPage, RawPage.id == Fetch.raw_page_id)
            .order_by(ArticleRow.id, revision.id))
    return apply_filter(stmt, flt, dialect)


def _as_of_state(session: Session, article_ids: list[int], as_of: datetime
                 ) -> dict[int, datetime | None]:
    """When each article was gone as of `as_of`: the time of its last event by then if that
    was a deletion, else None."""
    last = (select(ArticleEvent.article_id, func.max(ArticleEvent.id).label("eid"))
            .where(ArticleEvent.article_id.in_(article_ids), ArticleEvent.at <= as_of)
            .group_by(ArticleEvent.article_id).subquery())
    return {article_id: at if kind == "deleted" else None
            for article_id, kind, at in session.execute(
                select(ArticleEvent.article_id, ArticleEvent.kind, ArticleEvent.at)
                .join(last, and_(last.c.eid == ArticleEvent.id)))}


def iter_rows(session: Session, flt: ArticleFilter | None = None, *,
              revisions: bool = False, ids: list[int] | None = None
              ) -> Iterator[dict[str, Any]]:
    """Export rows: each current article (from its latest revision's provenance) or every
    revision; with `flt.as_of`, as the archive was then; with `ids`, only those articles."""
    flt = flt or ArticleFilter()
    stmt = _statement(flt, revisions, session.get_bind().dialect.name)
    if ids is not None:
        stmt = stmt.where(ArticleRow.id.in_(ids))
    batch: list[Any] = []

    def rows_of(batch: list[Any]) -> Iterator[dict[str, Any]]:
        if flt.as_of is None:
            for item in batch:
                yield _row(item, item.deleted_at)
            return
        gone = _as_of_state(session, sorted({b.article_id for b in batch}), flt.as_of)
        for item in batch:
            yield _row(item, gone.get(item.article_id))

    for item in session.execute(stmt.execution_options(yield_per=BATCH)):
        batch.append(item)
        if len(batch) >= BATCH:
            yield from rows_of(batch)
            batch = []
    if batch:
        yield from rows_of(batch)


def csv_cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value


def write_text(rows: Iterable[dict[str, Any]], fmt: str, out: IO[str]) -> int:
    """Rows as JSONL or CSV (lists as JSON arrays in CSV cells); the count written."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: csv_cell(row[key]) for key in EXPORT_FIELDS})
            count += 1
        return count
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def _pyarrow() -> Any:
    try:
        import pyarrow  # type: ignore[import-untyped]
        import pyarrow.parquet  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ExportError("parquet", "needs pyarrow: pip install 'newsarchive[parquet]'") from exc
    return pyarrow


def parquet_schema(metadata: dict[str, str] | None = None) -> Any:
    """The Parquet schema of export rows (lists as list<string>, times as ISO text)."""
    pa = _pyarrow()
    post = pa.struct([(name, pa.string()) for name in POST_FIELDS])
    return pa.schema([
        (name, pa.list_(pa.string()) if name in LIST_FIELDS
         else pa.list_(post) if name == "posts"
         else pa.int64() if name in INT_FIELDS else pa.string())
        for name in EXPORT_FIELDS], metadata=metadata)


def write_parquet(rows: Iterable[dict[str, Any]], path: Any,
                  metadata: dict[str, str] | None = None,
                  after_batch: Any = None) -> int:
    """Rows as a Parquet file at `path` (or into a writable binary file object), a row group
    per BATCH rows, `after_batch()` called after each; the count written."""
    pa = _pyarrow()
    schema = parquet_schema(metadata)
    count = 0
    with pa.parquet.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
                if after_batch is not None:
                    after_batch()
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def export(session: Session, fmt: str, out: IO[str] | str, flt: ArticleFilter | None = None,
           *, revisions: bool = False) -> int:
    """Write the filtered articles (or revisions) to `out` in `fmt`; the number of rows."""
    if fmt not in FORMATS:
        raise ExportError(fmt, f"unknown format; choose one of {', '.join(FORMATS)}")
    rows = iter_rows(session, flt, revisions=revisions)
    if fmt == "parquet":
        if not isinstance(out, str):
            raise ExportError("parquet", "needs an output file (-o FILE), not a stream")
        _pyarrow()
        return write_parquet(rows, out)
    if isinstance(out, str):
        with open(out, "w", encoding="utf-8", newline="") as handle:
            return write_text(rows, fmt, handle)
    return write_text(rows, fmt, out)
