"""The archive's writer process: batches written in a process of its own, answered on the event
loop; a writer killed with a batch is replaced and the batch written once; stop signals meant for
the crawl do not stop it. Real processes, a real SQLite file and the real PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsarchive.archive import Archive
from newsarchive.archive.models import ArticleRow
from newsarchive.crawl.items import ArticlePages, CrawlError, FailedRequest, FetchedPage
from newsarchive.crawl.store_writer import WRITER_NICENESS, WriterConfig, WriterProcess
from newsarchive.extract.article import Article

T0 = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
HTML = {"Content-Type": ["text/html; charset=utf-8"]}


def item(n: int) -> ArticlePages:
    url = f"http://news.example.cn/a/{n}.html"
    article = Article(url=url, title=f"第{n}号新闻", paragraphs=[f"第{n}篇报道的正文。" * 20])
    page = FetchedPage(url, url, 200, HTML, f"<html><p>{n}</p></html>".encode() * 50, T0)
    return ArticlePages(url=url, pages=[page], article=article)


def opened_run(db_url: str) -> WriterConfig:
    with Archive(db_url) as archive:
        return WriterConfig(db_url, archive.start_run([], {}))


async def written(writer: WriterProcess, items: list[object],
                  before_answer: object = None) -> tuple[list[str | None], dict[str, int]]:
    """Send one batch; `before_answer()` runs right after it is sent."""
    answer: asyncio.Future[tuple[list[str | None], dict[str, int]]] = (
        asyncio.get_running_loop().create_future())
    writer.write(items, lambda errors, outcomes: answer.set_result((errors, outcomes)))
    assert writer.busy
    if callable(before_answer):
        before_answer()
    return await asyncio.wait_for(answer, 60)


def articles(db_url: str) -> int:
    with Archive(db_url, migrate=False) as archive, Session(archive.engine) as session:
        return session.scalar(select(func.count()).select_from(ArticleRow)) or 0


def test_batches_are_written_by_a_writer_process_at_lower_priority(db_url: str) -> None:
    async def crawl() -> tuple[list[tuple[list[str | None], dict[str, int]]], int, int | None]:
        writer = WriterProcess(opened_run(db_url))
        writer.start()
        process = writer.process()
        assert process is not None and process.pid is not None and process.pid != os.getpid()
        answers = [await written(writer, [item(1), item(2)]),
                   await written(writer, [item(2), FailedRequest("http://x.cn/", CrawlError("http://x.cn/", "timeout", "timeout"))])]
        niceness = os.getpriority(os.PRIO_PROCESS, process.pid) - os.getpriority(os.PRIO_PROCESS, 0)
        writer.close()
        return answers, niceness, process.exitcode

    answers, niceness, exitcode = asyncio.run(crawl())
    assert answers == [([None, None], {"new": 2}),
                       ([None, None], {"new": 2, "unchanged": 1, "failed": 1})]
    assert niceness == min(WRITER_NICENESS, 19 - os.getpriority(os.PRIO_PROCESS, 0))
    assert exitcode == 0  # closed: its pipe's end read, it exited by itself
    assert articles(db_url) == 2


def test_a_writer_killed_with_a_batch_is_replaced_and_the_batch_written_once(sqlite_url: str) -> None:
    def kill(writer: WriterProcess) -> None:
        process = writer.process()
        assert process is not None
        process.kill()

    async def crawl() -> tuple[list[str | None], dict[str, int], tuple[int, int]]:
        writer = WriterProcess(opened_run(sqlite_url))
        writer.start()
        errors, outcomes = await written(writer, [item(n) for n in range(60)],
                                         before_answer=lambda: kill(writer))
        replaced = writer.replaced
        # An idle writer killed: the next batch finds its pipe broken and goes to a new one.
        kill(writer)
        writer.process().join()  # type: ignore[union-attr]
        more, _ = await written(writer, [item(60)])
        writer.close()
        return errors + more, outcomes, (replaced, writer.replaced)

    errors, outcomes, replaced = asyncio.run(crawl())
    assert errors == [None] * 61
    assert replaced == (1, 2)
    # Killed before its commit, the batch was written by the replacement (all new); killed
    # after it, the replacement found every article already archived (unchanged).
    assert sum(outcomes.values()) == 60 and set(outcomes) <= {"new", "unchanged"}
    assert articles(sqlite_url) == 61


def test_stop_signals_for_the_crawl_leave_the_writer_running(sqlite_url: str) -> None:
    async def crawl() -> tuple[list[str | None], bool]:
        writer = WriterProcess(opened_run(sqlite_url))
        writer.start()
        await written(writer, [item(1)])
        process = writer.process()
        assert process is not None and process.pid is not None
        for stop in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C, or systemd stopping the service
            os.kill(process.pid, stop)
        await asyncio.sleep(0.2)
        errors, _ = await written(writer, [item(2)])
        same = writer.process() is process and writer.replaced == 0
        writer.close()
        return errors, same

    errors, same = asyncio.run(crawl())
    assert errors == [None] and same
    assert articles(sqlite_url) == 2
