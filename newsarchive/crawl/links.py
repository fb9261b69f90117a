"""What the crawl may request: the checks a listed link or a redirect target must pass, and the
named refusal of one that fails them (recorded as a failure, never dropped in a log line)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from newsarchive.crawl.items import CrawlError
from newsarchive.extract.errors import FailureKind

# Schemes the crawl fetches; file:, ftp:, data:, javascript: ... are refused as bad_scheme.
FETCHED_SCHEMES = frozenset({"http", "https"})
# Scrapy's URLLENGTH_LIMIT default: the longest URL Internet Explorer took.
DEFAULT_MAX_URL_LENGTH = 2083


class RefusedRequest(CrawlError, IgnoreRequest):
    """A request the crawl would not make (a link or redirect failing a check), with its kind.

    `page`: the response that led to it (a refused redirect's 3xx), archived with the failure.
    """


class LinkPolicy:
    """The checks of one crawl: scheme, length, and the hosts it may visit (with subdomains)."""

    def __init__(self, hosts: Iterable[str], max_length: int = DEFAULT_MAX_URL_LENGTH) -> None:
        self.hosts = tuple(sorted({h.lower().strip(".") for h in hosts if h}))
        self.max_length = max_length

    def refusal(self, url: str, listed: str | None = None) -> RefusedRequest | None:
        """Why `url` may not be requested (named against `listed`, the URL the chain began at);
        None when it may."""
        name = listed or url
        via = "" if listed in (None, url) else f" (redirected to {_short(url)})"
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises for a port that is no number or out of range
        except ValueError as exc:
            return RefusedRequest(name, f"not a usable URL: {exc}{via}", FailureKind.OTHER)
        scheme = parts.scheme.lower()
        if scheme not in FETCHED_SCHEMES:
            return RefusedRequest(name, f"not an http(s) URL: {scheme or 'no'} scheme{via}",
                                  FailureKind.BAD_SCHEME)
        if self.max_length and len(url) > self.max_length:
            return RefusedRequest(name, f"URL of {len(url)} characters, over the limit of "
                                  f"{self.max_length}{via}", FailureKind.URL_TOO_LONG)
        if not self.on_site(url):
            host = parts.hostname or ""
            return RefusedRequest(name, f"off the crawl's hosts: {host or 'no host'}{via}",
                                  FailureKind.OFFSITE)
        return None

    def on_site(self, url: str) -> bool:
        """Whether `url`'s host is one of the crawl's hosts or a subdomain of one (none: any)."""
        if not self.hosts:
            return True
        try:
            host = (urlsplit(url).hostname or "").lower().rstrip(".")
        except ValueError:
            return False
        return any(host == h or host.endswith("." + h) for h in self.hosts)


def _short(url: str, limit: int = 200) -> str:
    """`url` as a reason may quote it: at most `limit` characters."""
    return url if len(url) <= limit else url[:limit] + f"... ({len(url)} characters)"
