"""Two real worker processes share one crawl through Redis (scrapy-redis) into PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import scrapy
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from newsarchive.archive.db import make_engine
from newsarchive.archive.models import ArticleRow
from newsarchive.crawl.distributed import LEASE_META, SharedScheduler
from newsarchive.crawl.run import distributed_settings
from tests.mockserver import FAST, Portal, numbered_pages, revisions_per_article

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_URL = os.environ.get("NEWSARCHIVE_TEST_REDIS", "redis://127.0.0.1:6379/0")
ARTICLES = 200
PER_PAGE = 20
# Leases a worker holds at most: the requests in its downloader (CONCURRENT_REQUESTS, 16), and
# the pages waiting for extraction and their write, which the lag limit keeps to about a second's
# worth (NEWSARCHIVE_MAX_LAG_S). Without it a loaded machine left 300 and more.
MAX_LEASED = 64


@pytest.fixture
def redis_url() -> str:
    """Redis must answer: with CI=true its absence fails the test, elsewhere it skips."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        message = f"Redis at {REDIS_URL} not reachable ({exc}); distributed tests need it"
        if IN_CI:
            pytest.fail(f"CI=true but {message}")
        pytest.skip(message)
    return REDIS_URL


def _portal() -> Portal:
    return Portal(numbered_pages(ARTICLES, PER_PAGE, "第{n}号新闻：分布式抓取测试报道标题"), delay=0.03)


def _leased_articles(redis_url: str, name: str, pid: int) -> list[bytes]:
    """The article requests a worker (by pid) holds leases on."""
    import redis

    server = redis.Redis.from_url(redis_url)
    taken = server.hgetall(f"newsarchive:{name}:taken:{socket.gethostname()}:{pid}")
    return [data for data in taken.values() if b"/news/a" in data]


def _count(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(ArticleRow)) or 0
    except Exception:  # noqa: BLE001 - the schema may not exist yet
        return 0
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.crawl
def test_two_workers_one_killed_lose_nothing(pg_url: str, redis_url: str, tmp_path: Path) -> None:
    import redis

    name = f"dist-{uuid.uuid4().hex[:8]}"
    sites = tmp_path / "sites"
    sites.mkdir()
    with _portal() as portal:
        (sites / "dist.toml").write_text(
            f'name = "{name}"\nsections = ["{portal.url}/news/"]\nallowed_hosts = ["127.0.0.1"]\n',
            encoding="utf-8")
        command = [sys.executable, "-m", "newsarchive.cli", "crawl", name, "--sites-dir", str(sites),
                   "--db", pg_url, "--distributed", "--redis-url", redis_url, *FAST,
                   "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]
        logs = [open(tmp_path / f"worker{i}.log", "w") for i in (1, 2)]  # noqa: SIM115
        victim = subprocess.Popen(command, stdout=logs[0], stderr=subprocess.STDOUT)
        time.sleep(1.0)
        survivor = subprocess.Popen(command, stdout=logs[1], stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while _count(pg_url) < 60 and time.monotonic() < deadline:
                time.sleep(0.2)
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
            # What the victim had taken and not seen through to a commit: all it may cost.
            # Read at once: the survivor puts it back only once the victim's heartbeat expires.
            leased = _leased_articles(redis_url, name, victim.pid)
            killed_at = _count(pg_url)
            assert survivor.wait(timeout=180) == 0, (tmp_path / "worker2.log").read_text()
        finally:
            for process in (victim, survivor):
                if process.poll() is None:
                    process.kill()
            for log in logs:
                log.close()
        requested = portal.requested()
    assert 60 <= killed_at < ARTICLES
    per_article = revisions_per_article(pg_url)
    assert set(per_article) == {f"{portal.url}/news/a{i}.html" for i in range(1, ARTICLES + 1)}
    assert set(per_article.values()) == {1}
    # The shared dupefilter: no article page was fetched by both workers, save those the
    # killed worker had taken and not seen through to a commit, which the survivor fetched again.
    article_hits = [p for p in requested if p.startswith("/news/a")]
    refetched = len(article_hits) - ARTICLES
    print(f"re-fetched {refetched} articles; the killed worker held {len(leased)} leases")
    assert 0 <= refetched <= len(leased) <= MAX_LEASED
    server = redis.Redis.from_url(redis_url)
    assert not list(server.scan_iter(match=f"newsarchive:{name}:taken:*"))
    assert not server.exists(f"newsarchive:{name}:dupefilter")
    server.delete(f"newsarchive:{name}:requests")


def test_a_taken_request_is_leased_in_one_step_and_released_by_its_item(redis_url: str) -> None:
    import redis

    class Plain(scrapy.Spider):
        name = "lease"

    key = f"newsarchive:lease-{uuid.uuid4().hex[:8]}"
    crawler = get_crawler(Plain, distributed_settings(redis_url, key))
    spider = Plain.from_crawler(crawler)
    scheduler = SharedScheduler.from_crawler(crawler)
    scheduler.open(spider)
    server = redis.Redis.from_url(redis_url)
    taken = f"{key}:taken:{scheduler.worker}"
    try:
        assert scheduler.enqueue_request(scrapy.Request("http://a.test/1.html"))
        request = scheduler.next_request()
        assert request is not None and request.url == "http://a.test/1.html"
        # Off the queue and onto this worker's lease in the same step.
        assert len(scheduler.queue) == 0
        lease = request.meta[LEASE_META]
        assert set(server.hkeys(taken)) == {lease.encode()}
        assert scheduler.next_request() is None
        redirected = request.replace(url="http://a.test/moved.html")  # meta, lease included, carries over
        scheduler._item_done(item={}, response=HtmlResponse(redirected.url, request=redirected))
        assert server.hlen(taken) == 0
    finally:
        scheduler.close("finished")
        server.delete(taken, f"{key}:requests", f"{key}:dupefilter")
