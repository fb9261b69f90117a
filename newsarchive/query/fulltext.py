"""Chinese full-text search over Simplified-folded text: the archive's index
(newsarchive.archive.index) finds candidates, LIKE keeps exactly the articles that match.

A query (newsarchive.query.syntax) is clauses of terms. The longest required text term is the
*driver*: it goes through the index, and every other term is a condition on the candidates.
SQLite: a driver of three characters or more asks FTS5 for all its trigrams; shorter ones
cannot use trigrams (see _rare_short). PostgreSQL: a driver looks up its character pairs, or
its one character, in the GIN index over gram codes. A query without a driver (only fields,
exclusions or alternatives) scans the filtered articles, newest first.

Both engines rank alike: for a driver of three characters or more, title hits first, then more
hits in the body; shorter queries (common strings, found at once) come newest first. Pages
continue through a keyset cursor (`next`), never an offset.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.engine import Row
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from newsarchive.archive.filters import ArticleFilter, conditions, host_of
from newsarchive.archive.index import END, TRIGRAM, fold, query_grams, search_table, source_view
from newsarchive.archive.models import ArticleRevision, ArticleRow, Site, join_time
from newsarchive.extract.errors import FailureKind, NewsarchiveError
from newsarchive.query.syntax import TEXT, Query, Term, parse

SNIPPET_CONTEXT = 30
HIGHLIGHT = ("«", "»")
# A 1-2 character query with at most this many indexed trigrams starting with it is looked
# up through the index (see _rare_short).
RARE_TERMS = 256
RARE_TERMS_LARGE = 4096  # the same, for queries with a large limit (see _sqlite_rows)
# PostgreSQL, 1-2 character queries: the newest articles searched along the primary key
# before the GIN index is asked for older ones (see _postgres_rows).
RECENT = 2000
# Short queries with a large limit (facets, timelines), both engines: after the newest RECENT
# articles, those found there tell how common the string is; when the rest of the limit should
# lie within this many more articles, they are scanned along the key too, else the index is
# asked (a scan that finds too little walks the whole archive; the index, for a common string,
# returns most of it).
SCAN_WINDOW = 60_000
LARGE_LIMIT = 100
STATS_CHUNK = 500  # matches read at a time by match_set, between looks at the clock
FIRST_CHUNK_S = 1.0  # the first chunk's own time allowance (see match_set)
# relevance: ranked (see module doc); time: newest published first (undated last);
# archived: newest archived first.
SORTS = ("relevance", "time", "archived")

Columns = Callable[[Any, Any], Sequence[Any]]


class BadCursor(NewsarchiveError):
    """A `next` cursor that this search did not give."""

    kind = FailureKind.CONFIG


@dataclass(frozen=True)
class Plan:
    """A parsed query ready to run: its driver term (folded), the rest as conditions."""

    query: Query
    driver: Term | None
    wanted: str  # the driver's folded value ("" without a driver)

    @property
    def ranked(self) -> bool:
        return len(self.wanted) >= TRIGRAM

    @property
    def title_only(self) -> bool:
        return self.driver is not None and self.driver.field == "title"


def plan(query: str | Query) -> Plan:
    """The query parsed (QuerySyntaxError if it cannot be), with its driver chosen: the
    longest required text or title term."""
    parsed = parse(query) if isinstance(query, str) else query
    required = [clause[0] for clause in parsed.clauses
                if len(clause) == 1 and not clause[0].negated
                and clause[0].field in (TEXT, "title") and fold(clause[0].value.strip())]
    if not required:
        return Plan(parsed, None, "")
    driver = max(required, key=lambda t: (len(fold(t.value.strip())), t.field == TEXT))
    return Plan(parsed, driver, fold(driver.value.strip()))


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _all_trigrams(wanted: str) -> str:
    """SQLite, three characters or more: the FTS5 query AND-ing every trigram of `wanted`
    (the index keeps no positions, detail=none, so a phrase cannot be asked for; LIKE rechecks)."""
    trigrams = dict.fromkeys(wanted[i:i + TRIGRAM] for i in range(len(wanted) - TRIGRAM + 1))
    return " AND ".join(_quoted(trigram) for trigram in trigrams)


def _rare_short(session: Session, wanted: str, most: int | None = None) -> str | None:
    """SQLite, a 1-2 character query: when few indexed trigrams start with it (a rare
    string, which a scan would look for through the whole archive), the FTS5 query OR-ing
    them ("" when none: no hits); None when it is common and a scan finds hits at once.
    Every occurrence starts a trigram, the last ones included (see END).
    """
    lowered = wanted.lower()  # the index folds case (case_sensitive 0)
    terms = list(session.execute(
        text("SELECT term FROM article_search_vocab WHERE term >= :low AND term < :high "
             "LIMIT :most"),
        {"low": lowered, "high": lowered + "\U0010ffff",
         "most": (most or RARE_TERMS) + 1}).scalars())
    if len(terms) > (most or RARE_TERMS):
        return None
    return " OR ".join(_quoted(term) for term in terms)


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: Any, wanted: str, sqlite: bool) -> ColumnElement[bool]:
    """`column` contains `wanted` (Latin letters in any case)."""
    if wanted.lower() == wanted.upper():
        # No cased letters (Chinese): a plain substring test, several times faster than LIKE,
        # which compares character by character with case folding.
        return (func.instr(column, wanted) if sqlite else func.strpos(column, wanted)) > 0
    # ILIKE lower-cases every row, slow on Chinese text; SQLite's LIKE ignores ASCII case.
    like = "like" if sqlite else "ilike"
    return getattr(column, like)(_like_pattern(wanted), escape="\\")  # type: ignore[no-any-return]


def snippet_parts(original: str, folded: str, wanted: Sequence[str]
                  ) -> list[tuple[str, bool]] | None:
    """Context around the first hit of the first folded `wanted` found in `folded`, shown in
    the original text, as (text, highlighted) parts; every wanted string in it highlighted."""
    wanted = [w for w in wanted if w]
    first = None
    for value in wanted:
        first = re.search(re.escape(value), folded, re.IGNORECASE)
        if first is not None:
            break
    if first is None:
        return None
    # t2s maps characters one to one almost always; if not, show the folded form.
    shown = original if len(original) == len(folded) else folded
    start = max(0, first.start() - SNIPPET_CONTEXT)
    end = min(len(shown), first.end() + SNIPPET_CONTEXT)
    marks = [False] * (end - start)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True)),
                         re.IGNORECASE)
    for found in pattern.finditer(folded, start, end):
        for i in range(found.start(), found.end()):
            marks[i - start] = True
    # Terms apart only by spaces ("5G Phone" searched as two words) read as one highlight.
    for i in range(1, len(marks) - 1):
        if not marks[i] and shown[start + i].isspace():
            before = next((m for m in reversed(marks[:i]) if m is not None), False)
            j = i
            while j < len(marks) and not marks[j] and shown[start + j].isspace():
                j += 1
            if before and j < len(marks) and marks[j]:
                for k in range(i, j):
                    marks[k] = True
    parts: list[tuple[str, bool]] = []
    for offset, flag in enumerate(marks):
        char = shown[start + offset].replace("\n", " ")
        if parts and parts[-1][1] == flag:
            parts[-1] = (parts[-1][0] + char, flag)
        else:
            parts.append((char, flag))
    return parts


def snippet(original: str, folded: str, query: str) -> str | None:
    """Context around the first hit of folded `query` in `folded`, shown in the original text,
    the hit between « and »."""
    parts = snippet_parts(original, folded, [query])
    if parts is None:
        return None
    return "".join(HIGHLIGHT[0] + t + HIGHLIGHT[1] if hit else t for t, hit in parts)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _field_condition(term: Term, title: Any, body: Any, dialect: str) -> ColumnElement[bool]:
    """The condition one term puts on an article (before negation)."""
    sqlite = dialect == "sqlite"
    value = term.value.strip()
    if term.field in (TEXT, "title"):
        wanted = fold(value)
        hit = _contains(title, wanted, sqlite)
        return hit if term.field == "title" else or_(hit, _contains(body, wanted, sqlite))
    if term.field == "site":
        host = host_of(value)
        return or_(Site.host == host, Site.host.like(_like_pattern("." + host)[1:], escape="\\"))
    column = ArticleRow.authors if term.field == "author" else ArticleRow.section_path
    as_text = func.cast(column, literal_column("TEXT")) if not sqlite else column
    return _contains(as_text, value, sqlite)


def _term_conditions(p: Plan, title: Any, body: Any, dialect: str) -> list[ColumnElement[bool]]:
    """Every clause of the query but the driver's, as conditions."""
    out: list[ColumnElement[bool]] = []
    for clause in p.query.clauses:
        if len(clause) == 1 and clause[0] is p.driver:
            continue
        parts = [not_(_field_condition(t, title, body, dialect)) if t.negated
                 else _field_condition(t, title, body, dialect) for t in clause]
        out.append(or_(*parts) if len(parts) > 1 else parts[0])
    return out


