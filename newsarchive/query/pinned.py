"""Exports pinned to a search: the rows of a query and filters as the archive was at an as-of
time, streamed in chunks (a million rows never sit in memory), with the pin in the file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsarchive import __version__
from newsarchive.archive.filters import ArticleFilter, apply_filter
from newsarchive.archive.models import ArticleRevision, ArticleRow, Site
from newsarchive.query import exports, fulltext
from newsarchive.query.syntax import parse

PIN_KEY = "newsarchive_export"
ID_BATCH = 1000
CHUNK_BYTES = 64 * 1024
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
               "parquet": "application/vnd.apache.parquet"}


def pin(query: str, flt: ArticleFilter, *, revisions: bool = False,
        limit: int | None = None) -> dict[str, Any]:
    """What a pinned export carries: enough to reproduce it (the same pin, the same rows)."""
    return {"query": query, "filters": flt.as_dict(),
            "as_of": flt.as_of.isoformat() if flt.as_of else None,
            "revisions": revisions, "limit": limit, "newsarchive": __version__,
            "exported_at": datetime.now(UTC).isoformat()}


def pinned_filter(flt: ArticleFilter) -> ArticleFilter:
    """`flt` with its as-of time set (now, when it has none): the time the rows are of."""
    return flt if flt.as_of is not None else replace(flt, as_of=datetime.now(UTC))


def _matching_ids(session: Session, query: str, flt: ArticleFilter) -> Iterator[list[int]]:
    """Batches of ids of the articles whose current text matches, newest archived first."""
    p = fulltext.plan(query)
    after = None
    while True:
        found = fulltext.match(session, p, flt, lambda t, b: [ArticleRow.id], sort="archived",
                               after=after, limit=ID_BATCH)
        if found.rows:
            yield [row.id for row in found.rows]
        if found.next is None:
            return
        after = found.next


def _changed_since(session: Session, query: str, flt: ArticleFilter) -> Iterator[list[int]]:
    """Batches of ids of the articles revised after the as-of time whose current text does not
    match (their text then may have): the rest were found by _matching_ids."""
    assert flt.as_of is not None
    parsed = parse(query)
    changed = select(ArticleRevision.article_id).where(
        ArticleRevision.created_at > flt.as_of).distinct().subquery()
    stmt = apply_filter(
        select(ArticleRow.id, ArticleRow.title, ArticleRow.body, ArticleRow.authors,
               ArticleRow.section_path, Site.host).join(Site, Site.id == ArticleRow.site_id)
        .join(changed, changed.c.article_id == ArticleRow.id), flt,
        session.get_bind().dialect.name).order_by(ArticleRow.id.desc())
    batch: list[int] = []
    for row in session.execute(stmt.execution_options(yield_per=ID_BATCH)):
        now = {"title": row.title, "body": row.body, "authors": row.authors,
               "section_path": row.section_path, "site": row.host}
        if not fulltext.holds(parsed, now):
            batch.append(row.id)
            if len(batch) >= ID_BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def pinned_rows(session: Session, query: str, flt: ArticleFilter, *, revisions: bool = False,
                limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Export rows of the articles matching `query` within `flt` as of `flt.as_of` (set it
    with pinned_filter), at most `limit`."""
    count = 0
    if not query.strip():
        for row in exports.iter_rows(session, flt, revisions=revisions):
            if limit is not None and count >= limit:
                return
            count += 1
            yield row
        return
    parsed = parse(query)
    for source in (_matching_ids, _changed_since):
        for ids in source(session, query, flt):
            for row in exports.iter_rows(session, flt, revisions=revisions, ids=ids):
                if not fulltext.holds(parsed, row):
                    continue  # its text as of then does not match
                if limit is not None and count >= limit:
                    return
                count += 1
                yield row


def _chunks(parts: Iterator[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= CHUNK_BYTES:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def _csv_lines(rows: Iterator[dict[str, Any]], pinned: dict[str, Any]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    fields = exports.EXPORT_FIELDS
    yield f"# {PIN_KEY.replace('_', ' ', 1)} {json.dumps(pinned, ensure_ascii=False)}\n"
    writer.writerow(fields)
    for row in rows:
        writer.writerow([exports.csv_cell(row[name]) for name in fields])
        if out.tell() >= CHUNK_BYTES:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _jsonl_lines(rows: Iterator[dict[str, Any]], pinned: dict[str, Any]) -> Iterator[str]:
    yield json.dumps({PIN_KEY: pinned}, ensure_ascii=False) + "\n"
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


class _Pipe(io.RawIOBase):
    """A write-only binary file whose written bytes are taken out as they come."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.position

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts = []
        return data


def _parquet_chunks(rows: Iterator[dict[str, Any]], pinned: dict[str, Any]) -> Iterator[bytes]:
    """A Parquet file written row group by row group, each group's bytes yielded once made."""
    import queue
    import threading

    # pyarrow writes through callbacks: run it in a thread and hand the bytes over a queue,
    # one row group (BATCH rows) at a time, so the stream never holds more than that.
    handoff: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=2)
    pipe = _Pipe()

    def write() -> None:
        try:
            exports.write_parquet(rows, pipe, {PIN_KEY: json.dumps(pinned, ensure_ascii=False)},
                                  after_batch=lambda: handoff.put(pipe.take()))
            handoff.put(pipe.take())
            handoff.put(None)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the reading thread
            handoff.put(exc)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    while True:
        item = handoff.get()
        if item is None:
            break
        if isinstance(item, BaseException):
            raise item
        if item:
            yield item
    writer.join()


def stream(session: Session, fmt: str, query: str, flt: ArticleFilter, *,
           revisions: bool = False, limit: int | None = None
           ) -> tuple[dict[str, Any], Iterator[bytes]]:
    """The pin and the byte chunks of a pinned export in `fmt` (csv, jsonl, parquet)."""
    if fmt not in exports.FORMATS:
        raise exports.ExportError(
            fmt, f"unknown format; choose one of {', '.join(exports.FORMATS)}")
    if fmt == "parquet":
        exports.parquet_schema()  # ExportError now, before any byte, when pyarrow is missing
    parse(query)  # QuerySyntaxError now, too
    flt = pinned_filter(flt)
    pinned = pin(query, flt, revisions=revisions, limit=limit)
    rows = pinned_rows(session, query, flt, revisions=revisions, limit=limit)
    if fmt == "parquet":
        return pinned, _parquet_chunks(rows, pinned)
    lines = _csv_lines(rows, pinned) if fmt == "csv" else _jsonl_lines(rows, pinned)
    return pinned, _chunks(lines)


def read_pin(first_line: str) -> dict[str, Any] | None:
    """The pin of a CSV or JSONL export from its first line (None if it has none)."""
    prefix = f"# {PIN_KEY.replace('_', ' ', 1)} "
    if first_line.startswith(prefix):
        return dict(json.loads(first_line[len(prefix):]))
    try:
        data = json.loads(first_line)
    except ValueError:
        return None
    return data.get(PIN_KEY) if isinstance(data, dict) else None


__all__ = ["MEDIA_TYPES", "PIN_KEY", "pin", "pinned_filter", "pinned_rows", "read_pin", "stream"]
