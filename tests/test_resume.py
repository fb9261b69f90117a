"""Kill a real crawl with SIGKILL mid-way, resume the same job: every article archived exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from newsarchive.archive import Archive
from newsarchive.archive.db import make_engine
from newsarchive.archive.models import ArticleRow, Fetch
from tests.mockserver import FAST, Portal, numbered_pages, revisions_per_article, run_cli

# Real Scrapy crawls: left out of `make test-fast`.
pytestmark = pytest.mark.crawl

ARTICLES = 30
PER_PAGE = 10


def _portal(delay: float) -> Portal:
    return Portal(numbered_pages(ARTICLES, PER_PAGE, "第{n}号新闻：断点续抓测试报道标题"), delay=delay)


def _archived(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(select(ArticleRow.url)))
    except Exception:  # noqa: BLE001 - the schema may not exist yet
        return []
    finally:
        engine.dispose()


def test_sigkill_then_resume_archives_every_article_once(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    with _portal(delay=0.15) as portal:
        command = [sys.executable, "-m", "newsarchive.cli", "crawl", portal.url + "/news/",
                   "--db", db_url, "--job", "nightly", *FAST]
        process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=dict(os.environ))
        deadline = time.monotonic() + 60
        try:
            while len(_archived(db_url)) < 8 and time.monotonic() < deadline:
                assert process.poll() is None, "the crawl ended before it could be killed"
                time.sleep(0.1)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        before_kill = set(_archived(db_url))
        assert 8 <= len(before_kill) < ARTICLES
        assert (tmp_path / ".newsarchive" / "jobs" / "nightly" / "newsarchive.running").exists()
        portal.delay = 0
        seen = len(portal.hits)
        result = run_cli("crawl", portal.url + "/news/", "--db", db_url, "--job", "nightly",
                         *FAST, cwd=str(tmp_path))
        refetched = {portal.url + p for p in portal.requested(seen)}
    assert result.returncode == 0
    assert not (tmp_path / ".newsarchive" / "jobs" / "nightly" / "newsarchive.running").exists()
    # Nothing archived before the kill was fetched again.
    assert not (before_kill & refetched)
    per_article = revisions_per_article(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(Fetch).where(
                Fetch.outcome.in_(("new", "unchanged", "changed")))) or 0
    finally:
        engine.dispose()
    expected = {f"{portal.url}/news/a{i}.html" for i in range(1, ARTICLES + 1)}
    assert set(per_article) == expected
    assert set(per_article.values()) == {1}
    assert stored == ARTICLES  # each article stored by exactly one fetch across both runs
    with Archive(db_url) as archive:
        assert archive.counts()["articles"] == ARTICLES
