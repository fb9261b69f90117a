"""Attention over time: a query's matches per day, week or month of publication (the page's
own calendar day), optionally as a share of every article archived in the period, and several
queries side by side."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from newsarchive.archive.filters import ArticleFilter, apply_filter
from newsarchive.archive.models import ArticleRow, Site
from newsarchive.query.fulltext import local_day

GRANULARITIES = ("day", "week", "month")
# Beyond this many periods a chart is unreadable: "auto" picks a coarser granularity.
MAX_POINTS = 120
_CACHE_SIZE = 64


def period(day: date, granularity: str) -> date:
    """The first day of the period (ISO week from Monday, calendar month) holding `day`."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def following(start: date, granularity: str) -> date:
    """The first day of the next period."""
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def periods(first: date, last: date, granularity: str) -> list[date]:
    """Every period from the one holding `first` to the one holding `last`."""
    out = []
    current = period(first, granularity)
    while current <= last:
        out.append(current)
        current = following(current, granularity)
    return out


def auto_granularity(first: date, last: date) -> str:
    """The finest granularity that shows the span in at most MAX_POINTS periods."""
    for granularity in GRANULARITIES:
        if len(periods(first, last, granularity)) <= MAX_POINTS:
            return granularity
    return "month"


def _day_expression(dialect: str) -> Any:
    """SQL for an article's publication day in the page's own zone, as ISO text."""
    if dialect == "sqlite":
        return func.date(ArticleRow.published_at, func.printf(
            "%+d seconds", func.coalesce(ArticleRow.published_offset, 0)))
    local: Any = literal_column("(articles.published_at AT TIME ZONE 'UTC')") + func.make_interval(
        0, 0, 0, 0, 0, 0, func.coalesce(ArticleRow.published_offset, 0))
    return func.to_char(local, "YYYY-MM-DD")


class _Totals:
    """Articles archived per publication day for a filter, cached while the archive holds the
    same articles (its newest id and its count tell)."""

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[Any, ...], dict[str, int]] = OrderedDict()
        self._lock = threading.Lock()

    def per_day(self, session: Session, flt: ArticleFilter, first: date, last: date
                ) -> dict[str, int]:
        dialect = session.get_bind().dialect.name
        state = tuple(session.execute(select(func.max(ArticleRow.id), func.count(ArticleRow.id)
                                             )).one())
        key = (id(session.get_bind()), flt, first, last, state)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        day = _day_expression(dialect).label("day")
        # A day's articles lie within a day of its UTC bounds (offsets are under 24 h).
        bounds = ArticleFilter(since=_utc(first - timedelta(days=1)),
                               until=_utc(last + timedelta(days=2)))
        stmt = apply_filter(apply_filter(
            select(day, func.count()).select_from(ArticleRow).join(
                Site, Site.id == ArticleRow.site_id), flt, dialect), bounds, dialect)
        counts = {d: n for d, n in session.execute(stmt.group_by(day)) if d is not None}
        with self._lock:
            self._cache[key] = counts
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return counts


def _utc(day: date) -> Any:
    from datetime import UTC, datetime

    return datetime(day.year, day.month, day.day, tzinfo=UTC)


totals = _Totals()


def timeline(session: Session, rows: Sequence[Row[Any]], capped: bool, flt: ArticleFilter, *,
             granularity: str = "auto", share: bool = False,
             span: tuple[date, date] | None = None) -> dict[str, Any]:
    """Matches per period, from a match set (fulltext.match_set: latest archived first).

    When the set was `capped`, it holds every match archived after its oldest one's first
    fetch, so every match *published* after that time too (nothing is archived before it is
    published): periods before the one holding that time are left out, that one is marked
    partial, the later ones are complete. `span` fixes
    the periods shown (comparisons share one axis). With `share`, each point also carries the
    articles archived in the period (within `flt`) and the matches' share of them.
    """
    days = Counter(d for d in (local_day(row) for row in rows) if d is not None)
    undated = sum(1 for row in rows if row.published_at is None)
    if span is None:
        if not days:
            return {"granularity": "day" if granularity == "auto" else granularity,
                    "points": [], "undated": undated, "complete": not capped, "since": None}
        span = (date.fromisoformat(min(days)), date.fromisoformat(max(days)))
    first, last = span
    if granularity == "auto":
        granularity = auto_granularity(first, last)
    partial_from = None
    if capped and rows:
        cut = min(row.first_seen for row in rows)
        partial_from = period(cut.date(), granularity)
    counted: Counter[date] = Counter()
    for day_text, count in days.items():
        counted[period(date.fromisoformat(day_text), granularity)] += count
    all_days: dict[str, int] = totals.per_day(session, flt, first, last) if share else {}
    archived: Counter[date] = Counter()
    for day_text, count in all_days.items():
        archived[period(date.fromisoformat(day_text), granularity)] += count
    points = []
    for start in periods(first, last, granularity):
        if partial_from is not None and start < partial_from:
            continue
        point: dict[str, Any] = {"period": start.isoformat(), "matches": counted.get(start, 0),
                                 "partial": partial_from is not None and start == partial_from}
        if share:
            total = archived.get(start, 0)
            point["archived"] = total
            point["share"] = round(point["matches"] / total, 6) if total else 0.0
        points.append(point)
    return {"granularity": granularity, "points": points, "undated": undated,
            "complete": not capped,
            "since": partial_from.isoformat() if partial_from is not None else None}


def day_span(row_sets: Sequence[Sequence[Row[Any]]]) -> tuple[date, date] | None:
    """The publication days from the earliest to the latest match over several match sets."""
    days = [d for rows in row_sets for d in (local_day(r) for r in rows) if d is not None]
    if not days:
        return None
    return date.fromisoformat(min(days)), date.fromisoformat(max(days))
