"""The extractor pool: real worker processes give the inline extractor's Article, and a worker that
dies with pages costs them a retry on a fresh worker, or (dying again) becomes the item's recorded
reason."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from scrapy.utils.test import get_crawler

from newsarchive.crawl.extract_pool import AHEAD_MIN, BATCH_MAX, PIPE_BYTES, ExtractorPool, PageJob
from newsarchive.crawl.items import ArticlePages, FetchedPage
from newsarchive.extract import extract
from pipelines.extract import ExtractPipeline
from tests.mockserver import article_html

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
URL = "http://x.example.test/eco/2022/0801/5.html"
HEADERS = {"Content-Type": ["text/html; charset=utf-8"]}


def _kill_workers(pool: ExtractorPool) -> None:
    for process in pool.processes():
        process.kill()


def test_worker_process_extracts_what_the_inline_extractor_does() -> None:
    body = (FIXTURES / "multi_1.html").read_bytes()
    pool = ExtractorPool(1)
    try:
        result = asyncio.run(pool.extract(PageJob(body, URL, {})))
    finally:
        pool.close()
    assert result.article == extract(body, URL, {})
    assert result.article.next_page_url == "http://x.example.test/eco/2022/0801/5_2.html"


def test_extraction_error_reason_crosses_the_process_boundary() -> None:
    pool = ExtractorPool(1)
    try:
        result = asyncio.run(pool.extract(PageJob(b"  ", URL, {})))
    finally:
        pool.close()
    assert result.article is None
    assert (result.kind, result.reason) == ("empty", "no bytes")


def test_an_extractor_crash_fails_its_page_not_the_pages_sent_with_it() -> None:
    good = (FIXTURES / "multi_1.html").read_bytes()
    pool = ExtractorPool(1)

    async def together() -> list[str | None]:
        jobs = [PageJob(good, URL, {}), PageJob(12345, URL, {}), PageJob(good, URL, {})]  # type: ignore[arg-type]
        results = await asyncio.gather(*(pool.extract(job) for job in jobs))
        return [r.reason if r.article is None else r.article.title for r in results]

    try:
        outcomes = asyncio.run(together())
    finally:
        pool.close()
    assert outcomes == ["长江流域生态保护调查",
                        "extractor failed: AttributeError: 'int' object has no attribute 'strip'",
                        "长江流域生态保护调查"]


def _titles_around(pool: ExtractorPool, between: Callable[[], Awaitable[None]]
                   ) -> tuple[str | None, str | None]:
    """A page extracted, then `between()`, then the page extracted again; both titles (the
    pool is closed after)."""
    body = article_html("一篇用来测试进程池的新闻报道标题")

    async def twice() -> tuple[str | None, str | None]:
        first = await pool.extract(PageJob(body, URL, HEADERS))
        await between()
        second = await pool.extract(PageJob(body, URL, HEADERS))
        return (first.article.title if first.article else None,
                second.article.title if second.article else None)

    try:
        return asyncio.run(twice())
    finally:
        pool.close()


def test_a_killed_worker_costs_a_retry_on_a_fresh_pool() -> None:
    pool = ExtractorPool(1)

    async def kill() -> None:
        _kill_workers(pool)

    titles = _titles_around(pool, kill)
    assert titles == ("一篇用来测试进程池的新闻报道标题",) * 2
    assert pool.replaced == 1


def test_a_page_whose_worker_keeps_dying_is_recorded_with_its_raw_page() -> None:
    page = FetchedPage(url=URL, final_url=URL, status=200, headers=HEADERS,
                       body=article_html("一篇用来测试进程池的新闻报道标题"),
                       fetched_at=datetime.now(UTC))
    item = ArticlePages(url=URL, pages=[page])
    pipeline = ExtractPipeline(get_crawler(), workers=1, max_pages=20)
    pipeline.open_spider()
    stop = threading.Event()

    def killer() -> None:
        # Every worker the pool starts is killed before it can finish a page.
        while not stop.is_set():
            for process in pipeline.pool.processes():
                process.kill()
            stop.wait(0.001)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        result = asyncio.run(pipeline.process_item(item))
    finally:
        stop.set()
        thread.join()
        pipeline.pool.close()
    assert result is item
    assert item.error is not None and item.error.reason.startswith("extractor process died:")
    assert item.error.kind == "extractor_died"
    assert item.article is None
    assert item.pages == [page]
    assert pipeline.pool.replaced == 2


def test_pages_are_extracted_without_threads_in_the_crawl_process() -> None:
    body = article_html("一篇用来测试进程池的新闻报道标题")
    pool = ExtractorPool(1)

    async def many() -> tuple[list[str | None], int]:
        results = await asyncio.gather(*(pool.extract(PageJob(body, URL, HEADERS))
                                         for _ in range(40)))
        return [r.article.title if r.article else r.reason for r in results], threading.active_count()

    try:
        titles, threads = asyncio.run(many())
    finally:
        pool.close()
    assert titles == ["一篇用来测试进程池的新闻报道标题"] * 40
    assert threads == 1  # the event loop reads the workers' pipes itself
    assert pool.processes() == []


def test_a_worker_killed_while_idle_is_replaced_without_failing_a_page() -> None:
    pool = ExtractorPool(1)

    async def kill_and_wait() -> None:
        (worker,) = pool.processes()
        worker.kill()
        worker.join()
        await asyncio.sleep(0.1)  # the loop sees the pipe close

    titles = _titles_around(pool, kill_and_wait)
    assert titles == ("一篇用来测试进程池的新闻报道标题",) * 2
    assert pool.replaced == 0


def test_a_busy_worker_is_handed_its_next_batch_ahead_when_it_fits_its_pipe() -> None:
    """While a worker extracts one batch, the next (once AHEAD_MIN pages wait) waits in its pipe,
    so the worker does not wait for the event loop; a batch too big for the pipe waits for the
    worker instead (writing it would block the loop)."""
    small = article_html("一篇用来测试进程池的新闻报道标题")
    big = small + b"<!--" + b"x" * PIPE_BYTES + b"-->"

    async def queued(pool: ExtractorPool, body: bytes, pages: int
                     ) -> tuple[list[int], int, list[str | None]]:
        futures = [asyncio.ensure_future(pool.extract(PageJob(body, URL, HEADERS)))
                   for _ in range(pages)]
        await asyncio.sleep(0)  # every page queued and dispatched
        worker = pool._workers[0]
        assert worker.pipe_bytes >= PIPE_BYTES  # Linux lets a user enlarge a pipe so far
        in_flight = [len(batch) for batch in worker.batches]
        left = len(pool._waiting)
        results = await asyncio.gather(*futures)
        return in_flight, left, [r.article.title if r.article else r.reason for r in results]

    pool = ExtractorPool(1)  # a pool serves one event loop
    try:
        in_flight, left, titles = asyncio.run(queued(pool, small, 2 * BATCH_MAX + 8))
    finally:
        pool.close()
    # Pages queued one by one: the first goes to the idle worker, the next AHEAD_MIN wait and go
    # ahead of it together, the rest go as batches of up to BATCH_MAX as those come back.
    assert in_flight == [1, AHEAD_MIN] and left == 2 * BATCH_MAX + 7 - AHEAD_MIN
    assert titles == ["一篇用来测试进程池的新闻报道标题"] * (2 * BATCH_MAX + 8)

    pool = ExtractorPool(1)
    try:
        in_flight, left, titles = asyncio.run(queued(pool, big, AHEAD_MIN + 1))
    finally:
        pool.close()
    assert in_flight == [1] and left == AHEAD_MIN  # one page a batch (BATCH_BYTES), none ahead
    assert titles == ["一篇用来测试进程池的新闻报道标题"] * (AHEAD_MIN + 1)


def _slow_page() -> bytes:
    """A real page of 40,000 short paragraphs: seconds of extraction, mostly in Python."""
    body = "".join(f"<p>这是很慢的段落，编号{i}。</p>" for i in range(40_000))
    return (f"<html><head><title>慢</title></head><body><h1>一篇提取很慢的新闻页面标题</h1>"
            f"<div class='content'>{body}</div></body></html>").encode()


def test_a_page_past_the_time_limit_is_recorded_timeout_and_the_worker_goes_on() -> None:
    pool = ExtractorPool(1, timeout=1.0)

    async def both() -> tuple[str | None, str | None]:
        slow = await pool.extract(PageJob(_slow_page(), URL, {}))
        quick = await pool.extract(PageJob((FIXTURES / "multi_1.html").read_bytes(), URL, {}))
        return (slow.reason if slow.article is None else "article",
                quick.article.title if quick.article else quick.reason)

    try:
        slow_reason, quick_title = asyncio.run(both())
    finally:
        pool.close()
    assert slow_reason == "extraction ran past its time limit of 1 s"
    assert quick_title == extract((FIXTURES / "multi_1.html").read_bytes(), URL, {}).title
    assert pool.replaced == 0  # the worker's own alarm ended the page: no kill


def test_a_worker_stuck_in_c_code_is_killed_and_only_its_stuck_page_times_out() -> None:
    # lxml parses 24 MB in C for seconds, where the worker's alarm cannot interrupt it: the pool
    # kills the worker after 1 s (twice: the page is tried again alone); the other page is
    # extracted.
    stuck = b"<html><body>" + b"<b>x</b>" * 3_000_000 + b"</body></html>"
    good = (FIXTURES / "multi_1.html").read_bytes()
    pool = ExtractorPool(1, timeout=0.5, kill_grace=0.5)

    async def together() -> list[str | None]:
        results = await asyncio.gather(pool.extract(PageJob(good, URL, {})),
                                       pool.extract(PageJob(stuck, URL, {})))
        return [r.kind if r.article is None else r.article.title for r in results]

    try:
        kinds = asyncio.run(together())
    finally:
        pool.close()
    assert kinds == [extract(good, URL, {}).title, "timeout"]
    assert pool.replaced == 2
