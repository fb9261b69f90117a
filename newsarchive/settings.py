"""Scrapy settings for newsarchive crawls (Scrapy settings only; components read them via from_crawler)."""

from __future__ import annotations

from newsarchive import __version__

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- Politeness -------------------------------------------------------------------------------
# A descriptive User-Agent, robots.txt obeyed, two requests at a time per host, and AutoThrottle
# adapting the delay to the server's latency.
USER_AGENT = f"newsarchive/{__version__} (news archive crawler; respects robots.txt)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30

# --- What reaches the spider ----------------------------------------------------------------------
# 404/410 pages reach the spider so the archive records them instead of losing them in a log line.
HTTPERROR_ALLOWED_CODES = [404, 410]
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- Pipelines: extract -> validate -> dedupe -> store ------------------------------------------
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

# --- newsarchive's own settings (defaults; override with -s or the CLI) -------------------------
# NEWSARCHIVE_DB: SQLAlchemy URL of the archive; None means $NEWSARCHIVE_DB or ./newsarchive.db.
NEWSARCHIVE_DB = None
# NEWSARCHIVE_RUN_ID: a crawl run already opened by the caller (the CLI); None opens one per crawl.
NEWSARCHIVE_RUN_ID = None
# NEWSARCHIVE_MAX_LIST_PAGES: list pages followed per section, the start page included (0 = all).
NEWSARCHIVE_MAX_LIST_PAGES = 0
# NEWSARCHIVE_MAX_ARTICLE_PAGES: pages stitched into one multi-page article at most.
NEWSARCHIVE_MAX_ARTICLE_PAGES = 20

LOG_LEVEL = "INFO"