def _driver_condition(p: Plan, title: Any, body: Any, sqlite: bool) -> ColumnElement[bool]:
    hit = _contains(title, p.wanted, sqlite)
    return hit if p.title_only else or_(hit, _contains(body, p.wanted, sqlite))


# -- ordering and cursors ----------------------------------------------------------------------

def _order_keys(p: Plan, sort: str, title: Any, body: Any, key: Any, sqlite: bool
                ) -> list[tuple[Any, bool]]:
    """(expression, descending) sort keys, the last one unique."""
    if sort == "time":
        undated = case((ArticleRow.published_at.is_(None), 1), else_=0)
        return [(undated, False), (ArticleRow.published_at, True), (ArticleRow.id, True)]
    if sort == "relevance" and p.ranked:
        title_hit = case((_contains(title, p.wanted, sqlite), 1), else_=0)
        if p.title_only:
            return [(title_hit, True), (ArticleRow.id, True)]
        lowered = func.lower(body)
        hits = func.length(lowered) - func.length(func.replace(lowered, p.wanted.lower(), ""))
        return [(title_hit, True), (hits, True), (ArticleRow.id, True)]
    return [(key, True)]


def _after(keys: list[tuple[Any, bool]], values: list[Any]) -> ColumnElement[bool]:
    """Rows that come after the row whose sort keys were `values` (lexicographic keyset)."""
    options = []
    for i, (expr, descending) in enumerate(keys):
        equal = [k.is_(None) if v is None else k == v
                 for (k, _), v in zip(keys[:i], values[:i], strict=True)]
        value = values[i]
        if value is None:
            continue  # nothing sorts after NULL within a key (undated rows are last)
        beyond = expr < value if descending else expr > value
        options.append(and_(*equal, beyond))
    return or_(*options) if options else false()


