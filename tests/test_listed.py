"""Nothing listed is lost silently: every URL a section or sitemap lists ends as an article or as a
failure row naming that URL, through redirects, loops, refusals and error statuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from newsarchive.archive.db import make_engine
from newsarchive.archive.models import ArticleRow, Failure, Fetch
from tests.mockserver import FAST, PARAGRAPH, Page, Portal, article_html, run_cli, section_html

# Real Scrapy crawls: left out of `make test-fast`.
pytestmark = pytest.mark.crawl

LONG = "/news/" + "x" * 2100 + ".html"
# A sitemap entry that is no URL (its port is no number): it used to end the sitemap's callback.
BAD_PORT = "http://127.0.0.1:8o8o/news/z.html"
HOPS = 30
ARTICLES = {name: f"第{n}篇：一篇用来测试列出链接不丢失的新闻报道" for n, name in enumerate(
    ["good", "target", "refreshed", "track", "retarget"], start=1)}


MULTI = "两页长文：列出链接不丢失的调查报道"


def _multi_page(number: int) -> bytes:
    """Page `number` of a two-page article, with its pager."""
    pager = ('<span>1</span> <a href="c_2.html">2</a> <a href="c_2.html">下一页</a>'
             if number == 1 else '<a href="c.html">1</a> <span>2</span>')
    body = "".join(f"<p>第{number}页第{i}段：{PARAGRAPH}</p>" for i in range(3))
    return (f"<html><head><title>{MULTI}_测试网</title></head><body><h1>{MULTI}</h1>"
            f'<div class="info">2024-05-06 10:20:30 来源：测试网</div>'
            f'<div class="content">{body}</div><div class="pages">{pager}</div>'
            "</body></html>").encode()


def _redirect(location: str, status: int = 302) -> Page:
    return Page(b"", status=status, validators=False, headers={"Location": location})


def _portal_pages(base: str) -> dict[str, Page]:
    pages = {f"/news/{name}.html": Page(article_html(title)) for name, title in ARTICLES.items()}
    pages |= {
        "/news/moved.html": _redirect("/news/target.html", 301),
        "/news/loop-a.html": _redirect("/news/loop-b.html"),
        "/news/loop-b.html": _redirect(base + "/news/loop-a.html"),
        "/news/self.html": _redirect("/news/self.html", 301),
        "/news/away.html": _redirect("http://elsewhere.invalid/news/x.html"),
        "/news/file.html": _redirect("file:///etc/passwd"),
        "/news/ftp.html": _redirect("ftp://127.0.0.1/news/x.html"),
        "/news/data.html": _redirect("data:text/html,<h1>x</h1>"),
        "/news/js.html": _redirect("javascript:alert(1)"),
        "/news/long.html": _redirect(LONG),
        "/news/again.html": _redirect("/news/good.html", 301),
        "/news/broken.html": Page(b"<html><body>Internal error</body></html>", status=500,
                                  validators=False),
        # Port 1 on the crawl's own host: nothing listens (connection refused).
        "/news/dead.html": _redirect("http://127.0.0.1:1/news/x.html"),
        "/news/to-gone.html": _redirect("/news/removed.html", 301),
        "/news/nowhere.html": Page(b"", status=301, validators=False),  # no Location
        "/news/refresh.html": Page(b'<html><head><meta http-equiv="refresh" '
                                   b'content="0; url=/news/refreshed.html"></head></html>'),
    }
    pages |= {"/news/c.html": Page(_multi_page(1)), "/news/c_2.html": Page(_multi_page(2))}
    pages |= {f"/news/hop{n}.html": _redirect(f"/news/hop{n + 1}.html") for n in range(HOPS)}
    listed = ["good", "moved", "loop-a", "self", "away", "file", "ftp", "data", "js", "long",
              "again", "broken", "dead", "nowhere", "refresh", "hop0", "c", "to-gone"]
    links = [(f"/news/{name}.html", f"列出的第{i}条新闻标题足够长以便识别为文章") for i, name in
             enumerate(listed)]
    links += [(f"/news/track.html?{query}", "带跟踪参数的新闻标题足够长以便识别为文章")
              for query in ("utm_source=weibo&utm_medium=share", "fbclid=abc", "spm=a.b.c")]
    pages["/news/"] = Page(section_html(links))
    entries = [BAD_PORT, base + "/news/retarget.html", "http://elsewhere.invalid/news/y.html",
               base + LONG]
    pages["/sitemap.xml"] = Page(
        ('<?xml version="1.0" encoding="UTF-8"?>'
         '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         + "".join(f"<url><loc>{u}</loc></url>" for u in entries) + "</urlset>").encode(),
        content_type="application/xml")
    return pages


# Each listed URL (path on the portal, or absolute) and how it must end: "article" or a kind.
EXPECTED = {
    "/news/good.html": "article", "/news/moved.html": "article",
    "/news/loop-a.html": "redirect_loop", "/news/self.html": "redirect_loop",
    "/news/away.html": "offsite", "/news/file.html": "bad_scheme", "/news/ftp.html": "bad_scheme",
    "/news/data.html": "bad_scheme", "/news/js.html": "bad_scheme",
    "/news/long.html": "url_too_long", "/news/again.html": "article",
    "/news/broken.html": "http_status", "/news/nowhere.html": "http_status",
    # Its robots.txt cannot be fetched either: the host is disallowed (RFC 9309), said as such.
    "/news/dead.html": "robots", "/news/c.html": "article", "/news/to-gone.html": "gone",
    "/news/refresh.html": "article",
    "/news/hop0.html": "too_many_redirects", "/news/track.html": "article",
    "/news/retarget.html": "article", "http://elsewhere.invalid/news/y.html": "offsite",
    LONG: "url_too_long", BAD_PORT: "other",
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('listed') / 'archive.db'}"
    with Portal() as portal:
        portal.pages.update(_portal_pages(portal.url))
        # The multi-page article's second page fails once, then answers.
        portal.scripted["/news/c_2.html"] = [Page(b"busy", status=500, validators=False)]
        result = run_cli("crawl", portal.url + "/news/", portal.url + "/sitemap.xml",
                         "--db", db_url, *FAST, "-s", "RETRY_TIMES=1")
        engine = make_engine(db_url)
        try:
            with engine.connect() as conn:
                fetches = [dict(r._mapping) for r in conn.execute(
                    select(Fetch.id, Fetch.url, Fetch.final_url, Fetch.status, Fetch.outcome)
                    .order_by(Fetch.id))]
                failures = [dict(r._mapping) for r in conn.execute(
                    select(Failure.url, Failure.kind, Failure.reason, Failure.fetch_id))]
                urls = list(conn.scalars(select(ArticleRow.url)))
        finally:
            engine.dispose()
        yield {"base": portal.url, "out": result.stdout, "fetches": fetches,
               "failures": failures, "articles": urls, "hits": portal.requested()}


def _short(url: str, base: str) -> str:
    return url.removeprefix(base)


def test_every_listed_url_ends_as_an_article_or_a_named_failure(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    ended: dict[str, list[str]] = {}
    for fetch in crawled["fetches"]:
        if fetch["outcome"] in ("new", "changed", "unchanged", "duplicate"):
            ended.setdefault(_short(fetch["url"], base), []).append("article")
    for failure in crawled["failures"]:
        ended.setdefault(_short(failure["url"], base), []).append(failure["kind"])
    # Scheduled = archived + failed, URL by URL, each exactly once.
    assert ended == {url: [how] for url, how in EXPECTED.items()}


def test_refusals_name_the_listed_url_and_where_it_led(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    reasons = {_short(f["url"], base): f["reason"] for f in crawled["failures"]}
    assert reasons["/news/loop-a.html"] == (
        f"redirect loop: {base}/news/loop-a.html -> {base}/news/loop-b.html -> "
        f"{base}/news/loop-a.html")
    assert reasons["/news/away.html"] == (
        "off the crawl's hosts: elsewhere.invalid "
        "(redirected to http://elsewhere.invalid/news/x.html)")
    assert reasons["/news/js.html"] == (
        "not an http(s) URL: javascript scheme (redirected to javascript:alert(1))")
    assert reasons["/news/hop0.html"] == (
        f"more than 20 redirects (the last to {base}/news/hop21.html)")
    assert reasons["/news/dead.html"] == (
        "robots.txt unreachable (DownloadConnectionRefusedError): the site is treated as "
        "disallowed until it answers (RFC 9309)")
    assert reasons["/news/to-gone.html"] == f"HTTP 404 from {base}/news/removed.html"
    assert reasons[BAD_PORT] == (
        "not a usable URL: Port could not be cast to integer value as '8o8o'")
    assert reasons[LONG] == f"URL of {len(base + LONG)} characters, over the limit of 2083"
    # Refused URLs were never requested; a redirect chain stops at the refused hop.
    hits = crawled["hits"]
    assert "/news/hop21.html" not in hits and "/news/hop20.html" in hits
    assert not any(path.startswith("/news/xxx") for path in hits)


def test_every_hop_and_error_status_is_archived_raw(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    by_url: dict[str, list[dict[str, Any]]] = {}
    for fetch in crawled["fetches"]:
        by_url.setdefault(_short(fetch["url"], base), []).append(fetch)
    moved = by_url["/news/moved.html"]
    assert [(f["status"], f["outcome"], _short(f["final_url"], base)) for f in moved] == [
        (301, "redirect", "/news/moved.html"), (200, "new", "/news/target.html")]
    # 21 hops followed, the last refused (its fetch is the failure's).
    chain = by_url["/news/hop0.html"]
    assert [_short(f["final_url"], base) for f in chain] == [
        f"/news/hop{n}.html" for n in range(21)]
    assert [f["outcome"] for f in chain] == ["redirect"] * 20 + ["failed"]
    failure_fetch = {_short(f["url"], base): f["fetch_id"] for f in crawled["failures"]}
    assert failure_fetch["/news/hop0.html"] == chain[-1]["id"]
    # Asked twice (RETRY_TIMES=1): both answers archived, the last one's the failure's.
    broken = by_url["/news/broken.html"]
    assert [(f["status"], f["outcome"]) for f in broken] == [(500, "retried"), (500, "failed")]
    assert failure_fetch["/news/broken.html"] == broken[-1]["id"]
    # A hop that led nowhere: the failure is the listed URL's, on the hop that was followed.
    dead = by_url["/news/dead.html"]
    assert [(f["status"], f["outcome"]) for f in dead] == [(302, "failed")]
    assert failure_fetch["/news/dead.html"] == dead[0]["id"]
    # A later page of an article, asked again: both answers archived, the second stitched in.
    assert [(f["status"], f["outcome"]) for f in by_url["/news/c_2.html"]] == [
        (500, "retried"), (200, "continuation")]
    nowhere = by_url["/news/nowhere.html"]
    assert [(f["status"], f["outcome"]) for f in nowhere] == [(301, "failed")]
    assert failure_fetch["/news/away.html"] == by_url["/news/away.html"][-1]["id"]


def test_tracking_parameters_are_dropped_before_fetching(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    assert crawled["hits"].count("/news/track.html") == 1
    assert base + "/news/track.html" in crawled["articles"]
    assert not any("utm_" in url or "fbclid" in url for url in crawled["articles"])
    # A redirect's article is where it led.
    assert base + "/news/target.html" in crawled["articles"]
    assert base + "/news/refreshed.html" in crawled["articles"]

