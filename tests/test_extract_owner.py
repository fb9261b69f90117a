"""The owner of a blog page is its author: a 'NAME的博客' label, a user id in the URL, or a name in the
<title>, each only when the page shows it on its own."""

from __future__ import annotations

import lxml.html
import pytest

from newsarchive.extract import extract
from newsarchive.extract.owner import blog_owner, is_blog_page
from newsarchive.extract.text import clean_text

POST = "<p>今天转一篇报道。本报讯（记者 王五 通讯员 赵六）昨日，市里召开了关于城市绿化的会议，会上讨论了明年的计划。</p>"


def owner(html: str, url: str) -> str | None:
    return blog_owner(lxml.html.document_fromstring(html), url, clean_text)


def test_blog_of_label_in_a_link_title() -> None:
    html = ('<html><body><a href="/?author=7" title="[小河流水]的博客">小河流水</a>'
            '<a href="/reg.php">注册新的博客</a>' + POST + "</body></html>")
    assert owner(html, "http://blog.example.test/?p=12") == "小河流水"


def test_navigation_links_are_not_owners() -> None:
    html = '<html><body><a href="/reg.php">注册新的博客</a><a href="/me">我的博客</a>' + POST + "</body></html>"
    assert owner(html, "http://blog.example.test/?p=12") is None


def test_user_id_in_the_url_shown_in_a_name_box() -> None:
    html = '<html><body><div id="head"><span class="name">lazycat</span></div>' + POST + "</body></html>"
    assert owner(html, "http://blog.example.test/blog/lazycat/archive/2005/07/31/1.aspx") == "lazycat"
    # Not shown on its own: the URL alone is not enough.
    assert owner("<html><body>" + POST + "</body></html>",
                 "http://blog.example.test/blog/lazycat/archive/2005/07/31/1.aspx") is None


def test_name_in_the_title_next_to_the_blog_site() -> None:
    html = ("<html><head><title>山间小雨 | blog.example.test</title></head><body>"
            "<center><strong>山间小雨</strong>, 27岁</center>" + POST + "</body></html>")
    assert owner(html, "http://blog.example.test/archives.php?date=200506&id=3") == "山间小雨"


def test_only_blog_pages() -> None:
    assert is_blog_page("http://blog.example.test/a.html") and is_blog_page("http://example.test/blog/x/1.html")
    html = '<html><body><a title="[小河流水]的博客" href="/">小河流水</a>' + POST + "</body></html>"
    assert owner(html, "http://news.example.test/2005/1.html") is None


@pytest.mark.parametrize(("url", "names"), [
    ("http://blog.example.test/blog/lazycat/archive/2005/07/31/1.aspx", ["lazycat"]),
    ("http://news.example.test/2005/07/31/1.html", ["王五", "赵六"]),
])
def test_owner_before_names_quoted_in_the_post(url: str, names: list[str]) -> None:
    html = ('<html><head><title>城市绿化会议</title></head><body><div id="head"><span class="name">lazycat</span></div>'
            "<h1>城市绿化会议</h1>" + POST + "</body></html>")
    assert extract(html.encode(), url, {}).authors == names