def encode_cursor(sort: str, values: Sequence[Any]) -> str:
    """An opaque cursor for the row whose sort keys are `values`."""
    data = [sort, [["t", v.isoformat()] if isinstance(v, datetime) else v for v in values]]
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list[Any]:
    """The sort-key values a cursor holds; BadCursor if it is not one of `sort`'s."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, values = json.loads(raw)
        if kind != sort or not isinstance(values, list):
            raise ValueError(kind)
        decoded = [datetime.fromisoformat(v[1]) if isinstance(v, list) else v for v in values]
        # Keys are 32-bit integers (ids, counts) or times: anything else was not made here.
        if any(not isinstance(v, int | datetime | None) or isinstance(v, bool)
               or isinstance(v, int) and not -2**31 <= v < 2**31 for v in decoded):
            raise ValueError(values)
        return decoded
    except (ValueError, TypeError, IndexError, UnicodeDecodeError) as exc:
        raise BadCursor(cursor[:40], f"not a cursor of this search (sort={sort})") from exc


# -- the statement -----------------------------------------------------------------------------

@dataclass
class Matches:
    """A page of matching rows and the cursor of the next page (None at the end)."""

    rows: list[Row[Any]]
    next: str | None


def match(session: Session, p: Plan, flt: ArticleFilter | None, columns: Columns, *,
          sort: str = "relevance", after: str | None = None, limit: int = 20) -> Matches:
    """Up to `limit` rows of `columns(title, body)` (the folded title and body expressions)
    for the articles matching plan `p` within `flt`, in `sort` order from cursor `after`."""
    if sort not in SORTS:
        raise BadCursor(sort, f"unknown sort; use one of {', '.join(SORTS)}")
    flt = flt or ArticleFilter()
    dialect = session.get_bind().dialect.name
    cursor = decode_cursor(after, sort) if after else None
    run = _sqlite_rows if dialect == "sqlite" else _postgres_rows
    rows = run(session, p, flt, columns, sort, cursor, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    following = None
    if more and rows:
        last = rows[-1]
        following = encode_cursor(sort, [last._mapping[f"_k{i}"]
                                         for i in range(_key_count(last))])
    return Matches(rows, following)


def _key_count(row: Row[Any]) -> int:
    return sum(1 for name in row._fields if name.startswith("_k"))


def _select(columns: Sequence[Any], keys: list[tuple[Any, bool]]) -> Any:
    return select(*columns, *(expr.label(f"_k{i}") for i, (expr, _) in enumerate(keys)))


def _ordered(stmt: Any, keys: list[tuple[Any, bool]], cursor: list[Any] | None) -> Any:
    if cursor is not None:
        if len(cursor) != len(keys):
            raise BadCursor("cursor", "not a cursor of this search")
        stmt = stmt.where(_after(keys, cursor))
    return stmt.order_by(*(expr.desc() if descending else expr.asc()
                           for expr, descending in keys))


RowsIn = Callable[[int | None, int | None, int], list[Row[Any]]]


def _stepped(newest: int, limit: int, scan: RowsIn, indexed: RowsIn) -> list[Row[Any]]:
    """Newest-first rows of a short query: `scan(low, high, n)` walks the key over
    low < key <= high, `indexed(None, high, n)` asks the index for key <= high."""
    cutoff = newest - RECENT
    rows = scan(cutoff, None, limit)
    if len(rows) >= limit:
        return rows
    need = limit - len(rows)
    density = len(rows) / RECENT
    if density > 0 and need / density <= SCAN_WINDOW:
        low = cutoff - int(need / density * 1.5) - 1
        rows += scan(low, cutoff, need)
        cutoff = low
        if len(rows) >= limit:
            return rows
    return rows + indexed(None, cutoff, limit - len(rows))


def _newest(session: Session, key: Any, cursor: list[Any] | None) -> int | None:
    """The highest key a newest-first page can hold: the archive's, or below the cursor's."""
    newest = session.scalar(select(func.max(key)))
    if newest is not None and cursor is not None and isinstance(cursor[0], int):
        newest = min(newest, cursor[0] - 1)
    return newest  # type: ignore[no-any-return]


def _between(stmt: Any, key: Any, low: int | None, high: int | None) -> Any:
    if low is not None:
        stmt = stmt.where(key > low)
    if high is not None:
        stmt = stmt.where(key <= high)
    return stmt


def _sqlite_rows(session: Session, p: Plan, flt: ArticleFilter, columns: Columns, sort: str,
                 cursor: list[Any] | None, limit: int) -> list[Row[Any]]:
    title, body = source_view.c.title, source_view.c.body
    key: Any = source_view.c.id
    where = [*conditions(flt, "sqlite"), *_term_conditions(p, title, body, "sqlite")]
    terms = None
    if p.driver is not None:
        where.append(_driver_condition(p, title, body, sqlite=True))
        terms = _all_trigrams(p.wanted) if p.ranked else _rare_short(session, p.wanted)
    if p.driver is not None and not p.ranked and sort != "time" and (
            limit > LARGE_LIMIT or terms is None):
        # A string can start many trigrams and still be rare: with a large limit the scan
        # first tells how common it is, and the index may be asked with many more terms.
        terms = _rare_short(session, p.wanted, RARE_TERMS_LARGE)
        newest = _newest(session, ArticleRow.id, cursor)
        if newest is None:
            return []
        base = (_select(columns(title, body), [(key, True)]).select_from(ArticleRow)
                .join(Site, Site.id == ArticleRow.site_id)
                .join(source_view, source_view.c.id == ArticleRow.id).where(*where))
        fts_key = search_table.c.rowid
        fts = (_select(columns(title, body), [(fts_key, True)]).select_from(ArticleRow)
               .join(Site, Site.id == ArticleRow.site_id)
               .join(source_view, source_view.c.id == ArticleRow.id)
               .join(search_table, fts_key == ArticleRow.id)
               .where(literal_column("article_search").op("MATCH")(terms) if terms
                      else false(), *where))

        def scan(low: int | None, high: int | None, n: int) -> list[Row[Any]]:
            stmt = _ordered(_between(base, key, low, high), [(key, True)], cursor)
            return list(session.execute(stmt.limit(n)))

        def indexed(low: int | None, high: int | None, n: int) -> list[Row[Any]]:
            if terms is None:  # starts too many trigrams to ask for: scan on
                return scan(low, high, n)
            stmt = _ordered(_between(fts, fts_key, low, high), [(fts_key, True)], cursor)
            return list(session.execute(stmt.limit(n)))

        return _stepped(newest, limit, scan, indexed)
    keys = _order_keys(p, sort, title, body, search_table.c.rowid if terms is not None else key,
                       sqlite=True)
    stmt = (_select(columns(title, body), keys).select_from(ArticleRow)
            .join(Site, Site.id == ArticleRow.site_id)
            .join(source_view, source_view.c.id == ArticleRow.id))
    if terms is not None:
        stmt = (stmt.join(search_table, search_table.c.rowid == ArticleRow.id)
                .where(literal_column("article_search").op("MATCH")(terms) if terms else false()))
    stmt = _ordered(stmt.where(*where), keys, cursor)
    return list(session.execute(stmt.limit(limit)))


def _postgres_rows(session: Session, p: Plan, flt: ArticleFilter, columns: Columns, sort: str,
                   cursor: list[Any] | None, limit: int) -> list[Row[Any]]:
    """PostgreSQL: the matching rows.

    A 1-2 character driver is answered newest first in steps (_stepped). The newest RECENT
    articles are searched along the primary key: a common string fills the limit there at
    once, or within a window of older ones that what was found there says is enough. Older
    hits come from the GIN index alone (a materialized list of ids, ordered by an
    expression the primary key cannot give): the planner, which does not count the cost of
    reading each article's codes, would otherwise scan the table or walk its whole key for
    a rare string (seconds at 1M articles).
    """
    title = func.coalesce(search_table.c.title, ArticleRow.title, "")
    body = func.coalesce(search_table.c.body, ArticleRow.body)
    key = search_table.c.article_id
    where = [*conditions(flt, "postgresql"), *_term_conditions(p, title, body, "postgresql")]
    keys = _order_keys(p, sort, title, body, key, sqlite=False)
    stmt = (_select(columns(title, body), keys).select_from(ArticleRow)
            .join(Site, Site.id == ArticleRow.site_id)
            .join(search_table, key == ArticleRow.id).where(*where))
    if p.driver is None:
        return list(session.execute(_ordered(stmt, keys, cursor).limit(limit)))
    codes = search_table.c.grams.contains(query_grams(p.wanted))
    # A string of one or two BMP characters is in a text exactly when its code is in the
    # text's grams (beyond the BMP, surrogate codes are shared): no LIKE needed.
    exact = not p.ranked and not any(ord(ch) > 0xFFFF for ch in p.wanted) and not p.title_only
    hit = true() if exact else _driver_condition(p, title, body, sqlite=False)
    if p.ranked or sort == "time":
        return list(session.execute(_ordered(stmt.where(codes, hit), keys, cursor)
                                    .limit(limit)))
    newest = _newest(session, key, cursor)
    if newest is None:
        return []

    def scan(low: int | None, high: int | None, n: int) -> list[Row[Any]]:
        stmt_ = _ordered(_between(stmt.where(codes, hit), key, low, high), keys, cursor)
        return list(session.execute(stmt_.limit(n)))

    def indexed(low: int | None, high: int | None, n: int) -> list[Row[Any]]:
        older_ids = _between(select(key.label("id")).where(codes), key, low, high)
        if cursor is not None:
            older_ids = older_ids.where(key < cursor[0])
        if not where and len(p.query.clauses) == 1:
            # Nothing else to filter on: the index's newest hits are the answer.
            older_ids = older_ids.order_by((key + 0).desc()).limit(n)
        older = older_ids.cte("older_hits").prefix_with("MATERIALIZED")
        older_keys = [(older.c.id + 0, True)]
        older_stmt = (_select(columns(title, body), older_keys).select_from(ArticleRow)
                      .join(Site, Site.id == ArticleRow.site_id)
                      .join(search_table, key == ArticleRow.id)
                      .join(older, older.c.id == key).where(*where, hit))
        return list(session.execute(_ordered(older_stmt, older_keys, None).limit(n)))

    return _stepped(newest, limit, scan, indexed)


# -- what callers get ----------------------------------------------------------------------------

def hit_columns(title: Any, body: Any) -> list[Any]:
    """The columns a search hit is made of."""
    return [ArticleRow, Site.host.label("host"), title.label("folded_title"),
            body.label("folded_body")]


def highlights(p: Plan) -> list[str]:
    """The folded strings a hit's snippet highlights: the driver first."""
    values = [p.wanted] + [fold(t.value.strip()) for t in p.query.positive(TEXT, "title")]
    return list(dict.fromkeys(v for v in values if v))


