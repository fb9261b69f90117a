"""The one query layer over the archive: search, article rows, exports and statistics.

The CLI and the web interface both call these; each takes an open `Archive` (read-only is
enough) and the shared filters (`site`, `since`, `until`, `author`). docs/library.md shows
them at work.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from newsarchive.archive.filters import ArticleFilter
from newsarchive.query import exports, fulltext, statistics

if TYPE_CHECKING:
    from newsarchive.archive import Archive

__all__ = ["ArticleFilter", "articles", "export", "search", "stats"]


def search(archive: Archive, query: str, *, limit: int = 20, site: str | None = None,
           since: datetime | None = None, until: datetime | None = None,
           author: str | None = None) -> list[dict[str, Any]]:
    """Ranked articles whose title or body contains `query`; Simplified finds Traditional."""
    with archive.reading() as session:
        return fulltext.search(session, query, ArticleFilter(site, since, until, author), limit)


def articles(archive: Archive, *, site: str | None = None, since: datetime | None = None,
             until: datetime | None = None, author: str | None = None,
             revisions: bool = False) -> Iterator[dict[str, Any]]:
    """Export rows of the current articles (or of every revision), oldest archived first,
    streamed; `since` <= published < `until`, a time without offset taken as UTC."""
    with archive.reading() as session:
        yield from exports.iter_rows(session, ArticleFilter(site, since, until, author),
                                     revisions=revisions)


def export(archive: Archive, fmt: str, out: IO[str] | str, *, site: str | None = None,
           since: datetime | None = None, until: datetime | None = None,
           author: str | None = None, revisions: bool = False) -> int:
    """Write the filtered articles (or revisions) to `out` as jsonl, csv or parquet; the count."""
    with archive.reading() as session:
        return exports.export(session, fmt, out, ArticleFilter(site, since, until, author),
                              revisions=revisions)


def stats(archive: Archive, *, site: str | None = None, since: datetime | None = None,
          until: datetime | None = None, author: str | None = None) -> dict[str, Any]:
    """Articles per site per day, revisions, deletions, and failures by kind."""
    with archive.reading() as session:
        return statistics.stats(session, ArticleFilter(site, since, until, author))
