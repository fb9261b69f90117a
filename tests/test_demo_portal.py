"""The demo portal over real HTTP: status codes, charsets as designed, robots.txt, reachability, and
a ground truth that agrees with what every page shows."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import lxml.html
import pytest

from newsarchive.demo import (
    ARTICLES,
    LIST_PAGES,
    NON_ARTICLE_PATHS,
    ROBOTS_DISALLOWED_PATHS,
    SECTIONS,
    DemoServer,
    build_site,
)
from newsarchive.demo.site import all_articles

PINYIN_ARTIFACT = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
CODEC = {"news": "utf-8", "tech": "gbk", "culture": "big5"}


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer() as running:
        yield running


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-cased names) and body of one real request."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def tree_of(body: bytes, codec: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(body.decode(codec))


def clean(text: str) -> str:
    """Page text as the truth states it: no pinyin artifacts, no indent, trimmed."""
    return PINYIN_ARTIFACT.sub("", text).replace("\u3000", " ").strip()


def test_size_of_the_portal() -> None:
    assert len(SECTIONS) >= 3
    assert len(ARTICLES) >= 40
    for section in SECTIONS:
        pages = [lp for lp in LIST_PAGES if lp.section == section.key]
        assert len(pages) >= 3, section.key
        assert pages[0].path == section.index_path
        assert [lp.path for lp in pages[1:]] == [f"{section.index_path}index_{n}.html" for n in range(2, len(pages) + 1)]
    assert {a.encoding for a in ARTICLES} == {"utf-8", "gbk", "big5"}
    assert len({a.path for a in ARTICLES}) == len(ARTICLES)


def test_truth_is_well_formed() -> None:
    now = datetime.now().astimezone()
    for a in ARTICLES:
        published = datetime.fromisoformat(a.published)
        assert a.published.endswith("+08:00") and 2024 <= published.year <= 2025 and published < now, a.path
        assert 3 <= len(a.paragraphs) <= 9, a.path
        assert all(p and p == p.strip() and "\u3000" not in p for p in a.paragraphs), a.path
        assert not any(PINYIN_ARTIFACT.search(p) for p in a.paragraphs + (a.title,)), a.path
        assert a.section_path[-1] != "正文" and len(a.section_path) == 3
        for text in (a.title, *a.paragraphs, *a.authors, *a.keywords, a.source or "", a.editor or ""):
            text.encode(a.encoding)  # strict: the truth never relies on character references


def test_gbk_section_uses_characters_outside_gb2312() -> None:
    outside = set()
    for a in ARTICLES:
        if a.encoding == "gbk":
            for ch in a.title + "".join(a.paragraphs) + "".join(a.authors) + (a.editor or ""):
                try:
                    ch.encode("gb2312")
                except UnicodeEncodeError:
                    outside.add(ch)
    assert {"堃", "喆", "珺", "—"} <= outside


def test_section_lists_paginate_and_charsets(server: DemoServer) -> None:
    expected_header = {"news": "text/html; charset=utf-8", "tech": "text/html", "culture": "text/html; charset=big5"}
    for lp in LIST_PAGES:
        status, headers, body = fetch(server.url + lp.path)
        assert status == 200
        assert headers["content-type"] == expected_header[lp.section]
        tree = tree_of(body, CODEC[lp.section])
        pager = tree.xpath('//div[@class="pages"]')[0]
        labels = [t.strip() for t in pager.itertext() if t.strip()]
        count = len([p for p in LIST_PAGES if p.section == lp.section])
        assert [x for x in labels if x.isdigit()] == [str(n) for n in range(1, count + 1)]
        next_label = "下一頁" if lp.section == "culture" else "下一页"
        assert (next_label in labels) == (lp.number < count)
        hrefs = {urlsplit(urljoin(server.url + lp.path, h)).path for h in pager.xpath(".//a/@href")}
        assert hrefs - {lp.path} == set(lp.page_paths)
        listed = tree.xpath('//div[@class="list"]//a/@href')
        assert tuple(listed) == lp.article_paths


def test_every_article_reachable_by_following_list_links(server: DemoServer) -> None:
    queue = list(server.section_urls())
    seen_lists: set[str] = set()
    found: set[str] = set()
    while queue:
        url = queue.pop()
        path = urlsplit(url).path
        if path in seen_lists:
            continue
        seen_lists.add(path)
        section = next(s.key for s in SECTIONS if path.startswith(s.index_path))
        status, _, body = fetch(url)
        assert status == 200, url
        for href in tree_of(body, CODEC[section]).xpath("//a/@href"):
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc != urlsplit(server.url).netloc:
                continue
            if parts.path == s_index(parts.path) or re.search(r"/index_\d+\.html$", parts.path):
                if parts.path.startswith(f"/{section}/"):
                    queue.append(target)
            elif re.fullmatch(r"/\w+/\d{4}/\d{4}/\d+\.html", parts.path):
                found.add(parts.path)
    assert seen_lists == {lp.path for lp in LIST_PAGES}
    assert {a.path for a in ARTICLES} <= found
    assert set(ROBOTS_DISALLOWED_PATHS) <= found


def s_index(path: str) -> str:
    return next((s.index_path for s in SECTIONS if s.index_path == path), "")


def test_article_charsets_as_designed(server: DemoServer) -> None:
    no_charset, wrong = [], []
    for a in ARTICLES:
        status, headers, body = fetch(server.url + a.path)
        assert status == 200
        body.decode(a.encoding)  # strict: the bytes are clean in their true codec
        meta = re.search(rb'charset=([\w-]+)" />', body)
        assert meta is not None
        assert meta.group(1).decode() == {"utf-8": "utf-8", "gbk": "gb2312", "big5": "big5"}[a.encoding]
        header = headers.get("content-type", "")
        charset = header.partition("charset=")[2] or None
        if charset is None:
            no_charset.append(a.path)
        elif charset != a.encoding:
            wrong.append(a.path)
            with pytest.raises(UnicodeDecodeError):
                body.decode(charset)
    assert len(wrong) == 1
    assert any(p.startswith("/tech/") for p in no_charset) and any(p.startswith("/news/") for p in no_charset)
    assert not any(p.startswith("/culture/") for p in no_charset)


def _page_text(tree: lxml.html.HtmlElement, xpath: str) -> str:
    nodes = tree.xpath(xpath)
    return clean(" ".join(" ".join(n.itertext()) for n in nodes))


def test_truth_matches_what_pages_show() -> None:
    site = build_site()
    for a in ARTICLES:
        pages = [site[a.path]]
        page2 = a.path.removesuffix(".html") + "_2.html"
        if page2 in site:
            pages.append(site[page2])
        trees = [tree_of(r.body, a.encoding) for r in pages]
        first = trees[0]
        assert clean(first.xpath("//h1")[0].text_content()) == a.title
        title_tag = clean(first.findtext(".//title"))
        assert title_tag.startswith(a.title)
        paragraphs = []
        for tree in trees:
            body = tree.xpath('//div[@id="content" or @id="artibody" or @id="text"]')[0]
            for node in body:
                if node.get("id") == "pages":
                    continue
                text = clean(node.text_content())
                if text:
                    paragraphs.append(text)
        assert tuple(paragraphs) == a.paragraphs, a.path
        info = _page_text(first, '//*[@class="info"]')
        published = datetime.fromisoformat(a.published)
        shown = {"utf-8": f"{published:%Y-%m-%d %H:%M:%S}", "gbk": f"{published:%Y年%m月%d日 %H:%M}",
                 "big5": f"{published.year}/{published.month}/{published.day} {published.hour}:{published:%M}"}
        assert shown[a.encoding] in info, a.path
        if a.source:
            assert re.search(f"[来來]源：\\s*{re.escape(a.source)}", info), a.path
        crumb = [clean(x) for x in first.xpath('//div[@class="crumb"]/a/text()')]
        assert tuple(crumb) == a.section_path
        keywords = [clean(x) for x in first.xpath('//div[@class="keywords"]/a/text()')]
        assert tuple(keywords) == a.keywords
        editor = _page_text(first, '//div[@class="editor"]')
        assert editor.endswith(f"：{a.editor}）"), a.path
        full = clean(first.text_content()) + "".join(paragraphs)
        for name in a.authors:
            assert name in full, (a.path, name)


def test_split_article_and_its_second_page(server: DemoServer) -> None:
    split = [a for a in ARTICLES if a.path.removesuffix(".html") + "_2.html" in NON_ARTICLE_PATHS]
    assert [a.path for a in split] == ["/tech/2024/0305/123.html"]
    status, _, body = fetch(server.url + "/tech/2024/0305/123.html")
    assert status == 200
    pager = tree_of(body, "gbk").xpath('//*[@id="pages"]')[0]
    assert pager.xpath('.//a[text()="下一页"]/@href') == ["123_2.html"]
    assert pager.xpath('.//a[text()="2"]/@href') == ["123_2.html"]
    status, _, body2 = fetch(server.url + "/tech/2024/0305/123_2.html")
    assert status == 200
    assert "上一页" in body2.decode("gbk")
    linked = {p for lp in LIST_PAGES for p in lp.article_paths}
    assert "/tech/2024/0305/123_2.html" not in linked and "/tech/2024/0305/123.html" in linked


def test_robots_and_the_private_article(server: DemoServer) -> None:
    status, headers, body = fetch(server.url + "/robots.txt")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    robots = RobotFileParser()
    robots.parse(body.decode("ascii").splitlines())
    assert len(ROBOTS_DISALLOWED_PATHS) == 1
    for path in ROBOTS_DISALLOWED_PATHS:
        assert not robots.can_fetch("newsarchive", server.url + path)
        assert fetch(server.url + path)[0] == 200
        assert sum(path in lp.article_paths for lp in LIST_PAGES) == 1
        assert path not in {a.path for a in ARTICLES}
    for a in ARTICLES:
        assert robots.can_fetch("newsarchive", server.url + a.path)


def test_non_article_pages_exist_and_unknown_paths_404(server: DemoServer) -> None:
    for path in ("/about.html", "/contact.html", "/sitemap.html", "/"):
        assert path in NON_ARTICLE_PATHS
    for path in NON_ARTICLE_PATHS:
        assert fetch(server.url + path)[0] == 200, path
    assert "content-type" in fetch(server.url + "/about.html")[1]
    assert fetch(server.url + "/sitemap.html")[1]["content-type"] == "text/html"
    status, _, body = fetch(server.url + "/no/such/page.html")
    assert status == 404 and "页面不存在" in body.decode("utf-8")
    assert set(NON_ARTICLE_PATHS).isdisjoint(a.path for a in ARTICLES)


def test_head_and_request_log(server: DemoServer) -> None:
    before = len(server.requested)
    status, headers, body = fetch(server.url + ARTICLES[0].path, method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == len(build_site()[ARTICLES[0].path].body)
    assert server.requested[before:] == [ARTICLES[0].path]


def test_pinyin_artifacts_only_in_raw_big5_pages() -> None:
    site = build_site()
    annotated = [a for a in ARTICLES if b"(w&#462;ng)" in site[a.path].body]
    assert annotated and all(a.encoding == "big5" for a in annotated)
    assert any("網" in p for a in annotated for p in a.paragraphs)


def test_private_article_is_not_in_truth_but_is_served() -> None:
    assert any("private" in a.flags for a in all_articles())
    assert all(p.startswith("/private/") for p in ROBOTS_DISALLOWED_PATHS)


def test_server_command_prints_its_url_first() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.demo.server", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        status, headers, _ = fetch(url + "/news/")
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert err == ""


def test_stop_closes_the_port() -> None:
    server = DemoServer().start()
    url = server.url
    assert fetch(url + "/about.html")[0] == 200
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/about.html", timeout=2)
