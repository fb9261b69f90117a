"""`newsarchive demo`, as `make demo` runs it: twice, and nothing is archived twice."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsarchive.archive import Archive
from newsarchive.demo import ARTICLES, DEMO_ORIGIN, DEMO_QUERY
from newsarchive.query import articles

# Real Scrapy crawls: left out of `make test-fast`.
pytestmark = pytest.mark.crawl


def _demo(db_url: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive.cli", "demo", "--db", db_url],
        check=False, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_twice_archives_every_article_once(db_url: str) -> None:
    first = _demo(db_url)
    assert f"articles archived: {len(ARTICLES)} new, 0 changed, 0 unchanged" in first
    assert "sections crawled:  3" in first
    assert "forbidden by robots.txt" in first
    assert f"newsarchive search {DEMO_QUERY}" in first
    with Archive(db_url) as archive:
        counts_first = archive.counts()
        urls = {row["url"] for row in articles(archive)}
    assert urls == {DEMO_ORIGIN + a.path for a in ARTICLES}

    second = _demo(db_url)  # a new server on another ephemeral port: same portal, same URLs
    assert f"articles archived: 0 new, 0 changed, {len(ARTICLES)} unchanged" in second
    with Archive(db_url) as archive:
        counts_second = archive.counts()
    for table in ("sites", "articles", "article_revisions", "raw_pages"):
        assert counts_second[table] == counts_first[table], table
    assert counts_second["crawl_runs"] == 2
