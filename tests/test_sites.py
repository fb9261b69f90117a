"""Site configurations: validation with errors naming file and key, the sites and schedule commands,
field-coverage warnings across runs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from newsarchive.archive.db import make_engine
from newsarchive.archive.models import CrawlRun
from newsarchive.cli import main
from newsarchive.crawl.sites import (
    SiteConfigError,
    duration_text,
    load_site,
    load_sites,
    parse_duration,
    site_settings,
)
from tests.mockserver import FAST, Page, Portal, article_html, run_cli, section_html

REPO = Path(__file__).resolve().parents[1]
MINIMAL = 'name = "x"\nsections = ["https://news.example.cn/world/"]\n'


def _write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_site_files_are_valid() -> None:
    sites = load_sites(REPO / "sites")
    assert {"demo", "example-portal"} <= set(sites)
    example = sites["example-portal"]
    assert example.allowed_hosts == ("news.example.cn",)
    assert example.timezone == "Asia/Shanghai"
    assert example.sitemaps_from_robots is True
    assert example.hints.css == {"title": "h1.article-title", "body": "div.article-content"}
    assert example.hints.xpath == {"published": "//span[@class='pubtime']/text()"}
    assert example.revisit.after == (timedelta(hours=1), timedelta(days=1), timedelta(days=7),
                                     timedelta(days=30))
    assert example.revisit.known_list_pages == 2
    assert example.politeness.delay == 1.0 and example.politeness.concurrency == 2
    settings = site_settings(example)
    assert settings["NEWSARCHIVE_FEEDS"] == ["https://news.example.cn/sitemap.xml",
                                             "https://news.example.cn/rss/world.xml"]
    assert settings["NEWSARCHIVE_HINTS"] == {
        "css": {"title": "h1.article-title", "body": "div.article-content"},
        "xpath": {"published": "//span[@class='pubtime']/text()"}}


def test_minimal_site_gets_defaults(tmp_path: Path) -> None:
    site = load_site(_write(tmp_path, MINIMAL))
    assert site.allowed_hosts == ("news.example.cn",)
    assert site.politeness.concurrency == 2
    settings = site_settings(site)
    assert settings["NEWSARCHIVE_REVISIT"] == [3600.0, 86400.0, 604800.0, 2592000.0]
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert settings["NEWSARCHIVE_TIMEZONE"] is None
    assert settings["NEWSARCHIVE_FEEDS"] == []
    assert settings["NEWSARCHIVE_HINTS"] == {"css": {}, "xpath": {}}
    assert "DOWNLOAD_MAXSIZE" not in settings  # the crawl's default cap applies


@pytest.mark.parametrize(("value", "size"), [
    ('"20MB"', 20 * 1024**2), ('"512 KiB"', 512 * 1024), ('"1.5GB"', 3 * 1024**3 // 2),
    ("4096", 4096),
])
def test_max_size_is_the_sites_response_cap(tmp_path: Path, value: str, size: int) -> None:
    site = load_site(_write(tmp_path, MINIMAL + f"max_size = {value}\n"))
    assert site.max_size == size
    assert site_settings(site)["DOWNLOAD_MAXSIZE"] == size


@pytest.mark.parametrize(("extra", "key", "reason"), [
    ('timezone = "Mars/Olympus"\n', "timezone", "is not an IANA zone"),
    ('allowed_hosts = ["other.cn"]\n', "sections[0]", "news.example.cn is not in allowed_hosts"),
    ("[politeness]\nconcurrency = 0\n", "politeness.concurrency", "between 1 and 16"),
    ('[politeness]\ndelay = "fast"\n', "politeness.delay", "must be int or float, not str"),
    ('[revisit]\nafter = ["1h", "soon"]\n', "revisit.after", "'soon' is not a duration"),
    ('[hints.css]\ntitle = "h1[["\n', "hints.css.title", "bad css selector"),
    ('[hints.xpath]\nauthor = "//b"\n', "hints.xpath.author", "hints exist for"),
    ('article_url_pattern = "(unclosed"\n', "article_url_pattern", "bad regular expression"),
    ('frequency = "1h"\n', "frequency", "unknown key"),
    ('feeds = ["https://rss.other.cn/a.xml"]\n', "feeds[0]", "rss.other.cn is not in allowed_hosts"),
    ('sitemaps = ["sitemap.xml"]\n', "sitemaps[0]", "is not an http(s) URL"),
    ('sitemaps_from_robots = "yes"\n', "sitemaps_from_robots", "must be bool, not str"),
    ('max_size = "huge"\n', "max_size", "'huge' is not a size such as 20MB"),
    ('max_size = "12"\n', "max_size", "must be at least 1KB"),
    ("max_size = 2.5\n", "max_size", "must be str or int, not float"),
])
def test_errors_name_file_and_key(tmp_path: Path, extra: str, key: str, reason: str) -> None:
    path = _write(tmp_path, MINIMAL + extra)
    with pytest.raises(SiteConfigError) as caught:
        load_site(path)
    assert caught.value.path == str(path)
    assert caught.value.key == key
    assert reason in caught.value.reason


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(SiteConfigError, match="sections: is required"):
        load_site(_write(tmp_path, 'name = "x"\n'))
    with pytest.raises(SiteConfigError, match="not valid TOML"):
        load_site(_write(tmp_path, "name = \n"))
    with pytest.raises(SiteConfigError, match=r"sections\[0\]: 'ftp://x/' is not an http"):
        load_site(_write(tmp_path, 'name = "x"\nsections = ["ftp://x/"]\n'))


def test_durations() -> None:
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("1.5h") == timedelta(minutes=90)
    assert parse_duration(45) == timedelta(seconds=45)
    with pytest.raises(ValueError):
        parse_duration("1 fortnight")
    # duration_text writes what parse_duration reads back.
    for text in ("30m", "1h", "7d", "90s", "1.5s"):
        assert duration_text(parse_duration(text)) == text


def test_sites_commands(tmp_path: Path) -> None:
    _write(tmp_path, MINIMAL, "x.toml")
    bad = _write(tmp_path, MINIMAL.replace('"x"', '"y"') + "[politeness]\nconcurrency = 99\n",
                 "y.bad")
    runner = CliRunner()
    listed = runner.invoke(main, ["sites", "list", "--sites-dir", str(tmp_path)])
    assert listed.exit_code == 0, listed.output
    assert listed.output == "x\tnews.example.cn\t1 section(s)\trevisit 1h,1d,7d,30d\t-\n"
    ok = runner.invoke(main, ["sites", "validate", "--sites-dir", str(tmp_path)])
    assert ok.exit_code == 0 and f"ok: {tmp_path / 'x.toml'} (x, 1 section(s))" in ok.output
    failed = runner.invoke(main, ["sites", "validate", str(bad)])
    assert failed.exit_code == 1
    assert f"invalid: {bad}: politeness.concurrency: must be between 1 and 16" in failed.output
    unknown = runner.invoke(main, ["crawl", "nosuch", "--sites-dir", str(tmp_path)])
    assert unknown.exit_code == 2 and "no site named 'nosuch' (known: x)" in unknown.output


def _portal(with_fields: bool) -> dict[str, Page]:
    titles = [f"第{i}号新闻：字段覆盖率测试报道标题" for i in range(1, 7)]
    pages = {f"/news/a{i}.html": Page(article_html(
        t, date="2024-05-06 10:20:30" if with_fields else "",
        author="张三" if with_fields else None, paragraphs=5)) for i, t in enumerate(titles, 1)}
    pages["/news/"] = Page(section_html([(f"/news/a{i}.html", t) for i, t in enumerate(titles, 1)]))
    return pages


@pytest.mark.crawl
def test_schedule_runs_crawls_and_coverage_drop_warns(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Portal(_portal(with_fields=True)) as portal:
        sites = tmp_path / "sites"
        sites.mkdir()
        (sites / "cov.toml").write_text(
            f'name = "cov"\nsections = ["{portal.url}/news/"]\n[revisit]\nafter = []\n',
            encoding="utf-8")
        args = ["--sites-dir", str(sites), "--db", db_url]
        fast = [item for pair in zip(FAST[0:6:2], FAST[1:6:2], strict=True) for item in pair]
        scheduled = run_cli("schedule", "cov", "--every", "1s", "--runs", "2", *args, *fast)
        assert scheduled.stdout.count(": crawl cov") == 2
        # The layout changes: dates and bylines are gone from every article.
        portal.pages = {**portal.pages, **_portal(with_fields=False)}
        third = run_cli("crawl", "cov", *args, *FAST)
    assert "6 changed" in third.stdout
    assert "WARNING coverage:  127.0.0.1" in third.stdout
    assert "date found in 0% of 6 articles, recent runs 100%" in third.stdout
    assert "author found in 0% of 6 articles, recent runs 100%" in third.stdout
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            runs = conn.execute(select(CrawlRun.id, CrawlRun.counts).order_by(CrawlRun.id)).all()
    finally:
        engine.dispose()
    assert len(runs) == 3
    host = portal.url.removeprefix("http://")
    assert runs[0][1]["coverage"][host] == {"articles": 6, "date": 1.0, "author": 1.0, "body": 1.0}
    assert runs[1][1]["coverage"] == {}  # nothing new or changed: no revisions to judge
    assert runs[2][1]["coverage"][host]["date"] == 0.0
    assert len(runs[2][1]["warnings"]) == 2
