"""Decide whether an extracted page is an article worth archiving, and say why not."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from newsarchive.crawl.items import ArticlePages
from newsarchive.extract.article import PageKind
from newsarchive.extract.errors import ExtractionError, FailureKind, NoContent, NotAnArticle


class ValidatePipeline:
    """Marks pages that yielded no article with the reason; nothing is dropped here."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePages) or item.error is not None:
            return item
        adapter = ItemAdapter(item)
        article = item.article
        url = item.url
        if article is None:
            adapter["error"] = NoContent(url, "no article extracted")
        elif article.page_type != PageKind.ARTICLE:
            adapter["error"] = NotAnArticle(
                url, f"not an article: page_type={article.page_type} "
                     f"(confidence {article.page_type_confidence:.2f})")
        elif not article.title:
            adapter["error"] = ExtractionError(url, "no title found", FailureKind.NO_TITLE)
        elif not article.paragraphs:
            adapter["error"] = NoContent(url, "no article body found")
        return item
