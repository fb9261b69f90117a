"""Write every fetch, article and failure to the archive, many items per transaction."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, cast

from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, task, threads
from twisted.internet.base import DelayedCall

from newsarchive.archive import Archive
from newsarchive.archive.db import default_db_url
from newsarchive.crawl.store_writer import BatchWriter, StoreFailed, WriterConfig, WriterProcess

logger = logging.getLogger(__name__)

# Items written per transaction, at most.
STORE_BATCH = 200
# Seconds a batch may take in the writer (at low priority) before the writer is raised to the
# crawl's priority until it commits, where the crawl may do so: every item not yet committed is
# one a killed crawl fetches again (newsarchive.crawl.backpressure pauses fetching meanwhile).
STORE_MAX_LAG_S = 0.5
# How often the writer's lag is looked at.
LAG_CHECK_S = 0.25
# How long the first item of a batch waits for others. 0: the batch is written on the
# reactor's next turn, so it holds what arrived meanwhile: one item in a slow crawl (no
# delay), many when the archive is the bottleneck (one transaction for them all). Every
# item still waiting is one a killed crawl fetches again.
STORE_FLUSH_S = 0.0
# Seconds between the run's heartbeats: a run that stops beating is closed as killed by a later
# run (newsarchive.archive.runs).
HEARTBEAT_S = 60.0


@dataclass
class _Batch:
    """Items waiting to be written, and whoever waits for each."""

    items: list[Any] = field(default_factory=list)
    waiting: list[defer.Deferred[Any]] = field(default_factory=list)


class StorePipeline:
    """Owns the archive for one crawl; opens a crawl run unless the caller did.

    In a crawl, batches are written by a writer process (newsarchive.crawl.store_writer) while the
    reactor goes on fetching; with no reactor (benchmarks, tests) they are written inline.
    An item is passed on (and, in a distributed crawl, its request's lease released) only
    once the transaction holding it has committed; a crawl killed with items still
    buffered loses nothing the archive has, and a resumed crawl fetches the rest again.
    """

    def __init__(self, db_url: str, run_id: int | None, start_urls: list[str],
                 batch_size: int = STORE_BATCH, flush_s: float = STORE_FLUSH_S,
                 warc_dir: str | None = None, writer_process: bool = False,
                 max_lag_s: float = STORE_MAX_LAG_S, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.db_url = db_url
        self.run_id = run_id
        self._owns_run = run_id is None
        self.start_urls = start_urls
        self.batch_size = batch_size
        self.flush_s = flush_s
        self.warc_dir = warc_dir
        self._batch = _Batch()
        self._scheduled: DelayedCall | None = None
        self._writer_process = writer_process
        self._inline: BatchWriter | None = None
        self._process: WriterProcess | None = None
        self._idle: list[defer.Deferred[None]] = []  # fired once no batch is in flight
        self.max_lag_s = max_lag_s
        self._lag_check: task.LoopingCall | None = None
        self.heartbeat_s = heartbeat_s
        self._heartbeat: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        run_id = settings.get("NEWSARCHIVE_RUN_ID")
        spider = crawler.spider
        start_urls = list(getattr(spider, "start_urls", []) or [])
        return cls(
            db_url=settings.get("NEWSARCHIVE_DB") or default_db_url(),
            run_id=int(run_id) if run_id not in (None, "") else None,
            start_urls=start_urls,
            batch_size=settings.getint("NEWSARCHIVE_STORE_BATCH", STORE_BATCH),
            flush_s=settings.getfloat("NEWSARCHIVE_STORE_FLUSH_S", STORE_FLUSH_S),
            warc_dir=settings.get("NEWSARCHIVE_WARC_DIR") or None,
            writer_process=settings.getbool("NEWSARCHIVE_STORE_PROCESS", True),
            max_lag_s=settings.getfloat("NEWSARCHIVE_MAX_LAG_S", STORE_MAX_LAG_S),
            heartbeat_s=settings.getfloat("NEWSARCHIVE_HEARTBEAT_S", HEARTBEAT_S),
        )

    def open_spider(self) -> None:
        self.archive = Archive(self.db_url)
        if self.run_id is None:
            self.run_id = self.archive.start_run(self.start_urls, {})
        config = WriterConfig(self.db_url, self.run_id, self.warc_dir)
        if self.heartbeat_s > 0:
            self._heartbeat = task.LoopingCall(self._beat)
            self._heartbeat.start(self.heartbeat_s, now=False)
        if self._writer_process:
            self._process = WriterProcess(config)
            self._process.start()
            if self.max_lag_s > 0:
                self._lag_check = task.LoopingCall(self._check_lag)
                self._lag_check.start(LAG_CHECK_S, now=False)
        else:
            self._inline = BatchWriter(self.archive, config)

    @property
    def outcomes(self) -> dict[str, int]:
        """Items written so far, by outcome."""
        writer = self._process or self._inline
        return dict(writer.outcomes) if writer is not None else {}

    async def close_spider(self) -> None:
        """Write what is buffered, wait for the writer to finish, close the run."""
        if self._lag_check is not None and self._lag_check.running:
            self._lag_check.stop()
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        self.flush()
        while self._process is not None and self._process.busy:
            idle: defer.Deferred[None] = defer.Deferred()
            self._idle.append(idle)
            await maybe_deferred_to_future(idle)
        if self._process is not None:
            self._process.close()
        self._finish()

    def close(self) -> None:
        """Write what is buffered and close, with no reactor running (benchmarks, tests)."""
        if self._process is not None:
            raise RuntimeError("a store with a writer process closes with close_spider()")
        self.flush()
        self._finish()

    def _finish(self) -> None:
        assert self.run_id is not None
        if self._inline is not None:
            self._inline.close()
        if self._owns_run:
            self.archive.finish_run(self.run_id, "finished")
        self.archive.close()

    async def process_item(self, item: Any) -> Any:
        return await maybe_deferred_to_future(self.enqueue(item))

    def enqueue(self, item: Any) -> defer.Deferred[Any]:
        """Buffer `item`; the Deferred fires with it once its batch has committed."""
        done: defer.Deferred[Any] = defer.Deferred()
        self._batch.items.append(item)
        self._batch.waiting.append(done)
        if len(self._batch.items) >= self.batch_size:
            self.flush()
        elif self._scheduled is None:
            from twisted.internet import reactor

            self._scheduled = cast(Any, reactor).callLater(self.flush_s, self.flush)
        return done

    def flush(self) -> None:
        """Write the buffered items in one transaction (in the writer process, if there is one,
        once the batch before it is written), then pass each on."""
        if self._scheduled is not None and self._scheduled.active():
            self._scheduled.cancel()
        self._scheduled = None
        if self._process is not None and self._process.busy:
            # Written once the batch before it is: one transaction for all that came meanwhile.
            return
        batch, self._batch = self._batch, _Batch()
        if not batch.items:
            return
        if self._process is None:
            assert self._inline is not None
            self._settle(batch, self._inline.write(batch.items)[0])
            return
        self._process.write(batch.items,
                            lambda errors, _outcomes: self._answered(batch, errors))

    def _beat(self) -> defer.Deferred[None]:
        """The run's heartbeat, written off the reactor thread; a failed one waits for the next.
        """
        assert self.run_id is not None
        beat: defer.Deferred[None] = threads.deferToThread(self.archive.heartbeat, self.run_id)
        beat.addErrback(lambda failure: logger.warning("run heartbeat not written: %s",
                                                       failure.getErrorMessage()))
        return beat

    def _check_lag(self) -> None:
        """A batch late in the writer: the writer at the crawl's priority until it commits."""
        process = self._process
        if process is not None and process.busy:
            process.hurry(time.monotonic() - process.sent_at >= self.max_lag_s)

    def _answered(self, batch: _Batch, errors: list[str | None]) -> None:
        """Back on the reactor: the batch's items go on (or fail) in order; the next batch goes."""
        if self._process is not None:
            self._process.hurry(False)
        self._settle(batch, errors)
        if self._batch.items:
            self.flush()
        if not (self._process is not None and self._process.busy):
            idle, self._idle = self._idle, []
            for waiter in idle:
                waiter.callback(None)

    @staticmethod
    def _settle(batch: _Batch, errors: list[str | None]) -> None:
        for item, done, error in zip(batch.items, batch.waiting, errors, strict=True):
            if error is None:
                done.callback(item)
            else:
                done.errback(StoreFailed(error))
