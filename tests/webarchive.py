"""The archive the web tests browse: the demo portal crawled, changed, crawled again, beside a
second portal with a syndicated copy and an XSS page; built once per engine per test session.

After the first crawl of the demo portal, one article's figures change (a revision with
changed characters), another's comma turns half-width and its editor changes (a boring
revision), a third
disappears (404: a deletion). The second portal (tests.mockserver.Portal) holds a copy of a
demo article with one sentence rewritten (a cluster whose origin is the demo's) and a page
whose title, body and author carry <script>, javascript: links and "><img onerror=...>.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from newsarchive.demo import ARTICLES, DemoServer, build_site
from newsarchive.demo.site import Resource
from tests.conftest import IN_CI, PG_DSN, PG_URL, _pg_ran, _pg_reachable
from tests.mockserver import FAST, Page, Portal, article_html, run_cli, section_html

REVISED = "/news/2025/0618/101.html"
REVISED_FROM, REVISED_TO = "计划开工改造老旧小区214个", "计划开工改造老旧小区236个"
BORING = "/news/2025/0527/102.html"  # a half-width comma and a new editor: boring
BORING_EDITOR = ("（责任编辑：王思远）", "（责任编辑：李明）")
DELETED = "/news/2024/0902/108.html"
COPIED = "/news/2024/1008/107.html"
TRADITIONAL = "/culture/2025/0620/140.html"  # 江州美術館新館開館 ...
XSS_TITLE = '<script>alert("t")</script>江州"><img src=x onerror=alert(1)>通报'
XSS_AUTHOR = '<script>alert(2)</script>"><img src=x onerror=alert(2)>'
XSS_PARAGRAPHS = (
    '市民反映<script>alert("b")</script>的问题已经得到处理，相关部门表示将继续跟进此事，'
    '点击 javascript:alert(3) 查看详情，记者将持续关注这一事件的后续进展情况。',
    '"><img src=x onerror=alert(4)> 有关方面表示，整改工作正在推进之中，预计本月底前完成，'
    '届时将向社会公布处理结果，接受公众监督，确保整改工作落到实处。',
)
COPY_CHANGE = ("今年国庆期间", "今年国庆黄金周期间")


def article_page(title: str, author: str, paragraphs: tuple[str, ...], date: str,
                 extra_body: str = "") -> bytes:
    """An article page whose title, author and paragraphs show exactly these strings (the
    page escapes them, so they arrive in the archive as text; the author also comes in
    JSON-LD, where the extractor takes a name as it is)."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "author": {"@type": "Person", "name": author}}, ensure_ascii=False)
    return (f"<html><head><title>{html.escape(title)}_转载网</title>"
            f'<script type="application/ld+json">{ld.replace("<", chr(92) + "u003c")}</script>'
            "<script>document.title='pwned'</script></head><body>"
            '<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a></div>'
            f"<h1>{html.escape(title)}</h1>"
            f'<div class="info">{date} 来源：转载网 作者：{html.escape(author)}</div>'
            f'<div class="content">{body}{extra_body}</div></body></html>').encode()


@dataclass
class WebArchive:
    """A built archive: its URL, the demo's base URL, the second portal's, and what changed."""

    db_url: str
    demo_base: str
    portal_base: str
    first_crawl_done: datetime
    paths: dict[str, str] = field(default_factory=dict)

    def demo(self, path: str) -> str:
        return self.demo_base + path

    def portal(self, path: str) -> str:
        return self.portal_base + path


def _changed(site: dict[str, Resource], path: str, old: str, new: str) -> None:
    resource = site[path]
    encoding = "utf-8"
    text = resource.body.decode(encoding)
    assert old in text, (path, old)
    site[path] = Resource(text.replace(old, new, 1).encode(encoding), resource.content_type,
                          resource.status)


def build(db_url: str) -> WebArchive:
    """Crawl everything into the (empty) archive at `db_url`."""
    copied = next(a for a in ARTICLES if a.path == COPIED)
    copy_paragraphs = tuple(p.replace(*COPY_CHANGE) for p in copied.paragraphs)
    # A list page needs a few items to read as one: plain articles around the two of interest.
    fillers = [(f"/news/a{n}.html", f"转载网第{n}条本地新闻标题") for n in range(1, 7)]
    pages = {
        "/news/": Page(section_html([("/news/copy.html", copied.title),
                                     ("/news/xss.html", "通报"), *fillers])),
        **{path: Page(article_html(title, date=f"2024-10-0{n} 08:00:00", author="王五"))
           for n, (path, title) in enumerate(fillers, 1)},
        "/news/copy.html": Page(article_page(copied.title, "转载记者", copy_paragraphs,
                                             "2024-10-09 10:00:00")),
        "/news/xss.html": Page(article_page(
            XSS_TITLE, XSS_AUTHOR, XSS_PARAGRAPHS, "2024-10-10 09:30:00",
            extra_body='<p><a href="javascript:alert(5)">链接</a>'
                       '<img src="http://example.invalid/x.png" onerror="alert(6)"></p>')),
    }
    site = build_site()
    with DemoServer(site=site) as demo, Portal(pages) as portal:
        run_cli("crawl", *demo.section_urls(), "--db", db_url, *FAST, timeout=300)
        first_done = datetime.now(UTC)
        _changed(site, REVISED, REVISED_FROM, REVISED_TO)
        boring = next(a for a in ARTICLES if a.path == BORING)
        comma = next(p for p in boring.paragraphs if "，" in p)
        _changed(site, BORING, comma, comma.replace("，", ",", 1))
        _changed(site, BORING, *BORING_EDITOR)
        del site[DELETED]
        run_cli("crawl", *demo.section_urls(), "--db", db_url, *FAST, timeout=300)
        run_cli("crawl", portal.url + "/news/", "--db", db_url, *FAST, timeout=300)
        return WebArchive(db_url, demo.url, portal.url, first_done)


_built: dict[str, WebArchive] = {}


def shared(engine: str, request: pytest.FixtureRequest,
           tmp_factory: Callable[[str], Any]) -> WebArchive:
    """The archive of `engine` ("sqlite" or "postgres"), built on first use in the session."""
    if engine in _built:
        if engine == "postgres":
            _pg_ran["count"] += 1
        return _built[engine]
    if engine == "sqlite":
        url = f"sqlite:///{tmp_factory('web') / 'archive.db'}"
    else:
        problem = _pg_reachable()
        if problem is not None:
            if IN_CI:
                pytest.fail(f"CI=true but {problem}")
            pytest.skip(problem)
        import psycopg

        schema = f"t_web_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')

        def drop() -> None:
            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

        request.config.add_cleanup(drop)
        _pg_ran["count"] += 1
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    _built[engine] = build(url)
    return _built[engine]
