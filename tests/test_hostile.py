"""A crawl of a hostile server: it ends in bounded time and memory, archives every good article,
and records every hostile page with its own reason (and its raw bytes, up to the cap).

One real crawl (the `newsarchive crawl` command in its own process group) of tests/hostileserver
serves the whole module; the tests read its archive and its measurements.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from newsarchive import settings as defaults
from newsarchive.archive import Archive
from newsarchive.archive.models import Fetch
from newsarchive.query import articles
from tests.hostileserver import GOOD, GOOD_B, LONG_PATH, MB, HostileServer, replies

pytestmark = pytest.mark.crawl

# DOWNLOAD_MAXSIZE's default: the crawl meets three capped bodies, two at a time, and each costs a
# few copies of the cap while it is cut and archived.
CAP = defaults.DOWNLOAD_MAXSIZE
assert CAP == 10 * MB
MEMORY_CAP = 600 * MB
TIME_CAP = 90.0


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes (its RSS where smaps_rollup is unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def group_memory(pgid: int) -> int:
    """Summed PSS of every process in process group `pgid` (the crawl and its helpers)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:  # state, ppid, pgrp
            total += _pss(int(entry))
    return total


@dataclass
class Crawl:
    db_url: str
    base: str
    base_b: str
    seconds: float
    peak_memory: int
    returncode: int
    stderr: str
    hits: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    where = tmp_path_factory.mktemp("hostile")
    db_url = f"sqlite:///{where / 'archive.db'}"
    with HostileServer() as server:
        (where / "hostile.toml").write_text(
            f'name = "hostile"\nsections = ["{server.url}/news/", "{server.url_b}/b/"]\n'
            f'allowed_hosts = ["127.0.0.1", "localhost"]\n', encoding="utf-8")
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "newsarchive.cli", "crawl", "hostile", "--sites-dir",
             str(where), "--db", db_url, "--progress", "0",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0",
             "-s", "AUTOTHROTTLE_MAX_DELAY=1", "-s", "DOWNLOAD_TIMEOUT=2",
             "-s", "NEWSARCHIVE_RETRY_AFTER_MAX=1", "-s", "NEWSARCHIVE_EXTRACT_TIMEOUT=1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            env=dict(os.environ))
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, group_memory(process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, stderr = process.communicate(timeout=TIME_CAP + 60)
        finally:
            done.set()
            sampler.join()
            if process.poll() is None:
                os.killpg(process.pid, 9)
        return Crawl(db_url, server.url, server.url_b, time.monotonic() - started, peak,
                     process.returncode, stderr, list(server.hits))


def _failures(crawl: Crawl) -> dict[str, tuple[str, str]]:
    with Archive(crawl.db_url) as archive:
        summary = archive.run_summary(1)
    return {f["url"].removeprefix(crawl.base): (f["kind"], f["reason"])
            for f in summary["failures"]}


def _raw(crawl: Crawl, path: str) -> bytes:
    with Archive(crawl.db_url) as archive:
        with archive.reading() as session:
            fetch_id = session.scalars(select(Fetch.id).where(Fetch.url == crawl.base + path)
                                       .order_by(Fetch.id.desc())).first()
        assert fetch_id is not None, f"{path} was not archived"
        return archive.raw_body(fetch_id)


def test_the_crawl_ends_in_bounded_time_and_memory(crawl: Crawl) -> None:
    # Printed (pytest -s) so the bound's margin is seen, not only its verdict.
    print(f"hostile crawl: {crawl.seconds:.1f} s, process-group peak {crawl.peak_memory / MB:.0f} MB")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert crawl.seconds < TIME_CAP
    assert 0 < crawl.peak_memory < MEMORY_CAP, f"peak {crawl.peak_memory / MB:.0f} MB"


def test_every_good_article_is_archived(crawl: Crawl) -> None:
    with Archive(crawl.db_url) as archive:
        rows = {r["url"]: r for r in articles(archive)}
    expected = {crawl.base + p: t for p, t in GOOD.items()} | {
        crawl.base_b + p: t for p, t in GOOD_B.items()}
    assert {url: rows[url]["title"] for url in rows} == expected
    # The lying and unknown charsets were decoded from the bytes themselves.
    assert "恶意服务器" in rows[crawl.base + "/news/liar.html"]["body"]
    assert "恶意服务器" in rows[crawl.base + "/news/unknown-charset.html"]["body"]


@pytest.mark.parametrize(("path", "kind", "reason"), [
    ("/news/e500.html", "http_status", "HTTP 500"),
    ("/news/e503.html", "http_status", "HTTP 503"),
    ("/news/stall.html", "timeout", "took longer than 2.0 seconds"),
    ("/news/truncated.html", "network", "cut short by the server after"),
    ("/news/huge.html", "too_large", f"response over {CAP:,} bytes: download stopped"),
    ("/news/bomb.html", "too_large", f"over {CAP:,} bytes once decompressed (gzip)"),
    ("/news/bomb2.html", "too_large", f"over {CAP:,} bytes once decompressed (gzip)"),
    ("/news/binary.html", "empty", "binary data, not a text page"),
    ("/news/empty.html", "empty", "no bytes"),
    ("/news/deep.html", "too_deep", "nested past the parser's depth limit"),
    ("/news/slow.html", "timeout", "extraction ran past its time limit of 1 s"),
])
def test_every_hostile_page_has_its_reason(crawl: Crawl, path: str, kind: str,
                                           reason: str) -> None:
    failures = _failures(crawl)
    assert path in failures, sorted(failures)
    assert failures[path][0] == kind
    assert reason in failures[path][1]


def test_cut_pages_are_archived_raw_up_to_the_cap(crawl: Crawl) -> None:
    huge = _raw(crawl, "/news/huge.html")
    assert len(huge) == CAP
    assert huge.startswith(b"<html><head><title>") and "巨大".encode() in huge[:1000]
    for bomb in ("/news/bomb.html", "/news/bomb2.html"):
        assert _raw(crawl, bomb) == bytes(CAP)
    assert len(_raw(crawl, "/news/deep.html")) > 500_000  # too deep, but archived whole
    assert len(_raw(crawl, "/news/slow.html")) > 2_000_000  # too slow, but archived whole
    truncated = _raw(crawl, "/news/truncated.html")  # what came before the server hung up
    sent = replies()["/news/truncated.html"]
    assert isinstance(sent.body, bytes) and sent.length == 100_000
    assert truncated == sent.body[:100_000 // 3] and len(truncated) > 5_000


def test_odd_links_are_never_fetched_and_robots_answers_do_not_stop_the_crawl(
        crawl: Crawl) -> None:
    paths = {path for _, path in crawl.hits}
    assert not any(p.startswith(("javascript", "mailto", "data", "ftp", "/file.txt"))
                   for p in paths)
    assert ("127.0.0.1", "/robots.txt") in crawl.hits  # 404: everything allowed
    assert ("localhost", "/robots.txt") in crawl.hits  # garbage: everything allowed
    assert ("localhost", "/b/good3.html") in crawl.hits
    assert LONG_PATH not in paths
    # A truncated transfer is retried (RETRY_TIMES 2) before it is kept as it came.
    assert paths and [p for _, p in crawl.hits].count("/news/truncated.html") == 3
