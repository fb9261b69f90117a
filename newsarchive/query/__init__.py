"""The one query layer over the archive: search, article rows, exports and statistics, and what
the web interface shows (facets, timelines, article detail, deletions, site dashboards).

The CLI and the web interface both call these; each takes an open `Archive` (read-only is
enough) and the shared filters (`site`, `since`, `until`, `author`, or a whole ArticleFilter).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from newsarchive.archive.filters import STATUSES, ArticleFilter
from newsarchive.extract.errors import NewsarchiveError
from newsarchive.query import (
    article as article_module,
)
from newsarchive.query import (
    deletions as deletions_module,
)
from newsarchive.query import (
    exports,
    facets,
    fulltext,
    pinned,
    sites,
    statistics,
    timeline,
)
from newsarchive.query.article import ArticleNotFound
from newsarchive.query.fulltext import SORTS, BadCursor
from newsarchive.query.sites import SiteNotFound
from newsarchive.query.syntax import QuerySyntaxError
from newsarchive.query.timeline import GRANULARITIES

if TYPE_CHECKING:
    from newsarchive.archive import Archive

__all__ = ["GRANULARITIES", "SORTS", "STATUSES", "ArticleFilter", "ArticleNotFound",
           "BadCursor", "NewsarchiveError", "QuerySyntaxError", "SiteNotFound", "article",
           "articles", "compare",
           "crawl_runs", "deleted", "deletion_rates", "export", "export_stream", "raw_page",
           "search", "search_page", "search_stats", "site_dashboard", "site_list", "stats",
           "summary"]

# Matches counted for facets, totals and the attention chart: the latest archived this many,
# or as many as this many seconds find (a page must come back in well under a second).
STATS_CAP = 5000
STATS_BUDGET_S = 0.12


def search(archive: Archive, query: str, *, limit: int = 20, site: str | None = None,
           since: datetime | None = None, until: datetime | None = None,
           author: str | None = None) -> list[dict[str, Any]]:
    """Ranked articles matching `query` (words, "phrases", -word, OR, title:/author:/site:/
    section:); Simplified finds Traditional."""
    with archive.reading() as session:
        return fulltext.search(session, query, ArticleFilter(site, since, until, author), limit)


def search_page(archive: Archive, query: str, flt: ArticleFilter | None = None, *,
                sort: str = "relevance", after: str | None = None,
                limit: int = 20) -> dict[str, Any]:
    """One page of hits ({"results", "next"}); `after` is the previous page's `next`."""
    with archive.reading() as session:
        return fulltext.search_page(session, query, flt, sort=sort, after=after, limit=limit)


def search_stats(archive: Archive, query: str, flt: ArticleFilter | None = None, *,
                 granularity: str = "auto", share: bool = False,
                 cap: int = STATS_CAP, budget_s: float | None = STATS_BUDGET_S
                 ) -> dict[str, Any]:
    """The total, facet counts, top sites and attention over time of a query's matches (of
    the latest archived `cap`, or those `budget_s` found, when there are more: `total_exact`
    is then false and `total` a lower bound)."""
    flt = flt or ArticleFilter()
    with archive.reading() as session:
        rows, more = fulltext.match_set(session, query, flt, cap, budget_s)
        return {
            "total": len(rows), "total_exact": not more,
            "facets": facets.facet_counts(rows), "top_sites": facets.top_sites(rows),
            "timeline": timeline.timeline(session, rows, more, flt, granularity=granularity,
                                          share=share),
        }


def compare(archive: Archive, queries: Sequence[str], flt: ArticleFilter | None = None, *,
            granularity: str = "auto", share: bool = False,
            cap: int = STATS_CAP, budget_s: float | None = STATS_BUDGET_S) -> dict[str, Any]:
    """Several queries' attention over time on one axis: {"granularity", "series"}."""
    flt = flt or ArticleFilter()
    with archive.reading() as session:
        sets = [fulltext.match_set(session, q, flt, cap, budget_s) for q in queries]
        span = timeline.day_span([rows for rows, _ in sets])
        series = []
        chosen = granularity
        if span is not None and chosen == "auto":
            chosen = timeline.auto_granularity(*span)
        for query, (rows, more) in zip(queries, sets, strict=True):
            line = (timeline.timeline(session, rows, more, flt, granularity=chosen, share=share,
                                      span=span) if span is not None
                    else {"granularity": chosen, "points": [], "undated": 0,
                          "complete": not more, "since": None})
            series.append({"query": query, "total": len(rows), "total_exact": not more,
                           "top_sites": facets.top_sites(rows, 5), **line})
        return {"granularity": "day" if chosen == "auto" else chosen, "series": series}


def article(archive: Archive, article_id: int) -> dict[str, Any]:
    """Everything about one article: fields, provenance, revisions and diffs, events, cluster."""
    with archive.reading() as session:
        return article_module.article_detail(session, article_id)


def raw_page(archive: Archive, article_id: int, fetch_id: int | None = None
             ) -> tuple[bytes, dict[str, Any]]:
    """The raw bytes of one of the article's fetches (default: its latest revision's), and
    that fetch's record (url, time, encoding evidence)."""
    with archive.reading() as session:
        chosen = article_module.raw_page_fetch(session, article_id, fetch_id)
        record = article_module.fetch_record(session, chosen)
    return archive.raw_body(chosen), record


def deleted(archive: Archive, *, site: str | None = None, since: datetime | None = None,
            until: datetime | None = None, after: str | None = None,
            limit: int = 50) -> dict[str, Any]:
    """Articles deleted now, latest first, by week and site, each with what it said."""
    with archive.reading() as session:
        return deletions_module.deleted(session, site=site, since=since, until=until,
                                        after=after, limit=limit)


def deletion_rates(archive: Archive, *, site: str | None = None,
                   weeks: int = deletions_module.RATE_WEEKS) -> dict[str, Any]:
    """Per site and week, deletions over the articles archived by then."""
    with archive.reading() as session:
        return deletions_module.deletion_rates(session, site=site, weeks=weeks)


def summary(archive: Archive) -> dict[str, int]:
    """How much the archive holds: articles, sites, crawl runs, articles deleted now."""
    with archive.reading() as session:
        return sites.summary(session)


def site_list(archive: Archive) -> list[dict[str, Any]]:
    """Every site with its counts."""
    with archive.reading() as session:
        return sites.overview(session)


def site_dashboard(archive: Archive, site: str, *, days: int = sites.DAYS) -> dict[str, Any]:
    """One site's articles by day, coverage per run, failures by kind, revision/deletion rates."""
    with archive.reading() as session:
        return sites.dashboard(session, site, days=days)


def crawl_runs(archive: Archive, *, after: str | None = None, limit: int = 50
               ) -> dict[str, Any]:
    """Crawl runs, latest first, a running one as running."""
    with archive.reading() as session:
        return sites.runs(session, after=after, limit=limit)


def export_stream(archive: Archive, fmt: str, query: str = "",
                  flt: ArticleFilter | None = None, *, revisions: bool = False,
                  limit: int | None = None) -> tuple[dict[str, Any], Iterator[bytes]]:
    """A pinned export (see newsarchive.query.pinned): its pin, and its bytes as they are
    made; the archive session stays open until the bytes are read to the end."""
    session = archive.reading()
    try:
        pin, chunks = pinned.stream(session, fmt, query, flt or ArticleFilter(),
                                    revisions=revisions, limit=limit)
    except BaseException:
        session.close()
        raise

    def reading() -> Iterator[bytes]:
        try:
            yield from chunks
        finally:
            session.close()

    return pin, reading()


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
