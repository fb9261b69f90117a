"""Chinese full-text search: Simplified-folded text in FTS5 trigram (SQLite) or pg_trgm (PostgreSQL).

Queries of three characters or more use the trigram index and are ranked (SQLite: bm25
with the title weighted; PostgreSQL: title hits first, then hits in the body). Shorter
queries cannot use trigrams: they scan, newest archived first, and stop at the limit.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Text, case, column, func, literal_column, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from newsarchive.extract.text import fold_simplified
from newsarchive.filters import ArticleFilter, apply_filter
from newsarchive.models import ArticleRow, Site

TRIGRAM = 3
SNIPPET_CONTEXT = 30
HIGHLIGHT = ("«", "»")
TITLE_WEIGHT = 10.0

search_table = table("article_search", column("rowid", Integer), column("article_id", Integer),
                     column("title", Text), column("body", Text))


def fold(value: str | None) -> str:
    """The search form of a text: Simplified Chinese, whitespace as it was."""
    return fold_simplified(value or "")


def index_article(connection: Connection, article_id: int, title: str | None, body: str) -> None:
    """Put the article's current title and body in the search index (the caller's transaction)."""
    values = {"id": article_id, "t": fold(title), "b": fold(body)}
    if connection.dialect.name == "sqlite":
        connection.execute(text("DELETE FROM article_search WHERE rowid = :id"), values)
        connection.execute(text(
            "INSERT INTO article_search (rowid, title, body) VALUES (:id, :t, :b)"), values)
    else:
        connection.execute(text(
            "INSERT INTO article_search (article_id, title, body) VALUES (:id, :t, :b) "
            "ON CONFLICT (article_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body"),
            values)


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


def search(session: Session, query: str, flt: ArticleFilter | None = None,
           limit: int = 20) -> list[dict[str, Any]]:
    """Ranked articles whose title or body contains `query` (Simplified or Traditional alike)."""
    wanted = fold(query.strip())
    if not wanted:
        return []
    dialect = session.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    key = search_table.c.rowid if sqlite else search_table.c.article_id
    stmt = (select(ArticleRow, Site.host, search_table.c.title, search_table.c.body)
            .join(Site, Site.id == ArticleRow.site_id).join(search_table, key == ArticleRow.id))
    stmt = apply_filter(stmt, flt or ArticleFilter(), dialect)
    if len(wanted) >= TRIGRAM and sqlite:
        phrase = '"' + wanted.replace('"', '""') + '"'
        stmt = (stmt.where(literal_column("article_search").op("MATCH")(phrase))
                .order_by(func.bm25(literal_column("article_search"), TITLE_WEIGHT, 1.0),
                          ArticleRow.id.desc()))
    else:
        pattern = _like_pattern(wanted)
        like = "like" if sqlite else "ilike"
        title_hit = getattr(search_table.c.title, like)(pattern, escape="\\")
        body_hit = getattr(search_table.c.body, like)(pattern, escape="\\")
        stmt = stmt.where(title_hit | body_hit)
        if len(wanted) >= TRIGRAM:
            lowered = func.lower(search_table.c.body)
            hits_in_body = (func.length(lowered)
                            - func.length(func.replace(lowered, wanted.lower(), "")))
            stmt = stmt.order_by(case((title_hit, 1), else_=0).desc(), hits_in_body.desc(),
                                 ArticleRow.id.desc())
        else:
            # Ordered by the search table's own key, so the scan runs newest first and
            # stops at the limit instead of sorting every hit.
            stmt = stmt.order_by(key.desc())
    hits = []
    for row, host, title_form, body_form in session.execute(stmt.limit(limit)):
        shown = (snippet(row.body, body_form, wanted)
                 or snippet(row.title or "", title_form, wanted))
        hits.append({
            "id": row.id, "url": row.url, "canonical_url": row.canonical_url,
            "title": row.title, "published": _iso(row.published), "site": host,
            "authors": row.authors, "deleted_at": _iso(row.deleted_at), "snippet": shown,
        })
    return hits
