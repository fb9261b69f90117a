"""The article filters every query command shares: site, published since/until, author."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, text

from newsarchive.archive.models import ArticleRow, Site
from newsarchive.archive.urls import site_host

SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a query covers; None means no restriction."""

    site: str | None = None
    since: datetime | None = None  # published at or after
    until: datetime | None = None  # published before
    author: str | None = None  # one of the article's authors, exactly


def host_of(site: str) -> str:
    """A --site value (host or URL, with or without www.) as the archive's site host."""
    return site_host(site if "://" in site else f"http://{site}")


def apply_filter(stmt: SelectT, flt: ArticleFilter, dialect: str) -> SelectT:
    """`stmt` (which selects from articles joined to sites) restricted by `flt`."""
    if flt.site is not None:
        stmt = stmt.where(Site.host == host_of(flt.site))
    if flt.since is not None:
        stmt = stmt.where(ArticleRow.published_at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(ArticleRow.published_at < flt.until)
    if flt.author is not None:
        if dialect == "postgresql":
            clause = text("articles.authors @> CAST(:author_json AS jsonb)").bindparams(
                author_json=json.dumps([flt.author], ensure_ascii=False))
        else:
            clause = text("EXISTS (SELECT 1 FROM json_each(articles.authors) "
                          "WHERE json_each.value = :author)").bindparams(author=flt.author)
        stmt = stmt.where(clause)
    return stmt
