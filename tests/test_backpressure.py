"""While the archive cannot keep up, the crawl stops fetching: a real crawl whose archive is
locked for a while takes no new requests meanwhile, then finishes with nothing lost."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsarchive.archive import Archive
from tests.mockserver import FAST, Portal, numbered_pages, revisions_per_article

pytestmark = pytest.mark.crawl

ARTICLES = 300
LOCKED_S = 4.0
# What the crawl may still fetch once the archive stops answering: the requests already in its
# downloader (CONCURRENT_REQUESTS) and the pages that arrive before the lag shows.
IN_FLIGHT = 16 + 8


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_a_stalled_archive_pauses_fetching_and_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    db_url = f"sqlite:///{db}"
    Archive(db_url).close()  # created and migrated before the crawl, so the test can lock it
    pages = numbered_pages(ARTICLES, 20, "第{n}号新闻：写入变慢时抓取暂停的测试报道")
    with Portal(pages, delay=0.05) as portal:
        crawl = subprocess.Popen(
            [sys.executable, "-m", "newsarchive.cli", "crawl", portal.url + "/news/",
             "--db", db_url, *FAST, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
             "-s", "NEWSARCHIVE_EXTRACT_WORKERS=0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while _stored(db) < 5 and time.monotonic() < deadline:
                time.sleep(0.05)
            lock = sqlite3.connect(db, timeout=30, isolation_level=None)
            lock.execute("BEGIN IMMEDIATE")  # the writer now waits for the archive
            try:
                time.sleep(1.5)  # the lag shows, the crawl pauses
                paused_at = len(portal.requested())
                time.sleep(LOCKED_S - 1.5)
                while_locked = len(portal.requested()) - paused_at
            finally:
                lock.execute("ROLLBACK")
                lock.close()
            out, err = crawl.communicate(timeout=240)
        finally:
            if crawl.poll() is None:
                crawl.kill()
    assert crawl.returncode == 0, err[-3000:]
    # Paused: the downloader's last requests at most, not a page a moment.
    assert while_locked <= IN_FLIGHT, while_locked
    assert paused_at < ARTICLES // 2  # the lock was taken with most of the crawl ahead
    per_article = revisions_per_article(db_url)
    assert set(per_article) == {f"{portal.url}/news/a{i}.html" for i in range(1, ARTICLES + 1)}
    assert set(per_article.values()) == {1}
    # The summary says the crawl waited for the archive.
    [line] = [line for line in out.splitlines() if "backpressure:" in line]
    assert int(line.split("paused")[1].split()[0]) >= 1
