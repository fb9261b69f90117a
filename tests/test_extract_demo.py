"""Every demo-portal article (UTF-8, GBK declared gb2312, Big5; seed-like noise) extracts exactly.
"""

from __future__ import annotations

import re

import pytest

from newsarchive.demo import ARTICLES, NON_ARTICLE_PATHS, ExpectedArticle, build_site
from newsarchive.extract import Article, extract, stitch

BASE = "http://127.0.0.1:8000"
SITE = build_site()
# decode reads GBK and Big5 bytes with their supersets, which decode the same bytes the same way.
SUPERSET = {"gbk": "gb18030", "gb2312": "gb18030", "big5": "big5hkscs"}


def fetch(path: str) -> Article:
    resource = SITE[path]
    headers = {"Content-Type": resource.content_type} if resource.content_type else {}
    return extract(resource.body, BASE + path, headers)


def extract_all_pages(path: str) -> Article:
    """The article at `path`, following its continuation pages and stitching them."""
    pages = [fetch(path)]
    while pages[-1].next_page_url is not None and len(pages) < 10:
        pages.append(fetch(pages[-1].next_page_url.removeprefix(BASE)))
    return stitch(pages) if len(pages) > 1 else pages[0]


@pytest.fixture(scope="module")
def extracted() -> dict[str, Article]:
    return {expected.path: extract_all_pages(expected.path) for expected in ARTICLES}


@pytest.mark.parametrize("expected", ARTICLES, ids=[a.path for a in ARTICLES])
def test_demo_article(extracted: dict[str, Article], expected: ExpectedArticle) -> None:
    article = extracted[expected.path]
    assert article.page_type == "article"
    assert article.title == expected.title
    assert article.published is not None and article.published.isoformat() == expected.published
    assert tuple(article.authors) == expected.authors
    assert article.source == expected.source
    assert article.editor == expected.editor
    assert tuple(article.keywords) == expected.keywords
    assert tuple(article.section_path) == expected.section_path
    assert tuple(article.paragraphs) == expected.paragraphs
    assert article.encoding in (expected.encoding, SUPERSET.get(expected.encoding))


def test_demo_covers_all_encodings_and_a_split_article(extracted: dict[str, Article]) -> None:
    assert {a.encoding for a in ARTICLES} >= {"utf-8", "gbk", "big5"}
    assert any("pages" in article.evidence for article in extracted.values())


# A split article's second page is article text (the crawler reaches it through stitch), not a list.
CONTINUATIONS = [p for p in NON_ARTICLE_PATHS if re.search(r"/\d+_\d+\.html$", p)]


@pytest.mark.parametrize("path", [p for p in NON_ARTICLE_PATHS if p not in CONTINUATIONS])
def test_demo_non_article_pages(path: str) -> None:
    assert fetch(path).page_type in ("list", "other")


def test_demo_list_pages_are_lists() -> None:
    for path in ("/news/", "/tech/index_2.html", "/culture/"):
        assert fetch(path).page_type == "list"
