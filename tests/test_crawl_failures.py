"""Bad pages lose nothing: a real crawl of a broken portal archives every fetch and every reason."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from newsarchive.archive import Archive
from newsarchive.demo import DemoServer
from newsarchive.demo.site import Resource
from newsarchive.query import articles

# Real Scrapy crawls: left out of `make test-fast`.
pytestmark = pytest.mark.crawl

HTML = "text/html; charset=utf-8"
PARAGRAPH = "这是一段用来测试的新闻正文，内容足够长，包含标点符号，也描述了一件具体的事情。" * 3


def _article(title: str) -> bytes:
    return (
        f"<html><head><title>{title}_测试网</title></head><body>"
        f'<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a></div>'
        f"<h1>{title}</h1><div class=\"info\">2024-05-06 10:20:30 来源：测试网</div>"
        f'<div class="content"><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></div>'
        "</body></html>"
    ).encode()


def _section() -> bytes:
    items = "".join(
        f'<li><a href="/news/{name}.html">{title}</a><span>2024-05-0{i + 1}</span></li>'
        for i, (name, title) in enumerate([
            ("good", "一篇正常的新闻报道标题足够长"),
            ("empty", "一篇空白页面的新闻报道标题"),
            ("gone", "一篇已经被删除的新闻报道标题"),
            ("binary", "一篇内容是乱码的新闻报道标题"),
            ("about", "关于我们这个网站的介绍页面标题"),
        ])
    )
    return f"<html><body><h1>新闻</h1><ul class=\"list\">{items}</ul></body></html>".encode()


SITE = {
    "/robots.txt": Resource(b"User-agent: *\nAllow: /\n", "text/plain"),
    "/news/": Resource(_section(), HTML),
    "/news/good.html": Resource(_article("一篇正常的新闻报道标题足够长"), HTML),
    "/news/empty.html": Resource(b"", HTML),
    "/news/binary.html": Resource(bytes(range(256)) * 4, "text/html"),
    "/news/about.html": Resource("<html><body><h1>关于我们</h1><p>联系电话：010-12345678</p></body></html>".encode(), HTML),
}


def test_every_bad_page_is_archived_with_its_reason(db_url: str) -> None:
    with DemoServer(site=SITE) as server:
        result = subprocess.run(
            [sys.executable, "-m", "newsarchive.cli", "crawl", server.url + "/news/", "--db", db_url,
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0"],
            check=False, capture_output=True, text=True, timeout=300, env=dict(os.environ),
        )
        assert result.returncode == 0, result.stderr
    base = server.url
    with Archive(db_url) as archive:
        rows = list(articles(archive))
        summary = archive.run_summary(1)
        counts = archive.counts()
    assert [r["url"] for r in rows] == [base + "/news/good.html"]
    reasons = {f["url"]: f["reason"] for f in summary["failures"]}
    assert reasons[base + "/news/empty.html"] == "no bytes"
    assert reasons[base + "/news/gone.html"] == "HTTP 404"
    assert base + "/news/binary.html" in reasons
    assert reasons[base + "/news/about.html"].startswith("not an article")
    kinds = {f["url"].removeprefix(base): f["kind"] for f in summary["failures"]}
    assert kinds == {"/news/empty.html": "empty", "/news/gone.html": "gone",
                     "/news/binary.html": "empty", "/news/about.html": "not_article"}
    # Every response was archived raw: the section, the good page and the four bad ones.
    assert counts["fetches"] == 6
    assert summary["articles"]["new"] == 1
    assert "HTTP 404" in result.stdout and "no bytes" in result.stdout
