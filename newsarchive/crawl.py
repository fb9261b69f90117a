"""Run one Scrapy crawl of section pages into the archive (one crawl per process: Twisted's reactor
cannot be restarted)."""

from __future__ import annotations

import time
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from newsarchive.archive import Archive
from spiders.sections import SectionSpider


def crawl_settings(db_url: str, run_id: int, overrides: dict[str, Any] | None = None) -> Settings:
    """newsarchive's Scrapy settings for one run, with the caller's overrides on top."""
    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    settings.set("NEWSARCHIVE_DB", db_url, priority="cmdline")
    settings.set("NEWSARCHIVE_RUN_ID", run_id, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def crawl(
    start_urls: list[str],
    *,
    db_url: str,
    max_list_pages: int = 0,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Crawl the sections at `start_urls` into the archive at `db_url`; return the run summary."""
    archive = Archive(db_url)
    try:
        recorded = {"max_list_pages": max_list_pages, **(overrides or {})}
        run_id = archive.start_run(start_urls, recorded)
    finally:
        archive.close()
    settings = crawl_settings(db_url, run_id, overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SectionSpider)
    started = time.monotonic()
    process.crawl(crawler, start_urls=start_urls, max_list_pages=max_list_pages)
    process.start()
    elapsed = time.monotonic() - started
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = str(stats.get("finish_reason", "unknown"))
    archive = Archive(db_url)
    try:
        summary = archive.finish_run(run_id, reason)
    finally:
        archive.close()
    responses = int(stats.get("response_received_count", 0))
    summary["elapsed_seconds"] = round(elapsed, 3)
    summary["responses"] = responses
    summary["pages_per_second"] = round(responses / elapsed, 1) if elapsed > 0 else None
    return summary
