"""Canonical article URLs and site hosts: the identity keys of the archive.

A canonical URL is a key, not necessarily a fetchable address: the scheme is always
``https``, a leading ``www.`` is dropped, the default port (80, 443) is dropped, tracking
parameters and the fragment are removed, and the remaining query parameters are sorted and
percent-encoded the way w3lib (Scrapy's) canonicalises them. A site host is the lower-case
host without ``www.``, with ``:port`` only when the port is not 80 or 443.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Parameters that say how a reader arrived, never which article it is.
TRACKING_PARAMS = frozenset({
    "from", "spm", "scm", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
    "mc_cid", "mc_eid", "_hsenc", "_hsmi", "igshid", "_ga", "wxfrom", "isappinstalled",
    "share_source", "share_medium", "share_token", "sharer_shareid", "sharer_sharetime",
    "tt_from", "from_source", "cmpid", "ncid", "ocid",
})
TRACKING_PREFIXES = ("utm_",)
WEB_SCHEMES = ("http", "https")
DEFAULT_PORTS = (80, 443)


def _host_port(url: str) -> tuple[str, int | None] | None:
    """Lower-case host without ``www.`` and the explicit non-default port, or None if no host."""
    parts = urlsplit(url.strip())
    try:
        host = parts.hostname
        port = parts.port
    except ValueError:  # a malformed port such as "host:abc"
        return None
    if not host:
        return None
    host = host.rstrip(".")
    host = host.removeprefix("www.")
    return host, (None if port in DEFAULT_PORTS else port)


def site_host(url: str) -> str:
    """The site a URL belongs to: ``news.example.cn`` or ``127.0.0.1:8080``; "" when it has none."""
    found = _host_port(url)
    if found is None:
        return ""
    host, port = found
    if ":" in host:  # an IPv6 literal needs its brackets back
        host = f"[{host}]"
    return host if port is None else f"{host}:{port}"


def is_tracking_param(name: str, extra: Iterable[str] = ()) -> bool:
    """Whether a query parameter only tracks the reader (utm_*, from, spm, ..., and `extra`: a
    site's own, from its `tracking_params`)."""
    lowered = name.lower()
    return (lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)
            or lowered in {e.lower() for e in extra})


def strip_tracking(url: str, extra: Iterable[str] = ()) -> str:
    """`url` without its tracking parameters (see is_tracking_param), otherwise as it was: the
    address a listed link is fetched at, so one article listed with several is fetched once."""
    try:
        query = urlsplit(url).query
    except ValueError:  # not a URL at all: left for the crawl's checks to refuse, as it is
        return url
    if not query:
        return url
    extra = tuple(extra)
    names = {unquote_plus(pair.split("=", 1)[0]) for pair in query.split("&") if pair}
    tracking = sorted(name for name in names if is_tracking_param(name, extra))
    if not tracking:
        return url
    return url_query_cleaner(url, tracking, remove=True, unique=False, keep_fragments=True)


def _normalise(url: str) -> str:
    """The canonical key form of one absolute http(s) URL."""
    parts = urlsplit(canonicalize_url(url, keep_fragments=False))
    # Filter the raw pairs rather than decode and re-encode them: a query in GBK
    # percent-escapes must keep its exact bytes.
    query = "&".join(pair for pair in parts.query.split("&")
                     if pair and not is_tracking_param(unquote_plus(pair.split("=", 1)[0])))
    return urlunsplit(("https", site_host(url), parts.path or "/", query, ""))


def canonical_url(url: str, hint: str | None = None) -> str:
    """The article's identity: `hint` (rel=canonical / og:url) when on the same site, else `url`.

    Both are normalised the same way; a URL that is not http(s) only loses its fragment.
    """
    url = url.strip()
    if urlsplit(url).scheme.lower() not in WEB_SCHEMES or not site_host(url):
        return url.split("#", 1)[0]
    if hint and hint.strip():
        resolved = urljoin(url, hint.strip())
        if (urlsplit(resolved).scheme.lower() in WEB_SCHEMES
                and site_host(resolved) == site_host(url)):
            return _normalise(resolved)
    return _normalise(url)
