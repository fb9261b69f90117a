"""Write every fetch, article and failure to the archive, many items per transaction."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from typing import Any, cast

from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, threads
from twisted.internet.base import DelayedCall
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from newsarchive import EXTRACTOR_VERSION
from newsarchive.archive import Archive
from newsarchive.db import default_db_url
from newsarchive.extract.article import Article
from newsarchive.gone import gone_reason
from newsarchive.items import ArticlePages, FailedRequest, FetchedPage, SectionPage
from newsarchive.warc import WarcFiles
from newsarchive.writes import FetchRecord, Writes

# Items written per transaction, at most.
STORE_BATCH = 200
# How long the first item of a batch waits for others. 0: the batch is written on the
# reactor's next turn, so it holds what arrived meanwhile: one item in a slow crawl (no
# delay), many when the archive is the bottleneck (one transaction for them all). Every
# item still waiting is one a killed crawl fetches again.
STORE_FLUSH_S = 0.0


@dataclass
class _Batch:
    """Items waiting to be written, and whoever waits for each."""

    items: list[Any] = field(default_factory=list)
    waiting: list[defer.Deferred[Any]] = field(default_factory=list)


class StorePipeline:
    """Owns the archive connection for one crawl; opens a crawl run unless the caller did.

    An item is passed on (and, in a distributed crawl, its request's lease released) only
    once the transaction holding it has committed; a crawl killed with items still
    buffered loses nothing the archive has, and a resumed crawl fetches the rest again.
    """

    def __init__(self, db_url: str, run_id: int | None, start_urls: list[str],
                 batch_size: int = STORE_BATCH, flush_s: float = STORE_FLUSH_S,
                 warc_dir: str | None = None, writer_thread: bool = False) -> None:
        self.db_url = db_url
        self.run_id = run_id
        self._owns_run = run_id is None
        self.start_urls = start_urls
        self.batch_size = batch_size
        self.flush_s = flush_s
        self.outcomes: dict[str, int] = {}
        self.warc_dir = warc_dir
        self.warc: WarcFiles | None = None
        self._batch = _Batch()
        self._scheduled: DelayedCall | None = None
        # With a writer thread, batches are written there one after another while the reactor
        # goes on fetching: SQLite and zstd release the GIL for most of a write.
        self._writer: ThreadPool | None = None
        self._writer_thread = writer_thread
        self._writing: set[defer.Deferred[Any]] = set()

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
            writer_thread=settings.getbool("NEWSARCHIVE_STORE_THREAD", True),
        )

    def open_spider(self) -> None:
        self.archive = Archive(self.db_url)
        if self.run_id is None:
            self.run_id = self.archive.start_run(self.start_urls, {})
        if self.warc_dir:
            # One writer per process: workers of a distributed crawl may share the directory.
            self.warc = WarcFiles(self.warc_dir,
                                  f"newsarchive-{self.run_id}-{socket.gethostname()}-{os.getpid()}")
        if self._writer_thread:
            self._writer = ThreadPool(minthreads=1, maxthreads=1, name="newsarchive-store")
            self._writer.start()

    async def close_spider(self) -> None:
        """Write what is buffered, wait for every batch in the writer thread, close the run."""
        self.flush()
        while self._writing:
            await maybe_deferred_to_future(defer.DeferredList(list(self._writing)))
        if self._writer is not None:
            self._writer.stop()
            self._writer = None
        self._finish()

    def close(self) -> None:
        """Write what is buffered and close, with no reactor running (benchmarks, tests)."""
        if self._writer is not None:
            raise RuntimeError("a store with a writer thread closes with close_spider()")
        self.flush()
        self._finish()

    def _finish(self) -> None:
        assert self.run_id is not None
        if self._owns_run:
            self.archive.finish_run(self.run_id, "finished")
        if self.warc is not None:
            self.warc.close()
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
        """Write the buffered items in one transaction (in the writer thread, if there is one,
        after the batches before it), then pass each on."""
        if self._scheduled is not None and self._scheduled.active():
            self._scheduled.cancel()
        self._scheduled = None
        if self._writing and len(self._batch.items) < self.batch_size:
            return  # written once the batch before it is: one transaction for all that came meanwhile
        batch, self._batch = self._batch, _Batch()
        if not batch.items:
            return
        if self._writer is None:
            self._settle(batch, self._write_batch(batch.items))
            return
        from twisted.internet import reactor

        writing = threads.deferToThreadPool(reactor, self._writer, self._write_batch, batch.items)
        self._writing.add(writing)
        writing.addBoth(self._written, writing, batch)

    def _written(self, errors: Any, writing: defer.Deferred[Any], batch: _Batch) -> None:
        """Back on the reactor thread: the batch's items go on (or fail) in order."""
        self._writing.discard(writing)
        if isinstance(errors, Failure):  # a bug in _write_batch itself: every item fails with it
            errors = [errors.value] * len(batch.items)
        self._settle(batch, errors)
        if self._batch.items and not self._writing:
            self.flush()

    @staticmethod
    def _settle(batch: _Batch, errors: list[BaseException | None]) -> None:
        for item, done, error in zip(batch.items, batch.waiting, errors, strict=True):
            if error is None:
                done.callback(item)
            else:
                done.errback(error)

    def _write_batch(self, items: list[Any]) -> list[BaseException | None]:
        """Write `items` in one transaction; each item's error (None: stored).

        If the batch fails, its items are written one by one, so only the item that
        cannot be stored fails (with its own error).
        """
        try:
            self._write(items)
        except Exception:  # noqa: BLE001 - whatever failed, each item gets its own try
            errors: list[BaseException | None] = []
            for item in items:
                try:
                    self._write([item])
                except Exception as error:  # noqa: BLE001 - becomes this item's error
                    errors.append(error)
                else:
                    errors.append(None)
            return errors
        return [None] * len(items)

    def _write(self, items: list[Any]) -> None:
        """Store `items` in one transaction; count their outcomes once it has committed."""
        assert self.run_id is not None
        with self.archive.writing() as writes:
            outcomes = _BatchStore(writes, self.run_id, self.warc).store(items)
        for outcome in outcomes:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


class _BatchStore:
    """Turns pipeline items into the archive's bulk writes, in item order."""

    def __init__(self, writes: Writes, run_id: int, warc: WarcFiles | None) -> None:
        self.writes = writes
        self.run_id = run_id
        self.warc = warc
        self.outcomes: list[str] = []
        self._articles: list[tuple[list[int], Article]] = []
        self._sketched: dict[str, list[int]] = {}  # bodies the extractor workers sketched
        self._failures: list[tuple[int | None, str, str]] = []

    def store(self, items: list[Any]) -> list[str]:
        """Every item's fetches first (one insert), then what became of each; the outcomes."""
        pages = [(page, _encoding(item, page)) for item in items for page in _pages(item)]
        fetch_ids = iter(self.writes.record_fetches(self.run_id, [
            FetchRecord(p.url, p.final_url, p.status, p.headers, p.body, p.fetched_at, enc)
            for p, enc in pages], self.warc))
        for item in items:
            ids = [next(fetch_ids) for _ in _pages(item)]
            if isinstance(item, SectionPage):
                self._section(item, ids[0])
            elif isinstance(item, FailedRequest):
                self._failures.append((None, item.url, item.reason))
                self.outcomes.append("failed")
            elif isinstance(item, ArticlePages):
                self._article(item, ids)
        self._settle()
        self.writes.record_failures(self.run_id, self._failures)
        return self.outcomes

    def _section(self, item: SectionPage, fetch_id: int) -> None:
        if item.page.status >= 400:
            self._failures.append((fetch_id, item.page.url,
                                   f"section page HTTP {item.page.status}"))
        elif item.error is not None:
            self._failures.append((fetch_id, item.page.url, f"section page: {item.error}"))
        self.outcomes.append("section")

    def _article(self, item: ArticlePages, fetch_ids: list[int]) -> None:
        first_fetch = fetch_ids[0] if fetch_ids else None
        gone = self._gone(item, fetch_ids) if item.error is not None else None
        if gone is not None:
            self.outcomes.append(gone)
        elif item.error is not None:
            self._failures.append((first_fetch, item.url, item.error))
            self.outcomes.append("failed")
        elif item.duplicate_of is not None:
            self.outcomes.append("duplicate")
        else:
            assert item.article is not None
            self._articles.append((fetch_ids, item.article))
            if "sketch" in item.details:
                body, values = item.details["sketch"]
                self._sketched[body] = values
        if "continuation_error" in item.details:
            self._failures.append((first_fetch, item.url, item.details["continuation_error"]))

    def _settle(self) -> None:
        """Write the articles gathered so far (a deletion check must see them)."""
        if self._articles:
            self.outcomes.extend(self.writes.store_articles(self.run_id, self._articles,
                                                            EXTRACTOR_VERSION, self._sketched))
            self._articles, self._sketched = [], {}

    def _gone(self, item: ArticlePages, fetch_ids: list[int]) -> str | None:
        """Mark a known article deleted when its page is a 404/410 or a "deleted" notice."""
        if not item.pages:
            return None
        page = item.pages[0]
        reason = gone_reason(page.status, page.body, page.headers)
        if reason is None:
            return None
        self._settle()
        return self.writes.mark_gone(fetch_ids, item.url, reason, page.fetched_at)


def _pages(item: Any) -> list[FetchedPage]:
    if isinstance(item, SectionPage):
        return [item.page]
    if isinstance(item, ArticlePages):
        return list(item.pages)
    return []


def _encoding(item: Any, page: FetchedPage) -> dict[str, Any] | None:
    if isinstance(item, ArticlePages):
        encodings: dict[str, Any] = item.details.get("encodings", {})
        return encodings.get(page.url)
    return None
