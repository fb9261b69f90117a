"""Chinese full-text search over Simplified-folded text: the archive's index
(newsarchive.archive.index)
finds candidates, LIKE keeps exactly the articles that contain the query.

SQLite: a query of three characters or more asks FTS5 for all its trigrams; shorter ones
cannot use trigrams (see _rare_short). PostgreSQL: a query looks up its character pairs, or
its one character, in the GIN index over gram codes.

Both engines rank alike: for three characters or more, title hits first, then more hits in
the body; shorter queries (common strings, found at once) come newest first.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import case, false, func, literal_column, select, text
from sqlalchemy.orm import Session

from newsarchive.archive.filters import ArticleFilter, apply_filter
from newsarchive.archive.index import END, TRIGRAM, fold, query_grams, search_table, source_view
from newsarchive.archive.models import ArticleRow, Site

SNIPPET_CONTEXT = 30
HIGHLIGHT = ("«", "»")
# A 1-2 character query with at most this many indexed trigrams starting with it is looked
# up through the index (see _rare_short).
RARE_TERMS = 256
# PostgreSQL, 1-2 character queries: the newest articles searched along the primary key
# before the GIN index is asked for older ones (see _postgres_rows).
RECENT = 2000


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _all_trigrams(wanted: str) -> str:
    """SQLite, three characters or more: the FTS5 query AND-ing every trigram of `wanted`
    (the index keeps no positions, detail=none, so a phrase cannot be asked for; LIKE rechecks)."""
    trigrams = dict.fromkeys(wanted[i:i + TRIGRAM] for i in range(len(wanted) - TRIGRAM + 1))
    return " AND ".join(_quoted(trigram) for trigram in trigrams)


def _rare_short(session: Session, wanted: str) -> str | None:
    """SQLite, a 1-2 character query: when few indexed trigrams start with it (a rare
    string, which a scan would look for through the whole archive), the FTS5 query OR-ing
    them ("" when none: no hits); None when it is common and a scan finds hits at once.
    Every occurrence starts a trigram, the last ones included (see END).
    """
    lowered = wanted.lower()  # the index folds case (case_sensitive 0)
    terms = list(session.execute(
        text("SELECT term FROM article_search_vocab WHERE term >= :low AND term < :high "
             "LIMIT :most"),
        {"low": lowered, "high": lowered + "\U0010ffff", "most": RARE_TERMS + 1}).scalars())
    if len(terms) > RARE_TERMS:
        return None
    return " OR ".join(_quoted(term) for term in terms)


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def snippet(original: str, folded: str, query: str) -> str | None:
    """Context around the first hit of folded `query` in `folded`, shown in the original text."""
    match = re.search(re.escape(query), folded, re.IGNORECASE)
    if match is None:
        return None
    # t2s maps characters one to one almost always; if not, show the folded form.
    shown = original if len(original) == len(folded) else folded
    start = max(0, match.start() - SNIPPET_CONTEXT)
    end = min(len(shown), match.end() + SNIPPET_CONTEXT)
    text_ = (shown[start:match.start()] + HIGHLIGHT[0] + shown[match.start():match.end()]
             + HIGHLIGHT[1] + shown[match.end():end])
    return text_.replace("\n", " ")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _rows(session: Session, wanted: str, flt: ArticleFilter | None, limit: int
          ) -> list[tuple[ArticleRow, str, str, str]]:
    """(article, site host, folded title, folded body) of the best hits."""
    dialect = session.get_bind().dialect.name
    if dialect != "sqlite":
        return _postgres_rows(session, wanted, flt, limit)
    indexed = len(wanted) >= TRIGRAM
    rare = None if indexed else _rare_short(session, wanted)
    stmt = (select(ArticleRow, Site.host, source_view.c.title, source_view.c.body)
            .join(Site, Site.id == ArticleRow.site_id)
            .join(source_view, source_view.c.id == ArticleRow.id))
    stmt = apply_filter(stmt, flt or ArticleFilter(), dialect)
    key = source_view.c.id
    if indexed or rare is not None:
        terms = _all_trigrams(wanted) if indexed else rare
        key = search_table.c.rowid
        stmt = (stmt.join(search_table, key == ArticleRow.id)
                .where(literal_column("article_search").op("MATCH")(terms) if terms else false()))
    stmt = _ranked(stmt, wanted, source_view.c.title, source_view.c.body, key, sqlite=True)
    return [(row, host, title_form.removesuffix(END), body_form.removesuffix(END))
            for row, host, title_form, body_form in session.execute(stmt.limit(limit))]


def _postgres_rows(session: Session, wanted: str, flt: ArticleFilter | None, limit: int
                   ) -> list[tuple[ArticleRow, str, str, str]]:
    """PostgreSQL: (article, site host, folded title, folded body) of the best hits.

    A 1-2 character query is answered newest first in two steps. The newest RECENT articles
    are searched along the primary key: a common string fills the limit there at once.
    Older hits come from the GIN index alone (a materialized list of ids, ordered by an
    expression the primary key cannot give): the planner, which does not count the cost of
    reading each article's codes, would otherwise scan the table or walk its whole key for
    a rare string (seconds at 1M articles).
    """
    title = func.coalesce(search_table.c.title, ArticleRow.title, "")
    body = func.coalesce(search_table.c.body, ArticleRow.body)
    key = search_table.c.article_id
    codes = search_table.c.grams.contains(query_grams(wanted))
    stmt = apply_filter(select(ArticleRow, Site.host, title, body)
                        .join(Site, Site.id == ArticleRow.site_id)
                        .join(search_table, key == ArticleRow.id),
                        flt or ArticleFilter(), "postgresql")
    if len(wanted) >= TRIGRAM:
        return list(session.execute(_ranked(stmt.where(codes), wanted, title, body, key,
                                            sqlite=False).limit(limit)))
    # A string of one or two BMP characters is in a text exactly when its code is in the
    # text's grams (beyond the BMP, surrogate codes are shared): no LIKE needed.
    recheck = any(ord(ch) > 0xFFFF for ch in wanted)
    newest = session.scalar(select(func.max(key)))
    if newest is None:
        return []
    cutoff = newest - RECENT
    rows = list(session.execute(_ranked(stmt.where(codes, key > cutoff), wanted, title, body,
                                        key, sqlite=False, recheck=recheck).limit(limit)))
    if len(rows) < limit:
        older_ids = select(key.label("id")).where(codes, key <= cutoff)
        if flt is None or flt == ArticleFilter():
            # Nothing else to filter on: the index's newest hits are the answer.
            older_ids = older_ids.order_by((key + 0).desc()).limit(limit - len(rows))
        older = older_ids.cte("older_hits").prefix_with("MATERIALIZED")
        rows += session.execute(_ranked(stmt.join(older, older.c.id == key), wanted, title,
                                        body, older.c.id + 0, sqlite=False, recheck=recheck)
                                .limit(limit - len(rows)))
    return rows  # type: ignore[return-value]  # Rows are tuples of these


def _ranked(stmt: Any, wanted: str, title: Any, body: Any, key: Any, *, sqlite: bool,
            recheck: bool = True) -> Any:
    """`stmt` kept to rows whose `title` or `body` contains `wanted` (unless the index alone
    decides it: `recheck` False), best first: for three characters or more, title hits, then
    more hits in the body; shorter, newest first (by the search table's own key, so that a
    scan runs newest first and stops at the limit)."""
    if len(wanted) < TRIGRAM and not recheck:
        return stmt.order_by(key.desc())
    pattern = _like_pattern(wanted)
    # ILIKE lower-cases every row, slow on Chinese text; a query with no cased letters
    # matches the same rows with LIKE (SQLite's LIKE ignores ASCII case anyway).
    like = "like" if sqlite or wanted.lower() == wanted.upper() else "ilike"
    title_hit = getattr(title, like)(pattern, escape="\\")
    body_hit = getattr(body, like)(pattern, escape="\\")
    stmt = stmt.where(title_hit | body_hit)
    if len(wanted) < TRIGRAM:
        return stmt.order_by(key.desc())
    lowered = func.lower(body)
    hits_in_body = func.length(lowered) - func.length(func.replace(lowered, wanted.lower(), ""))
    return stmt.order_by(case((title_hit, 1), else_=0).desc(), hits_in_body.desc(),
                         ArticleRow.id.desc())


def search(session: Session, query: str, flt: ArticleFilter | None = None,
           limit: int = 20) -> list[dict[str, Any]]:
    """Ranked articles whose title or body contains `query` (Simplified or Traditional alike)."""
    wanted = fold(query.strip())
    if not wanted:
        return []
    hits = []
    for row, host, title_form, body_form in _rows(session, wanted, flt, limit):
        shown = (snippet(row.body, body_form, wanted)
                 or snippet(row.title or "", title_form, wanted))
        hits.append({
            "id": row.id, "url": row.url, "canonical_url": row.canonical_url,
            "title": row.title, "published": _iso(row.published), "site": host,
            "authors": row.authors, "deleted_at": _iso(row.deleted_at), "snippet": shown,
        })
    return hits
