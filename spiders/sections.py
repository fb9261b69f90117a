"""The section spider: walks section pages, their pagination and their article links.

Thin by design: what a page is and what it says is decided in `newsarchive.extract`; this module
only navigates and hands every response to the pipelines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from newsarchive.archive.urls import strip_tracking
from newsarchive.crawl.frontier import Frontier, KnownArticle, revisit_due
from newsarchive.crawl.items import (
    ROLE_META,
    SECTION_META,
    ArticlePages,
    CrawlError,
    FailedRequest,
    FetchedPage,
    RequestRole,
    SectionPage,
    fetched_page,
    request_failure,
)
from newsarchive.crawl.limits import cut_error
from newsarchive.crawl.links import DEFAULT_MAX_URL_LENGTH, LinkPolicy, RefusedRequest
from newsarchive.crawl.redirects import hops, listed_url
from newsarchive.extract.errors import ExtractionError, FailureKind, NewsarchiveError
from newsarchive.extract.feeds import FeedError, feed_kind, parse_feed
from newsarchive.extract.listing import analyse_listing

# Statuses an article re-check must see: unchanged (304) and gone (404, 410).
RECHECK_STATUSES = [304, 404, 410]


class SectionSpider(scrapy.Spider):
    """Crawl section (list) pages, follow their pagination, fetch and stitch their articles."""

    name = "sections"

    def __init__(
        self,
        start_urls: Iterable[str] | str = (),
        max_list_pages: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(start_urls, str):
            start_urls = [u for u in start_urls.split(",") if u.strip()]
        self.start_urls = [u.strip() for u in start_urls]
        if not self.start_urls:
            raise ValueError("SectionSpider needs at least one section URL (start_urls)")
        # Stay on the sections' sites: OffsiteMiddleware allows these hosts and their subdomains.
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls})
        self._max_list_pages_arg = max_list_pages
        self._list_pages: dict[str, set[str]] = defaultdict(set)
        self._known_streak: dict[str, int] = defaultdict(int)
        self.frontier = Frontier()
        self.article_pattern: re.Pattern[str] | None = None
        self.revisit_after: tuple[timedelta, ...] = ()
        self.known_list_pages = 1
        self.timezone: str | None = None
        self.feed_urls: list[str] = []
        self.robots_sitemaps = False
        self.distributed = False
        self.now = datetime.now(UTC)
        self.links = LinkPolicy(self.allowed_domains)
        self.tracking_params: tuple[str, ...] = ()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SectionSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        hosts = crawler.settings.getlist("NEWSARCHIVE_ALLOWED_HOSTS")
        if hosts:
            spider.allowed_domains = sorted(set(hosts))
        pattern = crawler.settings.get("NEWSARCHIVE_ARTICLE_URL_PATTERN")
        spider.article_pattern = re.compile(pattern) if pattern else None
        spider.revisit_after = tuple(
            timedelta(seconds=float(s)) for s in crawler.settings.getlist("NEWSARCHIVE_REVISIT"))
        spider.known_list_pages = crawler.settings.getint("NEWSARCHIVE_KNOWN_LIST_PAGES", 1)
        if crawler.settings.getbool("NEWSARCHIVE_RESUMED_AFTER_KILL"):
            # The killed run may have stopped anywhere in a section: page to the end this time.
            spider.known_list_pages = 0
        spider.timezone = crawler.settings.get("NEWSARCHIVE_TIMEZONE") or None
        spider.feed_urls = crawler.settings.getlist("NEWSARCHIVE_FEEDS")
        spider.robots_sitemaps = crawler.settings.getbool("NEWSARCHIVE_ROBOTS_SITEMAPS")
        spider.distributed = crawler.settings.getbool("NEWSARCHIVE_DISTRIBUTED")
        now = crawler.settings.get("NEWSARCHIVE_NOW")
        spider.now = datetime.fromisoformat(now) if now else datetime.now(UTC)
        # Every link is checked before it is scheduled: a refusal is a failure row, not a log line.
        limit = crawler.settings.getint("URLLENGTH_LIMIT", DEFAULT_MAX_URL_LENGTH)
        spider.links = LinkPolicy(spider.allowed_domains, limit)
        spider.tracking_params = tuple(crawler.settings.getlist("NEWSARCHIVE_TRACKING_PARAMS"))
        return spider

    @property
    def incremental(self) -> bool:
        """Whether archived articles are skipped until their re-check is due."""
        return bool(self.revisit_after)

    def closed(self, reason: str) -> None:
        self.frontier.close()

    @property
    def max_list_pages(self) -> int:
        """List pages followed per section (0 = no limit); the argument wins over the setting."""
        if self._max_list_pages_arg not in (None, ""):
            return int(self._max_list_pages_arg)  # type: ignore[arg-type]
        return self.settings.getint("NEWSARCHIVE_MAX_LIST_PAGES", 0)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.incremental:
            db_url = self.settings.get("NEWSARCHIVE_DB")
            if db_url:
                self.frontier = Frontier.load(db_url, [*self.start_urls, *self.allowed_domains])
        for url in self.start_urls:
            self._list_pages[url].add(url)
            # Section pages are fetched every run, even when a job's dupefilter saw them.
            yield self._section_request(url, section=url, dont_filter=not self.distributed)
        for url in self.feed_urls:
            yield self._section_request(url, url, dont_filter=not self.distributed,
                                        role=RequestRole.FEED)
        if self.robots_sitemaps:
            for origin in sorted(
                {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, self.start_urls)}
            ):
                yield scrapy.Request(
                    f"{origin}/robots.txt",
                    callback=self.parse_robots,
                    errback=self.failed,
                    meta={ROLE_META: RequestRole.ROBOTS},
                    dont_filter=not self.distributed,
                )
        if self.incremental:
            # Edits and deletions show only on a re-check, wherever the article is listed now.
            for known in self.frontier.due(self.now, self.revisit_after):
                yield self._article_request(known.url, None, known)

    def _section_request(self, url: str, section: str, dont_filter: bool = False,
                         role: RequestRole = RequestRole.SECTION) -> scrapy.Request:
        """A list page, or (role FEED) a sitemap or feed whose articles count as its section's."""
        return scrapy.Request(
            url,
            callback=self.parse_feed if role == RequestRole.FEED else self.parse_section,
            errback=self.failed,
            cb_kwargs={"section": section},
            meta={ROLE_META: role, SECTION_META: section},
            dont_filter=dont_filter,
        )

    def _article_request(self, url: str, section: str | None, known: KnownArticle | None
                         ) -> scrapy.Request:
        meta: dict[str, Any] = {ROLE_META: RequestRole.ARTICLE, SECTION_META: section}
        headers: dict[str, str] = {}
        if known is not None:
            # A re-check: ask conditionally, and let 304/404/410 reach parse_article.
            meta["handle_httpstatus_list"] = RECHECK_STATUSES
            meta["newsarchive_known_fetch"] = known.fetch_id
            meta["newsarchive_known_headers"] = known.headers
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.failed,
            cb_kwargs={"section": section},
            meta=meta,
            headers=headers,
        )

    def _follow_article(self, url: str, section: str, lastmod: datetime | None = None
                        ) -> tuple[scrapy.Request | FailedRequest | None, bool]:
        """The request for a listed article (None: archived and not due; a FailedRequest: a link
        the crawl will not request), and whether it is known.

        Tracking parameters are dropped first, so one article listed with several is fetched
        once. A sitemap or feed date (`lastmod`) later than the article's last check means it
        changed: it is fetched again before its re-check is due.
        """
        if self.article_pattern is not None and not self.article_pattern.search(url):
            return None, False
        url = strip_tracking(url, self.tracking_params)
        refused = self.links.refusal(url)
        if refused is not None:
            self.crawler.stats.inc_value(f"newsarchive/links_refused/{refused.kind}")
            return FailedRequest(url=url, error=refused, role=RequestRole.ARTICLE,
                                 section_url=section), False
        known = self.frontier.get(url) if self.incremental else None
        if known is None:
            return self._article_request(url, section, None), False
        changed = lastmod is not None and lastmod > known.last_checked
        if not changed and (known.deleted or not revisit_due(known, self.now, self.revisit_after)):
            self.crawler.stats.inc_value("newsarchive/articles_skipped_known")
            return None, True
        if changed:
            self.crawler.stats.inc_value("newsarchive/articles_changed_by_lastmod")
        return self._article_request(url, section, known), True

    def parse_section(self, response: Response, section: str) -> Iterable[Any]:
        """A list page: its article links become article requests, its pager more list pages."""
        if (cut := cut_error(response)) is not None:
            yield SectionPage(page=fetched_page(response), section_url=section, error=cut,
                              redirects=hops(response.request) if response.request else [])
            return
        if response.status < 400 and feed_kind(response.body) is not None:
            # A start URL that is a sitemap or feed (told by content) needs no site config.
            yield from self.parse_feed(response, section)
            return
        page = fetched_page(response)
        redirects = hops(response.request) if response.request is not None else []
        if response.status >= 400:
            yield SectionPage(page=page, section_url=section, redirects=redirects)
            return
        try:
            listing = analyse_listing(response.body, response.url, page.headers)
        except ExtractionError as exc:
            yield SectionPage(page=page, section_url=section, error=exc, redirects=redirects)
            return
        # The page's item goes out last: in a distributed crawl the lease on this page ends when
        # its item is stored, so every request it leads to must be queued by then.
        item = SectionPage(
            page=page,
            section_url=section,
            article_links=len(listing.article_links),
            next_pages=len(listing.next_pages),
            redirects=redirects,
        )
        # A page handed back from a dead worker may have had its links marked seen by the shared
        # dupefilter without their requests reaching the queue: follow them again, unfiltered.
        refollow = bool(response.meta.get("newsarchive_requeued"))
        all_known = bool(listing.article_links)
        refused: list[FailedRequest] = []
        for link in listing.article_links:
            request, known = self._follow_article(link.url, section)
            all_known = all_known and known
            if isinstance(request, FailedRequest):
                refused.append(request)
            elif request is not None:
                yield request.replace(dont_filter=True) if refollow else request
        seen = self._list_pages[section]
        limit = self.max_list_pages
        next_pages = [u for u in listing.next_pages if u not in seen]
        if self.incremental and len(self.frontier):
            # Page back one list page at a time, and stop after enough pages of known articles.
            self._known_streak[section] = self._known_streak[section] + 1 if all_known else 0
            depth = self.known_list_pages
            if depth and self._known_streak[section] >= depth:
                self.crawler.stats.inc_value("newsarchive/sections_stopped_at_known")
                next_pages = []
            next_pages = next_pages[:1]
        for url in next_pages:
            if limit and len(seen) >= limit:
                continue
            seen.add(url)
            yield self._section_request(url, section, dont_filter=refollow)
        # Items after every request: storing one ends a distributed crawl's lease on this page.
        yield from refused
        yield item

    def parse_feed(self, response: Response, section: str) -> Iterable[Any]:
        """A sitemap or feed: child sitemaps are fetched, listed articles followed like a section's.
        """
        page = fetched_page(response)
        redirects = hops(response.request) if response.request is not None else []
        if (cut := cut_error(response)) is not None:
            yield SectionPage(page=page, section_url=section, error=cut, redirects=redirects)
            return
        if response.status >= 400:
            yield SectionPage(page=page, section_url=section, redirects=redirects)
            return
        try:
            feed = parse_feed(response.body, response.url, tz=self.timezone or "UTC")
        except FeedError as exc:
            yield SectionPage(page=page, section_url=section,
                              error=_feed_error(response.url, exc.reason), redirects=redirects)
            return
        refollow = bool(response.meta.get("newsarchive_requeued"))
        for child in feed.sitemaps:
            yield self._section_request(child.url, child.url, dont_filter=refollow,
                                        role=RequestRole.FEED)
        refused: list[FailedRequest] = []
        for entry in feed.entries:
            request, _ = self._follow_article(entry.url, section, entry.lastmod)
            if isinstance(request, FailedRequest):
                refused.append(request)
            elif request is not None:
                yield request.replace(dont_filter=True) if refollow else request
        self.crawler.stats.inc_value("newsarchive/feed_entries", len(feed.entries))
        yield from refused
        yield SectionPage(page=page, section_url=section, article_links=len(feed.entries),
                          next_pages=len(feed.sitemaps), redirects=redirects,
                          error=_feed_error(response.url, feed.problem) if feed.problem else None)

    def parse_robots(self, response: Response) -> Iterable[scrapy.Request]:
        """robots.txt's `Sitemap:` lines, fetched like configured sitemaps (robots.txt itself is not
        archived). """
        if response.status < 400:
            for url in sitemap_urls_from_robots(response.body, base_url=response.url):
                yield self._section_request(url, url, role=RequestRole.FEED)

    def parse_article(self, response: Response, section: str | None) -> Iterable[Any]:
        """An article page, handed on unparsed: the extract pipeline parses it once, and fetches
        the later pages of a multi-page article itself."""
        page = fetched_page(response)
        redirects = hops(response.request) if response.request is not None else []
        if (cut := cut_error(response)) is not None:
            yield ArticlePages(url=page.url, pages=[page], section_url=section, error=cut,
                               redirects=redirects)
            return
        if response.status == 304:
            stored = self._not_modified(response, page)
            if stored is None:
                problem = CrawlError(page.url, f"HTTP 304 from {response.url} but no stored body",
                                     FailureKind.NOT_MODIFIED)
                yield FailedRequest(url=page.url, error=problem, role=RequestRole.ARTICLE,
                                    section_url=section, redirects=[*redirects, page])
                return
            page = stored
        yield ArticlePages(url=page.url, pages=[page], section_url=section, redirects=redirects)

    def _not_modified(self, response: Response, page: FetchedPage) -> FetchedPage | None:
        """A 304 answer stands for the body archived before, under its stored headers."""
        fetch_id = response.meta.get("newsarchive_known_fetch")
        body = self.frontier.stored_body(fetch_id) if fetch_id is not None else None
        if body is None:
            return None
        self.crawler.stats.inc_value("newsarchive/not_modified")
        stored = dict(response.meta.get("newsarchive_known_headers") or {})
        lowered = {k.lower() for k in page.headers}
        headers = {k: v for k, v in stored.items() if k.lower() not in lowered} | page.headers
        return FetchedPage(url=page.url, final_url=page.final_url, status=304, headers=headers,
                           body=body, fetched_at=page.fetched_at)

    def failed(self, failure: Failure) -> Iterable[Any]:
        """A request that gave no usable response is recorded under the URL the spider scheduled,
        never dropped; an error status's response is archived raw like any other."""
        request = failure.request  # type: ignore[attr-defined]
        url = listed_url(request)
        role = RequestRole(request.meta.get(ROLE_META, RequestRole.ARTICLE))
        section = request.meta.get(SECTION_META)
        error = failure.value
        if isinstance(error, HttpError) and role != RequestRole.ROBOTS:
            page = fetched_page(error.response)
            if role == RequestRole.ARTICLE:
                # The extract pipeline names the status (http_status, or gone for 404/410).
                yield ArticlePages(url=url, pages=[page], section_url=section,
                                   redirects=hops(request))
            else:
                yield SectionPage(page=page, section_url=section or url, redirects=hops(request))
            return
        redirects = hops(request)
        if isinstance(error, RefusedRequest):
            redirects = list(getattr(error, "pages", None) or redirects)
        yield FailedRequest(url=url, error=_request_error(url, failure), role=role,
                            section_url=section, redirects=redirects)


def _request_error(url: str, failure: Failure) -> NewsarchiveError:
    """The named failure of a request that gave no usable response."""
    error = failure.value
    if isinstance(error, HttpError):
        status = error.response.status
        return CrawlError(url, f"HTTP {status}", FailureKind.HTTP_STATUS)
    return request_failure(url, error if error is not None else Exception("unknown error"))


def _feed_error(url: str, reason: str) -> CrawlError:
    return CrawlError(url, f"sitemap or feed: {reason}", FailureKind.FEED)
