"""Writing pipeline items to the archive, a batch per transaction: inline, or in a writer process.

Storing is CPU work of its own (SQL, the search index, raw-page compression). In a thread of the
crawl's process it held the GIL the reactor needs to fetch; in a process of its own it runs on
the other core. The crawl process sends a batch of items down a pipe and reads, once the batch's
transaction has committed, each item's error (None: stored) and the batch's outcomes.
No Scrapy here: the items are plain dataclasses.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from newsarchive.archive import Archive
from newsarchive.archive.warc import WarcFiles
from newsarchive.archive.writes import FailureRecord, Outcome, Writes
from newsarchive.crawl.items import ArticlePages, FailedRequest, FetchedPage, SectionPage
from newsarchive.crawl.processes import (
    helper_context,
    ignore_stop_signals,
    loop_running,
    reap,
    start_helper,
)
from newsarchive.extract import EXTRACTOR_VERSION
from newsarchive.extract.article import Article
from newsarchive.extract.errors import FailureKind, NewsarchiveError

# The writer's scheduling priority below the crawl's: its batches may lag (they only grow, and
# the scraper stops taking responses once too many wait), while fetching and extraction, which
# the crawl's rate rests on, must not wait for a core (benchmarks/RESULTS.md, Crawling).
WRITER_NICENESS = 19
# Seconds close() waits for the writer process to exit before killing it (it is idle by then).
CLOSE_WAIT_S = 30.0


class StoreFailed(Exception):
    """An item could not be written; the message says why (an exception does not always cross
    a pipe, its text does)."""


@dataclass(frozen=True)
class WriterConfig:
    """Where a crawl run's items go (picklable: it crosses to the writer process)."""

    db_url: str
    run_id: int
    warc_dir: str | None = None


class BatchWriter:
    """Writes batches of pipeline items for one crawl run; counts their outcomes."""

    def __init__(self, archive: Archive, config: WriterConfig) -> None:
        self.archive = archive
        self.run_id = config.run_id
        # One WARC writer per process: workers of a distributed crawl may share the directory.
        self.warc = (WarcFiles(config.warc_dir, f"newsarchive-{config.run_id}-"
                               f"{socket.gethostname()}-{os.getpid()}")
                     if config.warc_dir else None)
        self.outcomes: Counter[str] = Counter()  # of every batch written

    def write(self, items: list[Any]) -> tuple[list[str | None], Counter[str]]:
        """Write `items` in one transaction; each item's error (None: stored), and the
        outcomes of those stored.

        If the batch fails, its items are written one by one, so only the item that
        cannot be stored fails (with its own error).
        """
        try:
            outcomes = self._write(items)
        except Exception:  # noqa: BLE001 - whatever failed, each item gets its own try
            errors: list[str | None] = []
            outcomes = Counter()
            for item in items:
                try:
                    outcomes += self._write([item])
                except Exception as error:  # noqa: BLE001 - becomes this item's error
                    errors.append(f"{type(error).__name__}: {error}")
                else:
                    errors.append(None)
            return errors, outcomes
        return [None] * len(items), outcomes

    def _write(self, items: list[Any]) -> Counter[str]:
        """Store `items` in one transaction; their outcomes, counted once it has committed."""
        with self.archive.writing() as writes:
            # Plain strings: an enum member hashes by its name, not its value.
            outcomes = Counter(str(o) for o in _BatchStore(writes, self.run_id, self.warc)
                               .store(items))
        self.outcomes.update(outcomes)
        return outcomes

    def close(self) -> None:
        if self.warc is not None:
            self.warc.close()


def serve(connection: Connection, config: WriterConfig) -> None:
    """The writer process: write each batch received and answer (errors, the batch's
    outcomes), until the crawl closes the pipe."""
    ignore_stop_signals()
    os.nice(WRITER_NICENESS)
    archive = Archive(config.db_url, migrate=False)
    writer = BatchWriter(archive, config)
    try:
        while True:
            try:
                items = connection.recv()
            except (EOFError, OSError):  # the crawl closed the pipe, or died
                return
            answer = writer.write(items)
            try:
                connection.send(answer)
            except OSError:  # the crawl died: the batch is committed, nobody is left to tell
                return
    finally:
        writer.close()
        archive.close()


class WriterDied(StoreFailed):
    """The writer process died with the batch, twice."""