def to_hit(row: Row[Any], wanted: Sequence[str]) -> dict[str, Any]:
    """A search hit as the CLI and the API give it."""
    article: ArticleRow = row[0]
    folded_title = (row.folded_title or "").removesuffix(END)
    folded_body = (row.folded_body or "").removesuffix(END)
    parts = (snippet_parts(article.body, folded_body, wanted)
             or snippet_parts(article.title or "", folded_title, wanted))
    if parts is None and not wanted:
        parts = [(article.body[:2 * SNIPPET_CONTEXT].replace("\n", " "), False)]
    shown = None if parts is None else "".join(
        HIGHLIGHT[0] + t + HIGHLIGHT[1] if hit else t for t, hit in parts)
    return {
        "id": article.id, "url": article.url, "canonical_url": article.canonical_url,
        "title": article.title, "published": _iso(article.published), "site": row.host,
        "authors": article.authors, "deleted_at": _iso(article.deleted_at), "snippet": shown,
        "snippet_parts": [[t, hit] for t, hit in parts or []],
        "section_path": article.section_path, "language": article.language,
        "first_seen": _iso(article.first_seen),
    }


def search_page(session: Session, query: str | Query, flt: ArticleFilter | None = None, *,
                sort: str = "relevance", after: str | None = None, limit: int = 20
                ) -> dict[str, Any]:
    """One page of hits, best first, and the cursor of the next page."""
    p = plan(query)
    found = match(session, p, flt, hit_columns, sort=sort, after=after, limit=limit)
    wanted = highlights(p)
    return {"results": [to_hit(row, wanted) for row in found.rows], "next": found.next}


