"""Named errors of extraction; each carries the URL and the reason."""

from __future__ import annotations


class ExtractionError(Exception):
    """A page could not be turned into an article."""

    reason: str = "extraction failed"

    def __init__(self, url: str, reason: str | None = None) -> None:
        self.url = url
        if reason is not None:
            self.reason = reason
        super().__init__(f"{url}: {self.reason}")


class EmptyPage(ExtractionError):
    """The page has no bytes, or no HTML document in them."""

    reason = "empty page"


class NotAnArticle(ExtractionError):
    """The page is a list, gallery or other non-article page."""

    reason = "not an article"


class NoContent(ExtractionError):
    """No article body could be found on the page."""

    reason = "no article body found"
