"""Sitemaps and RSS/Atom feeds parsed from hand-made files: URLs, dates, child sitemaps, failures.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from newsarchive.archive import Archive
from newsarchive.extract.feeds import FeedError, feed_kind, gunzip, parse_feed, parse_feed_date
from newsarchive.query import articles
from tests.mockfeeds import XML, atom, news_sitemap, rss, sitemap_index, urlset
from tests.mockserver import FAST, Page, Portal, article_html, run_cli, section_html

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
BASE = "https://news.example.cn/sitemap.xml"


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _parse(name: str, tz: str = "Asia/Shanghai") -> list[tuple[str, datetime | None]]:
    feed = parse_feed(_read(name), BASE, tz=tz)
    assert feed.problem is None
    return [(e.url, e.lastmod) for e in feed.entries]


def test_sitemap_index_lists_child_sitemaps() -> None:
    feed = parse_feed(_read("sitemap_index.xml"), BASE)
    assert feed.kind == "sitemapindex" and feed.entries == ()
    assert [(s.url, s.lastmod) for s in feed.sitemaps] == [
        ("https://news.example.cn/sitemap/world.xml", datetime(2024, 5, 6, 2, 20, 30, tzinfo=UTC)),
        ("https://news.example.cn/sitemap/china.xml.gz", None),  # relative <loc>, whitespace around it
    ]


def test_urlset_keeps_item_loc_and_latest_lastmod_once_per_url() -> None:
    assert _parse("urlset.xml") == [
        # A date alone is midnight in the site's timezone; the <image:loc> before <loc> is not the
        # page.
        ("https://news.example.cn/2024/0506/1.shtml", datetime(2024, 5, 5, 16, 0, tzinfo=UTC)),
        ("https://news.example.cn/2024/0506/2.shtml", datetime(2024, 5, 6, 2, 0, tzinfo=UTC)),
    ]


def test_gzipped_urlset_reads_like_the_plain_one() -> None:
    packed = gzip.compress(_read("urlset.xml"))
    assert feed_kind(packed) == "urlset"
    assert [e.url for e in parse_feed(packed, BASE).entries] == [
        "https://news.example.cn/2024/0506/1.shtml", "https://news.example.cn/2024/0506/2.shtml"]


def test_google_news_sitemap_publication_date() -> None:
    assert _parse("news_sitemap.xml") == [
        ("https://news.example.cn/2024/0507/3.shtml", datetime(2024, 5, 7, 0, 15, tzinfo=UTC))]


def test_rss_in_gb2312_with_guid_links_and_dc_dates() -> None:
    assert _parse("rss.xml") == [
        ("https://news.example.cn/2024/0506/1.shtml", datetime(2024, 5, 6, 2, 20, 30, tzinfo=UTC)),
        # No <link>: a permalink <guid> stands in; dc:date without an offset is in the site's zone.
        ("https://news.example.cn/2024/0506/4.shtml", datetime(2024, 5, 6, 4, 0, tzinfo=UTC)),
    ]


def test_atom_alternate_link_against_xml_base_and_latest_date() -> None:
    assert _parse("atom.xml") == [
        ("https://news.example.cn/tech/2024/0508/6.shtml", datetime(2024, 5, 8, 1, 30, tzinfo=UTC)),
        ("https://news.example.cn/2024/0508/7.shtml", datetime(2024, 5, 8, 10, 0, tzinfo=UTC)),
    ]


def test_rss_1_rdf() -> None:
    assert _parse("rdf.xml") == [
        ("https://news.example.cn/2024/0509/8.shtml", datetime(2024, 5, 8, 23, 0, tzinfo=UTC))]


def test_truncated_sitemap_is_recovered_and_says_so() -> None:
    feed = parse_feed(_read("broken.xml"), BASE)
    assert [e.url for e in feed.entries] == [
        "https://news.example.cn/2024/0506/1.shtml", "https://news.example.cn/2024/0506/2.shtml"]
    assert feed.problem is not None and feed.problem.startswith("broken XML: Premature end of data")


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty body"),
    (b"<html><head><title>x</title></head><body><a href='/a'>a</a></body></html>", "not a sitemap or feed"),
    (b'<?xml version="1.0"?><note><to>x</to></note>', "not a sitemap or feed"),
    (b"\x1f\x8b\x08\x00garbage", "broken gzip"),
])
def test_unusable_bodies_raise_feed_error_with_reason(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(body, BASE)
    assert caught.value.url == BASE and caught.value.reason.startswith(reason)


def test_unrecoverable_xml_names_the_syntax_error() -> None:
    with pytest.raises(FeedError, match="broken XML: xmlParseEntityRef"):
        parse_feed(_read("garbage.xml"), BASE)


def test_gzip_bomb_stops_at_the_limit() -> None:
    with pytest.raises(FeedError, match="more than 1000 bytes"):
        gunzip(gzip.compress(b"<urlset>" + b" " * 5000 + b"</urlset>"), BASE, limit=1000)


def test_entities_are_not_expanded() -> None:
    body = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<urlset><url><loc>https://a.cn/&x;</loc></url><url><loc>https://a.cn/b</loc></url></urlset>')
    urls = [e.url for e in parse_feed(body, BASE).entries]
    assert "https://a.cn/b" in urls and not any("root:" in u for u in urls)


@pytest.mark.parametrize(("text", "expected"), [
    ("Mon, 06 May 2024 10:20:30 GMT", datetime(2024, 5, 6, 10, 20, 30, tzinfo=UTC)),
    ("2024-05-06T10:20:30+08:00", datetime(2024, 5, 6, 2, 20, 30, tzinfo=UTC)),
    ("2024-05-06", datetime(2024, 5, 5, 16, 0, tzinfo=UTC)),
    ("2024年05月06日 10:20", datetime(2024, 5, 6, 2, 20, tzinfo=UTC)),
    ("soon", None),
])
def test_feed_dates(text: str, expected: datetime | None) -> None:
    assert parse_feed_date(text, ZoneInfo("Asia/Shanghai")) == expected


def test_sniffing_by_content_not_name() -> None:
    assert feed_kind(_read("atom.xml")) == "atom"
    assert feed_kind(_read("rss.xml")) == "rss"
    assert feed_kind(_read("rdf.xml")) == "rdf"
    assert feed_kind(_read("sitemap_index.xml")) == "sitemapindex"
    assert feed_kind(b"<!DOCTYPE html><html><body>rss</body></html>") is None


# -- real crawls of a fixture portal started from its sitemaps and feeds
# ----------------------------

TITLES = {n: f"第{n}号新闻：站点地图与订阅源抓取测试" for n in range(1, 12)}
OLD = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


def _article(n: int) -> str:
    return f"/news/a{n}.html"


def _portal_pages(base: str, run: int) -> dict[str, Page]:
    """Run 1: three articles on the section (1, 2, 11), five more only in sitemaps and feeds; run 2
    adds 9 and 10
    and edits 3, whose sitemap lastmod moves past the first run (4 keeps an old lastmod)."""
    pages = {_article(n): Page(article_html(TITLES[n])) for n in (*range(1, 8), 11)}
    pages["/robots.txt"] = Page(ROBOTS, content_type="text/plain", validators=False)
    pages["/private/a8.html"] = Page(article_html("禁止抓取的文章标题在这里"))
    pages["/about.html"] = Page(article_html("关于我们：测试网的介绍页面"))
    pages["/news/"] = Page(section_html([(_article(n), TITLES[n]) for n in (1, 2, 11)]))
    a3_lastmod = OLD
    news = [(base + _article(5), OLD)]
    in_rss = [(base + _article(6), OLD), (base + _article(1), OLD)]
    if run == 2:
        for n in (9, 10):
            pages[_article(n)] = Page(article_html(TITLES[n]))
        pages[_article(3)] = Page(article_html(TITLES[3], extra="（更正）"), modified=1_800_000_000)
        a3_lastmod = datetime.now(UTC)
        news.append((base + _article(10), datetime.now(UTC)))
        in_rss.insert(0, (base + _article(9), datetime.now(UTC)))
    pages["/sitemap_index.xml"] = sitemap_index(
        [f"{base}/sitemaps/articles.xml.gz", f"{base}/sitemaps/news.xml", f"{base}/sitemaps/missing.xml"])
    pages["/sitemaps/articles.xml.gz"] = urlset(
        [(base + _article(3), a3_lastmod), (base + _article(4), OLD), (base + "/about.html", OLD),
         ("http://elsewhere.example/news/a99.html", OLD)], gz=True)
    pages["/sitemaps/news.xml"] = news_sitemap(news)
    pages["/rss.xml"] = rss(in_rss)
    pages["/atom.xml"] = atom([(base + _article(7), OLD), (base + "/private/a8.html", OLD)])
    pages["/broken.xml"] = Page(b'<?xml version="1.0"?><urlset><url>&&&<<<', content_type=XML)
    pages["/notafeed.xml"] = Page(b"<html><body><p>gone</p></body></html>")
    return pages


def _feeds_site(directory: Path, base: str) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "feeds.toml").write_text(
        f'name = "feeds"\nsections = ["{base}/news/"]\nallowed_hosts = ["127.0.0.1"]\n'
        f'sitemaps = ["{base}/sitemap_index.xml", "{base}/broken.xml"]\n'
        f'feeds = ["{base}/rss.xml", "{base}/atom.xml", "{base}/notafeed.xml"]\n'
        "article_url_pattern = '/a\\d+\\.html$'\ntimezone = \"Asia/Shanghai\"\n", encoding="utf-8")
    return directory


FEED_PATHS = ["/news/", "/sitemap_index.xml", "/sitemaps/articles.xml.gz", "/sitemaps/news.xml",
              "/sitemaps/missing.xml", "/broken.xml", "/rss.xml", "/atom.xml", "/notafeed.xml"]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def feed_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("feeds")
    db_url = (f"sqlite:///{tmp / 'archive.db'}" if request.param == "sqlite"
              else request.getfixturevalue("pg_module_url"))
    with Portal() as portal:
        sites = _feeds_site(tmp / "sites", portal.url)
        fetched, outputs = [], []
        for run in (1, 2):
            portal.pages = _portal_pages(portal.url, run)
            before = len(portal.hits)
            outputs.append(run_cli("crawl", "feeds", "--sites-dir", str(sites), "--db", db_url, *FAST).stdout)
            fetched.append(portal.requested(before))
        yield {"db_url": db_url, "fetched": fetched, "out": outputs, "base": portal.url}


@pytest.mark.crawl
def test_first_run_fetches_articles_listed_in_sitemaps_and_feeds(feed_runs: dict[str, Any]) -> None:
    fetched = feed_runs["fetched"][0]
    # Not /about.html (article_url_pattern), /private/a8.html (robots.txt), nor the other host.
    assert sorted(fetched) == sorted([*FEED_PATHS, *(_article(n) for n in (*range(1, 8), 11))])
    with Archive(feed_runs["db_url"]) as archive:
        first = archive.run_summary(1)
    assert first["articles"] == {"new": 8, "changed": 0, "unchanged": 0}
    reasons = {f["url"].removeprefix(feed_runs["base"]): f["reason"] for f in first["failures"]}
    assert reasons["/sitemaps/missing.xml"] == "section page HTTP 404"
    assert reasons["/broken.xml"].startswith("section page: sitemap or feed: broken XML")
    assert reasons["/notafeed.xml"].startswith("section page: sitemap or feed: not a sitemap or feed")
    assert reasons["/private/a8.html"] == "forbidden by robots.txt"
    # The other host's entry is refused before it is requested, and recorded (it once vanished in
    # Scrapy's offsite filter).
    assert reasons["http://elsewhere.example/news/a99.html"] == (
        "off the crawl's hosts: elsewhere.example")
    assert len(reasons) == 5
    kinds = {f["url"].removeprefix(feed_runs["base"]): f["kind"] for f in first["failures"]}
    assert kinds == {"/sitemaps/missing.xml": "http_status", "/broken.xml": "feed",
                     "/notafeed.xml": "feed", "/private/a8.html": "robots",
                     "http://elsewhere.example/news/a99.html": "offsite"}


@pytest.mark.crawl
def test_second_run_fetches_new_entries_and_those_changed_since(feed_runs: dict[str, Any]) -> None:
    fetched = feed_runs["fetched"][1]
    # 9 and 10 are new; 3's lastmod is later than its last fetch; 1, 2, 4-7 and 11 are not due
    # (1 is listed twice: on the section and in the RSS feed).
    assert sorted(fetched) == sorted([*FEED_PATHS, _article(3), _article(9), _article(10)])
    with Archive(feed_runs["db_url"]) as archive:
        second = archive.run_summary(2)
        rows = {r["url"].removeprefix(feed_runs["base"]): r["body"] for r in articles(archive)}
    assert second["articles"] == {"new": 2, "changed": 1, "unchanged": 0}
    assert "（更正）" in rows[_article(3)]
    assert set(rows) == {_article(n) for n in (*range(1, 8), 9, 10, 11)}
    assert "8 archived articles not due" in feed_runs["out"][1]


@pytest.mark.crawl
def test_crawl_url_of_a_feed_needs_no_config(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Portal() as portal:
        portal.pages = _portal_pages(portal.url, 1)
        # Named like a page, served as one: only the content says it is a sitemap index.
        portal.pages["/index.html"] = portal.pages["/sitemap_index.xml"]
        run_cli("crawl", f"{portal.url}/index.html", "--db", db_url, *FAST)
        fetched = portal.requested()
    assert sorted(fetched) == sorted(["/index.html", "/sitemaps/articles.xml.gz", "/sitemaps/news.xml",
                                      "/sitemaps/missing.xml", "/about.html",
                                      *(_article(n) for n in (3, 4, 5))])
    with Archive(db_url) as archive:
        urls = {r["url"].removeprefix(portal.url) for r in articles(archive)}
    assert urls == {_article(n) for n in (3, 4, 5)} | {"/about.html"}


@pytest.mark.crawl
def test_sitemaps_from_robots_txt_when_the_site_asks(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Portal() as portal:
        portal.pages = _portal_pages(portal.url, 1)
        portal.pages["/robots.txt"] = Page(ROBOTS + b"Sitemap: /sitemaps/news.xml\n", content_type="text/plain",
                                           validators=False)
        sites = tmp_path / "sites"
        sites.mkdir()
        (sites / "robots.toml").write_text(
            f'name = "robots"\nsections = ["{portal.url}/news/"]\nsitemaps_from_robots = true\n',
            encoding="utf-8")
        run_cli("crawl", "robots", "--sites-dir", str(sites), "--db", db_url, *FAST)
        fetched = portal.requested()
    assert sorted(fetched) == sorted(["/news/", "/sitemaps/news.xml", *(_article(n) for n in (1, 2, 5, 11))])
