"""Scrapy settings for newsarchive crawls (Scrapy settings only; components read them via
from_crawler). """

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
# 429 and 503 are retried after the server's Retry-After (capped), and the whole host waits too.
# Redirects and robots.txt on the record: every hop archived, every refusal a named failure of the
# listed URL (newsarchive.crawl.redirects), robots.txt failing = disallowed (crawl.robots).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsarchive.crawl.middlewares.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newsarchive.crawl.redirects.RecordedRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsarchive.crawl.redirects.RecordedMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsarchive.crawl.robots.RobotsPolicyMiddleware": 100,
    # Responses cut at DOWNLOAD_MAXSIZE (bytes kept) and decompressed up to it, in Scrapy's
    # decompression slot.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newsarchive.crawl.limits.SizeCapMiddleware": 590,
}
# NEWSARCHIVE_ROBOTS_RECHECK_S: seconds before a robots.txt that failed (5xx, no answer) is asked
# again; until then the site is disallowed (RFC 9309).
NEWSARCHIVE_ROBOTS_RECHECK_S = 300.0
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# NEWSARCHIVE_RETRY_AFTER_MAX: longest wait (seconds) a Retry-After header can impose.
NEWSARCHIVE_RETRY_AFTER_MAX = 120.0
# NEWSARCHIVE_BACKOFF_BASE: wait before the first retry of a 429/503 without Retry-After (doubles).
NEWSARCHIVE_BACKOFF_BASE = 1.0

# --- Limits (sites/*.toml: max_size) -------------------------------------------------------------
# DOWNLOAD_MAXSIZE: bytes of a response read and decompressed at most; a page cut there is
# archived as it came up to the cap and recorded too_large. DOWNLOAD_WARNSIZE: logged above this.
# 10 MB is far above any article page, and bounds the crawl: a capped page costs a few copies
# of the cap while it is cut and archived, two at a time.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
# A response cut short by the server reaches the spider with what came, to be archived and
# recorded (network), not dropped.
DOWNLOAD_FAIL_ON_DATALOSS = False
# NEWSARCHIVE_MAX_BODY_CHARS, NEWSARCHIVE_MAX_ELEMENTS: an article body longer, or a page with
# more elements, is too_large (0: no cap).
NEWSARCHIVE_MAX_BODY_CHARS = 1_000_000
NEWSARCHIVE_MAX_ELEMENTS = 200_000
# NEWSARCHIVE_EXTRACT_TIMEOUT: seconds one page may take to extract in a worker; past it the
# page is recorded timeout (a worker stuck in C code is killed) (0: no limit).
NEWSARCHIVE_EXTRACT_TIMEOUT = 30.0

# --- What reaches the spider ----------------------------------------------------------------------
# 404/410 pages reach the spider so the archive records them instead of losing them in a log line.
HTTPERROR_ALLOWED_CODES = [404, 410]
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's check for generator callbacks that return a value re-parses the callback's source
# whenever its cache misses (bound methods are new objects each time): 3 % of a crawl's CPU.
# The spider's callbacks are generators that never return a value.
WARN_ON_GENERATOR_RETURN_VALUE = False