def search(session: Session, query: str, flt: ArticleFilter | None = None,
           limit: int = 20) -> list[dict[str, Any]]:
    """Ranked articles matching `query` (Simplified or Traditional alike); [] for a blank
    query."""
    if not query.strip():
        return []
    return search_page(session, query, flt, limit=limit)["results"]


def stats_columns(title: Any, body: Any) -> list[Any]:
    """What facets and timelines read of each match."""
    return [ArticleRow.id, Site.host.label("host"), ArticleRow.authors, ArticleRow.section_path,
            ArticleRow.language, ArticleRow.deleted_at, ArticleRow.published_at,
            ArticleRow.published_offset, ArticleRow.first_seen,
            select(func.count(ArticleRevision.id))
            .where(ArticleRevision.article_id == ArticleRow.id).correlate(ArticleRow)
            .scalar_subquery().label("revisions")]


class _Deadline:
    """Statements on `session` interrupted once `at` (time.monotonic) has passed: SQLite by
    a progress handler, PostgreSQL by a statement timeout."""

    def __init__(self, session: Session, at: float | None) -> None:
        self.session = session
        self.at = at
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    def __enter__(self) -> _Deadline:
        if self.at is None:
            return self
        if self.sqlite:
            raw = self.session.connection().connection.dbapi_connection
            at = self.at
            raw.set_progress_handler(lambda: int(time.monotonic() > at), 2000)  # type: ignore[union-attr]
        else:
            left = max(1, int((self.at - time.monotonic()) * 1000))
            self.session.execute(text(f"SET LOCAL statement_timeout = {left}"))
        return self

    def __exit__(self, *_: object) -> None:
        if self.at is not None and self.sqlite:
            raw = self.session.connection().connection.dbapi_connection
            raw.set_progress_handler(None, 0)  # type: ignore[union-attr]


