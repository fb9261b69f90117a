"""Recognise the same article reached under two URLs within one crawl."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from newsarchive.archive.urls import canonical_url
from newsarchive.crawl.items import ArticlePages


class DedupePipeline:
    """Marks the second and later items with one canonical URL as duplicates of the first."""

    def open_spider(self) -> None:
        self._seen: dict[str, str] = {}

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePages) or item.error is not None or item.article is None:
            return item
        key = canonical_url(item.article.url, item.article.canonical_url)
        first = self._seen.setdefault(key, item.url)
        if first != item.url:
            ItemAdapter(item)["duplicate_of"] = first
        return item
