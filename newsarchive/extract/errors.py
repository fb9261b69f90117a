"""The project's named failures: every part raises a NewsarchiveError carrying (url, kind, reason).

They live here, at the bottom of the layers (extract imports nothing from the others), so that
crawl, archive and query can all import them. A failure kind is a short stable code: it crosses
process pipes as a string, is stored in ``failures.kind`` and is what ``stats`` groups by; the
reason is the human sentence beside it.
"""

from __future__ import annotations

from enum import StrEnum


class FailureKind(StrEnum):
    """Why a URL gave no article: one code per cause, stable across releases."""

    # The response: status, size, time, transport.
    HTTP_STATUS = "http_status"  # a 4xx/5xx answer (other than a gone page)
    GONE = "gone"  # 404/410, or a page saying the article was removed
    NOT_MODIFIED = "not_modified"  # a 304 with no archived body to stand for
    ROBOTS = "robots"  # forbidden by robots.txt
    OFFSITE = "offsite"  # a link or redirect off the crawl's hosts
    NETWORK = "network"  # DNS, refused or reset connection, a broken transfer
    TIMEOUT = "timeout"  # download or extraction ran past its time limit
    TOO_LARGE = "too_large"  # response or body over its size cap
    TOO_DEEP = "too_deep"  # a document nested past the parser's depth limit
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    URL_TOO_LONG = "url_too_long"
    BAD_SCHEME = "bad_scheme"  # a redirect or link to file:, ftp:, data:, javascript:, ...
    # The page: what extraction made of it.
    EMPTY = "empty"  # no bytes, or no HTML document in them
    DECODE = "decode"  # bytes that decode to no usable text
    NOT_ARTICLE = "not_article"  # a list, gallery, video or other non-article page
    NO_CONTENT = "no_content"  # reads as an article, but no body was found
    NO_TITLE = "no_title"
    FEED = "feed"  # a sitemap or feed that is missing, broken or not one
    CONTINUATION = "continuation"  # a later page of a multi-page article failed
    # Our own machinery.
    EXTRACTOR_CRASH = "extractor_crash"  # the extractor raised an unexpected exception
    EXTRACTOR_DIED = "extractor_died"  # the worker process died with the page, twice
    STORE = "store"  # the archive could not write the item
    NOT_ARCHIVED = "not_archived"  # asked for a run, fetch or article the archive lacks
    ARCHIVE = "archive"  # the archive itself cannot be opened (URL, file, server, schema)
    CONFIG = "config"  # a site file or option that cannot be used
    EXPORT = "export"  # an export that cannot be written
    OTHER = "other"


class NewsarchiveError(Exception):
    """A named failure: what (`url`, or the thing at fault), which `kind`, and why (`reason`)."""

    kind: FailureKind = FailureKind.OTHER
    reason: str = "failed"

    def __init__(self, url: str, reason: str | None = None,
                 kind: FailureKind | str | None = None) -> None:
        self.url = url
        if reason is not None:
            self.reason = reason
        if kind is not None:
            self.kind = FailureKind(kind)
        super().__init__(f"{url}: {self.reason}")

    def __reduce__(self) -> tuple[object, ...]:
        # Subclasses may take other arguments: rebuild through the base signature, then
        # restore their own attributes.
        return (_rebuild, (type(self), self.url, self.reason, str(self.kind)), dict(self.__dict__))


def _rebuild(cls: type[NewsarchiveError], url: str, reason: str,
             kind: str) -> NewsarchiveError:
    error = cls.__new__(cls)
    NewsarchiveError.__init__(error, url, reason, kind)
    return error


class ExtractionError(NewsarchiveError):
    """A page could not be turned into an article."""

    kind = FailureKind.NO_CONTENT
    reason = "extraction failed"


class EmptyPage(ExtractionError):
    """The page has no bytes, or no HTML document in them."""

    kind = FailureKind.EMPTY
    reason = "empty page"


class PageTooLarge(ExtractionError):
    """The page, or the body found on it, is over its size cap."""

    kind = FailureKind.TOO_LARGE
    reason = "page over its size cap"


class PageTooDeep(ExtractionError):
    """The page nests elements past the parser's depth limit: what lies deeper is lost."""

    kind = FailureKind.TOO_DEEP
    reason = "page nested past the parser's depth limit"


class NotAnArticle(ExtractionError):
    """The page is a list, gallery or other non-article page."""

    kind = FailureKind.NOT_ARTICLE
    reason = "not an article"


class NoContent(ExtractionError):
    """No article body could be found on the page."""

    kind = FailureKind.NO_CONTENT
    reason = "no article body found"


class PageGone(ExtractionError):
    """The page says the article was removed (页面不存在, 该文章已被删除, ...)."""

    kind = FailureKind.GONE
    reason = "the page says the article is gone"