# Called with each item's error (None: stored) and the outcomes of every batch so far.
Answer = Callable[[list[str | None], dict[str, int]], None]


class WriterProcess:
    """The crawl's end of a writer process: one batch at a time, answered on the event loop.

    A writer that dies with a batch (killed, out of memory) is replaced and the batch sent
    once more; its transaction either committed before the death or left nothing.
    """

    def __init__(self, config: WriterConfig) -> None:
        self.config = config
        self.outcomes: Counter[str] = Counter()  # of every batch written, by any writer
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._batch: tuple[list[Any], Answer, int] | None = None
        self.replaced = 0
        self.sent_at = 0.0  # time.monotonic() when the batch in flight was sent
        self.hurried = False  # the writer runs at the crawl's priority while a batch is late

    @property
    def busy(self) -> bool:
        return self._batch is not None

    def write(self, items: list[Any], answer: Answer) -> None:
        """Send `items` to the writer (idle: one batch at a time); `answer(errors, outcomes)`
        is called on the event loop once they are written."""
        if self._batch is not None:
            raise RuntimeError("the writer process takes one batch at a time")
        self._send(items, answer, attempt=1)

    def _send(self, items: list[Any], answer: Answer, attempt: int) -> None:
        if self._connection is None:
            self._start()
        assert self._connection is not None
        self._batch = (items, answer, attempt)
        self.sent_at = time.monotonic()
        try:
            # The writer is idle, blocked reading its pipe: it takes the batch as it is written.
            self._connection.send(items)
        except OSError:  # the writer died while idle (broken pipe)
            self._died()

    def start(self) -> None:
        """Start the writer now, so it is ready for the first batch (with no event loop running
        yet, it starts with the first batch)."""
        if self._process is None and loop_running():
            self._start()

    def _start(self) -> None:
        ours, theirs = helper_context().Pipe()
        process = start_helper(serve, "newsarchive-writer", (theirs,), self.config)
        self._process, self._connection = process, ours
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(ours.fileno(), self._receive)

    def _receive(self) -> None:
        assert self._connection is not None and self._batch is not None
        try:
            errors, outcomes = self._connection.recv()
        except (EOFError, OSError):
            self._died()
            return
        self.outcomes.update(outcomes)
        _, answer, _ = self._batch
        self._batch = None
        answer(errors, dict(self.outcomes))

    def _died(self) -> None:
        """Replace a dead writer; send its batch again, or fail it if this was its second try."""
        exitcode = self._stop(wait=0)
        assert self._batch is not None
        items, answer, attempt = self._batch
        self._batch = None
        if attempt == 1:
            self.replaced += 1
            self._send(items, answer, attempt=2)
            return
        reason = f"writer process died (exit code {exitcode}) twice with this item's batch"
        answer([reason] * len(items), dict(self.outcomes))

    def _stop(self, wait: float) -> int | None:
        """Close the pipe (an idle writer exits), reap the writer (killed after `wait` s)."""
        process, connection = self._process, self._connection
        if process is None or connection is None:
            return None
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(connection.fileno())
        connection.close()  # an idle writer reads EOF and exits
        self._process = self._connection = None
        return reap(process, wait)

    def hurry(self, late: bool) -> None:
        """Run the writer at the crawl's priority while its batch is `late`, at WRITER_NICENESS
        otherwise. Raising a priority needs the privilege to (root, CAP_SYS_NICE); without it
        the writer keeps its niceness and the crawl's pause alone lets it catch up."""
        if late == self.hurried or self._process is None or self._process.pid is None:
            return
        try:
            os.setpriority(os.PRIO_PROCESS, self._process.pid, 0 if late else WRITER_NICENESS)
        except OSError:  # no privilege, or the writer is gone
            return
        self.hurried = late

    def process(self) -> BaseProcess | None:
        """The running writer process (for tests)."""
        return self._process

    def close(self) -> None:
        """Let the writer finish and exit (call once no batch is in flight)."""
        self._stop(wait=CLOSE_WAIT_S)


