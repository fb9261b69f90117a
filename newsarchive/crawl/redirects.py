"""Redirects followed on the record: Scrapy's redirect and meta-refresh middlewares, but every hop
is archived and a redirect the crawl will not follow is a named failure of the *listed* URL.

A refused redirect (a loop, too many hops, off the crawl's hosts, a URL too long, a scheme that
is not http(s)) raises `RefusedRequest` with the chain's responses, which reaches the spider's
errback. A followed one is never eaten by the dupefilter: loops are caught here, on the chain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import (
    BaseRedirectMiddleware,
    MetaRefreshMiddleware,
    RedirectMiddleware,
)
from scrapy.http import Response
from w3lib.url import canonicalize_url

from newsarchive.archive.writes import FetchedPage, headers_json
from newsarchive.crawl.links import DEFAULT_MAX_URL_LENGTH, LinkPolicy, RefusedRequest
from newsarchive.extract.errors import FailureKind

# Request meta: the responses that led to this request so far, redirects followed and answers
# retried (FetchedPage each, oldest first).
HOPS_META = "newsarchive_hops"


def listed_url(request: Request) -> str:
    """The URL the spider scheduled, before any redirect."""
    chain = request.meta.get("redirect_urls") or [request.url]
    return str(chain[0])


def hops(request: Request) -> list[FetchedPage]:
    """The redirect responses that led to `request`, archived with whatever it ends in."""
    return list(request.meta.get(HOPS_META) or [])


def hop_page(request: Request, response: Response) -> FetchedPage:
    """A response that led on (a redirect, or an answer retried) as archived: under the listed
    URL, its own URL as the final one."""
    return FetchedPage(url=listed_url(request), final_url=response.url, status=response.status,
                       headers=headers_json(response.headers), body=response.body,
                       fetched_at=datetime.now(UTC))


class _RecordedChain(BaseRedirectMiddleware):
    """The checks and the record shared by status redirects and meta refreshes."""

    def policy(self) -> LinkPolicy:
        spider = self.crawler.spider
        found = getattr(spider, "links", None)
        if isinstance(found, LinkPolicy):
            return found
        return LinkPolicy(getattr(spider, "allowed_domains", None) or (),
                          self.crawler.settings.getint("URLLENGTH_LIMIT", DEFAULT_MAX_URL_LENGTH))

    def _build_redirect_request(self, source_request: Request, response: Response, *,
                                url: str, **kwargs: Any) -> Request:
        listed = listed_url(source_request)
        chain = [*source_request.meta.get("redirect_urls", []), source_request.url]
        followed = [*hops(source_request), hop_page(source_request, response)]
        error = self._refusal(url, listed, chain)
        if error is not None:
            error.pages = followed  # type: ignore[attr-defined]
            self.crawler.stats.inc_value(f"newsarchive/redirects_refused/{error.kind}")
            raise error
        redirected = super()._build_redirect_request(source_request, response, url=url, **kwargs)
        redirected.meta[HOPS_META] = followed
        return redirected

    def _refusal(self, url: str, listed: str, chain: list[str]) -> RefusedRequest | None:
        """Why the redirect from the end of `chain` to `url` is not followed; None if it is."""
        if url.split(":", 1)[0].lower() in ("http", "https"):
            key = canonicalize_url(url)
            if any(canonicalize_url(seen) == key for seen in chain):
                return RefusedRequest(listed, "redirect loop: " + " -> ".join([*chain, url]),
                                      FailureKind.REDIRECT_LOOP)
        if len(chain) > self.max_redirect_times:
            return RefusedRequest(listed, f"more than {self.max_redirect_times} redirects "
                                  f"(the last to {url})", FailureKind.TOO_MANY_REDIRECTS)
        return self.policy().refusal(url, listed)

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        followed = super()._redirect(redirected, request, reason)
        # The chain catches loops; the dupefilter would drop a hop to a URL seen before silently.
        followed.dont_filter = True
        return followed


class RecordedRedirectMiddleware(_RecordedChain, RedirectMiddleware):
    """3xx redirects, recorded and checked (replaces Scrapy's RedirectMiddleware)."""


class RecordedMetaRefreshMiddleware(_RecordedChain, MetaRefreshMiddleware):
    """<meta http-equiv=refresh> redirects, recorded and checked (replaces MetaRefreshMiddleware).
    """
