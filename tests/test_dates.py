"""parse_date over a table of real-world date strings, date_from_url, and find_dates on pages with
traps. """

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from newsarchive.extract.dates import (
    DATE_RULES,
    DateRule,
    FoundDate,
    date_from_url,
    default_timezone,
    find_dates,
    parse_date,
    register_date_rule,
)
from newsarchive.extract.decode import decode_html

NOW = datetime.fromisoformat("2020-03-10T10:00:00+08:00")
T = "T00:00:00+08:00"

# (string, expected ISO 8601 with offset or None, has_time)
DATES: list[tuple[str, str | None, bool]] = [
    # Full numeric forms
    ("2020-01-09 07:56:40", "2020-01-09T07:56:40+08:00", True),
    ("2020-01-09 07:56", "2020-01-09T07:56:00+08:00", True),
    ("2020-01-09", "2020-01-09" + T, False),
    ("2020-1-9", "2020-01-09" + T, False),
    ("2020/01/09 07:56:40", "2020-01-09T07:56:40+08:00", True),
    ("2020/1/9 7:56", "2020-01-09T07:56:00+08:00", True),
    ("2020/1/9", "2020-01-09" + T, False),
    ("2020.01.09", "2020-01-09" + T, False),
    ("2020.1.9 07:56", "2020-01-09T07:56:00+08:00", True),
    ("2020-01-09T07:56:40", "2020-01-09T07:56:40+08:00", True),
    ("2020-01-09 7:05", "2020-01-09T07:05:00+08:00", True),
    ("2019-12-31 23:59:59", "2019-12-31T23:59:59+08:00", True),
    ("2020-02-29", "2020-02-29" + T, False),
    ("20200109", "2020-01-09" + T, False),
    ("20200109 075640", "2020-01-09T07:56:40+08:00", True),
    # Chinese forms
    ("2020年01月09日 07:56", "2020-01-09T07:56:00+08:00", True),
    ("2020年01月09日07:56", "2020-01-09T07:56:00+08:00", True),
    ("2020年1月9日", "2020-01-09" + T, False),
    ("2020年1月9日 7:56:40", "2020-01-09T07:56:40+08:00", True),
    ("2020年1月9号", "2020-01-09" + T, False),
    ("2020年1月9日 星期四", "2020-01-09" + T, False),
    ("2020年1月9日 星期四 07:56", "2020-01-09T07:56:00+08:00", True),
    ("2020年1月9日(周四) 07:56", "2020-01-09T07:56:00+08:00", True),
    ("2020年1月9日 7时56分", "2020-01-09T07:56:00+08:00", True),
    ("2020年1月9日7時56分", "2020-01-09T07:56:00+08:00", True),
    ("2020年1月9日 7点56分", "2020-01-09T07:56:00+08:00", True),
    ("2020年1月9日 下午3:20", "2020-01-09T15:20:00+08:00", True),
    ("2020年1月9日 上午9:05", "2020-01-09T09:05:00+08:00", True),
    ("2020年1月9日 晚上8点30分", "2020-01-09T20:30:00+08:00", True),
    ("2020年1月9日 中午12:10", "2020-01-09T12:10:00+08:00", True),
    ("2020年1月9日 凌晨12:30", "2020-01-09T00:30:00+08:00", True),
    ("2020 年 1 月 9 日", "2020-01-09" + T, False),
    # Full-width digits and punctuation
    ("２０２０年１月９日", "2020-01-09" + T, False),
    ("２０２０－０１－０９　０７：５６", "2020-01-09T07:56:00+08:00", True),
    ("２０２０/１/９ ７:５６:４０", "2020-01-09T07:56:40+08:00", True),
    ("发布时间：２０２０年０１月０９日", "2020-01-09" + T, False),
    # Chinese numerals
    ("二〇二〇年一月九日", "2020-01-09" + T, False),
    ("二〇一九年十二月三十一日", "2019-12-31" + T, False),
    ("二〇二〇年一月二十日", "2020-01-20" + T, False),
    ("二零二零年二月十日", "2020-02-10" + T, False),
    ("二〇〇五年三月二十一日", "2005-03-21" + T, False),
    ("二〇二〇年一月九日 七时五十六分", "2020-01-09T07:56:00+08:00", True),
    # Labels
    ("发布时间：2020-01-09 07:56:40", "2020-01-09T07:56:40+08:00", True),
    ("發布時間：2020-01-09 07:56", "2020-01-09T07:56:00+08:00", True),
    ("時間: 2020/01/09 07:56", "2020-01-09T07:56:00+08:00", True),
    ("日期：2020-01-09", "2020-01-09" + T, False),
    ("发表于 2020-01-09 07:56", "2020-01-09T07:56:00+08:00", True),
    ("更新时间：2020-01-10 08:00", "2020-01-10T08:00:00+08:00", True),
    ("来源：新华网 2020-01-09 07:56:40 编辑：张三", "2020-01-09T07:56:40+08:00", True),
    ("2020-01-09 07:56:40 来源: 映象网", "2020-01-09T07:56:40+08:00", True),
    ("[2020-01-09]", "2020-01-09" + T, False),
    ("（2020-01-09）", "2020-01-09" + T, False),
    ("Published: 2020-01-09 07:56", "2020-01-09T07:56:00+08:00", True),
    ("Posted on 2020/01/09", "2020-01-09" + T, False),
    # Explicit offsets win over the site timezone
    ("2020-01-09T07:56:40+08:00", "2020-01-09T07:56:40+08:00", True),
    ("2020-01-09T07:56:40Z", "2020-01-09T07:56:40+00:00", True),
    ("2020-01-08T23:56:40.000Z", "2020-01-08T23:56:40+00:00", True),
    ("2020-01-09T07:56:40.123+08:00", "2020-01-09T07:56:40+08:00", True),
    ("2020-01-09T07:56:40-05:00", "2020-01-09T07:56:40-05:00", True),
    ("2020-01-09T07:56:40+0530", "2020-01-09T07:56:40+05:30", True),
    ("2020-01-09 07:56 GMT+8", "2020-01-09T07:56:00+08:00", True),
    ("2020-01-09 07:56 UTC", "2020-01-09T07:56:00+00:00", True),
    ("2020-01-09 07:56 北京时间", "2020-01-09T07:56:00+08:00", True),
    ("2020-01-09T07:56", "2020-01-09T07:56:00+08:00", True),
    # Year-less forms: the year is the latest one not in the future (NOW is 2020-03-10)
    ("01-09 07:56", "2020-01-09T07:56:00+08:00", True),
    ("1月9日", "2020-01-09" + T, False),
    ("1月9日 07:56", "2020-01-09T07:56:00+08:00", True),
    ("12月31日", "2019-12-31" + T, False),
    ("12-31 23:10", "2019-12-31T23:10:00+08:00", True),
    ("3月10日 09:00", "2020-03-10T09:00:00+08:00", True),
    ("3月11日", "2020-03-11" + T, False),  # tomorrow in another zone: within a day of slack
    ("5月1日", "2019-05-01" + T, False),
    ("一月九日", "2020-01-09" + T, False),
    ("发布时间：01-09 07:56", "2020-01-09T07:56:00+08:00", True),
    ("１月９日", "2020-01-09" + T, False),
    # Relative to the fetch time
    ("刚刚", "2020-03-10T10:00:00+08:00", True),
    ("剛剛", "2020-03-10T10:00:00+08:00", True),
    ("30秒前", "2020-03-10T09:59:30+08:00", True),
    ("30分钟前", "2020-03-10T09:30:00+08:00", True),
    ("5分鐘前", "2020-03-10T09:55:00+08:00", True),
    ("3小时前", "2020-03-10T07:00:00+08:00", True),
    ("3小時前", "2020-03-10T07:00:00+08:00", True),
    ("12个小时前", "2020-03-09T22:00:00+08:00", True),
    ("半小时前", "2020-03-10T09:30:00+08:00", True),
    ("2天前", "2020-03-08" + T, False),
    ("1周前", "2020-03-03" + T, False),
    ("昨天 12:30", "2020-03-09T12:30:00+08:00", True),
    ("昨天12:30", "2020-03-09T12:30:00+08:00", True),
    ("昨天", "2020-03-09" + T, False),
    ("前天", "2020-03-08" + T, False),
    ("前天 08:15", "2020-03-08T08:15:00+08:00", True),
    ("今天 09:12", "2020-03-10T09:12:00+08:00", True),
    ("发布于 3小时前", "2020-03-10T07:00:00+08:00", True),
    ("３小时前", "2020-03-10T07:00:00+08:00", True),
    # Western forms python-dateutil knows
    ("January 9, 2020", "2020-01-09" + T, False),
    ("Jan 9, 2020 7:56 PM", "2020-01-09T19:56:00+08:00", True),
    ("9 January 2020", "2020-01-09" + T, False),
    ("Thu, 09 Jan 2020 07:56:40 GMT", "2020-01-09T07:56:40+00:00", True),
    ("Thursday, January 9, 2020", "2020-01-09" + T, False),
    ("Jan. 9, 2020", "2020-01-09" + T, False),
    ("Updated: Jan 10, 2020 08:00", "2020-01-10T08:00:00+08:00", True),
    ("09 Jan 2020 07:56 +0800", "2020-01-09T07:56:00+08:00", True),
    ("December 31, 2019 11:59 pm", "2019-12-31T23:59:00+08:00", True),
    # Traps: no date, impossible dates, years alone, the future
    ("2019年", None, False),
    ("2019年，全市共立电信网络诈骗案件1万多起", None, False),
    ("尤其2019年12月份在全市公安机关开展的", None, False),
    ("2020-02-30", None, False),
    ("2019-02-29", None, False),
    ("2020-13-01", None, False),
    ("2020-00-10", None, False),
    ("2020-01-32", None, False),
    ("2020-01-09 25:00", "2020-01-09" + T, False),
    ("1899-01-01", None, False),
    ("2031-01-01", None, False),
    ("2020-03-12", None, False),
    ("13月9日", None, False),
    ("2月30日", None, False),
    ("", None, False),
    ("没有日期的一句话", None, False),
    ("第170多个", None, False),
    ("电话：0371-65900000", None, False),
    ("ISBN 978-7-5600-1234-5", None, False),
    ("版本 3.10.2", None, False),
    ("下午3点开会", None, False),
    ("共计 20200 元", None, False),
    ("12:30", None, False),
]


