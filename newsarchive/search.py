"""Chinese full-text search: Simplified-folded text in FTS5 trigram (SQLite) or pg_trgm (PostgreSQL).

SQLite's index reads the folded text from the view ``article_search_source`` (external
content, migration 0003), so the text is stored once, in ``articles``.

Queries of three characters or more use the trigram index and are ranked (SQLite: bm25
with the title weighted; PostgreSQL: title hits first, then hits in the body). Shorter
queries cannot use trigrams: they scan, newest archived first, and stop at the limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Text,
    case,
    column,
    false,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from newsarchive.extract.text import fold_simplified
from newsarchive.filters import ArticleFilter, apply_filter
from newsarchive.models import ArticleRow, Site

TRIGRAM = 3
SNIPPET_CONTEXT = 30
HIGHLIGHT = ("«", "»")
TITLE_WEIGHT = 10.0
# What article_search_source appends to each title and body (migration 0003): a string
# at the very end of the text then still starts a trigram, which 1-2 character lookups use.
END = "\n\n"
# A 1-2 character query with at most this many indexed trigrams starting with it is looked
# up through the index (see _rare_short).
RARE_TERMS = 256

search_table = table("article_search", column("rowid", Integer), column("article_id", Integer),
                     column("title", Text), column("body", Text))
# SQLite: the folded text itself (the FTS5 table reads it from here row by row, which makes a
# scan through the FTS table several times slower than a scan of this view).
source_view = table("article_search_source", column("id", Integer), column("title", Text),
                    column("body", Text))


def fold(value: str | None) -> str:
    """The search form of a text: Simplified Chinese, whitespace as it was."""
    return fold_simplified(value or "")


def unindex_articles(connection: Connection, article_ids: Sequence[int]) -> None:
    """Take archived articles out of the search index before their text changes.

    SQLite: the FTS5 index keeps no copy of the text, so removing a row needs the text it
    was indexed with, read from the view while the row still holds it. PostgreSQL: nothing
    to do (indexing upserts).
    """
    if article_ids and connection.dialect.name == "sqlite":
        connection.execute(text(
            "INSERT INTO article_search (article_search, rowid, title, body) "
            "SELECT 'delete', id, title, body FROM article_search_source WHERE id = :id"),
            [{"id": i} for i in article_ids])


def index_articles(connection: Connection, articles: Sequence[tuple[int, str | None, str]],
                   *, fresh: set[int]) -> None:
    """Put each (article id, current title, body) in the search index (the caller's
    transaction); every id not in `fresh` must have been unindexed first."""
    if not articles:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(text(
            "INSERT INTO article_search (article_id, title, body) VALUES (:id, :t, :b) "
            "ON CONFLICT (article_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body"),
            [{"id": i, "t": fold(t), "b": fold(b)} for i, t, b in articles])
        return
    folded = []
    for article_id, title, body in articles:
        search_title, search_body = fold(title), fold(body)
        folded.append({"id": article_id,
                       "t": None if search_title == (title or "") else search_title,
                       "b": None if search_body == body else search_body})
    # The folded text is stored only where folding changed it (see migration 0003).
    differs = [row for row in folded
               if row["t"] is not None or row["b"] is not None or row["id"] not in fresh]
    if differs:
        connection.execute(text(
            "UPDATE articles SET search_title = :t, search_body = :b WHERE id = :id"), differs)
    connection.execute(text(
        "INSERT INTO article_search (rowid, title, body) "
        "SELECT id, title, body FROM article_search_source WHERE id = :id"), folded)


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


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


def search(session: Session, query: str, flt: ArticleFilter | None = None,
           limit: int = 20) -> list[dict[str, Any]]:
    """Ranked articles whose title or body contains `query` (Simplified or Traditional alike)."""
    wanted = fold(query.strip())
    if not wanted:
        return []
    dialect = session.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    indexed = len(wanted) >= TRIGRAM
    rare = _rare_short(session, wanted) if sqlite and not indexed else None
    searched = search_table
    if sqlite:
        through_index = indexed or rare is not None
        searched = search_table if through_index else source_view
        key = searched.c.rowid if through_index else searched.c.id
    else:
        key = search_table.c.article_id
    stmt = (select(ArticleRow, Site.host, searched.c.title, searched.c.body)
            .join(Site, Site.id == ArticleRow.site_id).join(searched, key == ArticleRow.id))
    stmt = apply_filter(stmt, flt or ArticleFilter(), dialect)
    if rare is not None:
        stmt = (stmt.where(literal_column("article_search").op("MATCH")(rare) if rare else false())
                .order_by(key.desc()))
    elif indexed and sqlite:
        phrase = _quoted(wanted)
        stmt = (stmt.where(literal_column("article_search").op("MATCH")(phrase))
                .order_by(func.bm25(literal_column("article_search"), TITLE_WEIGHT, 1.0),
                          ArticleRow.id.desc()))
    else:
        pattern = _like_pattern(wanted)
        # ILIKE lower-cases every row, slow on Chinese text; a query with no cased letters
        # matches the same rows with LIKE.
        like = "like" if sqlite or wanted.lower() == wanted.upper() else "ilike"
        title_hit = getattr(searched.c.title, like)(pattern, escape="\\")
        body_hit = getattr(searched.c.body, like)(pattern, escape="\\")
        stmt = stmt.where(title_hit | body_hit)
        if indexed:
            lowered = func.lower(searched.c.body)
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
        if sqlite:
            title_form, body_form = title_form.removesuffix(END), body_form.removesuffix(END)
        shown = (snippet(row.body, body_form, wanted)
                 or snippet(row.title or "", title_form, wanted))
        hits.append({
            "id": row.id, "url": row.url, "canonical_url": row.canonical_url,
            "title": row.title, "published": _iso(row.published), "site": host,
            "authors": row.authors, "deleted_at": _iso(row.deleted_at), "snippet": shown,
        })
    return hits
