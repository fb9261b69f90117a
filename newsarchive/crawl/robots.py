"""robots.txt the RFC 9309 way: a site whose robots.txt fails (5xx, or no answer) is treated as
fully disallowed until it answers, and asked again after a while; 4xx means no rules.

Scrapy's RobotsTxtMiddleware parses whatever body comes back, so a 500 page reads as allow-all.
Every request refused here is a failure of kind ``robots`` saying why.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from newsarchive.crawl.links import RefusedRequest
from newsarchive.crawl.redirects import listed_url
from newsarchive.extract.errors import FailureKind

# Seconds before a robots.txt that failed is asked again (NEWSARCHIVE_ROBOTS_RECHECK_S).
ROBOTS_RECHECK_S = 300.0


class Unavailable:
    """The rules of a site whose robots.txt did not answer: nothing is allowed (RFC 9309 2.3.1.4).
    """

    def __init__(self, why: str) -> None:
        self.why = why

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False

    def sitemaps(self) -> list[str]:
        return []


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware with RFC 9309's failure rules (replaces it)."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.recheck_s = crawler.settings.getfloat("NEWSARCHIVE_ROBOTS_RECHECK_S", ROBOTS_RECHECK_S)
        self._recheck_at: dict[str, float] = {}

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        due = self._recheck_at.get(netloc)
        if due is not None and time.monotonic() >= due:
            # Ask again: the next answer decides for the requests from now on.
            del self._recheck_at[netloc]
            self._parsers.pop(netloc, None)
            self._stats.inc_value("newsarchive/robots_rechecked")
        return await super().robot_parser(request)

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, Unavailable):
            self._stats.inc_value("robotstxt/forbidden")
            raise RefusedRequest(listed_url(request), f"robots.txt {rp.why}: the site is treated "
                                 "as disallowed until it answers (RFC 9309)", FailureKind.ROBOTS)
        super().process_request_2(rp, request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._unavailable(netloc, f"answered HTTP {response.status}")
            return
        if response.status >= 400:
            # "Unavailable" (4xx): the crawler may access any resource.
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):
            # Refused before asking (e.g. a redirect off the site): no rules, as Scrapy has it.
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._unavailable(netloc, f"unreachable ({type(exc).__name__})")

    def _unavailable(self, netloc: str, why: str) -> None:
        """Disallow the whole site until the recheck is due."""
        rules = Unavailable(why)
        waiting = self._parsers.get(netloc)
        self._parsers[netloc] = rules  # type: ignore[assignment]
        self._recheck_at[netloc] = time.monotonic() + self.recheck_s
        self._stats.inc_value("newsarchive/robots_unavailable")
        if waiting is not None and hasattr(waiting, "callback"):
            waiting.callback(rules)  # type: ignore[arg-type]


__all__ = ["ROBOTS_RECHECK_S", "RobotsPolicyMiddleware", "Unavailable"]
