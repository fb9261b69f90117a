"""Section-page analysis on hand-made pages: main list links, site policy, evidence."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from newsarchive.extract.errors import EmptyPage
from newsarchive.extract.listing import Link, analyse_listing, analyse_listing_tree

FIXTURES = Path(__file__).parent / "fixtures" / "listing"


def tree_of(name: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring((FIXTURES / name).read_text(encoding="utf-8"))


def test_ul_list_with_nav_sidebar_and_footer_gives_exactly_the_list() -> None:
    listing = analyse_listing_tree(tree_of("section_ul.html"), "https://news.example.com/china/")
    assert listing.article_links == [
        Link("https://news.example.com/china/2024/0301/1001.html", "全国两会开幕 代表委员热议高质量发展"),
        Link("https://news.example.com/china/2024/0301/1002.html", "多地出台新政 支持青年人才安居就业"),
        Link("https://news.example.com/china/2024/0229/0999.html", "春运收官 全国铁路发送旅客超4.8亿人次"),
        Link("https://news.example.com/china/2024/0229/0998.html", "气象台发布今年首个沙尘暴蓝色预警"),
        Link("https://news.example.com/china/2024/0228/0990.html", "新能源汽车下乡活动在十省启动"),
        Link("https://news.example.com/china/2024/0228/0989.html", "教育部：严格控制中小学生作业总量 和时长"),
    ]
    assert listing.next_pages == [
        "https://news.example.com/china/index_2.html",
        "https://news.example.com/china/index_3.html",
    ]


def test_evidence_names_the_container_and_the_rejected_sidebar() -> None:
    listing = analyse_listing_tree(tree_of("section_ul.html"), "https://news.example.com/china/")
    evidence = listing.evidence
    assert [c["class"] for c in evidence["containers"]] == ["list"]
    assert evidence["containers"][0]["items"] == 7
    assert evidence["containers"][0]["dated_items"] == 1.0
    sidebar = [b for b in evidence["rejected_blocks"] if "heading '热门排行'" in b["penalised_for"]]
    assert len(sidebar) == 1 and sidebar[0]["items"] == 4
    assert evidence["site_policy"] == "same registered domain as the page: ['example.com']"


def test_table_list_from_gbk_bytes() -> None:
    body = (FIXTURES / "section_table.html").read_text(encoding="utf-8").encode("gbk")
    listing = analyse_listing(body, "http://www.city.gov.cn/notice.htm", {"Content-Type": "text/html"})
    assert [(link.url, link.text) for link in listing.article_links] == [
        ("http://www.city.gov.cn/notice/2009/0512/305.htm", "关于开展2009年度安全生产大检查的通知"),
        ("http://www.city.gov.cn/notice/2009/0508/301.htm", "关于做好五一劳动节期间值班工作的通知"),
        ("http://www.city.gov.cn/notice/2009/0430/298.htm", "市政府办公室关于调整部分机构职能的通知"),
        ("http://www.city.gov.cn/notice/2009/0421/290.htm", "关于公布第二批重点建设项目名单的公告"),
    ]
    assert listing.next_pages == ["http://www.city.gov.cn/notice/list_2.htm"]


def test_dl_list_with_base_href_and_off_site_items() -> None:
    html = """<html><head><base href="https://www.example.com.cn/news/"></head><body>
    <div class="side"><h3>编辑推荐</h3><dl>
      <dt><a href="x/1.html">推荐阅读第一条新闻标题较长</a></dt><dt><a href="x/2.html">推荐阅读第二条新闻标题较长</a></dt>
      <dt><a href="x/3.html">推荐阅读第三条新闻标题较长</a></dt></dl></div>
    <dl class="newslist">
      <dt><a href="2024/03/a1.shtml">科技创新引领产业升级的新路径</a></dt><dd>摘要一 03-01 09:00</dd>
      <dt><a href="/news/2024/03/a2.shtml">数字乡村建设迈出坚实步伐</a></dt><dd>摘要二 03-01 08:00</dd>
      <dt><a href="https://m.example.com.cn/news/2024/03/a3.shtml">海洋经济发展呈现良好态势</a></dt><dd>摘要三 02-29 18:00</dd>
      <dt><a href="https://www.other-site.com/2024/03/a4.shtml">外站转载的一条新闻标题文字</a></dt><dd>02-29 17:00</dd>
      <dt><a href="javascript:void(0)">暂不开放的一条新闻标题文字</a></dt><dd>02-29 16:00</dd>
    </dl></body></html>"""
    listing = analyse_listing_tree(lxml.html.document_fromstring(html), "https://www.example.com.cn/news/index.html")
    assert [link.url for link in listing.article_links] == [
        "https://www.example.com.cn/news/2024/03/a1.shtml",
        "https://www.example.com.cn/news/2024/03/a2.shtml",
        "https://m.example.com.cn/news/2024/03/a3.shtml",
    ]
    assert {"url": "https://www.other-site.com/2024/03/a4.shtml", "text": "外站转载的一条新闻标题文字",
            "reason": "off-site"} in listing.evidence["rejected_items"]


def test_div_rows_split_over_sibling_blocks_are_one_list_in_page_order() -> None:
    rows = "".join(
        '<div class="group">' + "".join(
            f'<div class="item"><h4><a href="/n/{g}{i}.html">第{g}组第{i}条新闻的标题内容</a></h4>'
            f'<span class="time">{i + 1}小时前</span></div>' for i in range(5)
        ) + "</div>"
        for g in range(3)
    )
    html = f'<html><body><div class="main">{rows}</div></body></html>'
    listing = analyse_listing_tree(lxml.html.document_fromstring(html), "http://www.example.org/n/")
    assert [link.url for link in listing.article_links] == [
        f"http://www.example.org/n/{g}{i}.html" for g in range(3) for i in range(5)
    ]


def test_page_without_a_list_gives_nothing() -> None:
    listing = analyse_listing_tree(tree_of("no_list.html"), "https://news.example.com/about/")
    assert listing.article_links == []
    assert listing.next_pages == []
    assert listing.evidence["containers"] == []


def test_empty_bytes_raise_empty_page_with_the_url() -> None:
    with pytest.raises(EmptyPage) as caught:
        analyse_listing(b"  \n", "https://news.example.com/china/")
    assert caught.value.url == "https://news.example.com/china/"


def test_old_style_anchors_separated_by_br_with_dates_in_tail_text() -> None:
    rows = "".join(
        f'·<a href="/html/2008/{i}.htm" target="_blank">奥运火炬传递活动第{i}站顺利举行</a> (2008-05-0{i})<br>'
        for i in range(1, 6)
    )
    html = f"""<html><body><table><tr><td><a href="/">首页</a> <a href="/news/">新闻</a></td></tr>
    <tr><td class="list">{rows}</td></tr></table></body></html>"""
    listing = analyse_listing_tree(lxml.html.document_fromstring(html), "http://www.example.com/html/")
    assert [link.text for link in listing.article_links] == [f"奥运火炬传递活动第{i}站顺利举行" for i in range(1, 6)]
    assert listing.evidence["containers"][0]["dated_items"] == 1.0


SHORT_LAST_PAGE = """<html><body>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/news/">新闻</a></li></ul>
<div class="list"><ul>
<li><a href="/news/2024/0101/1.html">市政府召开新闻发布会通报今年重点民生工程进展</a><span>2024-01-01</span></li>
<li><a href="/news/2023/1231/2.html">城区三条主干道完成改造提升 通行效率明显提高</a><span>2023-12-31</span></li>
</ul></div>
<div class="pages"><a href="/news/">首页</a> <a href="/news/index_2.html">上一页</a>
<a href="/news/">1</a> <a href="/news/index_2.html">2</a> <span>3</span></div>
<div class="side"><h3>热门排行</h3><ul>
<li><a href="/news/2023/0501/9.html">这是一条热门新闻的标题文字比较长</a></li>
<li><a href="/news/2023/0502/8.html">这是另一条热门新闻的标题文字也很长</a></li>
</ul></div></body></html>"""


def test_short_last_page_of_a_paginated_list_keeps_its_two_items() -> None:
    listing = analyse_listing_tree(
        lxml.html.fromstring(SHORT_LAST_PAGE), "http://n.test/news/index_3.html"
    )
    assert [link.url for link in listing.article_links] == [
        "http://n.test/news/2024/0101/1.html",
        "http://n.test/news/2023/1231/2.html",
    ]
    assert sorted(listing.next_pages) == ["http://n.test/news/", "http://n.test/news/index_2.html"]


def test_two_links_without_a_pager_are_not_a_list() -> None:
    page = SHORT_LAST_PAGE.split('<div class="pages">')[0] + "</body></html>"
    listing = analyse_listing_tree(lxml.html.fromstring(page), "http://n.test/news/index_3.html")
    assert listing.article_links == []
