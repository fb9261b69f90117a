"""The article filters every query shares: site, published since/until, author, and (for the
web interface's facets) several sites, authors, sections, languages and statuses, and an as-of
time."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, text

from newsarchive.archive.models import ArticleRevision, ArticleRow, Site
from newsarchive.archive.urls import site_host

SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")
# live: not deleted now; changed: more than one revision; deleted: seen gone (and not back).
STATUSES = ("live", "changed", "deleted")


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a query covers; None (or an empty tuple) means no restriction.

    Values of one tuple are alternatives (any of the sites); different fields all apply.
    """

    site: str | None = None
    since: datetime | None = None  # published at or after
    until: datetime | None = None  # published before
    author: str | None = None  # one of the article's authors, exactly
    sites: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()  # any of them among the article's authors, exactly
    sections: tuple[str, ...] = ()  # any of them in the article's section path, exactly
    languages: tuple[str, ...] = ()  # BCP 47 tags as stored; "" for articles with none
    statuses: tuple[str, ...] = ()  # of STATUSES
    as_of: datetime | None = None  # archived (first seen) at or before

    def __post_init__(self) -> None:
        unknown = [s for s in self.statuses if s not in STATUSES]
        if unknown:
            raise ValueError(f"unknown status {unknown[0]!r}: use {', '.join(STATUSES)}")

    def as_dict(self) -> dict[str, Any]:
        """The filter's set fields as JSON-ready values (times in ISO 8601)."""
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None or value == ():
                continue
            out[item.name] = (value.isoformat() if isinstance(value, datetime)
                              else list(value) if isinstance(value, tuple) else value)
        return out


def host_of(site: str) -> str:
    """A --site value (host or URL, with or without www.) as the archive's site host."""
    return site_host(site if "://" in site else f"http://{site}")


def json_list_has(column: Any, value: str, dialect: str, name: str) -> Any:
    """`column` (a JSON list of text) holds `value` exactly."""
    if dialect == "postgresql":
        return text(f"{column} @> CAST(:{name} AS jsonb)").bindparams(
            **{name: json.dumps([value], ensure_ascii=False)})
    return text(f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = :{name})"
                ).bindparams(**{name: value})


def _any_in_list(column: str, values: tuple[str, ...], dialect: str, name: str) -> Any:
    return or_(*(json_list_has(column, v, dialect, f"{name}_{n}") for n, v in enumerate(values)))


def revised() -> ColumnElement[bool]:
    """The article has more than one revision (its content changed since first archived)."""
    return select(func.count()).where(
        ArticleRevision.article_id == ArticleRow.id).scalar_subquery() > 1


def status_clause(status: str) -> ColumnElement[bool]:
    """The condition an article of `status` (of STATUSES) meets."""
    if status == "deleted":
        return ArticleRow.deleted_at.is_not(None)
    if status == "live":
        return ArticleRow.deleted_at.is_(None)
    return revised()


def conditions(flt: ArticleFilter, dialect: str) -> list[Any]:
    """The WHERE conditions of `flt` over articles joined to sites."""
    out: list[Any] = []
    hosts = [host_of(s) for s in ((flt.site,) if flt.site else ()) + flt.sites]
    if hosts:
        out.append(Site.host.in_(hosts) if len(hosts) > 1 else Site.host == hosts[0])
    if flt.since is not None:
        out.append(ArticleRow.published_at >= flt.since)
    if flt.until is not None:
        out.append(ArticleRow.published_at < flt.until)
    if flt.author is not None:
        out.append(json_list_has("articles.authors", flt.author, dialect, "author_json"))
    if flt.authors:
        out.append(_any_in_list("articles.authors", flt.authors, dialect, "f_author"))
    if flt.sections:
        out.append(_any_in_list("articles.section_path", flt.sections, dialect, "f_section"))
    if flt.languages:
        named = [lang for lang in flt.languages if lang]
        parts = [ArticleRow.language.in_(named)] if named else []
        if "" in flt.languages:
            parts.append(ArticleRow.language.is_(None))
        out.append(or_(*parts) if parts else false())
    if flt.statuses:
        out.append(or_(*(status_clause(s) for s in flt.statuses)))
    if flt.as_of is not None:
        out.append(ArticleRow.first_seen <= flt.as_of)
    return out


def apply_filter(stmt: SelectT, flt: ArticleFilter, dialect: str) -> SelectT:
    """`stmt` (which selects from articles joined to sites) restricted by `flt`."""
    found = conditions(flt, dialect)
    return stmt.where(and_(*found)) if found else stmt
