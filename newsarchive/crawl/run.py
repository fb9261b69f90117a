"""Run one Scrapy crawl of section pages into the archive (one crawl per process: Twisted's reactor
cannot be restarted)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from newsarchive.archive import Archive
from newsarchive.crawl.monitor import check_coverage
from newsarchive.crawl.processes import warm_up
from newsarchive.crawl.sites import DEFAULT_REVISIT, SiteConfig, parse_duration, site_settings
from spiders.sections import SectionSpider

DEFAULT_JOBS_DIR = Path(".newsarchive") / "jobs"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# Present in a job directory while a crawl runs: found at start, the last run was killed.
RUNNING_MARKER = "newsarchive.running"


def crawl_settings(db_url: str, run_id: int, overrides: dict[str, Any] | None = None) -> Settings:
    """newsarchive's Scrapy settings for one run, with the caller's overrides on top."""
    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    settings.set("NEWSARCHIVE_DB", db_url, priority="cmdline")
    settings.set("NEWSARCHIVE_RUN_ID", run_id, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def distributed_settings(redis_url: str, queue_key: str) -> dict[str, Any]:
    """scrapy-redis: one request queue and dupefilter in Redis shared by every worker."""
    return {
        "NEWSARCHIVE_DISTRIBUTED": True,
        "SCHEDULER": "newsarchive.crawl.distributed.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        # The queue outlives a worker: what one leaves, the others (or the next run) take.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": f"{queue_key}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{queue_key}:dupefilter",
        "NEWSARCHIVE_QUEUE_KEY": queue_key,
        "REDIS_URL": redis_url,
    }


def prepare_job(job: str, jobs_dir: Path = DEFAULT_JOBS_DIR) -> tuple[Path, bool]:
    """The job's Scrapy JOBDIR, and whether its last run was killed (its queue is then dropped).

    Scrapy writes the queue's index only on a clean stop; after SIGKILL the archive's own
    frontier (what is archived already) decides what is left to fetch.
    """
    if not job or "/" in job or job.startswith("."):
        raise ValueError(f"{job!r} is not a job name (letters, digits, - _)")
    jobdir = jobs_dir / job
    jobdir.mkdir(parents=True, exist_ok=True)
    marker = jobdir / RUNNING_MARKER
    killed = marker.exists()
    if killed:
        shutil.rmtree(jobdir / "requests.queue", ignore_errors=True)
        (jobdir / "requests.seen").unlink(missing_ok=True)
    marker.write_text(str(os.getpid()), encoding="utf-8")
    return jobdir, killed


def crawl(
    start_urls: list[str],
    *,
    db_url: str,
    max_list_pages: int = 0,
    overrides: dict[str, Any] | None = None,
    site: SiteConfig | None = None,
    job: str | None = None,
    jobs_dir: Path = DEFAULT_JOBS_DIR,
    distributed: bool = False,
    redis_url: str = DEFAULT_REDIS_URL,
    progress: float = 0.0,
) -> dict[str, Any]:
    """Crawl the sections at `start_urls` (or `site`'s) into the archive at `db_url`; the summary.
    """
    warm_up()
    if site is not None and not start_urls:
        start_urls = list(site.sections)
    options: dict[str, Any] = site_settings(site) if site is not None else {}
    options["NEWSARCHIVE_PROGRESS"] = progress
    jobdir = None
    if job:
        jobdir, killed = prepare_job(job, jobs_dir)
        options["JOBDIR"] = str(jobdir)
        # Resuming must not fetch again what the killed run archived already.
        options.setdefault("NEWSARCHIVE_REVISIT",
                           [parse_duration(d).total_seconds() for d in DEFAULT_REVISIT])
        options["NEWSARCHIVE_RESUMED_AFTER_KILL"] = killed
    if distributed:
        key = f"newsarchive:{site.name if site else job or 'crawl'}"
        options.update(distributed_settings(redis_url, key))
        options.setdefault("NEWSARCHIVE_REVISIT",
                           [parse_duration(d).total_seconds() for d in DEFAULT_REVISIT])
    options.update(overrides or {})
    archive = Archive(db_url)
    try:
        recorded = {"max_list_pages": max_list_pages, "site": site.name if site else None,
                    "job": job, "distributed": distributed, **options}
        run_id = archive.start_run(start_urls, recorded)
    finally:
        archive.close()
    settings = crawl_settings(db_url, run_id, options)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SectionSpider)
    started = time.monotonic()
    process.crawl(crawler, start_urls=start_urls, max_list_pages=max_list_pages)
    process.start()
    elapsed = time.monotonic() - started
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = str(stats.get("finish_reason", "unknown"))
    if jobdir is not None and reason == "finished":
        # A finished job starts afresh next time; a shutdown keeps its queue to resume.
        shutil.rmtree(jobdir / "requests.queue", ignore_errors=True)
        (jobdir / "requests.seen").unlink(missing_ok=True)
    if jobdir is not None:
        (jobdir / RUNNING_MARKER).unlink(missing_ok=True)
    archive = Archive(db_url)
    try:
        summary = archive.finish_run(run_id, reason)
    finally:
        archive.close()
    coverage, warnings = check_coverage(db_url, run_id)
    responses = int(stats.get("response_received_count", 0))
    summary["elapsed_seconds"] = round(elapsed, 3)
    summary["responses"] = responses
    summary["pages_per_second"] = round(responses / elapsed, 1) if elapsed > 0 else None
    summary["skipped_known"] = int(stats.get("newsarchive/articles_skipped_known", 0))
    summary["not_modified"] = int(stats.get("newsarchive/not_modified", 0))
    summary["lag_pauses"] = int(stats.get("newsarchive/lag_pauses", 0))
    summary["coverage"] = coverage
    summary["warnings"] = warnings
    return summary
