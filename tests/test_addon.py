"""The Scrapy add-on: a plain Scrapy project of someone else's, with only ADDONS and NEWSARCHIVE_DB
added to its settings, crawls the demo portal and gets the articles archived by newsarchive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from newsarchive.archive import Archive
from newsarchive.archive.models import Failure, Fetch
from newsarchive.demo import ARTICLES, DemoServer
from newsarchive.query import articles

pytestmark = pytest.mark.crawl

SETTINGS = '''
BOT_NAME = "plainproj"
SPIDER_MODULES = ["plainproj.spiders"]
ADDONS = {"newsarchive.crawl.addon.NewsArchive": 0}
NEWSARCHIVE_DB = %r
# The project's own settings win over the add-on's defaults: a local server needs no delay.
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_START_DELAY = 0
AUTOTHROTTLE_MAX_DELAY = 1
LOG_LEVEL = "WARNING"
'''
SPIDER = '''
import re

import scrapy


class PortalSpider(scrapy.Spider):
    """Someone's spider: list pages, their pagination, their articles; it knows nothing of
    newsarchive and yields items of its own."""

    name = "portal"

    def __init__(self, base="", **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [base + path for path in ("/news/", "/tech/", "/culture/")]

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if not url.startswith(self.start_urls[0].rsplit("/news/", 1)[0]):
                continue
            if re.search(r"/index_\\d+\\.html$", url):
                yield response.follow(url, self.parse)
            elif re.search(r"/\\d{4}/\\d{4}/\\d+\\.html$", url):
                yield response.follow(url, self.parse_article)

    def parse_article(self, response):
        yield {"url": response.url, "title": response.css("title::text").get()}
'''


def _project(root: Path, db_url: str) -> Path:
    package = root / "plainproj"
    (package / "spiders").mkdir(parents=True)
    (root / "scrapy.cfg").write_text("[settings]\ndefault = plainproj.settings\n", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "settings.py").write_text(SETTINGS % db_url, encoding="utf-8")
    (package / "spiders" / "__init__.py").write_text("", encoding="utf-8")
    (package / "spiders" / "portal.py").write_text(SPIDER, encoding="utf-8")
    return root


def test_a_plain_scrapy_project_archives_its_crawl(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    root = _project(tmp_path / "project", db_url)
    with DemoServer() as server:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"base={server.url}",
             "-O", "items.jsonl"],
            cwd=root, capture_output=True, text=True, timeout=300,
            env={k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"})
        assert result.returncode == 0, result.stderr[-3000:]
        base = server.url
    own = [json.loads(line) for line in (root / "items.jsonl").read_text().splitlines()]
    # The project's own items pass through untouched, one per article page it parsed.
    assert sorted(item["url"] for item in own) == sorted(base + a.path for a in ARTICLES)
    with Archive(db_url, readonly=True) as archive:
        rows = {row["url"]: row for row in articles(archive)}
        with archive.reading() as session:
            fetches = session.scalar(select(func.count()).select_from(Fetch))
            kinds = dict(session.execute(
                select(Failure.kind, func.count()).group_by(Failure.kind)).all())
    assert set(rows) == {base + a.path for a in ARTICLES}
    for expected in ARTICLES:
        row = rows[base + expected.path]
        assert (row["title"], row["published"], row["authors"]) == (
            expected.title, expected.published, list(expected.authors))
        assert row["body"] == "\n".join(expected.paragraphs)
    # Every page parsed was archived raw; the list pages are recorded as no articles, by kind.
    assert fetches >= len(ARTICLES) + 3
    assert set(kinds) == {"not_article"}
