"""Extraction in worker processes, so the crawl's reactor thread keeps fetching while pages are parsed.

The extractor is pure (bytes in, Article out), so a page can be extracted in any process. Pages
asked for in one turn of the event loop travel together (a few per task): each task costs the
reactor's process a wake-up of the pool's threads, which then compete with it for the GIL.
A worker that dies (killed, out of memory, a crash in a C library) breaks the whole process pool;
the pool is then replaced and its pages tried once more, so one bad page does not fail every page
in flight.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from multiprocessing.context import BaseContext
from typing import Any

from newsarchive.extract import ExtractionError, extract
from newsarchive.extract.article import Article

# Pages sent to a worker in one task at most (more would leave other workers idle).
BATCH_MAX = 16


@dataclass(frozen=True)
class PageJob:
    """What extracting one fetched page needs (picklable: it crosses to a worker process)."""

    body: bytes
    url: str
    headers: dict[str, list[str]]
    fetched_at: datetime | None = None
    timezone: str | None = None
    hints: dict[str, dict[str, str]] | None = None


@dataclass(frozen=True)
class Extracted:
    """A page's Article, or the reason there is none (the extractor's, or its crash)."""

    article: Article | None = None
    reason: str | None = None


class ExtractorDied(Exception):
    """The worker process extracting a page died, twice; the page is kept, its reason recorded."""


def extract_page(job: PageJob) -> Extracted:
    """Run the extractor on one page (in a worker process, or inline)."""
    try:
        article = extract(job.body, job.url, job.headers, fetched_at=job.fetched_at,
                          timezone=job.timezone, hints=job.hints)
    except ExtractionError as exc:
        # The reason travels as data: ExtractionError's constructor does not survive pickling.
        return Extracted(reason=exc.reason)
    except Exception as exc:  # noqa: BLE001 - an extractor bug fails its page, not its batch
        return Extracted(reason=f"extractor failed: {type(exc).__name__}: {exc}")
    return Extracted(article=article)


def extract_pages(jobs: list[PageJob]) -> list[Extracted]:
    """One task's pages, extracted in order (in a worker process)."""
    return [extract_page(job) for job in jobs]


def _context() -> BaseContext:
    """forkserver where there is one: workers never inherit the reactor's threads and sockets, as
    fork would, and start from a server that imported the extractor only (not the crawler)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def default_workers() -> int:
    """One worker per core but one, which the reactor keeps for fetching and storing."""
    return max(1, (os.cpu_count() or 1) - 1)


class _PoolBroke(Exception):
    """The pool that had the page broke (a worker died) before the page was done."""

    def __init__(self, pool: Executor, cause: BaseException | str) -> None:
        super().__init__(str(cause))
        self.pool = pool


class ExtractorPool:
    """Extracts pages in `workers` processes (0: inline, on the calling thread)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: Executor | None = None
        self._waiting: list[tuple[PageJob, asyncio.Future[Extracted]]] = []
        self.replaced = 0

    def _pool(self) -> Executor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(self.workers, mp_context=_context())
        return self._executor

    def _replace(self, broken: Executor) -> None:
        """Drop a broken pool (once, however many pages saw it break)."""
        if self._executor is broken:
            self._executor = None
            self.replaced += 1
            broken.shutdown(wait=False, cancel_futures=True)

    async def extract(self, job: PageJob) -> Extracted:
        """The page's extraction; ExtractorDied if its worker died on two pools in a row."""
        if self.workers <= 0:
            return extract_page(job)
        for attempt in (1, 2):
            try:
                return await self._queued(job)
            except _PoolBroke as exc:
                self._replace(exc.pool)
                if attempt == 2:
                    raise ExtractorDied(f"extractor process died: {exc}") from exc
        raise AssertionError("unreachable")

    def _queued(self, job: PageJob) -> asyncio.Future[Extracted]:
        """The page's result to come; the pages queued in this loop turn are sent together."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Extracted] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._submit)
        self._waiting.append((job, waiter))
        return waiter

    def _submit(self) -> None:
        waiting, self._waiting = self._waiting, []
        pool = self._pool()
        for start in range(0, len(waiting), BATCH_MAX):
            batch = waiting[start:start + BATCH_MAX]
            try:
                task: Future[list[Extracted]] = pool.submit(extract_pages, [job for job, _ in batch])
            except BrokenProcessPool as exc:
                _deliver(batch, pool, exc)
                continue
            asyncio.wrap_future(task).add_done_callback(partial(_settle, batch, pool))

    def processes(self) -> list[multiprocessing.process.BaseProcess]:
        """The worker processes (for monitoring and tests). Signal them through these objects, not
        by pid: a Process never signals a pid it has already reaped, which another process may reuse."""
        processes: dict[int, Any] = getattr(self._executor, "_processes", None) or {}
        return list(processes.copy().values())  # copy(): atomic while the pool adds workers

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _settle(batch: list[tuple[PageJob, asyncio.Future[Extracted]]], pool: Executor,
            task: asyncio.Future[list[Extracted]]) -> None:
    """Hand a finished task's results (or its failure) to the pages waiting for them."""
    if task.cancelled():  # cancelled by the shutdown of a pool that broke meanwhile
        _deliver(batch, pool, BrokenProcessPool("the pool broke before this page's turn"))
        return
    error = task.exception()
    if error is not None:
        _deliver(batch, pool, error)
        return
    for (_, waiter), result in zip(batch, task.result(), strict=True):
        if not waiter.done():
            waiter.set_result(result)


def _deliver(batch: list[tuple[PageJob, asyncio.Future[Extracted]]], pool: Executor,
             error: BaseException) -> None:
    """Fail every page of a task; a broken pool's pages are told so, to try again."""
    for _, waiter in batch:
        if not waiter.done():
            waiter.set_exception(_PoolBroke(pool, error) if isinstance(error, BrokenProcessPool)
                                 else error)
