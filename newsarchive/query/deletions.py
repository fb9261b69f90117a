"""Articles that disappeared: by site and by week of deletion, each with what it said, and the
deletion rate per site over time."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from newsarchive.archive.filters import host_of
from newsarchive.archive.models import ArticleEvent, ArticleRow, Site, join_time
from newsarchive.query.fulltext import BadCursor, decode_cursor, encode_cursor

SAID_CHARS = 240  # how much of a deleted article's text a listing shows
RATE_WEEKS = 26


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def week_of(value: datetime) -> str:
    """The Monday (ISO date) of the UTC week holding `value`."""
    day = value.date()
    return (day - timedelta(days=day.weekday())).isoformat()


def deleted(session: Session, *, site: str | None = None, since: datetime | None = None,
            until: datetime | None = None, after: str | None = None, limit: int = 50
            ) -> dict[str, Any]:
    """Articles deleted now (seen gone and not back), latest deleted first, grouped by week
    and site, each with the start of what it said; a keyset cursor `next`."""
    reason = (select(ArticleEvent.reason).where(ArticleEvent.article_id == ArticleRow.id,
                                                ArticleEvent.kind == "deleted")
              .order_by(ArticleEvent.id.desc()).limit(1).correlate(ArticleRow)
              .scalar_subquery())
    stmt = (select(ArticleRow.id, ArticleRow.url, ArticleRow.title,
                   func.substr(ArticleRow.body, 1, SAID_CHARS).label("said"),
                   func.length(ArticleRow.body).label("length"), ArticleRow.published_at,
                   ArticleRow.published_offset, ArticleRow.first_seen, ArticleRow.deleted_at,
                   ArticleRow.authors, Site.host, reason.label("reason"))
            .join(Site, Site.id == ArticleRow.site_id)
            .where(ArticleRow.deleted_at.is_not(None)))
    if site:
        stmt = stmt.where(Site.host == host_of(site))
    if since is not None:
        stmt = stmt.where(ArticleRow.deleted_at >= since)
    if until is not None:
        stmt = stmt.where(ArticleRow.deleted_at < until)
    if after:
        at, last_id = decode_cursor(after, "deleted")
        if not isinstance(at, datetime) or not isinstance(last_id, int):
            raise BadCursor(after[:40], "not a cursor of the deletions list")
        stmt = stmt.where(or_(ArticleRow.deleted_at < at,
                              and_(ArticleRow.deleted_at == at, ArticleRow.id < last_id)))
    rows = session.execute(stmt.order_by(ArticleRow.deleted_at.desc(), ArticleRow.id.desc())
                           .limit(limit + 1)).all()
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = encode_cursor("deleted", [rows[-1].deleted_at, rows[-1].id])
    items = [{
        "id": r.id, "url": r.url, "title": r.title, "site": r.host,
        "said": r.said, "truncated": (r.length or 0) > SAID_CHARS,
        "published": _iso(join_time(r.published_at, r.published_offset)),
        "first_seen": _iso(r.first_seen), "deleted_at": _iso(r.deleted_at),
        "authors": list(r.authors), "reason": r.reason, "week": week_of(r.deleted_at),
    } for r in rows]
    weeks: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for item in items:
        weeks.setdefault(item["week"], {}).setdefault(item["site"], []).append(item)
    return {"results": items, "next": following,
            "by_week": [{"week": w, "sites": [{"site": s, "articles": a} for s, a in sites.items()]}
                        for w, sites in weeks.items()]}


def deletion_rates(session: Session, *, weeks: int = RATE_WEEKS, site: str | None = None,
                   end: date | None = None) -> dict[str, Any]:
    """Per site and week, the deletions seen that week over the site's articles archived by
    then (the share at risk that disappeared), for the `weeks` weeks up to `end` (default:
    the week of the latest deletion)."""
    events = select(ArticleEvent.at, Site.host).join(
        ArticleRow, ArticleRow.id == ArticleEvent.article_id).join(
        Site, Site.id == ArticleRow.site_id).where(ArticleEvent.kind == "deleted")
    if site:
        events = events.where(Site.host == host_of(site))
    if end is None:
        latest = session.scalar(select(func.max(ArticleEvent.at))
                                .where(ArticleEvent.kind == "deleted"))
        if latest is None:
            return {"weeks": [], "sites": []}
        end = latest.date()
    last_week = end - timedelta(days=end.weekday())
    first_week = last_week - timedelta(weeks=weeks - 1)
    start = datetime(first_week.year, first_week.month, first_week.day, tzinfo=UTC)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for at, host in session.execute(events.where(ArticleEvent.at >= start)):
        counts[host][week_of(at)] += 1
    hosts = sorted(counts)
    week_list = [(first_week + timedelta(weeks=n)).isoformat() for n in range(weeks)]
    archived: dict[str, list[int]] = {}
    for host in hosts:
        # Articles of the site archived before each week's end (the population at risk).
        site_id = session.scalar(select(Site.id).where(Site.host == host))
        before = session.scalar(select(func.count()).select_from(ArticleRow).where(
            ArticleRow.site_id == site_id, ArticleRow.first_seen < start)) or 0
        per_week: Counter[str] = Counter(
            week_of(at) for (at,) in session.execute(
                select(ArticleRow.first_seen).where(ArticleRow.site_id == site_id,
                                                    ArticleRow.first_seen >= start)))
        running, totals = before, []
        for week in week_list:
            running += per_week.get(week, 0)
            totals.append(running)
        archived[host] = totals
    return {"weeks": week_list, "sites": [{
        "site": host,
        "points": [{"week": w, "deleted": counts[host].get(w, 0), "archived": archived[host][n],
                    "rate": round(counts[host].get(w, 0) / archived[host][n], 6)
                    if archived[host][n] else 0.0}
                   for n, w in enumerate(week_list)],
        "deleted": sum(counts[host].values()),
    } for host in hosts]}
