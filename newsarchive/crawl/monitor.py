"""Watching a crawl: a live progress line while it runs, field coverage per site when it ends."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlalchemy import Engine, desc, func, select, update
from twisted.internet import task

from newsarchive.archive.db import make_engine
from newsarchive.archive.models import ArticleRevision, ArticleRow, CrawlRun, Failure, Fetch, Site

# A body shorter than this many characters is a broken extraction, not an article.
NONTRIVIAL_BODY = 200
# Warn when a field's share falls this far (absolute) below the site's recent runs.
COVERAGE_DROP = 0.3
COVERAGE_MIN_ARTICLES = 5
COVERAGE_HISTORY_RUNS = 5
COVERAGE_FIELDS = ("date", "author", "body")


def run_outcomes(engine: Engine, run_id: int) -> dict[str, int]:
    """Fetches of a run by outcome, plus "errors" (its failures)."""
    with engine.connect() as conn:
        counts = dict(conn.execute(
            select(Fetch.outcome, func.count()).where(Fetch.crawl_run_id == run_id)
            .group_by(Fetch.outcome)).all())
        counts["errors"] = conn.scalar(select(func.count()).select_from(Failure)
                                       .where(Failure.crawl_run_id == run_id)) or 0
    return counts


def progress_line(pages: int, counts: dict[str, int], elapsed: float) -> str:
    """One line: pages fetched, articles by outcome, errors, rate."""
    rate = pages / elapsed if elapsed > 0 else 0.0
    return (f"[newsarchive] {pages} pages · articles {counts.get('new', 0)} new, "
            f"{counts.get('changed', 0)} changed, {counts.get('unchanged', 0)} unchanged · "
            f"{counts.get('errors', 0)} errors · {rate:.1f} pages/s · {elapsed:.0f} s")


class ProgressMonitor:
    """Prints a progress line on stderr every NEWSARCHIVE_PROGRESS seconds of a crawl."""

    def __init__(self, crawler: Crawler, interval: float, db_url: str, run_id: int,
                 out: IO[str] | None = None) -> None:
        self.crawler = crawler
        self.interval = interval
        self.db_url = db_url
        self.run_id = run_id
        self.out = out or sys.stderr
        self.started = time.monotonic()
        self._loop: task.LoopingCall | None = None
        self._engine: Engine | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressMonitor:
        settings = crawler.settings
        interval = settings.getfloat("NEWSARCHIVE_PROGRESS", 0.0)
        run_id = settings.get("NEWSARCHIVE_RUN_ID")
        if interval <= 0 or run_id in (None, "") or not settings.get("NEWSARCHIVE_DB"):
            raise NotConfigured
        monitor = cls(crawler, interval, settings["NEWSARCHIVE_DB"], int(run_id))
        crawler.signals.connect(monitor.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(monitor.spider_closed, signal=signals.spider_closed)
        return monitor

    def spider_opened(self) -> None:
        self._engine = make_engine(self.db_url)
        self._loop = task.LoopingCall(self.report)
        self._loop.start(self.interval, now=False)

    def report(self) -> None:
        assert self._engine is not None
        stats = self.crawler.stats
        pages = int(stats.get_value("response_received_count", 0)) if stats else 0
        line = progress_line(pages, run_outcomes(self._engine, self.run_id),
                             time.monotonic() - self.started)
        print(line, file=self.out, flush=True)

    def spider_closed(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self._engine is not None:
            self.report()
            self._engine.dispose()


def run_coverage(engine: Engine, run_id: int) -> dict[str, dict[str, float]]:
    """Per site, the share of the run's extracted articles with a date, an author and a body.

    Counted over the revisions the run wrote (new or changed content): what extraction found.
    """
    stmt = (select(Site.host, ArticleRevision.published_at, ArticleRevision.authors,
                   func.length(func.coalesce(ArticleRevision.body, ArticleRow.body)))
            .join(Fetch, Fetch.id == ArticleRevision.fetch_id)
            .join(ArticleRow, ArticleRow.id == ArticleRevision.article_id)
            .join(Site, Site.id == ArticleRow.site_id)
            .where(Fetch.crawl_run_id == run_id))
    totals: dict[str, list[int]] = {}
    with engine.connect() as conn:
        for host, published, authors, length in conn.execute(stmt):
            row = totals.setdefault(host, [0, 0, 0, 0])
            row[0] += 1
            row[1] += published is not None
            row[2] += bool(authors)
            row[3] += (length or 0) >= NONTRIVIAL_BODY
    return {host: {"articles": n, "date": round(d / n, 3), "author": round(a / n, 3),
                   "body": round(b / n, 3)} for host, (n, d, a, b) in totals.items()}


def _history(engine: Engine, run_id: int, host: str) -> list[dict[str, float]]:
    """The site's coverage in its recent earlier runs that extracted enough articles."""
    found: list[dict[str, float]] = []
    with engine.connect() as conn:
        rows = conn.execute(select(CrawlRun.counts).where(CrawlRun.id < run_id,
                                                          CrawlRun.counts.is_not(None))
                            .order_by(desc(CrawlRun.id)).limit(50))
        for (counts,) in rows:
            cov = ((counts or {}).get("coverage") or {}).get(host)
            if cov and cov.get("articles", 0) >= COVERAGE_MIN_ARTICLES:
                found.append(cov)
            if len(found) >= COVERAGE_HISTORY_RUNS:
                break
    return found


def coverage_warnings(current: dict[str, dict[str, float]],
                      history: Callable[[str], list[dict[str, float]]]) -> list[str]:
    """A warning for each field whose share fell well below the site's recent average."""
    warnings = []
    for host, cov in sorted(current.items()):
        if cov["articles"] < COVERAGE_MIN_ARTICLES:
            continue
        past = history(host)
        if not past:
            continue
        for name in COVERAGE_FIELDS:
            usual = sum(p[name] for p in past) / len(past)
            if cov[name] < usual - COVERAGE_DROP:
                warnings.append(
                    f"{host}: {name} found in {cov[name]:.0%} of {cov['articles']:.0f} articles, "
                    f"recent runs {usual:.0%} (did the layout change?)")
    return warnings


def check_coverage(db_url: str, run_id: int) -> tuple[dict[str, Any], list[str]]:
    """Compute the run's field coverage, compare it with history, record both with the run."""
    engine = make_engine(db_url)
    try:
        current = run_coverage(engine, run_id)
        warnings = coverage_warnings(current, lambda host: _history(engine, run_id, host))
        with engine.begin() as conn:
            counts = conn.scalar(select(CrawlRun.counts).where(CrawlRun.id == run_id)) or {}
            counts = {**counts, "coverage": current, "warnings": warnings}
            conn.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(counts=counts))
    finally:
        engine.dispose()
    return current, warnings
