"""The search index's upkeep, inside the archive's write transactions: Simplified-folded text
under FTS5 trigrams (SQLite) or character-pair codes under a GIN index (PostgreSQL).

SQLite's FTS5 index (detail=none: no positions) reads the folded text from the view
``article_search_source`` (external content, migration 0003), so the text is stored once, in
``articles``. PostgreSQL's ``article_search`` holds each article's gram codes (every character
and every pair of adjacent characters, see grams) under a GIN index, and the folded title and
body only where folding changes them (migration 0005). Queries are newsarchive.query.fulltext's.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, Text, column, table, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from newsarchive.extract.text import fold_simplified

TRIGRAM = 3
# What article_search_source appends to each title and body (migration 0003): a string
# at the very end of the text then still starts a trigram, which 1-2 character lookups use.
END = "\n\n"

search_table = table("article_search", column("rowid", Integer), column("article_id", Integer),
                     column("title", Text), column("body", Text), column("grams", ARRAY(Integer)))
# SQLite: the folded text itself (the FTS5 table reads it from here row by row, which makes a
# scan through the FTS table several times slower than a scan of this view).
source_view = table("article_search_source", column("id", Integer), column("title", Text),
                    column("body", Text))


def fold(value: str | None) -> str:
    """The search form of a text: Simplified Chinese, whitespace as it was."""
    return fold_simplified(value or "")


def _grams(value: str, *, characters: bool = True) -> set[int]:
    """The gram codes of `value`, lower-cased: each character's UTF-16 unit, and each pair of
    adjacent units as one 32-bit integer (a pair never equals a character's code: the second
    unit would be NUL, which text never holds). Characters beyond the BMP share codes with
    others (their surrogates); the LIKE recheck keeps results exact."""
    units = value.lower().encode("utf-16-le")
    parts = [array("i", units[:len(units) // 4 * 4]),
             array("i", units[2:2 + (len(units) - 2) // 4 * 4])]
    if characters:
        parts.append(array("H", units))
    found: set[int] = set()
    for codes in parts:
        if sys.byteorder == "big":  # codes are defined little-endian, the same on any host
            codes.byteswap()
        found.update(codes)
    return found


def grams(title: str, body: str) -> str:
    """What PostgreSQL indexes for an article: the gram codes of its folded title and body,
    as an integer[] literal (COPY and CAST take it as it is; a list would be converted
    element by element in Python, several times slower)."""
    return "{" + ",".join(map(str, _grams(title) | _grams(body))) + "}"


def query_grams(wanted: str) -> list[int]:
    """The codes an article containing folded `wanted` must have: its pairs, or the
    character itself when it is one character long."""
    return sorted(_grams(wanted, characters=len(wanted) == 1))


def folded_rows(articles: Sequence[tuple[int, str | None, str]]
            ) -> list[tuple[int, str, str, str | None, str | None]]:
    """(id, folded title, folded body, and the folded title and body again where folding
    changes the text, else None) for each (article id, title, body): both engines store the
    folded text only where it differs from the article's own."""
    rows = []
    for article_id, title, body in articles:
        search_title, search_body = fold(title), fold(body)
        rows.append((article_id, search_title, search_body,
                     None if search_title == (title or "") else search_title,
                     None if search_body == body else search_body))
    return rows


def search_rows(articles: Sequence[tuple[int, str | None, str]]) -> list[dict[str, Any]]:
    """PostgreSQL ``article_search`` rows for (article id, title, body)."""
    return [{"article_id": article_id, "title": stored_title, "body": stored_body,
             "grams": grams(title, body)}
            for article_id, title, body, stored_title, stored_body in folded_rows(articles)]


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
            "INSERT INTO article_search (article_id, title, body, grams) "
            "VALUES (:article_id, :title, :body, CAST(:grams AS integer[])) "
            "ON CONFLICT (article_id) DO UPDATE SET title = EXCLUDED.title, "
            "body = EXCLUDED.body, grams = EXCLUDED.grams"), search_rows(articles))
        return
    folded = [{"id": article_id, "t": stored_title, "b": stored_body}
              for article_id, _, _, stored_title, stored_body in folded_rows(articles)]
    differs = [row for row in folded
               if row["t"] is not None or row["b"] is not None or row["id"] not in fresh]
    if differs:
        connection.execute(text(
            "UPDATE articles SET search_title = :t, search_body = :b WHERE id = :id"), differs)
    connection.execute(text(
        "INSERT INTO article_search (rowid, title, body) "
        "SELECT id, title, body FROM article_search_source WHERE id = :id"), folded)
