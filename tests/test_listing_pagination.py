"""Pagination of section lists and continuation pages of multi-page articles."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from newsarchive.extract.listing import (
    analyse_listing_tree,
    find_continuation,
    find_continuation_tree,
)
from newsarchive.extract.pagination import find_next_pages, page_number

FIXTURES = Path(__file__).parent / "fixtures" / "listing"


def parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def pager_page(pager: str) -> str:
    items = "".join(
        f'<li><a href="/news/2024/{i:03d}.html">这是第{i}条新闻的完整标题文字</a><span>2024-03-0{i % 9 + 1}</span></li>'
        for i in range(6)
    )
    return f'<html><body><ul class="news">{items}</ul><div class="page">{pager}</div></body></html>'


@pytest.mark.parametrize(
    ("url", "pager", "expected"),
    [
        ("http://www.example.cn/news/", '<a href="index_2.html">下一页</a>', ["http://www.example.cn/news/index_2.html"]),
        ("http://www.example.cn/news/", '<a href="index_2.html">下页</a>', ["http://www.example.cn/news/index_2.html"]),
        ("http://www.example.cn/news/", '<a href="index_2.html">后页&gt;&gt;</a>', ["http://www.example.cn/news/index_2.html"]),
        ("http://www.example.cn/news/", '<a href="index_2.html">Next »</a>', ["http://www.example.cn/news/index_2.html"]),
        ("http://www.example.cn/news/", '<a href="index_2.html">next</a>', ["http://www.example.cn/news/index_2.html"]),
        (
            "http://www.example.cn/news/list.htm",
            '<a href="list.htm">1</a> <a href="list_2.htm">2</a> <a href="list_3.htm">3</a> <a href="list_2.htm">›</a>',
            ["http://www.example.cn/news/list_2.htm", "http://www.example.cn/news/list_3.htm"],
        ),
        (
            "http://www.example.cn/news/china.shtml",
            '<span>1</span> <a href="china_2.shtml">2</a> <a href="china_3.shtml">3</a> <a href="china_2.shtml">»</a>',
            ["http://www.example.cn/news/china_2.shtml", "http://www.example.cn/news/china_3.shtml"],
        ),
        (
            "http://www.example.cn/news/list.php?cat=5",
            '<a href="?cat=5&amp;page=1">[1]</a> <a href="?cat=5&amp;page=2">[2]</a> <a href="?cat=5&amp;page=3">[3]</a>',
            ["http://www.example.cn/news/list.php?cat=5&page=1", "http://www.example.cn/news/list.php?cat=5&page=2",
             "http://www.example.cn/news/list.php?cat=5&page=3"],
        ),
        (
            "http://www.example.cn/news/list.php?cat=5&page=2",
            (
                '<a href="?cat=5&amp;page=1">上一页</a> <a href="?cat=5&amp;page=1">1</a> <span>2</span> '
                '<a href="?cat=5&amp;page=3">3</a> <a href="?cat=5&amp;page=3">下一页</a>'
            ),
            ["http://www.example.cn/news/list.php?cat=5&page=3", "http://www.example.cn/news/list.php?cat=5&page=1"],
        ),
    ],
)
def test_pagination_forms(url: str, pager: str, expected: list[str]) -> None:
    assert analyse_listing_tree(parse(pager_page(pager)), url).next_pages == expected


def test_numbers_outside_a_pager_and_inside_the_list_are_not_pages() -> None:
    html = """<html><body><table class="threads">""" + "".join(
        f'<tr><td><a href="thread-{i}-1-1.html">讨论帖子的标题第{i}个比较长</a>'
        f' <span class="pages"><a href="thread-{i}-2-1.html">2</a> <a href="thread-{i}-3-1.html">3</a></span></td>'
        f'<td>2024-03-01</td></tr>' for i in range(5)
    ) + """</table><p>评论 <a href="/c/9">9</a></p>
    <div class="pg"><strong>1</strong><a href="forum-7-2.html">2</a><a href="forum-7-2.html">下一页</a></div></body></html>"""
    listing = analyse_listing_tree(parse(html), "https://bbs.example.com/forum-7-1.html")
    assert listing.next_pages == ["https://bbs.example.com/forum-7-2.html"]
    assert len(listing.article_links) == 5


def test_next_pages_exclude_the_current_page_and_other_hosts() -> None:
    html = """<html><body><div class="pager"><a href="/news/">1</a><a href="/news/index_2.html">2</a>
    <a href="http://other.example.net/news/index_3.html">3</a></div></body></html>"""
    tree = parse(html)
    assert find_next_pages(tree, "http://www.example.cn/news/index.html") == ["http://www.example.cn/news/index_2.html"]


def test_continuation_follows_the_article_pager_not_the_next_article() -> None:
    tree = parse((FIXTURES / "article_paged.html").read_text(encoding="utf-8"))
    assert find_continuation_tree(tree, "https://news.example.com/a/123.html") == "https://news.example.com/a/123_2.html"


def test_continuation_from_a_middle_page_and_none_on_the_last() -> None:
    pager = '<a href="/a/123.html">1</a> <a href="/a/123_2.html">2</a> <span>3</span> <a href="/a/123_4.html">4</a>'
    html = f"<html><body><p>正文</p><div>{pager}</div><a href='/a/124.html'>下一篇</a></body></html>"
    assert find_continuation_tree(parse(html), "https://x.example.com/a/123_3.html") == "https://x.example.com/a/123_4.html"
    without_next = pager.replace('<a href="/a/123_4.html">4</a>', "")
    last = f"<html><body><p>正文</p><div>{without_next}</div></body></html>"
    assert find_continuation_tree(parse(last), "https://x.example.com/a/123_3.html") is None


def test_only_next_article_links_give_none() -> None:
    html = """<html><body><h1>标题</h1><p>正文</p>
    <a href="/a/124.html">下一篇：另一篇文章</a> <a href="/a/124.html">下一页</a> <a href="/a/1232.html">2</a></body></html>"""
    assert find_continuation_tree(parse(html), "https://x.example.com/a/123.html") is None


@pytest.mark.parametrize(
    ("url", "href", "expected"),
    [
        ("http://e.cn/a/2024/0301/abc.html?page=1", "abc.html?page=2", "http://e.cn/a/2024/0301/abc.html?page=2"),
        ("http://e.cn/a/show.php?id=77", "show.php?id=77&amp;p=2", "http://e.cn/a/show.php?id=77&p=2"),
        ("http://e.cn/a/123/", "index_2.html", "http://e.cn/a/123/index_2.html"),
        ("http://e.cn/a/123/index.html", "2.html", "http://e.cn/a/123/2.html"),
        ("http://e.cn/a/content_99.htm", "content_99_2.htm", "http://e.cn/a/content_99_2.htm"),
    ],
)
def test_continuation_url_forms(url: str, href: str, expected: str) -> None:
    html = f'<html><body><p>正文内容</p><div class="page"><a href="{href}">下一页</a></div></body></html>'
    assert find_continuation_tree(parse(html), url) == expected


def test_page_number_rejects_other_articles() -> None:
    assert page_number("http://e.cn/a/1234.html", "http://e.cn/a/123.html") is None
    assert page_number("http://e.cn/a/124.html", "http://e.cn/a/123.html") is None
    assert page_number("http://e.cn/a/123_2.html", "http://e.cn/a/123.html") == (2, 0)
    assert page_number("http://e.cn/a/123_4.html", "http://e.cn/a/123_3.html") == (4, 3)
    assert page_number("http://f.cn/a/123_2.html", "http://e.cn/a/123.html") is None


def test_continuation_from_gbk_bytes() -> None:
    html = ('<html><head><meta charset="gb2312"></head><body><p>正文</p>'
            '<a href="/a/55_2.html">下一页</a><a href="/a/56.html">下一篇</a></body></html>')
    assert find_continuation(html.encode("gbk"), "http://e.cn/a/55.html") == "http://e.cn/a/55_2.html"


def test_continuation_when_urls_count_the_second_page_as_one() -> None:
    pager = "".join(f'<a href="content_88_{n - 1}.htm">[{n}]</a> ' for n in (2, 3, 4))
    html = f"<html><body><p>正文</p><center>[1] {pager}</center></body></html>"
    assert find_continuation_tree(parse(html), "http://e.cn/c/content_88.htm") == "http://e.cn/c/content_88_1.htm"
    page2 = html.replace('<a href="content_88_1.htm">[2]</a>', '<a href="content_88.htm">[1]</a> [2]')
    assert find_continuation_tree(parse(page2), "http://e.cn/c/content_88_1.htm") == "http://e.cn/c/content_88_2.htm"