@pytest.mark.parametrize(("text", "expected", "has_time"), DATES, ids=[d[0] or "empty" for d in DATES])
def test_parse_date_table(text: str, expected: str | None, has_time: bool) -> None:
    found = parse_date(text, tz="Asia/Shanghai", now=NOW)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert found.value.isoformat() == expected
    assert found.has_time is has_time
    assert found.raw == text.strip()
    assert found.value.tzinfo is not None


def test_date_table_is_large_enough() -> None:
    assert len(DATES) + len(URLS) >= 120
    assert len(DATES) >= 120


def test_site_timezone_applies_without_offset() -> None:
    found = parse_date("2020-01-09 07:56", tz="UTC", now=NOW)
    assert found is not None and found.value.isoformat() == "2020-01-09T07:56:00+00:00"
    found = parse_date("2020-01-09 07:56", tz="Asia/Taipei", now=NOW)
    assert found is not None and found.value.isoformat() == "2020-01-09T07:56:00+08:00"
    found = parse_date("2020-07-09 07:56", tz="America/New_York", now=NOW.replace(year=2021))
    assert found is not None and found.value.isoformat() == "2020-07-09T07:56:00-04:00"


def test_yearless_date_takes_year_from_url() -> None:
    found = parse_date("12-30 08:00", now=NOW, url="http://example.test/2018/1230/1.html")
    assert found is not None and found.value.isoformat() == "2018-12-30T08:00:00+08:00"


