"""/api/...: the JSON behind every page, the same parameters, keyset pagination."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from newsarchive import query
from newsarchive.archive import Archive
from newsarchive.web import models, views
from newsarchive.web.params import (
    After,
    Filters,
    Granularity,
    Limit,
    QueryText,
    Sort,
    View,
    filters,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": models.Problem, "description": "A query, cursor or value that cannot be used"},
    404: {"model": models.Problem, "description": "No such article or site"},
}
router = APIRouter(prefix="/api", responses=ERRORS)
FiltersParam = Annotated[Filters, Depends(filters)]
Share = Annotated[bool, Query(description="Chart the share of all articles archived in each "
                              "period instead of counts")]
ArticleId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The article's id")]


def archive_of(request: Request) -> Archive:
    """The app's read-only archive."""
    return request.app.state.archive  # type: ignore[no-any-return]


@router.get("/health", response_model=models.Health)
def health(request: Request) -> dict[str, Any]:
    """The server is up and reads the archive (read-only)."""
    archive = archive_of(request)
    return {"status": "ok", "readonly": archive.readonly, **query.summary(archive)}


@router.get("/search", response_model=models.SearchResult)
def search(request: Request, flt: FiltersParam, q: QueryText = "", sort: Sort = "relevance",
           granularity: Granularity = "auto", share: Share = False, after: After = None,
           limit: Limit = 20) -> dict[str, Any]:
    """Articles matching the query within the filters: a page of hits with highlighted
    snippets, the total, facet counts, top sites and matches over time (as /search shows)."""
    view = View(q, sort, granularity, share, after, limit)
    return views.search(archive_of(request), view, flt)


@router.get("/compare", response_model=models.Comparison)
def compare(request: Request, flt: FiltersParam,
            q: Annotated[list[str], Query(description="Two to four queries",
                                          max_length=4)] = [],  # noqa: B006 - FastAPI's way
            granularity: Granularity = "auto", share: Share = False) -> dict[str, Any]:
    """Several queries' matches over time on one axis (as /compare shows)."""
    return views.compare(archive_of(request), list(q), View(granularity=granularity,
                                                             share=share), flt)


@router.get("/articles/{article_id}", response_model=models.ArticleDetail)
def article(request: Request, article_id: ArticleId) -> dict[str, Any]:
    """One article: every field with its provenance, its revisions with character-level
    diffs (boring changes flagged), its deletion events and its cluster."""
    return views.article(archive_of(request), article_id)


@router.get("/deletions", response_model=models.Deletions)
def deletions(request: Request, flt: FiltersParam,
              after: After = None, limit: Annotated[int, Query(ge=1, le=200)] = 50
              ) -> dict[str, Any]:
    """Articles deleted now, latest first, by week and site, with what each said, and the
    deletion rate per site (`site`, `since`, `until` filter by deletion time)."""
    site = flt.site[0] if flt.site else None
    return views.deletions(archive_of(request), site, flt, after, limit)


@router.get("/sites", response_model=models.Sites)
def sites(request: Request) -> dict[str, Any]:
    """Every site with its counts."""
    return views.sites(archive_of(request))


@router.get("/sites/{host}", response_model=models.SiteDashboard)
def site(request: Request, host: Annotated[str, Path(max_length=255)],
         days: Annotated[int, Query(ge=1, le=3660)] = 90) -> dict[str, Any]:
    """One site's dashboard: articles by publication and fetch day, coverage per run with
    layout-change warnings, failures by kind, revision and deletion rates."""
    return views.site(archive_of(request), host, days)


@router.get("/runs", response_model=models.Runs)
def runs(request: Request, after: After = None,
         limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """Crawl runs, latest first, with counts and finish reasons; a running one as running."""
    return views.runs(archive_of(request), after, limit)
