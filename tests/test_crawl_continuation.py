"""Multi-page articles in a real crawl: the extract pipeline follows the pages the extractor found,
each page is fetched once, and a page that cannot be fetched is recorded, not lost."""

from __future__ import annotations

from collections import Counter

import pytest

from newsarchive.archive import Archive
from newsarchive.query import articles
from tests.mockserver import FAST, PARAGRAPH, Page, Portal, article_html, run_cli, section_html

# Real Scrapy crawls: left out of `make test-fast`.
pytestmark = pytest.mark.crawl

TITLES = {"a1": "三页长文：城市更新改造的调查报道", "a2": "两页长文：乡村振兴试点的调查报道"}
# Single-page articles beside them, so the section reads as a list.
SINGLE = {f"s{n}": f"第{n}篇单页新闻：社区服务的报道标题" for n in range(1, 5)}


def _page(key: str, number: int, pages: int) -> bytes:
    """Page `number` of article `key`, with an in-article pager like portals show."""
    names = [f"{key}.html"] + [f"{key}_{n}.html" for n in range(2, pages + 1)]
    pager = " ".join(f'<a href="{name}">{n}</a>' if n != number else f"<span>{n}</span>"
                     for n, name in enumerate(names, start=1))
    if number < pages:
        pager += f' <a href="{names[number]}">下一页</a>'
    body = "".join(f"<p>第{number}页第{i}段：{PARAGRAPH}</p>" for i in range(3))
    title = TITLES[key]
    return (f"<html><head><title>{title}_测试网</title></head><body>"
            f'<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a></div>'
            f'<h1>{title}</h1><div class="info">2024-05-06 10:20:30 来源：测试网</div>'
            f'<div class="content">{body}</div><div class="pages">{pager}</div>'
            "</body></html>").encode()


def _portal() -> Portal:
    listed = {**TITLES, **SINGLE}
    pages = {"/news/": Page(section_html([(f"/news/{k}.html", t) for k, t in listed.items()]))}
    pages |= {f"/news/{k}.html": Page(article_html(t)) for k, t in SINGLE.items()}
    for number in (1, 2, 3):
        suffix = "" if number == 1 else f"_{number}"
        pages[f"/news/a1{suffix}.html"] = Page(_page("a1", number, 3))
    pages["/news/a2.html"] = Page(_page("a2", 1, 2))
    pages["/news/a2_2.html"] = Page(b"<html><body>server error</body></html>", status=500)
    return Portal(pages)


def test_pages_fetched_once_stitched_and_a_missing_page_recorded(sqlite_url: str) -> None:
    with _portal() as portal:
        run_cli("crawl", portal.url + "/news/", "--db", sqlite_url, "-s", "RETRY_TIMES=0", *FAST)
        fetched = Counter(portal.requested())
    assert fetched == Counter(["/news/", "/news/a1.html", "/news/a1_2.html", "/news/a1_3.html",
                               "/news/a2.html", "/news/a2_2.html",
                               *(f"/news/{k}.html" for k in SINGLE)])
    base = portal.url
    with Archive(sqlite_url) as archive:
        rows = {row["url"]: row for row in articles(archive)}
        summary = archive.run_summary(1)
        counts = archive.counts()
    assert set(rows) == {f"{base}/news/{k}.html" for k in (*TITLES, *SINGLE)}
    three = rows[base + "/news/a1.html"]
    assert three["title"] == TITLES["a1"]
    assert [line[:6] for line in three["body"].split("\n")] == [
        f"第{page}页第{i}段" for page in (1, 2, 3) for i in range(3)]
    # The second page answered 500: the article keeps its first page and the gap is recorded.
    two = rows[base + "/news/a2.html"]
    assert [line[:6] for line in two["body"].split("\n")] == [f"第1页第{i}段" for i in range(3)]
    assert {"url": base + "/news/a2.html", "kind": "continuation",
            "reason": f"{base}/news/a2_2.html: HTTP 500"} in summary["failures"]
    # Every response is archived raw, the failed page included.
    assert counts["fetches"] == 6 + len(SINGLE)