def test_relative_without_now_uses_current_time() -> None:
    found = parse_date("刚刚")
    assert found is not None
    assert abs((datetime.now(found.value.tzinfo) - found.value).total_seconds()) < 5


URLS: list[tuple[str, str | None]] = [
    ("http://news.example-portal.test/news/yw/2020/0109/488.html", "2020-01-09"),
    ("http://www.xinhuanet.com/politics/2020-01/09/c_1125441.htm", "2020-01-09"),
    ("http://news.example.test/20200109/n123.shtml", "2020-01-09"),
    ("http://www.gov.test/zwgk/202001/t20200109_6789.html", "2020-01-09"),
    ("http://example.test/2020/01/09/story.html", "2020-01-09"),
    ("http://example.test/2020-01-09/story.html", "2020-01-09"),
    ("http://example.test/a/2020_01_09/123.html", "2020-01-09"),
    ("http://example.test/202001/09/123.html", "2020-01-09"),
    ("http://example.test/news/20200230/1.html", None),
    ("http://example.test/article/1646796218135408573", None),
    ("http://example.test/s?id=20200109", None),
    ("http://example.test/2020-01/list.html", None),
    ("http://example.test/news/123456.html", None),
    ("", None),
]


@pytest.mark.parametrize(("url", "day"), URLS, ids=[u[0] or "empty" for u in URLS])
def test_date_from_url(url: str, day: str | None) -> None:
    found = date_from_url(url)
    if day is None:
        assert found is None
        return
    assert found is not None
    assert found.value.isoformat() == day + T
    assert (found.rule, found.has_time) == ("url", False)


@pytest.mark.parametrize(("language", "zone"), [("zh", "Asia/Shanghai"), ("zh-CN", "Asia/Shanghai"),
                                                ("zh_TW", "Asia/Shanghai"), ("en", "UTC"), (None, "UTC")])
def test_default_timezone(language: str | None, zone: str) -> None:
    assert default_timezone(language) == zone


SIDEBAR = """<div class="side"><h3>精彩推薦</h3><ul>
<li><a href="/n/1.html">其他新聞標題一</a><span class="date">2023-07-04 09:52:57</span></li>
<li><a href="/n/2.html">其他新聞標題二</a><span class="date">2023-07-04 09:42:32</span></li></ul></div>"""
FOOTER = "<div class='footer'>Copyright 2003-2023 版權所有 2023-07-01</div>"