def _interrupted(error: OperationalError) -> bool:
    message = str(error.orig)
    return "interrupted" in message or "statement timeout" in message


def match_set(session: Session, query: str | Query, flt: ArticleFilter | None, cap: int,
              budget_s: float | None = None) -> tuple[list[Row[Any]], bool]:
    """The facet and timeline columns of the latest archived matches, up to `cap` of them or as
    many as `budget_s` seconds find, and whether there are more.

    Newest archived first is the order both engines find matches in at once (a common string
    fills a chunk from the newest articles; see _stepped): ordering a million matches by
    publication time, or counting them all, cannot fit in a page's time. A chunk still being
    read when the budget runs out is interrupted (the database stops), so a rare string in a
    huge archive costs the budget, not a full scan."""
    p = plan(query)
    began = time.monotonic()
    deadline = began + budget_s if budget_s is not None else None
    rows: list[Row[Any]] = []
    after = None
    for size in _chunk_sizes():
        # The first chunk gets a longer allowance: a small archive's whole count must not
        # depend on how busy the machine is.
        allowed = (None if deadline is None else
                   max(deadline, began + FIRST_CHUNK_S) if not rows and after is None
                   else deadline)
        try:
            with _Deadline(session, allowed):
                found = match(session, p, flt, stats_columns, sort="archived", after=after,
                              limit=min(size, cap - len(rows)))
        except OperationalError as exc:
            if not _interrupted(exc):
                raise
            session.rollback()
            return rows, True
        rows += found.rows
        if found.next is None:
            return rows, False
        if len(rows) >= cap or (deadline is not None and time.monotonic() > deadline):
            return rows, True
        after = found.next
    raise AssertionError("unreachable")  # pragma: no cover - _chunk_sizes never ends


