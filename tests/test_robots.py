"""robots.txt the RFC 9309 way in real crawls: 5xx = the site disallowed until it answers (asked
again after NEWSARCHIVE_ROBOTS_RECHECK_S), 4xx = no rules, garbage = no rules it can read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from newsarchive.archive.db import make_engine
from newsarchive.archive.models import ArticleRow, Failure
from tests.mockserver import FAST, Page, Portal, article_html, run_cli, section_html

# Real Scrapy crawls: left out of `make test-fast`.
pytestmark = pytest.mark.crawl

TITLE = "一篇用来测试机器人协议处理的新闻报道标题"
ALLOW = Page(b"User-agent: *\nAllow: /\n", content_type="text/plain", validators=False)


def _site() -> dict[str, Page]:
    titles = {f"/news/a{n}.html": f"{TITLE}第{n}篇" for n in (1, 2, 3)}
    return {"/news/": Page(section_html(list(titles.items()))),
            **{path: Page(article_html(title)) for path, title in titles.items()}}


def _crawl(portal: Portal, tmp_path: Path, *targets: str, extra: tuple[str, ...] = ()
           ) -> dict[str, Any]:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    run_cli("crawl", *(targets or (portal.url + "/news/",)), "--db", db_url, *FAST,
            "-s", "RETRY_TIMES=0", *extra)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            failures = {url.removeprefix(portal.url): (kind, reason) for url, kind, reason in
                        conn.execute(select(Failure.url, Failure.kind, Failure.reason))}
            urls = [u.removeprefix(portal.url) for u in conn.scalars(select(ArticleRow.url))]
    finally:
        engine.dispose()
    return {"failures": failures, "articles": urls}


def test_robots_5xx_disallows_the_site_and_says_so(tmp_path: Path) -> None:
    with Portal(_site()) as portal:
        portal.pages["/robots.txt"] = Page(b"oops", status=500, validators=False)
        found = _crawl(portal, tmp_path)
        assert portal.requested() == []  # nothing but robots.txt was asked
    assert found["articles"] == []
    assert found["failures"] == {"/news/": (
        "robots", "robots.txt answered HTTP 500: the site is treated as disallowed until it "
        "answers (RFC 9309)")}


@pytest.mark.parametrize("robots", [
    Page(b"<html>not here</html>", status=404, validators=False),
    Page(b"<html>gone</html>", status=410, validators=False),
    # Garbage: no line a parser can read, so no rule forbids anything.
    Page(bytes(range(256)) * 8, content_type="application/octet-stream", validators=False),
], ids=["404", "410", "garbage"])
def test_robots_4xx_or_garbage_allows_the_site(robots: Page, tmp_path: Path) -> None:
    with Portal(_site()) as portal:
        portal.pages["/robots.txt"] = robots
        found = _crawl(portal, tmp_path)
    assert sorted(found["articles"]) == ["/news/a1.html", "/news/a2.html", "/news/a3.html"]
    assert found["failures"] == {}


def test_robots_that_failed_is_asked_again_after_the_recheck_time(tmp_path: Path) -> None:
    """127.0.0.1 answers robots.txt; localhost's first answer is a 500, its next an allow-all.
    An article listed early on localhost is refused; one listed later (after a chain of child
    sitemaps) is fetched once robots.txt has been asked again."""
    with Portal() as portal:
        other = portal.url.replace("127.0.0.1", "localhost")
        chain = 4
        urlset = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                  'sitemap/0.9"><url><loc>{}</loc></url></urlset>')
        index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                 'sitemap/0.9"><sitemap><loc>{}</loc></sitemap>'
                 '<sitemap><loc>{}</loc></sitemap></sitemapindex>')
        xml = "application/xml"
        portal.pages["/s0.xml"] = Page(index.format(portal.url + "/early.xml",
                                                    portal.url + "/s1.xml").encode(), content_type=xml)
        portal.pages["/early.xml"] = Page(urlset.format(other + "/news/b1.html").encode(),
                                          content_type=xml)
        for n in range(1, chain):
            portal.pages[f"/s{n}.xml"] = Page(index.format(
                portal.url + f"/s{n + 1}.xml", portal.url + f"/s{n + 1}.xml").encode(),
                content_type=xml)
        portal.pages[f"/s{chain}.xml"] = Page(urlset.format(other + "/news/b2.html").encode(),
                                              content_type=xml)
        portal.pages["/news/b1.html"] = Page(article_html(TITLE + "一"))
        portal.pages["/news/b2.html"] = Page(article_html(TITLE + "二"))
        portal.scripted["/robots.txt"] = [ALLOW, Page(b"down", status=503, validators=False)]
        found = _crawl(portal, tmp_path, portal.url + "/s0.xml", extra=(
            "-s", "NEWSARCHIVE_ROBOTS_RECHECK_S=0",
            "-s", "NEWSARCHIVE_ALLOWED_HOSTS=127.0.0.1,localhost"))
        robots_hits = [h.status for h in portal.hits if h.path == "/robots.txt"]
    assert robots_hits[:2] == [200, 503] and len(robots_hits) >= 3
    assert found["failures"] == {other + "/news/b1.html": (
        "robots", "robots.txt answered HTTP 503: the site is treated as disallowed until it "
        "answers (RFC 9309)")}
    assert found["articles"] == [other + "/news/b2.html"]