def tree_of(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def dates_of(html: str, url: str = "http://example.test/news/1.html", **kwargs: object) -> tuple[
        FoundDate | None, FoundDate | None]:
    tree = tree_of(html)
    headline = tree.xpath("//h1")[0] if tree.xpath("//h1") else None
    content = tree.xpath("//*[@id='content']")[0] if tree.xpath("//*[@id='content']") else None
    return find_dates(tree, url=url, headline=headline, content=content, now=NOW, **kwargs)  # type: ignore[arg-type]


def test_json_ld_comes_first() -> None:
    html = """<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
    "datePublished":"2020-01-09T07:56:40+08:00","dateModified":"2020-01-10T08:00:00+08:00"}</script>
    <meta property="article:published_time" content="2019-01-01T00:00:00+08:00"></head>
    <body><h1>標題</h1><div>2018-01-01 00:00</div><div id="content"><p>正文</p></div></body></html>"""
    published, updated = dates_of(html)
    assert published is not None and updated is not None
    assert (published.value.isoformat(), published.rule) == ("2020-01-09T07:56:40+08:00", "json-ld:datePublished")
    assert (updated.value.isoformat(), updated.rule) == ("2020-01-10T08:00:00+08:00", "json-ld:dateModified")
    assert published.raw == "2020-01-09T07:56:40+08:00"


def test_json_ld_graph_list() -> None:
    html = """<html><head><script type="application/ld+json">[{"@type":"WebSite"},{"@graph":[{"@type":"Article",
    "datePublished":"2020-01-09 07:56"}]}]</script></head><body><h1>t</h1></body></html>"""
    published, _ = dates_of(html)
    assert published is not None and published.value.isoformat() == "2020-01-09T07:56:00+08:00"


def test_meta_published_and_modified() -> None:
    html = """<html><head><meta property="article:published_time" content="2020-01-09T07:56:40+08:00">
    <meta property="article:modified_time" content="2020-01-09T09:00:00+08:00"></head>
    <body><h1>標題</h1>""" + SIDEBAR + "</body></html>"
    published, updated = dates_of(html)
    assert published is not None and updated is not None
    assert (published.value.isoformat(), published.rule) == ("2020-01-09T07:56:40+08:00",
                                                             "meta:article:published_time")
    assert (updated.value.isoformat(), updated.rule) == ("2020-01-09T09:00:00+08:00", "meta:article:modified_time")


@pytest.mark.parametrize("name", ["publishdate", "PubDate", "pubtime", "dc.date.issued", "og:published_time"])
def test_meta_names_portals_use(name: str) -> None:
    html = f'<html><head><meta name="{name}" content="2020-01-09 07:56:40"></head><body><h1>t</h1></body></html>'
    published, _ = dates_of(html)
    assert published is not None and published.value.isoformat() == "2020-01-09T07:56:40+08:00"
    assert published.rule == f"meta:{name}"


def test_time_element_outside_sidebar() -> None:
    html = ("<html><body>" + SIDEBAR.replace('<span class="date">2023-07-04 09:52:57</span>',
                                             '<time datetime="2023-07-04T09:52:57+08:00">7月4日</time>')
            + "<article><h1>標題</h1><time datetime='2020-01-09T07:56:40+08:00'>1月9日</time>"
            "<div id='content'><p>正文</p></div></article></body></html>")
    published, _ = dates_of(html)
    assert published is not None
    assert (published.value.isoformat(), published.rule) == ("2020-01-09T07:56:40+08:00", "time[datetime]")


def test_visible_date_next_to_headline_beats_sidebar_and_footer() -> None:
    html = ("<html><body>" + SIDEBAR + "<h1>2019年 鄭州警方共打掉電信網絡詐騙團伙170多個</h1>"
            "<div class='info'><span class='time'>2020-01-09 07:56:40</span><span>來源:映象網</span></div>"
            "<div id='content'><p>2019年,全市共立電信網絡詐騙案件1萬多起。1月8日上午,鄭州警方召開通報會。</p></div>"
            + SIDEBAR + FOOTER + "</body></html>")
    published, updated = dates_of(html)
    assert published is not None
    assert (published.value.isoformat(), published.rule) == ("2020-01-09T07:56:40+08:00", "visible:headline")
    assert published.raw == "2020-01-09 07:56:40"
    assert updated is None


def test_label_split_across_tags_and_updated_kept_apart() -> None:
    html = ("<html><body><h1>標題</h1><p class='meta'><span>发布时间：</span><span>2020年01月09日 07:56</span>"
            "<span>更新时间：</span><span>2020年01月10日 08:30</span></p>"
            "<div id='content'><p>正文。</p></div></body></html>")
    published, updated = dates_of(html)
    assert published is not None and updated is not None
    assert published.value.isoformat() == "2020-01-09T07:56:00+08:00"
    assert (updated.value.isoformat(), updated.rule) == ("2020-01-10T08:30:00+08:00", "visible:updated")


def test_date_in_body_sentence_is_not_taken() -> None:
    html = ("<html><body><h1>標題</h1><div id='content'><p>據介紹,2019年12月份開展的行動中,1月8日上午召開了會議,"
            "這是一段很長的正文,說明了許多情況,包括2018年的數據和今年的計劃。</p></div>"
            + SIDEBAR + "</body></html>")
    published, _ = dates_of(html, url="http://example.test/news/488.html")
    assert published is None


def test_date_at_start_of_content() -> None:
    html = ("<html><body><h1>標題</h1><div id='content'><p>（2020-01-09 07:56）新華社訊,正文開始。</p></div>"
            + SIDEBAR + "</body></html>")
    published, _ = dates_of(html)
    assert published is not None and published.value.isoformat() == "2020-01-09T07:56:00+08:00"


def test_url_is_the_last_resort() -> None:
    html = "<html><body><h1>標題</h1><div id='content'><p>正文。</p></div>" + SIDEBAR + "</body></html>"
    published, _ = dates_of(html, url="http://example.test/news/2020/0109/488.html")
    assert published is not None
    assert (published.value.isoformat(), published.rule, published.has_time) == ("2020-01-09" + T, "url", False)


def test_relative_date_next_to_headline() -> None:
    html = "<html><body><h1>標題</h1><div class='src'>3小时前 · 新华社</div><div id='content'><p>正文</p></div></body></html>"
    published, _ = dates_of(html)
    assert published is not None and published.value.isoformat() == "2020-03-10T07:00:00+08:00"


def test_seed_page_date(shared_dir: Path) -> None:
    body = (shared_dir / "seed" / "article.html").read_bytes()
    tree = tree_of(decode_html(body).text)
    url = "http://news.example-portal.test/news/yw/2020/0109/488.html"
    published, updated = find_dates(tree, url=url, headline=tree.xpath("//h1")[0],
                                    content=tree.xpath("//div[@id='content']")[0])
    assert published is not None
    assert published.value.isoformat() == "2020-01-09T07:56:40+08:00"
    assert published.rule == "visible:headline"
    assert updated is None
    # Without the elements an extractor would hand over, the answer is the same.
    published, _ = find_dates(tree, url=url)
    assert published is not None and published.value.isoformat() == "2020-01-09T07:56:40+08:00"


def test_evidence_record() -> None:
    found = parse_date("发布时间：2020-01-09 07:56", now=NOW)
    assert found is not None
    assert found.evidence() == {"value": "2020-01-09T07:56:00+08:00", "raw": "发布时间：2020-01-09 07:56",
                                "rule": "text", "has_time": True}


# ---------------------------------------------------------------- round 2: classes of failure seen
# on portals

REF = datetime.fromisoformat("2019-10-08T12:00:57+08:00")


@pytest.mark.parametrize(("text", "expected"), [
    ("19-09-07 12:30", "2019-09-07T12:30:00+08:00"),
    ("发布时间：18-03-08 23:16", "2018-03-08T23:16:00+08:00"),
    ("05/04/27", "2005-04-27" + T),
    ("12:30 19-09-07", "2019-09-07" + T),
])
def test_two_digit_year(text: str, expected: str) -> None:
    found = parse_date(text, now=NOW)
    assert found is not None and found.value.isoformat() == expected


@pytest.mark.parametrize(("text", "reference", "expected"), [
    ("10-08 12:30", "2019-10-08T12:31:00+08:00", "2019-10-08T12:30:00+08:00"),
    ("12-30 08:00", "2020-01-02T09:00:00+08:00", "2019-12-30T08:00:00+08:00"),
    ("1月2日 09:00", "2020-01-02T09:00:00+08:00", "2020-01-02T09:00:00+08:00"),
    ("发布时间：3月1日", "2018-03-01T08:00:00+08:00", "2018-03-01" + T),
])
def test_yearless_takes_year_from_the_pages_other_date(text: str, reference: str, expected: str) -> None:
    found = parse_date(text, now=NOW, reference=datetime.fromisoformat(reference))
    assert found is not None and found.value.isoformat() == expected


def test_yearless_without_reference_uses_url_then_crawl_time() -> None:
    found = parse_date("12-30 08:00", now=NOW, url="http://example.test/2018/1230/5.html")
    assert found is not None and found.value.isoformat() == "2018-12-30T08:00:00+08:00"
    found = parse_date("12-30 08:00", now=NOW)
    assert found is not None and found.value.isoformat() == "2019-12-30T08:00:00+08:00"


def test_yearless_date_line_split_over_spans_takes_year_from_meta_update() -> None:
    html = ("<html><head><meta itemprop='dateUpdate' content='2019-10-08 12:00:57'></head><body>"
            "<div class='article-title'><h2>英国美女转行当美人鱼</h2></div><div class='author'><p>加拿大必读</p>"
            "<div class='article-source'><span class='date'>发布时间：10-08</span><span class='time'>12:00</span>"
            "</div></div><div id='content'><p>正文。</p></div></body></html>")
    tree = tree_of(html)
    published, updated = find_dates(tree, url="http://example.test/s?id=1", headline=tree.xpath("//h2")[0],
                                    content=tree.xpath("//*[@id='content']")[0], now=NOW)
    assert published is not None and updated is not None
    assert (published.value.isoformat(), published.rule) == ("2019-10-08T12:00:00+08:00", "visible:headline")
    assert published.raw == "10-08 12:00"
    assert (updated.value.isoformat(), updated.rule) == ("2019-10-08T12:00:57+08:00", "meta:dateUpdate")


def test_only_an_update_time_is_the_published_fallback() -> None:
    html = ("<html><head><meta itemprop='dateUpdate' content='2019-09-30 22:46:13'></head>"
            "<body><h1>標題</h1><div id='content'><p>正文。</p></div></body></html>")
    published, updated = dates_of(html)
    assert published is not None and updated is not None
    assert (published.value.isoformat(), published.rule) == ("2019-09-30T22:46:13+08:00", "updated:meta:dateUpdate")


def test_footer_inside_the_article_is_its_date_line_page_footer_is_not() -> None:
    html = ("<html><body><article><h1 class='entry-h1'>常德市金融系统开展活动</h1>"
            "<div class='entry-content'><p>为持续推动金融知识普及工作,活动正式启动。</p></div>"
            "<footer><div class='single-cat'>发布日期：2019-09-23 14:34:05&nbsp;所属分类：头条</div></footer>"
            "</article>" + SIDEBAR + "<footer class='footer'>Copyright 2003-2023 版權所有 更新于2023-07-01</footer>"
            "</body></html>")
    tree = tree_of(html)
    published, _ = find_dates(tree, url="http://example.test/ym/532601.html", headline=tree.xpath("//h1")[0],
                              content=tree.xpath("//div[@class='entry-content']")[0], now=NOW)
    assert published is not None
    assert (published.value.isoformat(), published.rule) == ("2019-09-23T14:34:05+08:00", "visible:dateline")
    only_page_footer = html.replace("发布日期：2019-09-23 14:34:05", "")
    tree = tree_of(only_page_footer)
    published, updated = find_dates(tree, url="http://example.test/ym/532601.html",
                                    headline=tree.xpath("//h1")[0], now=NOW)
    assert published is None and updated is None


def test_blog_post_footer_gives_the_time_of_the_url_day_not_the_comments() -> None:
    html = ("<html><body><div class='post'><div class='postTitle'>評老冒</div><div class='postText'>"
            "<p>昨天兜兜转转看到一篇文章,写得很长很长,这里是正文。</p></div>"
            "<div class='postFoot'>[收藏本文]&nbsp;发表于2005年09月07日 11:57 AM</div></div>"
            "<div class='comments'><div>发表于2005年09月08日 09:10 AM</div></div></body></html>")
    tree = tree_of(html)
    url = "http://blog.example.test/user/archive/2005/09/07/543698.aspx"
    published, _ = find_dates(tree, url=url, headline=tree.xpath("//div[@class='postTitle']")[0],
                              content=tree.xpath("//div[@class='postText']")[0], now=NOW)
    assert published is not None
    assert (published.value.isoformat(), published.rule) == ("2005-09-07T11:57:00+08:00", "visible:dateline")


def test_forum_thread_takes_the_first_posts_labelled_time() -> None:
    post = ("<tr><td class='p4'>{}<p>------<p>〓 娱乐 明星话题 发布时间 {} by <a href='u.php'>user</a></td></tr>")
    html = ("<html><body><table>" + post.format("楼主的正文,很长的一段话。", "2005/03/15 22:36:13")
            + post.format("回复内容", "2005/03/16 01:08:28") + "</table></body></html>")
    published, _ = find_dates(tree_of(html), url="http://bbs.example.test/read.php?postid=1", now=NOW)
    assert published is not None
    assert (published.value.isoformat(), published.rule) == ("2005-03-15T22:36:13+08:00", "visible:dateline")


def test_meta_and_script_data_disagree_the_earliest_wins() -> None:
    html = ("<html><head><meta name='apub:time' content='2019-9-7 21:30:50'>"
            "<script>window.DATA = {\"title\": \"儿歌\", \"pubtime\": \"2019-09-07 19:02:26\", \"tags\": \"x\"}"
            "</script></head><body><h1>儿歌一分钱被改成一元钱</h1><div id='content'><p>正文。</p></div></body></html>")
    published, _ = dates_of(html)
    assert published is not None
    assert (published.value.isoformat(), published.rule) == ("2019-09-07T19:02:26+08:00", "script:pubtime")


def test_meta_and_script_data_disagree_the_visible_line_decides() -> None:
    html = ("<html><head><meta name='apub:time' content='2019-9-7 21:30:50'>"
            "<script>var DATA = {pubtime: '2019-09-07 19:02:26'};</script></head><body><h1>標題</h1>"
            "<div class='info'>2019-09-07 21:30 来源：扬眼</div><div id='content'><p>正文。</p></div></body></html>")
    published, _ = dates_of(html)
    assert published is not None
    assert (published.value.isoformat(), published.rule) == ("2019-09-07T21:30:50+08:00", "meta:apub:time")


@pytest.mark.parametrize(("markup", "rule"), [
    ("<input type='hidden' name='pubtime' id='pubtime' value='2020-02-13 04:22:18'>", "input:pubtime"),
    ("<div class='wrapper' data-docid='E1' data-ptime='2020-02-13 04:22:18'>x</div>", "attr:data-ptime"),
])
def test_page_data_dates(markup: str, rule: str) -> None:
    html = f"<html><body><div class='layer81'>17种产品入选名单</div>{markup}<p>正文。</p></body></html>"
    published, _ = find_dates(tree_of(html), url="", now=NOW)
    assert published is not None
    assert (published.value.isoformat(), published.rule) == ("2020-02-13T04:22:18+08:00", rule)


def test_date_rules_are_read_in_order_and_a_registered_one_takes_its_place(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert [rule.name for rule in DATE_RULES] == ["json-ld", "meta", "page-data", "time-element"]
    monkeypatch.setattr("newsarchive.extract.dates.DATE_RULES", list(DATE_RULES))
    from newsarchive.extract import dates

    def fixed(tree: lxml.html.HtmlElement, tz: str, now: datetime | None, url: str) -> tuple[
            FoundDate | None, FoundDate | None]:
        return FoundDate(datetime.fromisoformat("2020-02-01T08:00:00+08:00"), "x", "test:fixed", True), None

    html = ("<html><head><meta property='article:published_time' content='2020-02-13T04:22:18+08:00'>"
            "</head><body><h1>標題</h1><div id='content'><p>正文。</p></div></body></html>")
    register_date_rule(DateRule("fixed", fixed))
    assert [rule.name for rule in dates.DATE_RULES][-1] == "fixed"
    published, _ = dates_of(html)
    assert published is not None and published.rule == "meta:article:published_time"
    dates.DATE_RULES.pop()
    register_date_rule(DateRule("fixed", fixed), before="json-ld")
    published, _ = dates_of(html)
    assert published is not None and published.rule == "test:fixed"
    with pytest.raises(ValueError, match="fixed"):
        register_date_rule(DateRule("fixed", fixed))


@pytest.mark.parametrize("line", [
    "昨天去金矿玩 (图)",                          # relative day word opening a title
    "刚刚，在阿里2019云栖大会上，张建锋发布了芯片。",   # 刚刚 in running text
    "5月20日至31日，京沪高速封闭",                  # month-day in a sentence
    "20190926|国贸|增长率|全球经济",                # compact digits in a keyword list
    "2005年4月18日吴宗宪进棚录像，凌晨收班后用餐",     # full date opening a sentence
])
def test_dates_inside_running_text_next_to_headline_are_not_taken(line: str) -> None:
    html = f"<html><body><h1>標題</h1><div class='t'>{line}</div><div id='content'><p>正文。</p></div></body></html>"
    published, updated = dates_of(html)
    assert published is None and updated is None


@pytest.mark.parametrize(("line", "expected"), [
    ("2003-7-24 钱江晚报", "2003-07-24" + T),
    ("新华社北京2020年1月9日电", "2020-01-09" + T),
    ("2020年1月9日 星期四", "2020-01-09" + T),
    ("3小时前 · 新华社", "2020-03-10T07:00:00+08:00"),
])
def test_date_lines_with_a_source_are_taken(line: str, expected: str) -> None:
    html = f"<html><body><h1>標題</h1><div class='t'>{line}</div><div id='content'><p>正文。</p></div></body></html>"
    published, _ = dates_of(html)
    assert published is not None and published.value.isoformat() == expected


def test_dated_link_to_another_article_is_not_the_date() -> None:
    html = ("<html><body><h1>联合国贸发报告</h1><ul class='adjacent'><li>上一篇：<a href='/2.html'>"
            "今日股市行情分析--2019年8月19日</a></li></ul><div class='title-meta-time'>发布时间：\n"
            "2019-09-26 10:09:11</div><div id='content'><p>正文。</p></div></body></html>")
    published, _ = dates_of(html)
    assert published is not None and published.value.isoformat() == "2019-09-26T10:09:11+08:00"


def test_date_then_update_label_is_an_update_and_stands_in_for_published() -> None:
    html = ("<html><body><b>日本无性婚姻问题严重(图)</b><table><tr><td class='ygg'>2005-04-05 06:40更新 来源：转载文章"
            "</td></tr></table><p>正文很长很长。</p></body></html>")
    published, updated = find_dates(tree_of(html), url="http://news.example.test/050404/346/2al02.html", now=NOW)
    assert published is not None and updated is not None
    assert (updated.value.isoformat(), updated.rule) == ("2005-04-05T06:40:00+08:00", "visible:updated")
    assert (published.value.isoformat(), published.rule) == ("2005-04-05T06:40:00+08:00",
                                                             "updated:visible:updated")


def test_date_line_inside_a_share_box_under_the_headline() -> None:
    html = ("<html><body><div class='article_title'><h2>京沪高速封闭</h2><div class='share_box'>"
            "<p class='time'><span>2019-05-17</span><span>苏皖城市报道</span></p><span class='share'>分享到</span>"
            "</div></div><div id='content'><p>5月20日至31日，京沪高速封闭。</p></div>"
            "<div class='share'>2023-07-04 09:52:57</div></body></html>")
    tree = tree_of(html)
    published, _ = find_dates(tree, url="http://example.test/a/1.html", headline=tree.xpath("//h2")[0],
                              content=tree.xpath("//*[@id='content']")[0], now=NOW)
    assert published is not None and published.value.isoformat() == "2019-05-17" + T


def test_empty_headline_element_is_ignored() -> None:
    html = ("<html><body><h1> </h1><div class='tag'>20190926|国贸</div><div class='title-text'>报告</div>"
            "<div class='meta-time'>发布时间：2019-09-26 10:09:11</div><p>正文。</p></body></html>")
    tree = tree_of(html)
    published, _ = find_dates(tree, url="", headline=tree.xpath("//h1")[0], now=NOW)
    assert published is not None and published.value.isoformat() == "2019-09-26T10:09:11+08:00"


def test_sources_a_whole_number_of_hours_apart_are_one_time_in_two_zones() -> None:
    html = ("<html><head><script type='application/ld+json'>{\"datePublished\": \"2020-01-09T07:56:40-05:00\"}"
            "</script><meta name='pubdate' content='2020-01-09 12:56:40'></head><body><h1>t</h1></body></html>")
    published, _ = dates_of(html, tz="UTC")
    assert published is not None
    assert (published.value.isoformat(), published.rule) == ("2020-01-09T07:56:40-05:00", "json-ld:datePublished")


def test_government_document_takes_its_date_of_record_over_the_posting_day() -> None:
    html = ("<html><head><meta name='PubDate' content='2019-01-28 09:30'></head><body>"
            "<table class='xxgk'><tr><td>发文机关：</td><td>吉林省人民政府</td><td>成文日期：</td>"
            "<td>2019年01月27日</td></tr><tr><td>发文字号：</td><td>吉政明电〔2019〕1号</td>"
            "<td>发布日期：</td><td>2019年01月28日</td></tr></table><h1>关于禁止新增建设项目的通告</h1>"
            "<div id='content'><p>为做好工程建设，现通告如下。</p><p>吉林省人民政府</p><p>2019年1月27日</p>"
            "</div></body></html>")
    published, _ = dates_of(html)
    assert published is not None
    assert (published.value.isoformat(), published.rule) == ("2019-01-27" + T, "visible:document")


def test_date_of_record_in_one_cell_with_its_label_and_same_day_keeps_the_time() -> None:
    html = ("<html><body><h1>通知</h1><div class='info'>发布时间：2019-03-05 10:20</div>"
            "<table><tr><td>成文日期：2019-03-05</td></tr></table><div id='content'><p>正文。</p></div>"
            "</body></html>")
    published, _ = dates_of(html)
    assert published is not None and published.value.isoformat() == "2019-03-05T10:20:00+08:00"


@pytest.mark.parametrize(("text", "expected"), [
    ("January 9, 2020 7:56 PM EST", "2020-01-09T19:56:00-05:00"),
    ("Updated 10:30 AM IST, Mar 3, 2019", "2019-03-03T10:30:00+05:30"),
    ("3 March 2019 09:15 BST", "2019-03-03T09:15:00+01:00"),
])
def test_western_zone_abbreviations_give_their_offsets(text: str, expected: str) -> None:
    found = parse_date(text, tz="UTC", now=NOW)
    assert found is not None and found.value.isoformat() == expected


def test_western_date_line_printed_in_local_time_beats_a_utc_meta() -> None:
    # JSON-LD in UTC, the page prints the same instant in its own zone with the month named.
    html = """<html><head><script type="application/ld+json">{"@type":"NewsArticle",
    "datePublished":"2019-11-02T19:53:52.000Z"}</script></head><body><h1>Ocean heat</h1>
    <div class="byline">By <a href="/a/x">Ann Lee</a> <time datetime="2019-11-02T19:53:52.000Z">November 2,
    2019 3:53 PM EDT</time></div><div id="content"><p>Text of the article.</p></div></body></html>"""
    published, _ = dates_of(html, tz="America/New_York")
    assert published is not None
    assert published.value.isoformat() == "2019-11-02T15:53:52-04:00"
    assert published.also is not None and published.also.rule == "json-ld:datePublished"


def test_western_date_line_is_found_without_structured_dates() -> None:
    html = """<html><body><h1>Harbour reopens</h1><p class="meta">Published 2 Nov. 2019, 09:15</p>
    <div id="content"><p>The harbour reopened on Thursday after two weeks of repairs.</p></div>
    </body></html>"""
    published, _ = dates_of(html, tz="Europe/London")
    assert published is not None
    assert published.value.isoformat() == "2019-11-02T09:15:00+00:00"


def test_month_named_date_inside_running_text_is_no_date_line() -> None:
    html = """<html><body><h1>Oil field dispute</h1>
    <span class="photo">Workers at the field on March 24, 2014 10:30 AM, before the first wells were drilled</span>
    <div class="byline">By Ann Lee <span>November 2, 2019 3:53 PM</span></div>
    <div id="content"><p>The dispute over the oil field went to court on Friday.</p></div></body></html>"""
    published, _ = dates_of(html, tz="America/New_York")
    assert published is not None
    assert published.value.isoformat() == "2019-11-02T15:53:00-04:00"


def test_date_line_inside_the_title_block() -> None:
    # The headline found is the title block, which holds the info line under the title.
    html = """<html><body><div class="news-title"><div>科普展览在京开幕</div>
    <ul><li>来源：新华社</li><li>作者：</li><li>2019-12-01 14:43</li></ul></div>
    <div id="content"><p>科普展览1日在北京开幕，展期一个月。</p></div></body></html>"""
    tree = tree_of(html)
    headline = tree.xpath("//div[@class='news-title']")[0]
    content = tree.xpath("//*[@id='content']")[0]
    published, _ = find_dates(tree, url="http://example.test/n/1.html", headline=headline,
                              content=content, now=NOW)
    assert published is not None
    assert published.value.isoformat() == "2019-12-01T14:43:00+08:00"
