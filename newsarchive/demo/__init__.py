"""The bundled demo portal: a fictional Chinese news site (UTF-8, GBK-declared-gb2312 and Big5
sections,
seed-like noise, a split article, a robots-disallowed article), its HTTP server and its exact ground
truth."""

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
]
