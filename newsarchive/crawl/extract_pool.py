"""Extraction in worker processes, so the crawl's reactor thread keeps fetching while pages are
parsed.

The extractor is pure (bytes in, Article out), so a page can be extracted in any process. Each
worker is a process with a pipe that the crawl's own event loop writes pages to and reads
Articles from: no helper threads in the crawl process (a ProcessPoolExecutor's feeder and manager
threads cost it CPU and made its reactor thread wait for the GIL at every hand-over). A worker
has one batch of pages at a time; the pages asked for meanwhile wait, and go as its next batch
(up to BATCH_MAX), so the busier the crawl the fewer hand-overs per page.
A busy worker is also handed its next batch once AHEAD_MIN pages wait, so it need not wait for
the event loop to come round to it (the loop has other work; a worker waiting for its next batch
idled a third of a crawl): its pipes are enlarged so that a batch waiting there never blocks the
loop. A worker that dies (killed, out of memory, a crash in a C library) is replaced and its pages
tried once more, so one bad page does not fail every page in flight.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from newsarchive.crawl.processes import (
    helper_context,
    ignore_stop_signals,
    loop_running,
    reap,
    start_helper,
)
from newsarchive.extract import ExtractionError
from newsarchive.extract.article import Article
from newsarchive.extract.errors import FailureKind, NewsarchiveError
from newsarchive.extract.hints import Hints
from newsarchive.extract.limits import Limits
from newsarchive.extract.profile import SiteProfile
from newsarchive.extract.profiled import extract_with_profile

# Pages sent to a worker in one batch at most (more would leave other workers idle).
BATCH_MAX = 16
# Page bytes a batch holds at most, unless it is one page; a batch handed over ahead, while the
# worker extracts, is only one that fits its pipe (PIPE_BYTES) whole.
BATCH_BYTES = 512 * 1024
# Pages that must wait before a batch goes ahead to a busy worker: handed over one by one as they
# came, batches stayed at 1-2 pages and their overhead slowed the whole crawl.
AHEAD_MIN = BATCH_MAX // 2
# The size asked for each pipe to and from a worker (Linux's default limit for a user: 1 MiB),
# and the size a pipe has where it cannot be changed.
PIPE_BYTES = 1024 * 1024
DEFAULT_PIPE_BYTES = 64 * 1024
# Room for what a batch adds to its pages' bytes when pickled (URLs, headers, hints).
PICKLE_ALLOWANCE = 64 * 1024
# Seconds close() waits for a worker to finish its batch and exit before killing it.
CLOSE_WAIT_S = 5.0
# Seconds past a batch's time limit after which its worker is taken to be stuck (in C code,
# where its own alarm cannot interrupt it) and killed, unless the pool is told otherwise.
KILL_GRACE_S = 5.0


@dataclass(frozen=True)
class PageJob:
    """What extracting one fetched page needs (picklable: it crosses to a worker process)."""

    body: bytes
    url: str
    headers: dict[str, list[str]]
    fetched_at: datetime | None = None
    timezone: str | None = None
    hints: Hints | None = None
    profile: SiteProfile | None = None
    limits: Limits | None = None


@dataclass(frozen=True)
class Extracted:
    """A page's Article, or why there is none: the failure's kind (a FailureKind code, which
    crosses the pipe as a plain string) and its reason."""

    article: Article | None = None
    kind: str | None = None
    reason: str | None = None

    def error(self, url: str) -> ExtractionError:
        """The named error of a page without an article."""
        return ExtractionError(url, self.reason or "no article extracted",
                               self.kind or FailureKind.NO_CONTENT)


class ExtractorDied(Exception):
    """The worker process extracting a page died, twice; the page is kept, its reason recorded."""


class _Deadline(BaseException):
    """A page ran past its time limit (raised by the worker's alarm; a BaseException so that no
    `except Exception` in the extractor swallows it)."""


def _alarm(signum: int, frame: object) -> None:
    raise _Deadline


def timed_out(timeout: float) -> Extracted:
    """The result of a page that ran past its time limit."""
    return Extracted(kind=str(FailureKind.TIMEOUT),
                     reason=f"extraction ran past its time limit of {timeout:g} s")


def extract_page(job: PageJob, timeout: float = 0.0) -> Extracted:
    """Run the extractor on one page (in a worker process, or inline); `timeout` (seconds, in a
    worker only: it uses the process's alarm) ends it as a `timeout` failure."""
    try:
        if timeout > 0:
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            article = extract_with_profile(job.body, job.url, job.headers,
                                           fetched_at=job.fetched_at, timezone=job.timezone,
                                           hints=job.hints, profile=job.profile,
                                           limits=job.limits)
        finally:
            if timeout > 0:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except _Deadline:
        return timed_out(timeout)
    except NewsarchiveError as exc:
        return Extracted(kind=str(exc.kind), reason=exc.reason)
    except Exception as exc:  # noqa: BLE001 - an extractor bug fails its page, not its batch
        return Extracted(kind=str(FailureKind.EXTRACTOR_CRASH),
                         reason=f"extractor failed: {type(exc).__name__}: {exc}")
    return Extracted(article=article)


def extract_pages(jobs: list[PageJob], timeout: float = 0.0) -> list[Extracted]:
    """One batch's pages, extracted in order."""
    return [extract_page(job, timeout) for job in jobs]


def serve(jobs_in: Connection, results_out: Connection, timeout: float = 0.0) -> None:
    """A worker process: extract each batch of pages received, until the crawl closes the pipe."""
    ignore_stop_signals()
    while True:
        try:
            jobs = jobs_in.recv()
        except (EOFError, OSError):  # the crawl closed the pipe, or died
            return
        results = extract_pages(jobs, timeout)
        try:
            results_out.send(results)
        except OSError:  # the crawl died
            return


def _size(job: PageJob) -> int:
    """A page's bytes (a job without bytes fails in the worker, which records why)."""
    return len(job.body) if isinstance(job.body, bytes) else 0


def _enlarge(connection: Connection) -> int:
    """Ask for a PIPE_BYTES pipe; the size it has (DEFAULT_PIPE_BYTES where it cannot be
    changed)."""
    try:
        return int(fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES))
    except (AttributeError, OSError):  # not Linux, or over the system's limit
        return DEFAULT_PIPE_BYTES


