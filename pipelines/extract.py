"""Turn an article's fetched page(s) into one Article, following a multi-page article to its end."""

from __future__ import annotations

from typing import Any

import scrapy
from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from newsarchive.crawl.extract_pool import (
    Extracted,
    ExtractorDied,
    ExtractorPool,
    PageJob,
    default_workers,
)
from newsarchive.crawl.items import ArticlePages, FetchedPage, fetched_page, request_failure_reason
from newsarchive.extract import stitch
from newsarchive.extract.article import Article


class ExtractPipeline:
    """Extracts each page of an article in the extractor pool, fetches its continuation pages
    (the extracted first page knows them: the spider never parses article pages) and stitches them.
    """

    def __init__(self, crawler: Crawler, workers: int, max_pages: int) -> None:
        self.crawler = crawler
        self.workers = workers
        self.max_pages = max_pages

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        workers = settings.get("NEWSARCHIVE_EXTRACT_WORKERS")
        return cls(crawler,
                   workers=default_workers() if workers in (None, "") else int(workers),
                   max_pages=settings.getint("NEWSARCHIVE_MAX_ARTICLE_PAGES", 20))

    def open_spider(self) -> None:
        self.pool = ExtractorPool(self.workers)
        self.pool.start()

    def close_spider(self) -> None:
        self.pool.close()
        if self.pool.replaced:
            self.crawler.stats.set_value(
                "newsarchive/extractor_workers_replaced", self.pool.replaced
            )

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePages) or item.error is not None:
            return item
        adapter = ItemAdapter(item)
        pages = [p for p in item.pages if p.status < 400]
        if not pages:
            adapter["error"] = f"HTTP {item.pages[-1].status}" if item.pages else "no response"
            return item
        try:
            extracted = [(page, await self._extract(page, item)) for page in pages]
            extracted += await self._continuation(item, extracted[-1][1])
        except _PageFailed as exc:
            adapter["error"] = exc.reason
            return item
        # Each page was decoded on its own evidence; the archive keeps it per fetch.
        adapter["details"]["encodings"] = {p.url: a.evidence.get("encoding") for p, a in extracted}
        articles = [article for _, article in extracted]
        article = articles[0] if len(articles) == 1 else stitch(articles)
        article.url = item.url
        adapter["article"] = article
        return item

    async def _extract(self, page: FetchedPage, item: ArticlePages) -> Article:
        """One page's Article; _PageFailed with the reason when there is no article."""
        job = PageJob(page.body, page.final_url, page.headers, fetched_at=page.fetched_at,
                      timezone=item.details.get("timezone"), hints=item.details.get("hints"))
        try:
            result: Extracted = await self.pool.extract(job)
        except ExtractorDied as exc:
            raise _PageFailed(str(exc)) from exc
        except Exception as exc:  # an extractor bug must not lose the raw page
            raise _PageFailed(f"extractor failed: {type(exc).__name__}: {exc}") from exc
        if result.article is None:
            raise _PageFailed(result.reason or "no article extracted")
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
            page, problem = await self._fetch(next_url, item.section_url)
            if page is not None:
                item.pages.append(page)
                known |= {page.url, page.final_url}
            if problem is not None:
                item.details["continuation_error"] = f"{next_url}: {problem}"
                break
            assert page is not None
            article = await self._extract(page, item)
            articles.append((page, article))
            next_url = article.next_page_url
        return articles

    async def _fetch(self, url: str, section: str | None) -> tuple[FetchedPage | None, str | None]:
        """A continuation page through the crawl's downloader (politeness, retries, robots.txt
        apply), and what went wrong with it, if anything."""
        request = scrapy.Request(url, dont_filter=True, meta={
            "newsarchive_kind": "article", "newsarchive_section": section})
        engine = self.crawler.engine
        assert engine is not None
        try:
            response = await engine.download_async(request)
        except Exception as exc:  # noqa: BLE001 - any download error ends the article here
            return None, request_failure_reason(exc)
        page = fetched_page(response)
        return page, (f"HTTP {response.status}" if response.status >= 400 else None)


class _PageFailed(Exception):
    """A page of the article yielded no Article; `reason` is what the archive records."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
