"""Turn an article's fetched page(s) into one Article, following a multi-page article to its end."""

from __future__ import annotations

from typing import Any

import scrapy
from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from newsarchive.archive import Archive, ArchiveUnavailable
from newsarchive.archive.db import default_db_url
from newsarchive.archive.profiles import hosts_under, site_profiles
from newsarchive.archive.urls import site_host
from newsarchive.crawl.extract_pool import (
    Extracted,
    ExtractorDied,
    ExtractorPool,
    PageJob,
    default_workers,
)
from newsarchive.crawl.items import (
    ROLE_META,
    SECTION_META,
    ArticlePages,
    CrawlError,
    FetchedPage,
    RequestRole,
    fetched_page,
    request_failure,
)
from newsarchive.crawl.limits import cut_error
from newsarchive.crawl.redirects import hops
from newsarchive.extract import stitch
from newsarchive.extract.article import Article
from newsarchive.extract.errors import FailureKind, NewsarchiveError, PageGone
from newsarchive.extract.gone import gone_status
from newsarchive.extract.hints import Hints
from newsarchive.extract.limits import DEFAULT_LIMITS, Limits
from newsarchive.extract.profile import SiteProfile


class ExtractPipeline:
    """Extracts each page of an article in the extractor pool, fetches its continuation pages
    (the extracted first page knows them: the spider never parses article pages) and stitches
    them. The site's timezone and hints come from the crawl's settings."""

    def __init__(self, crawler: Crawler, workers: int, max_pages: int,
                 timezone: str | None = None, hints: Hints | None = None,
                 db_url: str | None = None, limits: Limits | None = None,
                 timeout: float = 0.0) -> None:
        self.crawler = crawler
        self.workers = workers
        self.max_pages = max_pages
        self.timezone = timezone
        self.hints = hints
        # Where the site profiles are learnt from: the archive's earlier pages of each host.
        self.db_url = db_url
        self.profiles: dict[str, SiteProfile] = {}
        self.limits = limits
        self.timeout = timeout

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        workers = settings.get("NEWSARCHIVE_EXTRACT_WORKERS")
        hints = {kind: dict(selectors)
                 for kind, selectors in settings.getdict("NEWSARCHIVE_HINTS").items() if selectors}
        return cls(crawler,
                   workers=default_workers() if workers in (None, "") else int(workers),
                   max_pages=settings.getint("NEWSARCHIVE_MAX_ARTICLE_PAGES", 20),
                   timezone=settings.get("NEWSARCHIVE_TIMEZONE") or None,
                   hints=hints or None,
                   db_url=(settings.get("NEWSARCHIVE_DB") or default_db_url())
                   if settings.getbool("NEWSARCHIVE_SITE_PROFILES", True) else None,
                   limits=Limits(
                       max_body_chars=settings.getint("NEWSARCHIVE_MAX_BODY_CHARS",
                                                      DEFAULT_LIMITS.max_body_chars),
                       max_elements=settings.getint("NEWSARCHIVE_MAX_ELEMENTS",
                                                    DEFAULT_LIMITS.max_elements)),
                   timeout=settings.getfloat("NEWSARCHIVE_EXTRACT_TIMEOUT", 30.0))

    def open_spider(self) -> None:
        self.pool = ExtractorPool(self.workers, timeout=self.timeout)
        self.pool.start()
        self.profiles = self._profiles()

    def _profiles(self) -> dict[str, SiteProfile]:
        """The crawl's hosts' profiles, learnt from the archive's earlier pages of each (none
        for a first crawl, or an archive not made yet)."""
        spider = self.crawler.spider
        allowed = getattr(spider, "allowed_domains", None) or []
        starts = getattr(spider, "start_urls", None) or []
        domains = [*allowed, *(site_host(url) for url in starts)]
        if self.db_url is None or not domains:
            return {}
        try:
            archive = Archive(self.db_url, readonly=True)
        except ArchiveUnavailable:
            return {}
        with archive, archive.reading() as session:
            profiles = site_profiles(session, hosts_under(session, domains))
        if profiles:
            self.crawler.stats.set_value("newsarchive/site_profiles", len(profiles))
        return profiles

    def close_spider(self) -> None:
        self.pool.close()
        if self.pool.replaced:
            self.crawler.stats.set_value("newsarchive/extractor_workers_replaced",
                                         self.pool.replaced)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePages) or item.error is not None:
            return item
        adapter = ItemAdapter(item)
        # A page to extract: a 2xx, or a 304 standing for the body archived before (a 3xx that
        # was not followed, e.g. without Location, is an error status like a 4xx).
        pages = [p for p in item.pages if p.status < 300 or p.status == 304]
        if not pages:
            adapter["error"] = _status_error(item)
            return item
        try:
            extracted = [(page, await self._extract(page)) for page in pages]
            extracted += await self._continuation(item, extracted[-1][1])
        except NewsarchiveError as exc:
            adapter["error"] = exc
            return item
        articles = [article for _, article in extracted]
        article = articles[0] if len(articles) == 1 else stitch(articles)
        # The article is where the listed URL led (a redirect's target), as fetched.
        article.url = pages[0].final_url
        adapter["article"] = article
        return item

    async def _extract(self, page: FetchedPage) -> Article:
        """One page's Article (its decoding evidence kept on the page); the named error of the
        page when there is no article."""
        job = PageJob(page.body, page.final_url, page.headers, fetched_at=page.fetched_at,
                      timezone=self.timezone, hints=self.hints,
                      profile=self.profiles.get(site_host(page.final_url)), limits=self.limits)
        try:
            result: Extracted = await self.pool.extract(job)
        except ExtractorDied as exc:
            raise CrawlError(page.url, str(exc), FailureKind.EXTRACTOR_DIED) from exc
        except Exception as exc:  # an extractor bug must not lose the raw page
            raise CrawlError(page.url, f"extractor failed: {type(exc).__name__}: {exc}",
                             FailureKind.EXTRACTOR_CRASH) from exc
        if result.article is None:
            raise result.error(page.url)
        # Each page was decoded on its own evidence; the archive keeps it per fetch.
        page.encoding = result.article.evidence.get("encoding")
        return result.article

    async def _continuation(self, item: ArticlePages, last: Article
                            ) -> list[tuple[FetchedPage, Article]]:
        """The later pages of a multi-page article, fetched and extracted in order.

        A page that cannot be fetched ends the article there, and the item says what is missing.
        """
        articles: list[tuple[FetchedPage, Article]] = []
        known = {p.url for p in item.pages} | {p.final_url for p in item.pages}
        next_url = last.next_page_url
        while next_url and next_url not in known and len(item.pages) < self.max_pages:
            page, problem = await self._fetch(next_url, item)
            if page is not None:
                item.pages.append(page)
                known |= {page.url, page.final_url}
            if problem is not None:
                item.continuation_error = CrawlError(
                    item.url, f"{next_url}: {problem.reason}", FailureKind.CONTINUATION)
                break
            assert page is not None
            article = await self._extract(page)
            articles.append((page, article))
            next_url = article.next_page_url
        return articles

    async def _fetch(self, url: str, item: ArticlePages
                     ) -> tuple[FetchedPage | None, NewsarchiveError | None]:
        """A continuation page through the crawl's downloader (politeness, retries, robots.txt
        apply), and what went wrong with it, if anything."""
        request = scrapy.Request(url, dont_filter=True, meta={
            ROLE_META: RequestRole.ARTICLE, SECTION_META: item.section_url})
        engine = self.crawler.engine
        assert engine is not None
        try:
            response = await engine.download_async(request)
        except Exception as exc:  # noqa: BLE001 - any download error ends the article here
            return None, request_failure(url, exc)
        page = fetched_page(response)
        # The redirects and retries on the way are archived with the article's pages.
        led = hops(response.request) if response.request is not None else []
        if led:
            item.redirects.extend(led)
        if (cut := cut_error(response)) is not None:
            return page, cut
        if response.status >= 400:
            return page, CrawlError(url, f"HTTP {response.status}", FailureKind.HTTP_STATUS)
        return page, None


def _status_error(item: ArticlePages) -> NewsarchiveError:
    """Why an article's answer is no page: gone (404, 410) or another HTTP status."""
    if not item.pages:
        return CrawlError(item.url, "no response", FailureKind.NETWORK)
    page = item.pages[-1]
    status = page.status
    # Named against the listed URL; where a redirect led, the answer's own URL too.
    where = f" from {page.final_url}" if page.final_url != item.url else ""
    gone = gone_status(status)
    if gone is not None:
        return PageGone(item.url, gone + where)
    return CrawlError(item.url, f"HTTP {status}{where}", FailureKind.HTTP_STATUS)
