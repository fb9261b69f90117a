"""Downloader middlewares: a retry that backs off when the server says it is overloaded, and keeps
each answer it retried for the archive."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import reactor
from twisted.internet.task import deferLater

from newsarchive.crawl.redirects import HOPS_META, hop_page, hops

# "Too Many Requests" and "Service Unavailable": the server asks us to come back later.
BACKOFF_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date); None if unusable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429/503 waits for Retry-After (or an exponential backoff),
    and the host's download slot slows down with it so other requests wait as well."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX", 120.0)
        self.backoff_base = settings.getfloat("NEWSARCHIVE_BACKOFF_BASE", 1.0)

    def backoff(self, response: Response, retries: int) -> float:
        """Seconds to wait before retry number `retries` of this response's request."""
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        wait = asked if asked is not None else self.backoff_base * 2 ** max(0, retries - 1)
        return min(wait, self.max_wait)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None,
    ) -> Request | Response:
        if (response.status not in BACKOFF_STATUSES or request.meta.get("dont_retry", False)
                or response.status not in self.retry_http_codes):
            return _kept(request, response, super().process_response(request, response))
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        _kept(request, response, retry)
        wait = self.backoff(response, retry.meta.get("retry_times", 1))
        self._slow_host(request, wait)
        self.crawler.stats.inc_value("newsarchive/backoff_seconds", round(wait))
        if wait > 0:
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return retry

    def _slow_host(self, request: Request, wait: float) -> None:
        """Make the rest of the host's queue wait too (AutoThrottle eases it back afterwards)."""
        engine = self.crawler.engine
        if engine is None:
            return
        downloader = engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None:
            slot.delay = max(slot.delay, wait)


def _kept(request: Request, response: Response, result: Request | Response) -> Request | Response:
    """A retry carries the answer it replaces, archived with whatever the retry ends in (every
    fetch is archived raw)."""
    if isinstance(result, Request) and result is not request:
        result.meta[HOPS_META] = [*hops(request), hop_page(request, response)]
    return result
