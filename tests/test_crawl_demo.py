"""A real crawl of the bundled demo portal: real HTTP server, real Scrapy, real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive import Archive
from newsarchive.demo import ARTICLES, NON_ARTICLE_PATHS, ROBOTS_DISALLOWED_PATHS, DemoServer
from newsarchive.query import articles

# Real Scrapy crawls: left out of `make test-fast`.
pytestmark = pytest.mark.crawl

NEWSARCHIVE = [sys.executable, "-m", "newsarchive.cli"]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "AUTOTHROTTLE_MAX_DELAY=1"]


def run_cli(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real `newsarchive` command in a subprocess."""
    result = subprocess.run(
        [*NEWSARCHIVE, *args], check=False, capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"newsarchive {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def crawled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo portal crawled twice into one fresh database (SQLite, then PostgreSQL)."""
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp_path_factory.mktemp('crawl') / 'archive.db'}"
        yield from _crawl_twice(db_url)
    else:
        yield from _crawl_twice(request.getfixturevalue("pg_module_url"))


def _crawl_twice(db_url: str) -> Iterator[dict[str, Any]]:
    with DemoServer() as server:
        sections = server.section_urls()
        first = run_cli("crawl", *sections, "--db", db_url, *FAST)
        requested_first = list(server.requested)
        archive = Archive(db_url)
        try:
            counts_first = archive.counts()
        finally:
            archive.close()
        second = run_cli("crawl", *sections, "--db", db_url, *FAST)
        archive = Archive(db_url)
        try:
            rows = {row["url"]: row for row in articles(archive)}
            counts_second = archive.counts()
        finally:
            archive.close()
        yield {
            "db_url": db_url, "base": server.url, "first": first, "second": second,
            "requested": requested_first, "rows": rows,
            "counts_first": counts_first, "counts_second": counts_second,
        }


def test_every_demo_article_archived_exactly_once(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    assert set(crawled["rows"]) == {base + a.path for a in ARTICLES}
    assert crawled["counts_first"]["articles"] == len(ARTICLES)


@pytest.mark.parametrize("index", range(len(ARTICLES)))
def test_article_fields(crawled: dict[str, Any], index: int) -> None:
    expected = ARTICLES[index]
    row = crawled["rows"][crawled["base"] + expected.path]
    assert row["title"] == expected.title
    assert row["published"] == expected.published
    assert row["body"] == "\n".join(expected.paragraphs)
    assert row["authors"] == list(expected.authors)
    assert row["source"] == expected.source
    assert row["editor"] == expected.editor
    assert row["keywords"] == list(expected.keywords)
    assert row["section_path"] == list(expected.section_path)


def test_non_articles_and_robots(crawled: dict[str, Any]) -> None:
    rows = crawled["rows"]
    for path in NON_ARTICLE_PATHS:
        assert crawled["base"] + path not in rows
    for path in ROBOTS_DISALLOWED_PATHS:
        assert path not in crawled["requested"], f"{path} is disallowed by robots.txt"
    assert "/robots.txt" in crawled["requested"]


def test_recrawl_duplicates_nothing(crawled: dict[str, Any]) -> None:
    first, second = crawled["counts_first"], crawled["counts_second"]
    for table in ("articles", "article_revisions", "raw_pages", "sites"):
        assert second[table] == first[table], table
    assert f"{len(ARTICLES)} unchanged" in crawled["second"].stdout
    assert "0 new" in crawled["second"].stdout


def test_summary_lists_sections_and_failures(crawled: dict[str, Any]) -> None:
    out = crawled["first"].stdout
    assert "sections crawled:  3" in out or "sections crawled:" in out
    assert f"{len(ARTICLES)} new" in out
    for path in ROBOTS_DISALLOWED_PATHS:
        assert f"{path}: forbidden by robots.txt" in out


def test_export_round_trip(crawled: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    run_cli("export", "--db", crawled["db_url"], "-o", str(out))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {line["url"] for line in lines} == set(crawled["rows"])
    by_url = {line["url"]: line for line in lines}
    for expected in ARTICLES:
        line = by_url[crawled["base"] + expected.path]
        assert (line["title"], line["published"]) == (expected.title, expected.published)
        assert line["site"] and line["crawled_at"]


def test_search_finds_a_chinese_word(crawled: dict[str, Any]) -> None:
    article = ARTICLES[0]
    word = article.paragraphs[-1][2:6]
    result = run_cli("search", word, "--db", crawled["db_url"], "--format", "jsonl")
    urls = [json.loads(line)["url"] for line in result.stdout.splitlines()]
    assert crawled["base"] + article.path in urls


def test_encoding_evidence_is_kept_per_fetch(crawled: dict[str, Any]) -> None:
    from sqlalchemy import select

    from newsarchive.archive.db import make_engine
    from newsarchive.archive.models import Fetch

    engine = make_engine(crawled["db_url"])
    try:
        with engine.connect() as conn:
            evidence = {
                url.removeprefix(crawled["base"]): enc
                for url, enc in conn.execute(select(Fetch.url, Fetch.encoding))
                if enc is not None
            }
    finally:
        engine.dispose()
    # The one page whose HTTP header names the wrong charset: GBK bytes, header says utf-8.
    liar = evidence["/tech/2025/0320/122.html"]
    assert (liar["http_charset"], liar["meta_charset"], liar["encoding"]) == ("utf-8", "gb2312", "gb18030")
    assert liar["undecodable_ratio"] == 0.0
    big5 = next(a for a in ARTICLES if a.encoding == "big5")
    assert evidence[big5.path]["encoding"] == "big5hkscs"
    # Both pages of the split article are kept with their own decoding record.
    assert "/tech/2024/0305/123_2.html" in evidence
