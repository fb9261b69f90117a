"""Page input for listing and pagination: parsing, base URL, absolute hrefs, site policy, URL
shapes. """

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from newsarchive.extract.clean import strip_xml_declaration
from newsarchive.extract.errors import EmptyPage

# Second-level labels under which a country TLD sells names (sina.com.cn, bbc.co.uk).
_SECOND_LEVEL = frozenset({"com", "net", "org", "gov", "edu", "ac", "co", "or", "ne", "go", "mil"})
_IP = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$|^\[?[0-9a-f:]+\]?$")
_NON_ARTICLE_PATH = re.compile(
    r"/(about|aboutus|about-us|contact|contactus|contact-us|login|logon|signin|sign-in|signup|"
    r"register|reg|join|search|help|feedback|privacy|copyright|sitemap|rss|tag|tags|user|member|"
    r"space|home)(/|\.|_|-|$|\?)",
    re.IGNORECASE,
)
_INDEX_PAGE = re.compile(r"(^|/)((index|default|main)\.(s?html?|php|aspx?|jsp))?$", re.IGNORECASE)


def parse_html(
    body: bytes, url: str, headers: Mapping[str, Any] | None = None
) -> lxml.html.HtmlElement:
    """The page decoded (by extract.decode) and parsed with lxml; EmptyPage when nothing is there.
    """
    from newsarchive.extract.decode import decode_html

    text = strip_xml_declaration(decode_html(body, headers or {}, url=url).text)
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise EmptyPage(url, f"no HTML document in the page ({exc})") from exc


def anchors(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Every <a href> of the page in document order, outside noscript, template and select."""
    # Walks by tag beat the XPath '//a[@href][not(ancestor::noscript or ...)]' and its ancestor
    # tests.
    hidden = {a for block in tree.iter("noscript", "template", "select") for a in block.iter("a")}
    return [a for a in tree.iter("a") if a.get("href") is not None and a not in hidden]


def base_url(tree: lxml.html.HtmlElement, url: str) -> str:
    """The URL relative links resolve against: <base href> when present, else the page URL."""
    for base in tree.iter("base"):
        href = str(base.get("href") or "").strip()
        if href:
            return urljoin(url, href)
    return url


def resolve(href: str | None, base: str) -> str | None:
    """An absolute http(s) URL without fragment, or None for javascript:, mailto:, empty or '#'."""
    if href is None:
        return None
    href = "".join(href.split())
    if not href or href.startswith("#"):
        return None
    absolute = urldefrag(urljoin(base, href))[0]
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    return absolute


def registered_domain(url: str) -> str:
    """The site a URL belongs to: last two host labels, three under com.cn-style suffixes."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if _IP.match(host):
        return host
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(url: str, sites: frozenset[str]) -> bool:
    """Whether the URL's registered domain is one of the page's sites."""
    return registered_domain(url) in sites


def is_non_article_path(url: str) -> bool:
    """Paths that are never articles on their own: about, contact, login, tags, index pages."""
    parts = urlsplit(url)
    if _NON_ARTICLE_PATH.search(parts.path):
        return True
    return not parts.query and bool(_INDEX_PAGE.search(parts.path)) and _is_dir_like(parts.path)


def _is_dir_like(path: str) -> bool:
    last = path.rsplit("/", 1)[-1]
    return last == "" or _INDEX_PAGE.fullmatch(last) is not None


def url_shape(url: str) -> tuple[str, int, str]:
    """Host, path depth and extension: links of one list share it."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1] if segments else ""
    ext = last.rsplit(".", 1)[-1].lower() if "." in last else ""
    return (parts.hostname or "", len(segments), ext)
