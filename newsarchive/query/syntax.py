"""The search query syntax: words and "phrases", -excluded, OR, and title:/author:/site:/section:.

A query is terms separated by spaces, all required (AND); ``a OR b`` needs either; a term
with a leading ``-`` must not match. A term is a substring (Chinese needs no spaces between
words: 电信诈骗 is one term), ``"two words"`` keeps its spaces, and ``field:value`` (or
``field:"a phrase"``) looks only in the article's title, authors, site host or section path.
A colon after any other word is part of the text (``10:30``, ``http://...``). Full-width
spaces and quotes (　“”「」) count as their ASCII forms.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsarchive.extract.errors import FailureKind, NewsarchiveError

FIELDS = ("title", "author", "site", "section")
TEXT = "text"
OR = "OR"
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}
_SPACES = " \t\r\n\u3000"


class QuerySyntaxError(NewsarchiveError):
    """A search query that cannot be read: `url` is the query, `reason` what is wrong."""

    kind = FailureKind.CONFIG

    def __str__(self) -> str:
        return f"query {self.url!r}: {self.reason}"


@dataclass(frozen=True)
class Term:
    """One condition: `value` in the article's text (`field` "text") or in one field."""

    field: str
    value: str
    negated: bool = False


@dataclass(frozen=True)
class Query:
    """Clauses that must all hold; a clause holds when any of its terms does."""

    clauses: tuple[tuple[Term, ...], ...]
    source: str = ""

    def positive(self, *fields: str) -> list[Term]:
        """The terms (not excluded) of these fields, in the order written."""
        return [t for clause in self.clauses for t in clause
                if not t.negated and t.field in fields]

    @property
    def empty(self) -> bool:
        return not self.clauses


def _read_quoted(text: str, start: int, query: str) -> tuple[str, int]:
    closing = _QUOTES[text[start]]
    end = text.find(closing, start + 1)
    if end < 0:
        raise QuerySyntaxError(query, f"the quote opened at character {start + 1} is not closed")
    return text[start + 1:end], end + 1


def _tokens(query: str) -> list[tuple[str, bool]]:
    """(token, quoted) pairs; a quoted token may carry a `-` and a `field:` prefix."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(query):
        if query[i] in _SPACES:
            i += 1
            continue
        start = i
        prefix = ""
        while i < len(query) and query[i] not in _SPACES and query[i] not in _QUOTES:
            i += 1
        prefix = query[start:i]
        if i < len(query) and query[i] in _QUOTES and (
                prefix in ("", "-") or prefix.rstrip(":") != prefix):
            phrase, i = _read_quoted(query, i, query)
            out.append((prefix + "\0" + phrase, True))
            continue
        if i < len(query) and query[i] in _QUOTES:
            # A quote inside a word (他说"好") is part of it.
            while i < len(query) and query[i] not in _SPACES:
                i += 1
            prefix = query[start:i]
        out.append((prefix, False))
    return out


def _term(token: str, quoted: bool, query: str) -> Term:
    prefix, _, phrase = token.partition("\0") if quoted else (token, "", "")
    negated = prefix.startswith("-") and (quoted or len(prefix) > 1)
    if negated:
        prefix = prefix[1:]
    field = TEXT
    name, colon, rest = prefix.partition(":")
    if colon and name.lower() in FIELDS:
        field = name.lower()
        prefix = rest
    elif quoted and prefix:
        raise QuerySyntaxError(query, f"unknown field {name!r}: use one of {', '.join(FIELDS)}")
    value = phrase if quoted else prefix
    if not value.strip():
        where = f"{field}:" if field != TEXT else "a quoted phrase"
        raise QuerySyntaxError(query, f"{where} has nothing to look for")
    return Term(field, value, negated)


def parse(query: str) -> Query:
    """The clauses of `query`; QuerySyntaxError for an unclosed quote, an empty field or a
    dangling OR."""
    clauses: list[list[Term]] = []
    pending_or = False
    for token, quoted in _tokens(query):
        if not quoted and token in (OR, "|"):
            if not clauses or pending_or:
                raise QuerySyntaxError(query, "OR needs a term on each side")
            pending_or = True
            continue
        term = _term(token, quoted, query)
        if pending_or:
            clauses[-1].append(term)
            pending_or = False
        else:
            clauses.append([term])
    if pending_or:
        raise QuerySyntaxError(query, "OR needs a term on each side")
    return Query(tuple(tuple(dict.fromkeys(c)) for c in clauses), query)


def unparse(terms: Query) -> str:
    """The query written back (normalised spacing and quoting)."""
    def one(term: Term) -> str:
        value = term.value
        if any(ch in _SPACES or ch in _QUOTES for ch in value) or value in (OR, "|"):
            value = '"' + value + '"'
        field = "" if term.field == TEXT else term.field + ":"
        return ("-" if term.negated else "") + field + value

    return " ".join(f" {OR} ".join(one(t) for t in clause) for clause in terms.clauses)
