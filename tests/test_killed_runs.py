"""A killed crawl does not stay open forever: the next run's start closes it as "killed", with its
counts, whether its process is gone from this host or its heartbeat stopped on another."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from newsarchive.archive import Archive
from newsarchive.archive.db import make_engine
from newsarchive.archive.models import CrawlRun
from newsarchive.archive.writes import now
from tests.mockserver import FAST, Page, Portal, article_html, numbered_pages

# A process that opens a run and then dies without closing it (SIGKILL, no cleanup).
OPEN_AND_DIE = """
import os, signal, sys
from newsarchive.archive import Archive
archive = Archive(sys.argv[1])
print(archive.start_run(["https://a.example.cn/news/"], {}), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _runs(db_url: str) -> dict[int, tuple[str | None, bool, int | None]]:
    """Each run's finish reason, whether it is closed, and its owner's pid."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return {i: (reason, finished is not None, pid) for i, reason, finished, pid in
                    conn.execute(select(CrawlRun.id, CrawlRun.finish_reason,
                                        CrawlRun.finished_at, CrawlRun.owner_pid))}
    finally:
        engine.dispose()


def test_a_run_whose_process_died_is_closed_as_killed(db_url: str) -> None:
    Archive(db_url).close()  # migrated before the child opens it
    child = subprocess.run([sys.executable, "-c", OPEN_AND_DIE, db_url], capture_output=True,
                           text=True, timeout=60, env=dict(os.environ))
    assert child.returncode == -signal.SIGKILL, child.stderr
    dead = int(child.stdout.strip())
    assert _runs(db_url)[dead][:2] == (None, False)  # left open by the dead process
    with Archive(db_url) as archive:
        mine = archive.start_run(["https://a.example.cn/news/"], {})
        summary = archive.run_summary(dead)
    runs = _runs(db_url)
    assert runs[dead][:2] == ("killed", True)
    assert runs[mine] == (None, False, os.getpid())  # ours: alive, left open
    assert summary["finish_reason"] == "killed"


def test_a_run_elsewhere_is_killed_only_once_its_heartbeat_is_stale(db_url: str) -> None:
    with Archive(db_url) as archive:
        other = archive.start_run(["https://a.example.cn/news/"], {})
        engine = make_engine(db_url)
        try:
            with engine.begin() as conn:
                conn.execute(update(CrawlRun).where(CrawlRun.id == other).values(
                    owner_host="crawler-2.example", heartbeat_at=now() - timedelta(minutes=3)))
        finally:
            engine.dispose()
        archive.start_run([], {})
        assert _runs(db_url)[other][:2] == (None, False)  # beat 3 minutes ago: alive
        archive.heartbeat(other)
        assert archive.close_killed_runs(stale_after=timedelta(seconds=0)) == [other]
    assert _runs(db_url)[other][:2] == ("killed", True)


@pytest.mark.crawl
def test_a_killed_crawl_is_closed_by_the_next_crawl(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    pages = numbered_pages(40, 10, "第{n}篇：一篇用来测试被杀死的抓取的新闻报道")
    with Portal(pages, delay=0.2) as portal:
        crawl = [sys.executable, "-m", "newsarchive.cli", "crawl", portal.url + "/news/",
                 "--db", db_url, *FAST, "-s", "NEWSARCHIVE_HEARTBEAT_S=0.2"]
        first = subprocess.Popen(crawl, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env=dict(os.environ))
        try:
            deadline = time.monotonic() + 60
            while len(portal.requested()) < 5 and time.monotonic() < deadline:
                time.sleep(0.1)
            beats = _heartbeats(db_url)
            time.sleep(0.6)
            assert _heartbeats(db_url) > beats  # the live crawl beats
        finally:
            first.kill()
            first.wait(30)
        assert _runs(db_url)[1][:2] == (None, False)
        portal.delay = 0.0
        portal.pages = {"/news/": Page(b"<html></html>"), "/a.html": Page(article_html("x"))}
        done = subprocess.run(crawl, capture_output=True, text=True, timeout=120,
                              env=dict(os.environ))
        assert done.returncode == 0, done.stderr
    runs = _runs(db_url)
    assert runs[1][:2] == ("killed", True) and runs[1][2] == first.pid
    assert runs[2][:2] == ("finished", True)


def _heartbeats(db_url: str) -> float:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            beat = conn.execute(select(CrawlRun.heartbeat_at).where(CrawlRun.id == 1)).scalar()
            return beat.timestamp() if beat is not None else 0.0
    finally:
        engine.dispose()
