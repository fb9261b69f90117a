"""The seed page (GBK bytes declared gb2312, no charset in the header) gives exactly expected.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsarchive.extract import Article, extract


@pytest.fixture(scope="module")
def expected(shared_dir: Path) -> dict[str, Any]:
    return json.loads((shared_dir / "seed" / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def article(shared_dir: Path, expected: dict[str, Any]) -> Article:
    body = (shared_dir / "seed" / "article.html").read_bytes()
    return extract(body, expected["url"], {"Content-Type": "text/html"})


@pytest.mark.parametrize("name", ["title", "published", "source", "authors", "editor", "keywords", "section_path"])
def test_field(article: Article, expected: dict[str, Any], name: str) -> None:
    assert article.to_dict()[name] == expected[name]


def test_published_is_beijing_time(article: Article) -> None:
    assert article.published is not None
    assert article.published.isoformat() == "2020-01-09T07:56:40+08:00"


def test_body_paragraphs(article: Article, expected: dict[str, Any]) -> None:
    assert article.paragraphs == expected["body_paragraphs"]


def test_opening_appears_once(article: Article, expected: dict[str, Any]) -> None:
    assert article.body.count(expected["appears_once_in_body"]) == 1


def test_noise_absent(article: Article, expected: dict[str, Any]) -> None:
    present = [snippet for snippet in expected["not_in_body"] if snippet in article.body]
    assert present == []


def test_page_facts(article: Article) -> None:
    assert article.page_type == "article"
    assert article.page_type_confidence > 0.9
    assert article.language == "zh"
    assert article.encoding == "gb18030"
    assert article.summary is None  # the summary box only repeats the body's opening
    assert article.evidence["encoding"]["meta_charset"] == "gb2312"
    assert article.evidence["published"]["raw"] == "2020-01-09 07:56:40"
    assert article.evidence["keywords"]["rule"] == "visible"


def test_meta_keyword_spam_ignored(article: Article) -> None:
    assert "六月婷婷导航福利在线" not in article.keywords