def _chunk_sizes() -> Iterator[int]:
    """Small first (some matches counted soon), then STATS_CHUNK at a time."""
    yield from (100, 400)
    while True:
        yield STATS_CHUNK


def local_day(row: Row[Any]) -> str | None:
    """The publication day of a match as the page's readers saw it (ISO date)."""
    local = join_time(row.published_at, row.published_offset)
    return local.date().isoformat() if local is not None else None


def _term_holds(term: Term, fields: dict[str, Any]) -> bool:
    """One term against an article's fields, as the SQL conditions decide it."""
    value = term.value.strip()
    if term.field in (TEXT, "title"):
        wanted = fold(value).lower()
        if wanted in fold(fields.get("title") or "").lower():
            return True
        return term.field == TEXT and wanted in fold(fields.get("body") or "").lower()
    if term.field == "site":
        host, site = host_of(value), fields.get("site") or ""
        return site == host or site.endswith("." + host)
    listed = fields.get("authors" if term.field == "author" else "section_path") or []
    return value.lower() in json.dumps(listed, ensure_ascii=False).lower()


def holds(query: str | Query, fields: dict[str, Any]) -> bool:
    """Whether an article's fields (title, body, site, authors, section_path) match `query`."""
    parsed = parse(query) if isinstance(query, str) else query
    return all(any(_term_holds(t, fields) != t.negated for t in clause)
               for clause in parsed.clauses)
