"""The bundled demo portal: a fictional Chinese news site (UTF-8, GBK-declared-gb2312 and Big5
sections, seed-like noise, a split article, a robots-disallowed article), its HTTP server, its
exact ground truth, and the crawl settings that reach it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsarchive.demo.content import SECTIONS, ExpectedArticle, Section
from newsarchive.demo.site import (
    ListPage,
    Resource,
    build_site,
    expected_articles,
    list_pages,
    non_article_paths,
    robots_disallowed_paths,
)

if TYPE_CHECKING:
    from newsarchive.demo.server import DemoServer

ARTICLES: tuple[ExpectedArticle, ...] = expected_articles()
NON_ARTICLE_PATHS: tuple[str, ...] = non_article_paths()
ROBOTS_DISALLOWED_PATHS: tuple[str, ...] = robots_disallowed_paths()
LIST_PAGES: tuple[ListPage, ...] = list_pages()
# A word found in several demo articles, for the demo's example search.
DEMO_QUERY = "乡村"
# The portal's own address. `newsarchive demo` crawls it through the local server acting as an HTTP
# proxy, so the archived URLs stay the same whatever ephemeral port the server gets (a second run
# finds the same articles, not new ones).
DEMO_ORIGIN = "http://www.xinghe.example"
# The section pages `newsarchive demo` crawls.
DEMO_SECTIONS: tuple[str, ...] = tuple(DEMO_ORIGIN + section.index_path for section in SECTIONS)
# Our own local server needs no politeness delay; real sites keep the settings' defaults.
LOCAL_SERVER_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_MAX_DELAY": 1.0,
    "LOG_LEVEL": "WARNING",
}


def crawl_settings(server_url: str) -> dict[str, Any]:
    """The Scrapy settings of a crawl of DEMO_ORIGIN through the demo server at `server_url`
    (acting as the crawl's HTTP proxy)."""
    return {
        **LOCAL_SERVER_SETTINGS,
        "NEWSARCHIVE_DEMO_PROXY": server_url,
        "DOWNLOADER_MIDDLEWARES": {"newsarchive.demo.proxy.DemoProxyMiddleware": 740},
    }


def __getattr__(name: str) -> Any:
    # Imported lazily so `python -m newsarchive.demo.server` does not import the server module
    # twice.
    if name == "DemoServer":
        from newsarchive.demo.server import DemoServer

        return DemoServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ARTICLES",
    "DEMO_ORIGIN",
    "DEMO_QUERY",
    "DEMO_SECTIONS",
    "LOCAL_SERVER_SETTINGS",
    "LIST_PAGES",
    "NON_ARTICLE_PATHS",
    "ROBOTS_DISALLOWED_PATHS",
    "SECTIONS",
    "DemoServer",
    "ExpectedArticle",
    "ListPage",
    "Resource",
    "Section",
    "build_site",
    "crawl_settings",
]
