"""The section spider: walks section pages, their pagination and their article links.

Thin by design: what a page is and what it says is decided in `newsarchive.extract`; this module only
navigates and hands every response to the pipelines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newsarchive.extract.errors import ExtractionError
from newsarchive.extract.listing import analyse_listing, find_continuation
from newsarchive.items import ArticlePages, FailedRequest, FetchedPage, SectionPage


def fetched_page(response: Response) -> FetchedPage:
    """The response as the archive keeps it (headers decoded as latin-1, the HTTP way)."""
    headers = {
        key.decode("latin-1"): [v.decode("latin-1") for v in values]
        for key, values in response.headers.items()
    }
    url = response.request.url if response.request is not None else response.url
    return FetchedPage(
        url=url,
        final_url=response.url,
        status=response.status,
        headers=headers,
        body=response.body,
        fetched_at=datetime.now(UTC),
    )


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

    @property
    def max_list_pages(self) -> int:
        """List pages followed per section (0 = no limit); the argument wins over the setting."""
        if self._max_list_pages_arg not in (None, ""):
            return int(self._max_list_pages_arg)  # type: ignore[arg-type]
        return self.settings.getint("NEWSARCHIVE_MAX_LIST_PAGES", 0)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            self._list_pages[url].add(url)
            yield self._section_request(url, section=url)

    def _section_request(self, url: str, section: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_section,
            errback=self.failed,
            cb_kwargs={"section": section},
            meta={"newsarchive_kind": "section", "newsarchive_section": section},
        )

    def parse_section(self, response: Response, section: str) -> Iterable[Any]:
        """A list page: its article links become article requests, its pager more list pages."""
        page = fetched_page(response)
        if response.status >= 400:
            yield SectionPage(page=page, section_url=section)
            return
        try:
            listing = analyse_listing(response.body, response.url, page.headers)
        except ExtractionError as exc:
            yield SectionPage(page=page, section_url=section, error=exc.reason)
            return
        yield SectionPage(
            page=page,
            section_url=section,
            article_links=len(listing.article_links),
            next_pages=len(listing.next_pages),
        )
        for link in listing.article_links:
            yield scrapy.Request(
                link.url,
                callback=self.parse_article,
                errback=self.failed,
                cb_kwargs={"section": section, "pages": []},
                meta={"newsarchive_kind": "article", "newsarchive_section": section},
            )
        seen = self._list_pages[section]
        limit = self.max_list_pages
        for url in listing.next_pages:
            if url in seen or (limit and len(seen) >= limit):
                continue
            seen.add(url)
            yield self._section_request(url, section)

    def parse_article(
        self, response: Response, section: str, pages: list[FetchedPage]
    ) -> Iterable[Any]:
        """An article page; a multi-page article is followed to its end, then handed on whole."""
        pages = [*pages, fetched_page(response)]
        if response.status < 400:
            try:
                next_url = find_continuation(response.body, response.url, pages[-1].headers)
            except ExtractionError:
                next_url = None  # the pipelines record why this page yields no article
            known = {p.url for p in pages} | {p.final_url for p in pages}
            limit = self.settings.getint("NEWSARCHIVE_MAX_ARTICLE_PAGES", 20)
            if next_url and next_url not in known and len(pages) < limit:
                yield scrapy.Request(
                    next_url,
                    callback=self.parse_article,
                    errback=self.continuation_failed,
                    cb_kwargs={"section": section, "pages": pages},
                    meta={"newsarchive_kind": "article", "newsarchive_section": section},
                    dont_filter=True,
                )
                return
        yield ArticlePages(url=pages[0].url, pages=pages, section_url=section)

    def continuation_failed(self, failure: Failure) -> Iterable[Any]:
        """A later page of an article failed: keep the pages we have and say what is missing."""
        request = failure.request  # type: ignore[attr-defined]
        pages: list[FetchedPage] = request.cb_kwargs["pages"]
        item = ArticlePages(
            url=pages[0].url, pages=pages, section_url=request.cb_kwargs["section"]
        )
        item.details["continuation_error"] = f"{request.url}: {_reason(failure)}"
        yield item

    def failed(self, failure: Failure) -> Iterable[Any]:
        """A request that gave no usable response is recorded, never dropped."""
        request = failure.request  # type: ignore[attr-defined]
        yield FailedRequest(
            url=request.url,
            reason=_reason(failure),
            kind=request.meta.get("newsarchive_kind", "article"),
            section_url=request.meta.get("newsarchive_section"),
        )


def _reason(failure: Failure) -> str:
    """A one-line reason for a failed request."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    message = str(failure.value) or failure.type.__name__
    if "robots.txt" in message.lower():
        return "forbidden by robots.txt"
    return f"{failure.type.__name__}: {message}"
