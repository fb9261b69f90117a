"""A Scrapy add-on (Scrapy >= 2.10) that archives any Scrapy project's crawl with newsarchive.

In the project's settings::

    ADDONS = {"newsarchive.crawl.addon.NewsArchive": 0}
    NEWSARCHIVE_DB = "sqlite:///archive.db"   # any SQLAlchemy URL

Every response the project's spiders parse is then also handed to newsarchive's pipelines
(extract -> validate -> dedupe -> store): archived raw, its article extracted and stored with
revisions and deletions, or, for a page that is no article (a list page, say), recorded as a
failure with its kind. The spiders' own items and requests pass through unchanged. The add-on
brings newsarchive's politeness defaults too (robots.txt, AutoThrottle, two requests at a time
per host, Retry-After); the project's own settings win over every one of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.misc import load_object

from newsarchive import settings as crawl_settings
from newsarchive.crawl.items import ROLE_META, ArticlePages, fetched_page
from newsarchive.crawl.limits import cut_error
from newsarchive.crawl.redirects import hops

PRIORITY = "addon"
# newsarchive's crawl defaults an add-on user gets, unless the project sets them.
DEFAULTS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 0.25,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    # 404/410 reach the spider, so a deleted article is seen, not lost in a log line.
    "HTTPERROR_ALLOWED_CODES": [404, 410],
    # The crawl's size cap (read and decompressed; kept up to the cap, recorded too_large), and a
    # response cut short by the server kept as it came.
    "DOWNLOAD_MAXSIZE": crawl_settings.DOWNLOAD_MAXSIZE,
    "DOWNLOAD_WARNSIZE": crawl_settings.DOWNLOAD_WARNSIZE,
    "DOWNLOAD_FAIL_ON_DATALOSS": crawl_settings.DOWNLOAD_FAIL_ON_DATALOSS,
}
COMPONENTS: dict[str, dict[str, int | None]] = {
    "ITEM_PIPELINES": {
        "pipelines.extract.ExtractPipeline": 100,
        "pipelines.validate.ValidatePipeline": 200,
        "pipelines.dedupe.DedupePipeline": 300,
        "pipelines.store.StorePipeline": 400,
    },
    "SPIDER_MIDDLEWARES": {"newsarchive.crawl.addon.ArchiveResponses": 950},
    # The crawl's own: Retry-After, redirect hops on the record, robots.txt per RFC 9309, the
    # size cap in the decompression slot.
    "DOWNLOADER_MIDDLEWARES": dict(crawl_settings.DOWNLOADER_MIDDLEWARES),
    "EXTENSIONS": {"newsarchive.crawl.backpressure.LagLimit": 510},
}
# Statuses whose responses are archived: pages, and the answers that say an article is gone.
GONE_STATUSES = (404, 410)


class NewsArchive:
    """The add-on: newsarchive's pipelines, middlewares and defaults in a project's settings."""

    def update_settings(self, settings: BaseSettings) -> None:
        for name, components in COMPONENTS.items():
            for path, order in components.items():
                # A component the project lists itself keeps the project's order.
                settings.setdefault_in_component_priority_dict(name, load_object(path), order)
        defaults = Settings()
        defaults.setmodule("newsarchive.settings", priority="default")
        for name, value in defaults.items():
            if name.startswith("NEWSARCHIVE_"):
                settings.set(name, value, priority="default")
        for name, value in DEFAULTS.items():
            settings.set(name, value, priority=PRIORITY)


class ArchiveResponses:
    """Spider middleware: after a callback's own output, the response it parsed, as an item for
    newsarchive's pipelines (HTML pages and gone answers only; newsarchive's own spider makes
    its items itself)."""

    def process_spider_output(self, response: Response, result: Iterable[Any],
                              spider: Spider | None = None) -> Iterable[Any]:
        yield from result
        item = self._item(response)
        if item is not None:
            yield item

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any],
                                          spider: Spider | None = None) -> AsyncIterator[Any]:
        async for output in result:
            yield output
        item = self._item(response)
        if item is not None:
            yield item

    @staticmethod
    def _item(response: Response) -> ArticlePages | None:
        if ROLE_META in response.meta:
            return None  # newsarchive's own spider: its items are made already
        if response.status >= 400 and response.status not in GONE_STATUSES:
            return None
        kind = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if response.status < 400 and kind and "html" not in kind and "xml" not in kind:
            return None  # images, PDFs, feeds: not pages newsarchive reads
        return ArticlePages(url=response.url, pages=[fetched_page(response)],
                            redirects=hops(response.request) if response.request else [],
                            error=cut_error(response))