def default_workers() -> int:
    """One worker per core but one, which the reactor keeps for fetching and storing."""
    return max(1, (os.cpu_count() or 1) - 1)


class _WorkerDied(Exception):
    """The worker that had the page died before the page was done."""


class _WorkerStuck(_WorkerDied):
    """The worker that had the page ran past its batch's time limit and was killed."""


# A page waiting for its result; `solo` pages go in a batch of their own (one whose worker got
# stuck with it in a batch is tried again alone, so that only the stuck page times out).
_Waiting = tuple[PageJob, asyncio.Future[Extracted], bool]


@dataclass
class _Worker:
    """A worker process, the crawl's ends of its pipes, and its batches: the one it extracts,
    and the one handed over ahead (if any)."""

    process: BaseProcess
    jobs: Connection
    results: Connection
    loop: asyncio.AbstractEventLoop
    pipe_bytes: int
    batches: deque[list[_Waiting]] = field(default_factory=deque)
    # The timer that kills the worker if its current batch runs past its time limit.
    deadline: asyncio.TimerHandle | None = None
    stuck: bool = False


class ExtractorPool:
    """Extracts pages in `workers` processes (0: inline, on the calling thread), for the event
    loop that runs it."""

    def __init__(self, workers: int, timeout: float = 0.0,
                 kill_grace: float = KILL_GRACE_S) -> None:
        self.workers = workers
        # Seconds a page may take in a worker (0: no limit); a worker past a batch's limit by
        # `kill_grace` is killed.
        self.timeout = timeout
        self.kill_grace = kill_grace
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
        """The page's extraction; ExtractorDied if its worker died twice in a row, a `timeout`
        result if it got stuck twice (the second time alone)."""
        if self.workers <= 0:
            return extract_page(job)
        solo = False
        for attempt in (1, 2):
            try:
                return await self._queued(job, solo)
            except _WorkerStuck:
                if attempt == 2:
                    return timed_out(self.timeout)
                solo = True
            except _WorkerDied as exc:
                if attempt == 2:
                    raise ExtractorDied(f"extractor process died: {exc}") from exc
        raise AssertionError("unreachable")

    def _queued(self, job: PageJob, solo: bool = False) -> asyncio.Future[Extracted]:
        """The page's result to come: sent now if a worker is free, else with its next batch."""
        waiter: asyncio.Future[Extracted] = asyncio.get_running_loop().create_future()
        self._waiting.append((job, waiter, solo))
        self._dispatch()
        return waiter

    def _dispatch(self) -> None:
        """Give the waiting pages to idle workers (starting workers up to `workers`), then to
        busy ones as their next batch, where it fits their pipe."""
        while self._waiting:
            idle = next((w for w in self._workers if not w.batches), None)
            if idle is None and len(self._workers) < self.workers:
                idle = self._start()
            worker = idle or next((w for w in self._workers if len(w.batches) == 1), None)
            if worker is None or (idle is None and len(self._waiting) < AHEAD_MIN):
                return
            batch = self._next_batch()
            # An idle worker is blocked reading its pipe and takes any batch as it is written; a
            # busy one reads it later, so it must fit the pipe whole or the loop would block.
            size = sum(_size(job) for job, _, _ in batch) + PICKLE_ALLOWANCE
            if idle is None and size > worker.pipe_bytes:
                self._waiting.extendleft(reversed(batch))
                return
            worker.batches.append(batch)
            if len(worker.batches) == 1:
                self._watch(worker)
            try:
                worker.jobs.send([job for job, _, _ in batch])
            except OSError:  # the worker died (broken pipe)
                self._died(worker)

    def _next_batch(self) -> list[_Waiting]:
        """The next waiting pages: up to BATCH_MAX, and BATCH_BYTES unless one page is more; a
        solo page alone."""
        batch = [self._waiting.popleft()]
        size = _size(batch[0][0])
        while self._waiting and len(batch) < BATCH_MAX and not batch[0][2]:
            size += _size(self._waiting[0][0])
            if size > BATCH_BYTES or self._waiting[0][2]:
                break
            batch.append(self._waiting.popleft())
        return batch

    def _watch(self, worker: _Worker) -> None:
        """Time the worker's current batch (its first): past its limit, the worker is killed."""
        if worker.deadline is not None:
            worker.deadline.cancel()
            worker.deadline = None
        if self.timeout > 0 and worker.batches:
            limit = self.timeout * len(worker.batches[0]) + self.kill_grace
            worker.deadline = worker.loop.call_later(limit, self._overdue, worker,
                                                     worker.batches[0])

    def _overdue(self, worker: _Worker, batch: list[_Waiting]) -> None:
        """The worker is stuck with `batch`: kill it (its pages learn so as it is reaped)."""
        worker.deadline = None
        if worker in self._workers and worker.batches and worker.batches[0] is batch:
            worker.stuck = True
            worker.process.kill()

    def _start(self) -> _Worker:
        jobs_in, jobs = helper_context().Pipe(duplex=False)
        results, results_out = helper_context().Pipe(duplex=False)
        pipe_bytes = min(_enlarge(jobs), _enlarge(results_out))
        process = start_helper(serve, "newsarchive-extractor", (jobs_in, results_out),
                               self.timeout)
        worker = _Worker(process, jobs, results, asyncio.get_running_loop(), pipe_bytes)
        worker.loop.add_reader(results.fileno(), self._receive, worker)
        self._workers.append(worker)
        return worker

    def _receive(self, worker: _Worker) -> None:
        """The worker's batch is done (or the worker died): settle its pages, send it more."""
        try:
            results: list[Extracted] = worker.results.recv()
        except (EOFError, OSError):
            self._died(worker)
            return
        batch = worker.batches.popleft()
        self._watch(worker)
        for (_, waiter, _), result in zip(batch, results, strict=True):
            if not waiter.done():
                waiter.set_result(result)
        self._dispatch()

    def _died(self, worker: _Worker) -> None:
        """Drop a dead worker; its pages learn so, to try again on another."""
        if worker not in self._workers:
            return  # already dropped (a send and the read both found it dead)
        self._discard(worker, wait=0)
        if worker.batches:
            self.replaced += 1
            reason = f"exit code {worker.process.exitcode}"
            for number, batch in enumerate(worker.batches):
                stuck = worker.stuck and number == 0
                for _, waiter, _ in batch:
                    if not waiter.done():
                        waiter.set_exception(
                            _WorkerStuck(f"past its time limit of {self.timeout:g} s") if stuck
                            else _WorkerDied(reason))
            worker.batches.clear()

    def _discard(self, worker: _Worker, wait: float) -> None:
        """Stop reading from a worker, close its pipe, and reap it (killed after `wait` s)."""
        self._workers.remove(worker)
        if worker.deadline is not None:
            worker.deadline.cancel()
            worker.deadline = None
        if not worker.loop.is_closed():
            worker.loop.remove_reader(worker.results.fileno())
        worker.jobs.close()  # an idle worker reads EOF and exits
        worker.results.close()
        reap(worker.process, wait)

    def processes(self) -> list[BaseProcess]:
        """The worker processes (for monitoring and tests). Signal them through these objects, not
        by pid: a Process never signals a pid it has already reaped, which another process may
        reuse."""
        return [worker.process for worker in list(self._workers)]

    def close(self) -> None:
        """Let every worker finish its batch and exit."""
        for worker in list(self._workers):
            self._discard(worker, wait=CLOSE_WAIT_S)
