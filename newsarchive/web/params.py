"""The parameters every page and API route shares (the search, its filters, the view), and
the URLs that carry them: every state of a page is its URL."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Query

from newsarchive.query import ArticleFilter

MAX_LIMIT = 200
Status = Literal["live", "changed", "deleted"]
Sort = Literal["relevance", "time", "archived"]
Granularity = Literal["auto", "day", "week", "month"]
Lang = Literal["zh", "en"]


def _utc(value: datetime | None) -> datetime | None:
    """A time without offset is taken as UTC, as the CLI takes it."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Filters:
    """The filter parameters as given in the URL."""

    site: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    as_of: datetime | None = None

    def article_filter(self) -> ArticleFilter:
        return ArticleFilter(since=self.since, until=self.until, sites=self.site,
                             authors=self.author, sections=self.section,
                             languages=self.language, statuses=self.status, as_of=self.as_of)

    def params(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for name in ("site", "author", "section", "language", "status"):
            out += [(name, v) for v in getattr(self, name)]
        for name in ("since", "until", "as_of"):
            value = getattr(self, name)
            if value is not None:
                out.append((name, value.isoformat()))
        return out

    def toggled(self, name: str, value: str) -> Filters:
        values: tuple[str, ...] = getattr(self, name)
        changed: dict[str, Any] = {name: tuple(v for v in values if v != value)
                                   if value in values else (*values, value)}
        return replace(self, **changed)

    @property
    def active(self) -> bool:
        return bool(self.params())


def filters(
    site: Annotated[list[str], Query(description="Only these sites (hosts); repeat for several",
                                     max_length=20)] = [],  # noqa: B006 - FastAPI's way
    author: Annotated[list[str], Query(description="Any of these authors, exactly",
                                       max_length=20)] = [],  # noqa: B006
    section: Annotated[list[str], Query(description="Any of these sections, exactly",
                                        max_length=20)] = [],  # noqa: B006
    language: Annotated[list[str], Query(description="Any of these languages (BCP 47; empty: "
                                         "none given)", max_length=20)] = [],  # noqa: B006
    status: Annotated[list[Status], Query(description="live, changed (revised) or deleted",
                                          max_length=3)] = [],  # noqa: B006
    since: Annotated[datetime | None, Query(description="Published at or after (ISO 8601; "
                                            "UTC without an offset)")] = None,
    until: Annotated[datetime | None, Query(description="Published before (ISO 8601)")] = None,
    as_of: Annotated[datetime | None, Query(description="The archive as it was at this time: "
                                            "articles first archived by then")] = None,
) -> Filters:
    """The filters of a request."""
    return Filters(tuple(site), tuple(author), tuple(section), tuple(language), tuple(status),
                   _utc(since), _utc(until), _utc(as_of))


@dataclass(frozen=True)
class View:
    """A search page's state beyond its filters."""

    q: str = ""
    sort: str = "relevance"
    granularity: str = "auto"
    share: bool = False
    after: str | None = None
    limit: int = 20
    extra: dict[str, Any] = field(default_factory=dict)

    def params(self) -> list[tuple[str, str]]:
        out = [("q", self.q)] if self.q else []
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.granularity != "auto":
            out.append(("granularity", self.granularity))
        if self.share:
            out.append(("share", "1"))
        if self.limit != 20:
            out.append(("limit", str(self.limit)))
        if self.after:
            out.append(("after", self.after))
        return out


def link(path: str, params: list[tuple[str, str]], lang: str | None = None) -> str:
    """`path` with these query parameters (and `lang` when the page was asked in one)."""
    items = list(params) + ([("lang", lang)] if lang else [])
    return path + ("?" + urlencode(items) if items else "")


QueryText = Annotated[str, Query(description="Search query: words, \"phrases\", -word, OR, "
                                 "title:, author:, site:, section:", max_length=500)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Results per page")]
After = Annotated[str | None, Query(description="The `next` cursor of the previous page",
                                    max_length=2000)]
LangParam = Annotated[Lang | None, Query(description="Interface language (zh or en)")]
