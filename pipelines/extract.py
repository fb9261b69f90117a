"""Turn an article's fetched page(s) into one Article."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from newsarchive.extract import ExtractionError, extract, stitch
from newsarchive.items import ArticlePages


class ExtractPipeline:
    """Runs the extractor on each page of an article and stitches multi-page articles."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePages) or item.error is not None:
            return item
        adapter = ItemAdapter(item)
        pages = [p for p in item.pages if p.status < 400]
        if not pages:
            adapter["error"] = f"HTTP {item.pages[-1].status}" if item.pages else "no response"
            return item
        try:
            articles = [
                extract(p.body, p.final_url, p.headers, fetched_at=p.fetched_at,
                        timezone=item.details.get("timezone"))
                for p in pages
            ]
        except ExtractionError as exc:
            adapter["error"] = exc.reason
            return item
        except Exception as exc:  # noqa: BLE001 - an extractor bug must not lose the raw page
            adapter["error"] = f"extractor failed: {type(exc).__name__}: {exc}"
            return item
        # Each page was decoded on its own evidence; the archive keeps it per fetch.
        adapter["details"]["encodings"] = {
            p.url: a.evidence.get("encoding") for p, a in zip(pages, articles, strict=True)
        }
        article = articles[0] if len(articles) == 1 else stitch(articles)
        article.url = item.url
        adapter["article"] = article
        return item