# --- Pipelines: extract -> validate -> dedupe -> store ------------------------------------------
# Outputs of one response processed at a time. A response yields one article or one list page's
# links; Scrapy starts this many tasks per response whatever it yields, so a high value only costs.
CONCURRENT_ITEMS = 16
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
# NEWSARCHIVE_EXTRACT_WORKERS: processes extracting articles beside the crawl (None: one per core
# but one; 0: extract on the reactor thread, which then stops fetching while it parses).
NEWSARCHIVE_EXTRACT_WORKERS = None
# NEWSARCHIVE_SITE_PROFILES: learn each host's chrome (blocks repeated on its pages) from the
# archive's earlier pages of it at the crawl's start, and drop it from this crawl's articles.
NEWSARCHIVE_SITE_PROFILES = True
# NEWSARCHIVE_STORE_BATCH: items written to the archive in one transaction at most.
NEWSARCHIVE_STORE_BATCH = 200
# NEWSARCHIVE_STORE_FLUSH_S: seconds an item may wait for its batch (0: written on the reactor's
# next
# turn, with whatever else arrived meanwhile). An item goes on only once its batch is committed.
NEWSARCHIVE_STORE_FLUSH_S = 0.0
# NEWSARCHIVE_STORE_PROCESS: write batches in a writer process, so the crawl keeps fetching
# meanwhile
# (off: inline, on the reactor thread).
NEWSARCHIVE_STORE_PROCESS = True
# NEWSARCHIVE_MAX_LAG_S, NEWSARCHIVE_LAG_PAGES: while this many fetched pages have waited more
# than these seconds to be extracted and written, the crawl takes no new requests, and a writer
# batch that late runs at the crawl's priority (where raising it is allowed): what a killed crawl
# fetches again stays a few seconds' work however loaded the machine (0 s: off).
NEWSARCHIVE_MAX_LAG_S = 0.5
NEWSARCHIVE_LAG_PAGES = 2
# NEWSARCHIVE_HEARTBEAT_S: seconds between the run's heartbeats; a run silent for 10 minutes (or
# whose process is gone) is closed as "killed" by the next run's start (0 = no heartbeat).
NEWSARCHIVE_HEARTBEAT_S = 60.0
# NEWSARCHIVE_WARC_DIR: also write every fetch to rotating gzip WARC files here (the warc extra);
# each fetch row keeps its record's file and offset.
NEWSARCHIVE_WARC_DIR = None

# --- Incremental re-crawls (sites/*.toml sets these per site) ------------------------------------
# NEWSARCHIVE_REVISIT: seconds after first seen at which an archived article is re-checked
# (conditionally); empty means every listed article is fetched on every run.
NEWSARCHIVE_REVISIT: list[float] = []
# NEWSARCHIVE_KNOWN_LIST_PAGES: stop paging back through a section after this many list pages
# in a row held only archived articles (0 = page to the end); incremental runs only.
NEWSARCHIVE_KNOWN_LIST_PAGES = 1
# NEWSARCHIVE_NOW: ISO time at which re-checks are judged due (default: the clock); for replays.
NEWSARCHIVE_NOW = None
# NEWSARCHIVE_TIMEZONE: the site's IANA zone for page times without an offset.
NEWSARCHIVE_TIMEZONE = None
# NEWSARCHIVE_ARTICLE_URL_PATTERN: a regular expression article links must match (None: any).
NEWSARCHIVE_ARTICLE_URL_PATTERN = None
# NEWSARCHIVE_ALLOWED_HOSTS: hosts the crawl may visit (default: the sections' hosts).
NEWSARCHIVE_ALLOWED_HOSTS: list[str] = []
# NEWSARCHIVE_TRACKING_PARAMS: a site's own tracking query parameters, dropped from listed links
# (and article URLs) besides the common ones (utm_*, fbclid, gclid, spm, ...: archive.urls).
NEWSARCHIVE_TRACKING_PARAMS: list[str] = []
# NEWSARCHIVE_FEEDS: sitemap and RSS/Atom feed URLs the crawl also starts from (told apart by
# content).
NEWSARCHIVE_FEEDS: list[str] = []
# NEWSARCHIVE_ROBOTS_SITEMAPS: also start from the `Sitemap:` lines of the sections' robots.txt.
NEWSARCHIVE_ROBOTS_SITEMAPS = False
# NEWSARCHIVE_HINTS: {"css": {field: selector}, "xpath": {...}} for title/body/published extraction.
NEWSARCHIVE_HINTS: dict[str, dict[str, str]] = {}
# NEWSARCHIVE_SITE: the sites/*.toml name this crawl runs for, recorded with the run.
NEWSARCHIVE_SITE = None

# --- Monitoring and distributed crawls -----------------------------------------------------------
# NEWSARCHIVE_PROGRESS: seconds between live progress lines on stderr (0 = none).
NEWSARCHIVE_PROGRESS = 0.0
# NEWSARCHIVE_DISTRIBUTED: scrapy-redis shared scheduler and dupefilter (see
# crawl.distributed_settings).
NEWSARCHIVE_DISTRIBUTED = False
EXTENSIONS = {
    "newsarchive.crawl.monitor.ProgressMonitor": 500,
    "newsarchive.crawl.backpressure.LagLimit": 510,
}

LOG_LEVEL = "INFO"
