"""Write every fetch, article and failure to the archive."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from newsarchive import EXTRACTOR_VERSION
from newsarchive.archive import Archive
from newsarchive.db import default_db_url
from newsarchive.gone import gone_reason
from newsarchive.items import ArticlePages, FailedRequest, FetchedPage, SectionPage


class StorePipeline:
    """Owns the archive connection for one crawl; opens a crawl run unless the caller did."""

    def __init__(self, db_url: str, run_id: int | None, start_urls: list[str]) -> None:
        self.db_url = db_url
        self.run_id = run_id
        self._owns_run = run_id is None
        self.start_urls = start_urls
        self.outcomes: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        run_id = settings.get("NEWSARCHIVE_RUN_ID")
        spider = crawler.spider
        start_urls = list(getattr(spider, "start_urls", []) or [])
        return cls(
            db_url=settings.get("NEWSARCHIVE_DB") or default_db_url(),
            run_id=int(run_id) if run_id not in (None, "") else None,
            start_urls=start_urls,
        )

    def open_spider(self) -> None:
        self.archive = Archive(self.db_url)
        if self.run_id is None:
            self.run_id = self.archive.start_run(self.start_urls, {})

    def close_spider(self) -> None:
        assert self.run_id is not None
        if self._owns_run:
            self.archive.finish_run(self.run_id, "finished")
        self.archive.close()

    def _fetch(self, page: FetchedPage, encoding: dict[str, Any] | None = None) -> int:
        assert self.run_id is not None
        return self.archive.record_fetch(
            self.run_id,
            url=page.url,
            final_url=page.final_url,
            status=page.status,
            headers=page.headers,
            body=page.body,
            fetched_at=page.fetched_at,
            encoding=encoding,
        )

    def _count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def process_item(self, item: Any) -> Any:
        assert self.run_id is not None
        if isinstance(item, SectionPage):
            fetch_id = self._fetch(item.page)
            if item.page.status >= 400:
                self.archive.record_failure(
                    self.run_id, fetch_id, item.page.url, f"section page HTTP {item.page.status}"
                )
            elif item.error is not None:
                self.archive.record_failure(
                    self.run_id, fetch_id, item.page.url, f"section page: {item.error}"
                )
            self._count("section")
        elif isinstance(item, FailedRequest):
            self.archive.record_failure(self.run_id, None, item.url, item.reason)
            self._count("failed")
        elif isinstance(item, ArticlePages):
            self._store_article(item)
        return item

    def _store_article(self, item: ArticlePages) -> None:
        assert self.run_id is not None
        encodings = item.details.get("encodings", {})
        fetch_ids = [self._fetch(page, encodings.get(page.url)) for page in item.pages]
        first_fetch = fetch_ids[0] if fetch_ids else None
        gone = self._gone(item, fetch_ids) if item.error is not None else None
        if gone is not None:
            self._count(gone)
        elif item.error is not None:
            self.archive.record_failure(self.run_id, first_fetch, item.url, item.error)
            self._count("failed")
        elif item.duplicate_of is not None:
            self._count("duplicate")
        else:
            assert item.article is not None
            outcome = self.archive.store_article(
                self.run_id, fetch_ids, item.article, EXTRACTOR_VERSION
            )
            self._count(outcome)
        if "continuation_error" in item.details:
            self.archive.record_failure(
                self.run_id, first_fetch, item.url, item.details["continuation_error"]
            )

    def _gone(self, item: ArticlePages, fetch_ids: list[int]) -> str | None:
        """Mark a known article deleted when its page is a 404/410 or a "deleted" notice."""
        assert self.run_id is not None
        if not item.pages:
            return None
        page = item.pages[0]
        reason = gone_reason(page.status, page.body, page.headers)
        if reason is None:
            return None
        return self.archive.mark_gone(self.run_id, fetch_ids, item.url, reason, page.fetched_at)
