"""Keep a crawl's uncommitted work a few seconds' worth: stop taking requests while fetched pages
wait too long to be extracted and written.

Every response taken but not yet committed to the archive is one a killed crawl fetches again (a
distributed worker's lease, a resumed job's request). Scrapy bounds what it holds by bytes
(SCRAPER_SLOT_MAX_ACTIVE_SIZE, 5 MB: a thousand small pages), not by time; on a loaded machine a
writer or an extractor that falls behind lets hundreds pile up. This extension watches the
responses being processed and pauses the engine while NEWSARCHIVE_LAG_PAGES of them have waited
more than NEWSARCHIVE_MAX_LAG_S, so the machine's time goes to finishing them; a crawl that keeps
up never pauses.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

CHECK_EVERY_S = 0.1


class LagLimit:
    """Pauses the engine while too many responses have waited too long in processing."""

    def __init__(self, crawler: Crawler, max_lag_s: float, pages: int) -> None:
        self.crawler = crawler
        self.max_lag_s = max_lag_s
        self.pages = pages
        self._seen: dict[int, float] = {}  # id(request) -> when first seen in processing
        self._loop: task.LoopingCall | None = None
        self.paused = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LagLimit:
        max_lag = crawler.settings.getfloat("NEWSARCHIVE_MAX_LAG_S", 0.5)
        if max_lag <= 0:
            raise NotConfigured("NEWSARCHIVE_MAX_LAG_S is 0")
        limit = cls(crawler, max_lag, max(1, crawler.settings.getint("NEWSARCHIVE_LAG_PAGES", 2)))
        crawler.signals.connect(limit.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(limit.spider_closed, signal=signals.spider_closed)
        return limit

    def spider_opened(self) -> None:
        self._loop = task.LoopingCall(self.check)
        self._loop.start(CHECK_EVERY_S, now=False)

    def spider_closed(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._resume()

    def late(self, now: float) -> int:
        """How many responses in processing have waited more than max_lag_s."""
        engine = self.crawler.engine
        slot = engine.scraper.slot if engine is not None else None
        if slot is None:
            return 0
        active = {id(request) for request in slot.active}
        self._seen = {key: at for key, at in self._seen.items() if key in active}
        for key in active:
            self._seen.setdefault(key, now)
        return sum(1 for at in self._seen.values() if now - at > self.max_lag_s)

    def check(self) -> None:
        engine = self.crawler.engine
        if engine is None:
            return
        late = self.late(time.monotonic())
        if late >= self.pages and not self.paused:
            engine.pause()
            self.paused = True
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("newsarchive/lag_pauses")
        elif late < self.pages and self.paused:
            self._resume()

    def _resume(self) -> None:
        engine = self.crawler.engine
        if not self.paused or engine is None:
            return
        self.paused = False
        engine.unpause()
        # Scrapy looks at the scheduler again on its next download or heartbeat; now is due.
        slot: Any = getattr(engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()
