"""The JSON API's response shapes (pydantic): they make the OpenAPI schema at
/api/openapi.json and are checked on every response."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Problem(BaseModel):
    """An error: what is wrong, in one line."""

    detail: Any


class Hit(Model):
    id: int
    url: str
    canonical_url: str
    title: str | None
    published: str | None
    site: str
    snippet: str | None
    snippet_parts: list[tuple[str, bool]]
    authors: list[str]
    deleted_at: str | None
    section_path: list[str]
    language: str | None
    first_seen: str | None
    link: str


class FacetValue(Model):
    value: str
    count: int
    selected: bool
    toggle: str


class TopSite(Model):
    site: str
    count: int
    share: float


class Point(Model):
    period: str
    matches: int
    partial: bool
    archived: int | None = None
    share: float | None = None


class Timeline(Model):
    granularity: str
    points: list[Point]
    undated: int
    complete: bool
    since: str | None


class SearchResult(Model):
    """A page of a search: `total` counts every match (a lower bound when `total_exact` is
    false), `next` is the cursor of the next page (null on the last)."""

    query: str
    parsed: str
    sort: str
    filters: dict[str, Any]
    total: int
    total_exact: bool
    results: list[Hit]
    next: str | None
    facets: dict[str, list[FacetValue]]
    top_sites: list[TopSite]
    timeline: Timeline
    links: dict[str, str | None]


class Series(Timeline):
    query: str
    total: int
    total_exact: bool
    top_sites: list[TopSite]
    link: str


class Comparison(Model):
    queries: list[str]
    granularity: str
    series: list[Series]
    links: dict[str, str]


class ArticleDetail(Model):
    id: int
    site: str
    canonical_url: str
    first_seen: str
    last_seen: str
    deleted_at: str | None
    cluster_id: int | None
    fields: dict[str, Any]
    provenance: dict[str, Any]
    revisions: list[dict[str, Any]]
    fetches: list[dict[str, Any]]
    fetch_count: int
    events: list[dict[str, Any]]
    cluster: list[dict[str, Any]]
    links: dict[str, str]


class Deleted(Model):
    id: int
    url: str
    title: str | None
    site: str
    said: str
    truncated: bool
    published: str | None
    first_seen: str
    deleted_at: str
    authors: list[str]
    reason: str | None
    week: str
    link: str


class Deletions(Model):
    results: list[Deleted]
    next: str | None
    by_week: list[dict[str, Any]]
    rates: dict[str, Any]
    links: dict[str, str | None]


class SiteSummary(Model):
    site: str
    name: str | None
    articles: int
    deleted_now: int
    latest_published: str | None
    link: str


class Sites(Model):
    sites: list[SiteSummary]
    links: dict[str, str]


class Run(Model):
    id: int
    started_at: str | None
    finished_at: str | None
    finish_reason: str | None
    state: str
    last_fetch: str | None
    start_urls: list[str]
    articles: dict[str, int]
    pages: int
    failures: int
    coverage: dict[str, Any] | None
    warnings: list[str]


class Runs(Model):
    results: list[Run]
    next: str | None
    links: dict[str, str | None]


class SiteDashboard(Model):
    site: str
    name: str | None
    timezone: str | None
    articles: int
    days: int
    window_articles: int
    deleted_now: int
    latest_published: str | None
    latest_seen: str | None
    by_published_day: list[dict[str, Any]]
    by_fetch_day: list[dict[str, Any]]
    coverage_runs: list[Run]
    warnings: list[str]
    failures_by_kind: list[dict[str, Any]]
    revised_articles: int
    revision_rate: float
    deletions: int
    restorations: int
    deletion_rate: float
    links: dict[str, str]


class Health(BaseModel):
    status: str
    readonly: bool
    articles: int
    sites: int
    runs: int
    deleted_now: int
