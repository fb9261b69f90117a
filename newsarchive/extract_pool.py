"""Extraction in worker processes, so the crawl's reactor thread keeps fetching while pages are parsed.

The extractor is pure (bytes in, Article out), so a page can be extracted in any process. Each
worker is a process with a pipe that the crawl's own event loop writes pages to and reads
Articles from: no helper threads in the crawl process (a ProcessPoolExecutor's feeder and manager
threads cost it CPU and made its reactor thread wait for the GIL at every hand-over). A worker
has one batch of pages at a time; the pages asked for meanwhile wait, and go as its next batch
(up to BATCH_MAX), so the busier the crawl the fewer hand-overs per page.
A worker that dies (killed, out of memory, a crash in a C library) is replaced and its pages
tried once more, so one bad page does not fail every page in flight.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from newsarchive.extract import ExtractionError, extract
from newsarchive.extract.article import Article
from newsarchive.processes import helper_context, ignore_stop_signals, loop_running

# Pages sent to a worker in one batch at most (more would leave other workers idle).
BATCH_MAX = 16
# Seconds close() waits for a worker to finish its batch and exit before killing it.
CLOSE_WAIT_S = 5.0


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
    """One batch's pages, extracted in order."""
    return [extract_page(job) for job in jobs]


def serve(connection: Connection) -> None:
    """A worker process: extract each batch of pages received, until the crawl closes the pipe."""
    ignore_stop_signals()
    while True:
        try:
            jobs = connection.recv()
        except EOFError:
            return
        connection.send(extract_pages(jobs))


def default_workers() -> int:
    """One worker per core but one, which the reactor keeps for fetching and storing."""
    return max(1, (os.cpu_count() or 1) - 1)


class _WorkerDied(Exception):
    """The worker that had the page died before the page was done."""


_Waiting = tuple[PageJob, asyncio.Future[Extracted]]


@dataclass
class _Worker:
    """A worker process, the crawl's end of its pipe, and the batch it is extracting (if any)."""

    process: BaseProcess
    connection: Connection
    loop: asyncio.AbstractEventLoop
    batch: list[_Waiting] = field(default_factory=list)


class ExtractorPool:
    """Extracts pages in `workers` processes (0: inline, on the calling thread), for the event
    loop that runs it."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._workers: list[_Worker] = []
        self._waiting: deque[_Waiting] = deque()
        # Workers that died with pages in flight (each was replaced, its pages tried again).
        self.replaced = 0

    def start(self) -> None:
        """Start the workers now, so they are ready when the first pages come (with no event loop
        running yet, they start as pages come)."""
        if not loop_running():
            return
        while len(self._workers) < self.workers:
            self._start()

    async def extract(self, job: PageJob) -> Extracted:
        """The page's extraction; ExtractorDied if its worker died twice in a row."""
        if self.workers <= 0:
            return extract_page(job)
        for attempt in (1, 2):
            try:
                return await self._queued(job)
            except _WorkerDied as exc:
                if attempt == 2:
                    raise ExtractorDied(f"extractor process died: {exc}") from exc
        raise AssertionError("unreachable")

    def _queued(self, job: PageJob) -> asyncio.Future[Extracted]:
        """The page's result to come: sent now if a worker is free, else with its next batch."""
        waiter: asyncio.Future[Extracted] = asyncio.get_running_loop().create_future()
        self._waiting.append((job, waiter))
        self._dispatch()
        return waiter

    def _dispatch(self) -> None:
        """Give the waiting pages to the free workers, starting workers up to `workers`."""
        while self._waiting:
            worker = next((w for w in self._workers if not w.batch), None)
            if worker is None:
                if len(self._workers) >= self.workers:
                    return
                worker = self._start()
            count = min(BATCH_MAX, len(self._waiting))
            worker.batch = [self._waiting.popleft() for _ in range(count)]
            try:
                # The worker is idle, blocked reading its pipe: it takes the batch as it is written.
                worker.connection.send([job for job, _ in worker.batch])
            except OSError:  # the worker died while idle (broken pipe)
                self._died(worker)

    def _start(self) -> _Worker:
        ours, theirs = helper_context().Pipe()
        process = helper_context().Process(target=serve, args=(theirs,), daemon=True,
                                           name="newsarchive-extractor")
        process.start()
        theirs.close()  # the worker's end lives in the worker only: its death reads as EOF here
        worker = _Worker(process, ours, asyncio.get_running_loop())
        worker.loop.add_reader(ours.fileno(), self._receive, worker)
        self._workers.append(worker)
        return worker

    def _receive(self, worker: _Worker) -> None:
        """The worker's batch is done (or the worker died): settle its pages, send it more."""
        try:
            results: list[Extracted] = worker.connection.recv()
        except (EOFError, OSError):
            self._died(worker)
            return
        batch, worker.batch = worker.batch, []
        for (_, waiter), result in zip(batch, results, strict=True):
            if not waiter.done():
                waiter.set_result(result)
        self._dispatch()

    def _died(self, worker: _Worker) -> None:
        """Drop a dead worker; its pages learn so, to try again on another."""
        self._discard(worker, wait=0)
        if worker.batch:
            self.replaced += 1
            reason = f"exit code {worker.process.exitcode}"
            for _, waiter in worker.batch:
                if not waiter.done():
                    waiter.set_exception(_WorkerDied(reason))
            worker.batch = []

    def _discard(self, worker: _Worker, wait: float) -> None:
        """Stop reading from a worker, close its pipe, and reap it (killed after `wait` s)."""
        self._workers.remove(worker)
        if not worker.loop.is_closed():
            worker.loop.remove_reader(worker.connection.fileno())
        worker.connection.close()  # an idle worker reads EOF and exits
        worker.process.join(wait)
        if worker.process.exitcode is None:
            worker.process.kill()
            worker.process.join()

    def processes(self) -> list[BaseProcess]:
        """The worker processes (for monitoring and tests). Signal them through these objects, not
        by pid: a Process never signals a pid it has already reaped, which another process may reuse."""
        return [worker.process for worker in list(self._workers)]

    def close(self) -> None:
        """Let every worker finish its batch and exit."""
        for worker in list(self._workers):
            self._discard(worker, wait=CLOSE_WAIT_S)
