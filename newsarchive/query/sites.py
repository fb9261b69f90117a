"""What an archivist opens every morning: each site's articles by publication and fetch day,
its field coverage per crawl run (layout-change warnings marked), failures by kind, revision
and deletion rates; and the crawl runs with their counts, a running one shown as running."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import desc, func, or_, select
from sqlalchemy.orm import Session

from newsarchive.archive.filters import host_of
from newsarchive.archive.models import (
    ArticleEvent,
    ArticleRevision,
    ArticleRow,
    CrawlRun,
    Failure,
    Fetch,
    Site,
    join_time,
)
from newsarchive.extract.errors import FailureKind, NewsarchiveError
from newsarchive.query.fulltext import BadCursor, decode_cursor, encode_cursor

# Days of publication and fetching a dashboard shows, up to the site's latest; its revision
# and deletion rates are those of the articles published in them.
DAYS = 90
RUNS_SHOWN = 30
# A run with no finish time and no fetch for this long is shown as interrupted, not running.
STALLED = timedelta(hours=1)
COVERAGE_FIELDS = ("date", "author", "body")
ARTICLE_OUTCOMES = ("new", "changed", "unchanged")


class SiteNotFound(NewsarchiveError, LookupError):
    """The archive holds no site with this host."""

    kind = FailureKind.NOT_ARCHIVED


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _deleted_now(session: Session, site_id: int | None = None,
                 ids: Any = None) -> int:
    """Articles deleted now, found through their deletion events (an index on the events,
    not a scan of every article row)."""
    stmt = (select(func.count(func.distinct(ArticleEvent.article_id)))
            .join(ArticleRow, ArticleRow.id == ArticleEvent.article_id)
            .where(ArticleEvent.kind == "deleted", ArticleRow.deleted_at.is_not(None)))
    if site_id is not None:
        stmt = stmt.where(ArticleRow.site_id == site_id)
    if ids is not None:
        stmt = stmt.where(ArticleRow.id.in_(ids))
    return session.scalar(stmt) or 0


def summary(session: Session) -> dict[str, int]:
    """Articles, sites, crawl runs and articles deleted now."""
    return {"articles": session.scalar(select(func.count(ArticleRow.id))) or 0,
            "deleted_now": _deleted_now(session),
            "sites": session.scalar(select(func.count(Site.id))) or 0,
            "runs": session.scalar(select(func.count(CrawlRun.id))) or 0}


def overview(session: Session) -> list[dict[str, Any]]:
    """Every site: articles, deleted now, latest publication time (each read from an index)."""
    out = []
    for site in session.scalars(select(Site).order_by(Site.host)):
        mine = ArticleRow.site_id == site.id
        out.append({
            "site": site.host, "name": site.name,
            "articles": session.scalar(select(func.count()).select_from(ArticleRow)
                                       .where(mine)) or 0,
            "deleted_now": _deleted_now(session, site.id),
            "latest_published": _iso(session.scalar(select(func.max(ArticleRow.published_at))
                                                    .where(mine))),
        })
    return out


def _days(counts: Counter[str], last: datetime | None, days: int) -> list[dict[str, Any]]:
    if last is None:
        return []
    end = last.date()
    return [{"day": day, "articles": counts.get(day, 0)}
            for day in ((end - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1))]


def _url_of_site(column: Any, host: str) -> Any:
    return or_(*(column.like(f"{scheme}://{www}{host}/%") for scheme in ("http", "https")
                 for www in ("", "www.")))


def run_state(run: CrawlRun, last_fetch: datetime | None, now: datetime) -> str:
    """finished, running, or interrupted (unfinished and silent for STALLED)."""
    if run.finished_at is not None:
        return "finished"
    latest = last_fetch or run.started_at
    return "running" if now - latest < STALLED else "interrupted"


def _run(run: CrawlRun, outcomes: dict[str, int], failures: int, last_fetch: datetime | None,
         now: datetime, host: str | None = None) -> dict[str, Any]:
    counts = run.counts or {}
    coverage = counts.get("coverage") or {}
    warnings = [w for w in counts.get("warnings") or []
                if host is None or w.startswith(f"{host}:")]
    return {
        "id": run.id, "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at),
        "finish_reason": run.finish_reason, "state": run_state(run, last_fetch, now),
        "last_fetch": _iso(last_fetch), "start_urls": list(run.start_urls or []),
        "articles": {name: outcomes.get(name, 0) for name in ARTICLE_OUTCOMES},
        "pages": sum(outcomes.values()), "failures": failures,
        "coverage": coverage.get(host) if host is not None else coverage,
        "warnings": warnings,
    }


def _live_counts(session: Session, runs: list[CrawlRun]
                 ) -> dict[int, tuple[dict[str, int], int, datetime | None]]:
    """Outcome counts, failures and the last fetch time of each run: from the run's own
    record once finished, from its fetches while it runs."""
    out: dict[int, tuple[dict[str, int], int, datetime | None]] = {}
    for run in runs:
        recorded = run.counts or {}
        if run.finished_at is not None and recorded:
            outcomes = {k: int(v) for k, v in recorded.items()
                        if isinstance(v, int) and k != "failures"}
            out[run.id] = (outcomes, int(recorded.get("failures", 0) or 0), run.finished_at)
            continue
        outcomes = dict(session.execute(
            select(Fetch.outcome, func.count()).where(Fetch.crawl_run_id == run.id)
            .group_by(Fetch.outcome)).all())
        failures = session.scalar(select(func.count()).select_from(Failure)
                                  .where(Failure.crawl_run_id == run.id)) or 0
        last = session.scalar(select(func.max(Fetch.fetched_at))
                              .where(Fetch.crawl_run_id == run.id))
        out[run.id] = (outcomes, failures, last)
    return out


def runs(session: Session, *, after: str | None = None, limit: int = 50,
         now: datetime | None = None) -> dict[str, Any]:
    """Crawl runs, latest first, with counts and state; a keyset cursor `next`."""
    now = now or datetime.now(UTC)
    stmt = select(CrawlRun).order_by(CrawlRun.id.desc())
    if after:
        (last_id,) = decode_cursor(after, "runs")
        if not isinstance(last_id, int):
            raise BadCursor(after[:40], "not a cursor of the runs list")
        stmt = stmt.where(CrawlRun.id < last_id)
    found = list(session.scalars(stmt.limit(limit + 1)))
    following = encode_cursor("runs", [found[limit - 1].id]) if len(found) > limit else None
    found = found[:limit]
    live = _live_counts(session, found)
    return {"results": [_run(r, *live[r.id], now) for r in found], "next": following}


def dashboard(session: Session, site: str, *, days: int = DAYS,
              now: datetime | None = None) -> dict[str, Any]:
    """One site's morning report (see the module doc); SiteNotFound for an unknown host."""
    now = now or datetime.now(UTC)
    host = host_of(site)
    site_row = session.execute(select(Site).where(Site.host == host)).scalar_one_or_none()
    if site_row is None:
        raise SiteNotFound(host, "no such site in the archive")
    mine = ArticleRow.site_id == site_row.id
    # Each figure is read through an index: the site's article count and latest publication
    # time, and the rates over the articles it published in the window (a million-article
    # archive cannot be read row by row for a morning page).
    total = session.scalar(select(func.count()).select_from(ArticleRow).where(mine)) or 0
    latest_published = session.scalar(select(func.max(ArticleRow.published_at)).where(mine))
    published: Counter[str] = Counter()
    window_ids = select(ArticleRow.id).where(mine, ArticleRow.id < 0)
    if latest_published is not None:
        start = latest_published - timedelta(days=days + 1)
        window_ids = select(ArticleRow.id).where(mine, ArticleRow.published_at >= start)
        for instant, offset in session.execute(
                select(ArticleRow.published_at, ArticleRow.published_offset)
                .where(mine, ArticleRow.published_at >= start)):
            local = join_time(instant, offset)
            if local is not None:
                published[local.date().isoformat()] += 1
    pub_end = datetime.fromisoformat(max(published)) if published else None
    in_window = sum(published.values())
    # Fetch days: the runs of the last `days` days (fetches are found through their run).
    recent_runs = list(session.scalars(select(CrawlRun).order_by(desc(CrawlRun.id))
                                       .limit(RUNS_SHOWN * 4)))
    last_run_at = max((r.finished_at or r.started_at for r in recent_runs), default=None)
    fetched: Counter[str] = Counter()
    latest_seen = None
    if last_run_at is not None:
        window = [r.id for r in recent_runs
                  if (r.finished_at or now) >= last_run_at - timedelta(days=days)]
        for (at,) in session.execute(
                select(Fetch.fetched_at).join(ArticleRow, ArticleRow.id == Fetch.article_id)
                .where(Fetch.crawl_run_id.in_(window), mine,
                       Fetch.fetched_at >= last_run_at - timedelta(days=days))):
            fetched[at.date().isoformat()] += 1
            latest_seen = at if latest_seen is None or at > latest_seen else latest_seen
    history = [r for r in recent_runs if host in ((r.counts or {}).get("coverage") or {})
               or any(w.startswith(f"{host}:") for w in (r.counts or {}).get("warnings") or [])]
    history = history[:RUNS_SHOWN]
    live = _live_counts(session, history)
    coverage_runs = [_run(r, *live[r.id], now, host=host) for r in history]
    revised = session.scalar(
        select(func.count()).select_from(
            select(ArticleRevision.article_id)
            .where(ArticleRevision.article_id.in_(window_ids))
            .group_by(ArticleRevision.article_id).having(func.count() > 1).subquery())) or 0
    deletions = dict(session.execute(
        select(ArticleEvent.kind, func.count()).where(ArticleEvent.article_id.in_(window_ids))
        .group_by(ArticleEvent.kind)).all())
    deleted_now = _deleted_now(session, ids=window_ids)
    kinds: Counter[str] = Counter({kind: count for kind, count in session.execute(
        select(Failure.kind, func.count()).where(_url_of_site(Failure.url, host))
        .group_by(Failure.kind))})
    return {
        "site": host, "name": site_row.name, "timezone": site_row.timezone,
        "articles": total, "days": days, "window_articles": in_window,
        "deleted_now": deleted_now,
        "latest_published": _iso(latest_published), "latest_seen": _iso(latest_seen),
        "by_published_day": _days(published, pub_end, days),
        "by_fetch_day": _days(fetched, last_run_at, days),
        "coverage_runs": coverage_runs,
        "warnings": [w for r in coverage_runs for w in r["warnings"]],
        "failures_by_kind": [{"kind": k, "count": n} for k, n in kinds.most_common()],
        "revised_articles": revised,
        "revision_rate": round(revised / in_window, 4) if in_window else 0.0,
        "deletions": deletions.get("deleted", 0), "restorations": deletions.get("restored", 0),
        "deletion_rate": round(deleted_now / in_window, 4) if in_window else 0.0,
    }
