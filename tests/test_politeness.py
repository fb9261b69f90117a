"""Politeness: descriptive User-Agent, robots.txt, per-host limits, and 429/503 backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from newsarchive.archive import Archive
from newsarchive.crawl.middlewares import retry_after_seconds
from newsarchive.crawl.run import crawl_settings
from newsarchive.query import articles
from tests.mockserver import FAST, Page, Portal, article_html, run_cli, section_html


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(b" 120 ") == 120.0
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(later, now=now) == 30.0
    earlier = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(earlier, now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_polite_defaults() -> None:
    settings = crawl_settings("sqlite://", 1)
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert settings["USER_AGENT"].startswith("newsarchive/")
    assert "robots.txt" in settings["USER_AGENT"]
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["newsarchive.crawl.middlewares.RetryAfterMiddleware"] == 550
    assert {429, 503} <= {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}


def _portal() -> Portal:
    return Portal({
        "/news/": Page(section_html([("/news/a1.html", "第一篇被限流的新闻报道标题"),
                                     ("/news/a2.html", "第二篇服务暂时不可用的新闻标题"),
                                     ("/news/a3.html", "第三篇一切正常的新闻报道标题")])),
        "/news/a3.html": Page(article_html("第三篇一切正常的新闻报道标题")),
        "/news/a1.html": Page(article_html("第一篇被限流的新闻报道标题")),
        "/news/a2.html": Page(article_html("第二篇服务暂时不可用的新闻标题")),
        "/news/private.html": Page(article_html("不许抓取的页面标题足够长")),
        "/robots.txt": Page(b"User-agent: *\nDisallow: /news/private\n",
                            content_type="text/plain", validators=False),
    })


@pytest.mark.crawl
def test_429_and_503_wait_for_retry_after(sqlite_url: str) -> None:
    with _portal() as portal:
        portal.scripted["/news/a1.html"] = [Page(b"slow down", status=429, validators=False,
                                                 headers={"Retry-After": "2"})]
        # Far enough ahead to outlast the crawl's start-up; the cap makes it a 2 s wait.
        when = datetime.now(UTC) + timedelta(seconds=30)
        portal.scripted["/news/a2.html"] = [Page(b"busy", status=503, validators=False,
                                                 headers={"Retry-After": format_datetime(
                                                     when, usegmt=True)})]
        run_cli("crawl", portal.url + "/news/", "--db", sqlite_url, *FAST,
                "-s", "NEWSARCHIVE_RETRY_AFTER_MAX=2")
        hits = {path: [h for h in portal.hits if h.path == path]
                for path in ("/news/a1.html", "/news/a2.html")}
        agents = {h.headers.get("User-Agent") for h in portal.hits}
    a1, a2 = hits["/news/a1.html"], hits["/news/a2.html"]
    assert [h.status for h in a1] == [429, 200]
    assert a1[1].at - a1[0].at >= 1.9
    assert [h.status for h in a2] == [503, 200]
    assert 1.9 <= a2[1].at - a2[0].at < 10  # the HTTP date's 30 s, capped at 2
    assert len(agents) == 1 and next(iter(agents)).startswith("newsarchive/")
    with Archive(sqlite_url) as archive:
        titles = sorted(r["title"] for r in articles(archive))
    assert titles == ["第一篇被限流的新闻报道标题", "第三篇一切正常的新闻报道标题",
                      "第二篇服务暂时不可用的新闻标题"]


@pytest.mark.crawl
def test_backoff_gives_up_and_records_the_reason(sqlite_url: str) -> None:
    with _portal() as portal:
        portal.scripted["/news/a1.html"] = [
            Page(b"no", status=429, validators=False, headers={"Retry-After": "0"})] * 5
        result = run_cli("crawl", portal.url + "/news/", "--db", sqlite_url, *FAST,
                         "-s", "RETRY_TIMES=2")
        tries = [h.status for h in portal.hits if h.path == "/news/a1.html"]
    assert tries == [429, 429, 429]
    assert "/news/a1.html: HTTP 429" in result.stdout
