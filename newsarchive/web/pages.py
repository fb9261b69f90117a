"""The HTML pages: server-rendered Jinja2 templates (autoescaped: every archived string is
escaped), charts drawn as SVG, no script; each page links to its /api JSON."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from newsarchive import query
from newsarchive.query.pinned import MEDIA_TYPES
from newsarchive.web import charts, i18n, render, views
from newsarchive.web.api import ArticleId, FiltersParam, Share, archive_of
from newsarchive.web.params import (
    After,
    Granularity,
    LangParam,
    Limit,
    QueryText,
    Sort,
    View,
    link,
)

router = APIRouter(include_in_schema=False)
templates = Environment(loader=PackageLoader("newsarchive.web", "templates"),
                        autoescape=select_autoescape(default=True, default_for_string=True),
                        trim_blocks=True, lstrip_blocks=True)
SAFE_SCHEMES = ("http://", "https://")


def _safe_url(value: str | None) -> str | None:
    """`value` when it is an http(s) URL (fit for an href), else None (shown as text)."""
    return value if value and value.lower().startswith(SAFE_SCHEMES) else None


templates.filters["safe_url"] = _safe_url


def _language(request: Request, lang: str | None) -> tuple[str, str | None]:
    """(the language shown, the one asked for in the URL or None)."""
    return i18n.negotiate(lang, request.headers.get("accept-language")), lang


def _switch(request: Request, shown: str) -> str:
    other = "en" if shown == "zh" else "zh"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return request.url.path + "?" + urlencode(params + [("lang", other)])


def page(request: Request, name: str, lang: str | None, status: int = 200,
         **context: Any) -> HTMLResponse:
    """Render template `name` in the negotiated language."""
    shown, asked = _language(request, lang)
    body = templates.get_template(name).render(
        t=i18n.translator(shown), lang=shown, asked=asked, switch=_switch(request, shown),
        nav=lambda path: link(path, [], asked), **context)
    return HTMLResponse(body, status_code=status,
                        headers={"Content-Language": shown, "Vary": "Accept-Language"})


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    """A page saying what went wrong, in one line."""
    lang = request.query_params.get("lang")
    return page(request, "error.html", lang if lang in i18n.LANGUAGES else None, status,
                code=status, detail=detail)


def _timeline_chart(timeline: dict[str, Any], share: bool, label: str) -> Markup:
    key = "share" if share else "matches"
    points = [(p["period"], float(p.get(key) or 0)) for p in timeline["points"]]
    partial = [p["period"] for p in timeline["points"] if p.get("partial")]
    return charts.line_chart([charts.Series(label, points)], percent=share, title=label,
                             css_class="chart attention", marked=partial)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, lang: LangParam = None) -> HTMLResponse:
    archive = archive_of(request)
    return page(request, "home.html", lang, summary=query.summary(archive),
                sites=views.sites(archive, lang)["sites"])


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, flt: FiltersParam, q: QueryText = "", sort: Sort = "relevance",
           granularity: Granularity = "auto", share: Share = False, after: After = None,
           limit: Limit = 20, lang: LangParam = None) -> HTMLResponse:
    view = View(q, sort, granularity, share, after, limit)
    try:
        data = views.search(archive_of(request), view, flt, lang)
    except query.QuerySyntaxError as exc:
        return page(request, "search.html", lang, 400, data=None, view=view, filters=flt,
                    problem=str(exc))
    shown, asked = _language(request, lang)
    state = [p for p in view.params() if p[0] not in ("after", "granularity", "share")]
    base = state + flt.params()
    chart_links = {
        name: link("/search", base + ([("granularity", name)] if name != "auto" else [])
                   + ([("share", "1")] if share else []), asked)
        for name in ("auto", "day", "week", "month")}
    share_link = link("/search", base + ([("granularity", granularity)]
                                         if granularity != "auto" else [])
                      + ([] if share else [("share", "1")]), asked)
    sort_links = {name: link("/search", [p for p in view.params() if p[0] not in
                                         ("sort", "after")]
                             + ([("sort", name)] if name != "relevance" else []) + flt.params(),
                             asked) for name in query.SORTS}
    chart = _timeline_chart(data["timeline"], share, q or "*")
    return page(request, "search.html", lang, data=data, view=view, filters=flt, chart=chart,
                chart_links=chart_links, share_link=share_link, sort_links=sort_links,
                problem=None)


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request, flt: FiltersParam,
            q: Annotated[list[str], Query(max_length=4)] = [],  # noqa: B006 - FastAPI's way
            granularity: Granularity = "auto", share: Share = False,
            lang: LangParam = None) -> HTMLResponse:
    view = View(granularity=granularity, share=share)
    data = views.compare(archive_of(request), list(q), view, flt, lang)
    key = "share" if share else "matches"
    chart = charts.line_chart(
        [charts.Series(s["query"], [(p["period"], float(p.get(key) or 0)) for p in s["points"]])
         for s in data["series"]], percent=share, title="compare", css_class="chart compare")
    params = [("q", x) for x in data["queries"]] + flt.params()
    _, asked = _language(request, lang)
    chart_links = {name: link("/compare", params + ([("granularity", name)]
                                                    if name != "auto" else [])
                              + ([("share", "1")] if share else []), asked)
                   for name in ("auto", "day", "week", "month")}
    share_link = link("/compare", params + ([("granularity", granularity)]
                                            if granularity != "auto" else [])
                      + ([] if share else [("share", "1")]), asked)
    return page(request, "compare.html", lang, data=data, chart=chart, view=view,
                chart_links=chart_links, share_link=share_link, filters=flt,
                slots=data["queries"] + [""] * (views.MAX_COMPARED - len(data["queries"])))


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: ArticleId,
            layout: Annotated[str, Query(pattern="^(inline|side)$")] = "inline",
            boring: bool = False, lang: LangParam = None) -> HTMLResponse:
    data = views.article(archive_of(request), article_id, lang)
    _, asked = _language(request, lang)
    here = f"/articles/{article_id}"
    toggles = {
        "inline": link(here, ([("boring", "1")] if boring else []), asked),
        "side": link(here, [("layout", "side")] + ([("boring", "1")] if boring else []), asked),
        "boring": link(here, ([("layout", "side")] if layout == "side" else [])
                       + ([] if boring else [("boring", "1")]), asked),
    }
    hidden = sum(1 for r in data["revisions"] if r["diff"] for c in r["diff"]["changes"]
                 if c["boring"] or any(o["boring"] for o in c.get("ops", [])))
    return page(request, "article.html", lang, a=data, layout=layout, boring=boring,
                toggles=toggles, hidden=hidden)


@router.get("/articles/{article_id}/page")
def archived_page(request: Request, article_id: ArticleId,
                  fetch: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    """The archived page itself, made inert (newsarchive.web.render), for a sandboxed frame."""
    body, record = query.raw_page(archive_of(request), article_id, fetch)
    html = render.safe_page(body, record.get("encoding"))
    return HTMLResponse(html, headers={
        "Content-Security-Policy": render.FRAME_CSP + "; frame-ancestors 'self'"})


@router.get("/deletions", response_class=HTMLResponse)
def deletions(request: Request, flt: FiltersParam, after: After = None,
              limit: Annotated[int, Query(ge=1, le=200)] = 50,
              lang: LangParam = None) -> HTMLResponse:
    site = flt.site[0] if flt.site else None
    data = views.deletions(archive_of(request), site, flt, after, limit, lang)
    rates = data["rates"]
    chart = charts.line_chart(
        [charts.Series(s["site"], [(p["week"], p["rate"]) for p in s["points"]])
         for s in rates["sites"]], percent=True, title="deletion rate",
        css_class="chart deletion-rate") if rates["sites"] else None
    return page(request, "deletions.html", lang, data=data, chart=chart, site=site)


@router.get("/sites", response_class=HTMLResponse)
def sites(request: Request, lang: LangParam = None) -> HTMLResponse:
    return page(request, "sites.html", lang, data=views.sites(archive_of(request), lang))


@router.get("/sites/{host}", response_class=HTMLResponse)
def site(request: Request, host: Annotated[str, Path(max_length=255)],
         days: Annotated[int, Query(ge=1, le=3660)] = 90,
         lang: LangParam = None) -> HTMLResponse:
    data = views.site(archive_of(request), host, days, lang)
    published = charts.bar_chart([(d["day"], d["articles"]) for d in data["by_published_day"]],
                                 title="by publication day", css_class="chart bars published")
    fetched = charts.bar_chart([(d["day"], d["articles"]) for d in data["by_fetch_day"]],
                               title="by fetch day", css_class="chart bars fetched")
    return page(request, "site.html", lang, data=data, published=published, fetched=fetched)


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request, after: After = None,
         limit: Annotated[int, Query(ge=1, le=200)] = 50,
         lang: LangParam = None) -> HTMLResponse:
    return page(request, "runs.html", lang, data=views.runs(archive_of(request), after, limit,
                                                             lang))


@router.get("/export.{fmt}")
def export(request: Request, fmt: Annotated[str, Path(pattern="^(csv|jsonl|parquet)$")],
           flt: FiltersParam, q: QueryText = "", revisions: bool = False,
           limit: Annotated[int | None, Query(ge=1)] = None) -> StreamingResponse:
    """A search's rows as CSV, JSONL or Parquet, streamed, with the pin (query, filters,
    as-of time) in the file."""
    pin, chunks = query.export_stream(archive_of(request), fmt, q, flt.article_filter(),
                                      revisions=revisions, limit=limit)
    stamp = pin["as_of"][:19].replace(":", "").replace("-", "")
    name = f"newsarchive-{'revisions' if revisions else 'articles'}-{stamp}.{fmt}"
    return StreamingResponse(chunks, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Newsarchive-As-Of": pin["as_of"]})
