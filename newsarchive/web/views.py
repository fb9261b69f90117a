"""What each page shows, as JSON-ready data: the HTML page renders it, its /api twin returns
it. Every call goes through newsarchive.query."""

from __future__ import annotations

from typing import Any

from newsarchive import query
from newsarchive.archive import Archive
from newsarchive.query.syntax import parse, unparse
from newsarchive.web.params import Filters, View, link

MAX_COMPARED = 4
# Parameters that change how a search is shown, not which articles it covers.
VIEW_ONLY = ("sort", "granularity", "share", "limit", "after")


def search(archive: Archive, view: View, filters: Filters, lang: str | None = None
           ) -> dict[str, Any]:
    """A search page: a page of hits, the total, facets (values as toggle links), top sites,
    the attention chart, and the links to the next page, the exports and the feed."""
    flt = filters.article_filter()
    parsed = parse(view.q)  # QuerySyntaxError before any work
    page = query.search_page(archive, view.q, flt, sort=view.sort, after=view.after,
                             limit=view.limit)
    stats = query.search_stats(archive, view.q, flt, granularity=view.granularity,
                               share=view.share)
    state = [p for p in view.params() if p[0] != "after"]
    for facet, values in stats["facets"].items():
        name = facet  # the URL parameter is the facet's name (site=, author=, ...)
        chosen = getattr(filters, name)
        for item in values:
            item["selected"] = item["value"] in chosen
            item["toggle"] = link("/search", state + filters.toggled(name, item["value"])
                                  .params(), lang)
        # A chosen value outside the counted ones still shows, so it can be cleared.
        for value in chosen:
            if value not in {item["value"] for item in values}:
                values.append({"value": value, "count": 0, "selected": True,
                               "toggle": link("/search", state + filters.toggled(name, value)
                                              .params(), lang)})
    for hit in page["results"]:
        hit["link"] = link(f"/articles/{hit['id']}", [], lang)
    here = state + filters.params()
    links = {
        "self": link("/search", here + ([("after", view.after)] if view.after else []), lang),
        "first": link("/search", here, lang),
        "next": (link("/search", here + [("after", page["next"])], lang)
                 if page["next"] else None),
        "api": link("/api/search", here + ([("after", view.after)] if view.after else [])),
        "feed": link("/feeds/search.atom", [p for p in here if p[0] not in VIEW_ONLY]),
        "clear_filters": link("/search", state, lang),
    }
    export_params = [p for p in here if p[0] not in VIEW_ONLY]
    for fmt in ("csv", "jsonl", "parquet"):
        links[fmt] = link(f"/export.{fmt}", export_params)
    return {
        "query": view.q, "parsed": unparse(parsed), "sort": view.sort,
        "filters": flt.as_dict(),
        # When counting stopped early, the page itself may already show more.
        "total": stats["total"] if stats["total_exact"] else max(
            stats["total"], len(page["results"]) + (1 if page["next"] else 0)),
        "total_exact": stats["total_exact"],
        "results": page["results"], "next": page["next"], "facets": stats["facets"],
        "top_sites": stats["top_sites"], "timeline": stats["timeline"], "links": links,
    }


def compare(archive: Archive, queries: list[str], view: View, filters: Filters,
            lang: str | None = None) -> dict[str, Any]:
    """Two to four queries' attention over time on one chart."""
    chosen = [q for q in (q.strip() for q in queries) if q][:MAX_COMPARED]
    for q in chosen:
        parse(q)
    result = query.compare(archive, chosen, filters.article_filter(),
                           granularity=view.granularity, share=view.share)
    for line in result["series"]:
        line["link"] = link("/search", [("q", line["query"])] + filters.params(), lang)
    params = [("q", q) for q in chosen] + filters.params()
    if view.granularity != "auto":
        params.append(("granularity", view.granularity))
    if view.share:
        params.append(("share", "1"))
    result["queries"] = chosen
    result["links"] = {"self": link("/compare", params, lang), "api": link("/api/compare", params)}
    return result


def article(archive: Archive, article_id: int, lang: str | None = None) -> dict[str, Any]:
    detail = query.article(archive, article_id)
    detail["links"] = {"self": link(f"/articles/{article_id}", [], lang),
                       "api": f"/api/articles/{article_id}",
                       "page": f"/articles/{article_id}/page",
                       "site": link(f"/sites/{detail['site']}", [], lang)}
    for copy in detail["cluster"]:
        copy["link"] = link(f"/articles/{copy['id']}", [], lang)
    return detail


def deletions(archive: Archive, site: str | None, filters: Filters, after: str | None,
              limit: int, lang: str | None = None) -> dict[str, Any]:
    result = query.deleted(archive, site=site, since=filters.since, until=filters.until,
                           after=after, limit=limit)
    rates = query.deletion_rates(archive, site=site)
    for item in result["results"]:
        item["link"] = link(f"/articles/{item['id']}", [], lang)
    params = ([("site", site)] if site else []) + [
        p for p in filters.params() if p[0] in ("since", "until")]
    result["rates"] = rates
    result["links"] = {
        "self": link("/deletions", params + ([("after", after)] if after else []), lang),
        "next": (link("/deletions", params + [("after", result["next"])], lang)
                 if result["next"] else None),
        "api": link("/api/deletions", params + ([("after", after)] if after else [])),
        "feed": link("/feeds/deletions.atom", [("site", site)] if site else []),
    }
    return result


def sites(archive: Archive, lang: str | None = None) -> dict[str, Any]:
    found = query.site_list(archive)
    for item in found:
        item["link"] = link(f"/sites/{item['site']}", [], lang)
    return {"sites": found, "links": {"self": link("/sites", [], lang), "api": "/api/sites"}}


def site(archive: Archive, host: str, days: int, lang: str | None = None) -> dict[str, Any]:
    result = query.site_dashboard(archive, host, days=days)
    result["links"] = {
        "self": link(f"/sites/{result['site']}", [], lang),
        "api": f"/api/sites/{result['site']}",
        "search": link("/search", [("site", result["site"])], lang),
        "deletions": link("/deletions", [("site", result["site"])], lang),
        "feed": link("/feeds/deletions.atom", [("site", result["site"])]),
    }
    return result


def runs(archive: Archive, after: str | None, limit: int, lang: str | None = None
         ) -> dict[str, Any]:
    result = query.crawl_runs(archive, after=after, limit=limit)
    result["links"] = {
        "self": link("/runs", [("after", after)] if after else [], lang),
        "next": link("/runs", [("after", result["next"])], lang) if result["next"] else None,
        "api": link("/api/runs", [("after", after)] if after else []),
    }
    return result