class _BatchStore:
    """Turns pipeline items into the archive's bulk writes, in item order."""

    def __init__(self, writes: Writes, run_id: int, warc: WarcFiles | None) -> None:
        self.writes = writes
        self.run_id = run_id
        self.warc = warc
        self.outcomes: list[Outcome] = []
        self._articles: list[tuple[list[int], Article]] = []
        self._failures: list[FailureRecord] = []
        self._duplicates: list[int] = []

    def store(self, items: list[Any]) -> list[Outcome]:
        """Every item's fetches first (one insert), then what became of each; the outcomes."""
        fetch_ids = iter(self.writes.record_fetches(
            self.run_id, [page for item in items for page in [*_redirects(item), *_pages(item)]],
            self.warc))
        redirects: list[tuple[int, int]] = []  # (fetch id, status)
        for item in items:
            hops = [next(fetch_ids) for _ in _redirects(item)]
            redirects.extend(zip(hops, [p.status for p in _redirects(item)], strict=True))
            ids = [next(fetch_ids) for _ in _pages(item)]
            if isinstance(item, SectionPage):
                self._section(item, ids[0])
            elif isinstance(item, FailedRequest):
                # A refused redirect names the hop that was refused.
                self._fail(hops[-1] if hops else None, item.url, item.error)
            elif isinstance(item, ArticlePages):
                self._article(item, ids)
        # What led on: a redirect (3xx, or a page with a meta refresh), or an error retried.
        self.writes.mark_fetches([i for i, s in redirects if s < 400], Outcome.REDIRECT)
        self.writes.mark_fetches([i for i, s in redirects if s >= 400], Outcome.RETRIED)
        self.writes.mark_fetches(self._duplicates, Outcome.DUPLICATE)
        self._settle()
        self.writes.record_failures(self.run_id, self._failures)
        return self.outcomes

    def _fail(self, fetch_id: int | None, url: str, error: NewsarchiveError,
              prefix: str = "") -> None:
        self._failures.append(FailureRecord(fetch_id, url, FailureKind(error.kind),
                                            prefix + error.reason))
        self.outcomes.append(Outcome.FAILED)

    def _section(self, item: SectionPage, fetch_id: int) -> None:
        url = item.page.url
        if item.page.status >= 300:  # an error, or a redirect that was not followed
            self._failures.append(FailureRecord(fetch_id, url, FailureKind.HTTP_STATUS,
                                                f"section page HTTP {item.page.status}"))
        elif item.error is not None:
            self._failures.append(FailureRecord(fetch_id, url, FailureKind(item.error.kind),
                                                f"section page: {item.error.reason}"))
        self.outcomes.append(Outcome.SECTION)

    def _article(self, item: ArticlePages, fetch_ids: list[int]) -> None:
        first_fetch = fetch_ids[0] if fetch_ids else None
        error = item.error
        gone = self._gone(item, error, fetch_ids) if error is not None else None
        if gone is not None:
            self.outcomes.append(gone)
        elif error is not None:
            self._fail(first_fetch, item.url, error)
        elif item.duplicate_of is not None:
            self.outcomes.append(Outcome.DUPLICATE)
            self._duplicates.extend(fetch_ids)
        else:
            assert item.article is not None
            self._articles.append((fetch_ids, item.article))
        if item.continuation_error is not None:
            error = item.continuation_error
            self._failures.append(FailureRecord(first_fetch, item.url, FailureKind(error.kind),
                                                error.reason))

    def _settle(self) -> None:
        """Write the articles gathered so far (a deletion check must see them)."""
        if self._articles:
            self.outcomes.extend(self.writes.store_articles(self.run_id, self._articles,
                                                            EXTRACTOR_VERSION))
            self._articles = []

    def _gone(self, item: ArticlePages, error: NewsarchiveError,
              fetch_ids: list[int]) -> Outcome | None:
        """Mark a known article deleted when extraction found its page gone (404/410 or a
        removal notice); None when the page is not gone, or the URL no archived article."""
        if error.kind != FailureKind.GONE or not item.pages:
            return None
        self._settle()
        return self.writes.mark_gone(fetch_ids, item.url, error.reason, item.pages[0].fetched_at)


def _redirects(item: Any) -> list[FetchedPage]:
    """The redirect responses an item carries (archived before its own pages)."""
    return list(getattr(item, "redirects", None) or [])


def _pages(item: Any) -> list[FetchedPage]:
    if isinstance(item, SectionPage):
        return [item.page]
    if isinstance(item, ArticlePages):
        return list(item.pages)
    return []
