"""`newsarchive crawl --max-pages`: how far back through a section's pagination a crawl goes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from newsarchive.archive import Archive
from newsarchive.demo import LIST_PAGES, ROBOTS_DISALLOWED_PATHS, DemoServer
from newsarchive.query import articles

# Real Scrapy crawls: left out of `make test-fast`.
pytestmark = pytest.mark.crawl


def test_max_pages_limits_list_pages_per_section(sqlite_url: str) -> None:
    with DemoServer() as server:
        result = subprocess.run(
            [sys.executable, "-m", "newsarchive.cli", "crawl", *server.section_urls(),
             "--db", sqlite_url, "--max-pages", "1",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0"],
            check=False, capture_output=True, text=True, timeout=300, env=dict(os.environ),
        )
        requested = server.requested
    assert result.returncode == 0, result.stderr
    first_pages = [lp for lp in LIST_PAGES if lp.number == 1]
    expected = {
        server.url + path
        for lp in first_pages
        for path in lp.article_paths
        if path not in ROBOTS_DISALLOWED_PATHS
    }
    with Archive(sqlite_url) as archive:
        archived = {row["url"] for row in articles(archive)}
    assert archived == expected
    later_pages = {lp.path for lp in LIST_PAGES if lp.number > 1}
    assert not later_pages & set(requested)
    assert "sections crawled:  3" in result.stdout
