"""Archive statistics: articles per site per day, deletions, revisions, failures by kind."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsarchive.archive.filters import ArticleFilter, apply_filter
from newsarchive.archive.models import (
    ArticleEvent,
    ArticleRevision,
    ArticleRow,
    Failure,
    Site,
    join_time,
)

BATCH = 5000


def stats(session: Session, flt: ArticleFilter | None = None) -> dict[str, Any]:
    """Counts for the filtered articles; failures are counted over the whole archive."""
    flt = flt or ArticleFilter()
    dialect = session.get_bind().dialect.name
    base = apply_filter(select(ArticleRow.id).join(Site), flt, dialect).subquery()
    per_day: Counter[tuple[str, str]] = Counter()
    rows = apply_filter(select(Site.host, ArticleRow.published_at, ArticleRow.published_offset)
                        .join(Site), flt, dialect)
    for host, instant, offset in session.execute(rows.execution_options(yield_per=BATCH)):
        local = join_time(instant, offset)
        # The page's own calendar day, as its readers saw it.
        per_day[(host, local.date().isoformat() if local is not None else "undated")] += 1
    revisions = session.execute(
        select(ArticleRevision.article_id, func.count()).where(
            ArticleRevision.article_id.in_(select(base.c.id)))
        .group_by(ArticleRevision.article_id)).all()
    events = dict(session.execute(
        select(ArticleEvent.kind, func.count()).where(
            ArticleEvent.article_id.in_(select(base.c.id))).group_by(ArticleEvent.kind)).all())
    deleted_now = session.scalar(select(func.count()).select_from(ArticleRow).where(
        ArticleRow.id.in_(select(base.c.id)), ArticleRow.deleted_at.is_not(None))) or 0
    failures: Counter[str] = Counter({kind: count for kind, count in session.execute(
        select(Failure.kind, func.count()).group_by(Failure.kind))})
    return {
        "articles": sum(per_day.values()),
        "per_site_day": [{"site": s, "day": d, "articles": n}
                         for (s, d), n in sorted(per_day.items())],
        "revisions": sum(n for _, n in revisions),
        "revised_articles": sum(1 for _, n in revisions if n > 1),
        "deleted_now": deleted_now,
        "deletions": events.get("deleted", 0),
        "restorations": events.get("restored", 0),
        "failures": dict(failures.most_common()),
    }
