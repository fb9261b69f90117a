"""Decide whether an extracted page is an article worth archiving, and say why not."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from newsarchive.crawl.items import ArticlePages


class ValidatePipeline:
    """Marks pages that yielded no article with the reason; nothing is dropped here."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePages) or item.error is not None:
            return item
        adapter = ItemAdapter(item)
        article = item.article
        if article is None:
            adapter["error"] = "no article extracted"
        elif article.page_type != "article":
            adapter["error"] = (
                f"not an article: page_type={article.page_type} "
                f"(confidence {article.page_type_confidence:.2f})"
            )
        elif not article.title:
            adapter["error"] = "no title found"
        elif not article.paragraphs:
            adapter["error"] = "no article body found"
        return item
