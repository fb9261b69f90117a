"""A site's CSS/XPath hints in extraction: they fix what the generic extractor gets wrong, a hint
that matches nothing falls back and is reported, and a crawl applies its site's hints."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from newsarchive.archive import Archive
from newsarchive.cli import main
from newsarchive.extract import extract
from newsarchive.extract.article import Article
from newsarchive.query import articles
from tests.mockserver import FAST, Page, Portal, run_cli, section_html

PAGE = (Path(__file__).parent / "fixtures" / "hints" / "page.html").read_bytes()
URL = "https://www.xinghe.example/news/1.html"
TITLE = "市图书馆延长夜间开放时间至晚上十点"
BODY = ["市图书馆昨日宣布，自下月起每周五和周六的夜间开放时间延长至晚上十点，方便上班族读者借阅。",
        "馆方表示，延长开放期间将增派两名值班馆员，自助借还设备也会全部开启。",
        "据介绍，夜间开放区域包括二楼的中文图书借阅区、三楼的期刊阅览室和一楼的少儿阅览区，其他区域仍按原时间闭馆。",
        "图书馆负责人说，此次调整是根据去年读者问卷调查的结果作出的，今后还将根据实际使用情况继续优化开放安排。"]
SHANGHAI = ZoneInfo("Asia/Shanghai")
HINTS = {"css": {"title": "div.ttl", "body": "div.article-text"},
         "xpath": {"published": "//span[@class='pubtime']/text()"}}


def _extract(hints: dict[str, dict[str, str]] | None) -> Article:
    return extract(PAGE, URL, timezone="Asia/Shanghai", hints=hints)


def test_generic_extractor_gets_this_page_wrong() -> None:
    article = _extract(None)
    assert article.title == "星河网"
    assert len(article.paragraphs) > len(BODY)  # the reader comments are taken as body too
    assert article.published == datetime(2024, 5, 8, 9, 0, tzinfo=SHANGHAI)
    assert "hints" not in article.evidence


def test_hints_win_for_their_fields_and_say_so() -> None:
    article = _extract(HINTS)
    assert article.title == TITLE
    assert article.paragraphs == BODY
    assert article.published == datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)
    assert article.evidence["published"]["rule"] == "hint-xpath"
    assert article.evidence["hints"] == {
        "applied": {"title": "css", "body": "css", "published": "xpath"}, "unmatched": {}}


def test_element_hints_for_dates_and_xpath_title() -> None:
    article = _extract({"css": {"published": "div.pubinfo"}, "xpath": {"title": "//div[@class='ttl']"}})
    assert article.title == TITLE
    assert article.published == datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)
    assert article.evidence["hints"]["applied"] == {"published": "css", "title": "xpath"}


def test_hint_matching_nothing_falls_back_and_is_reported() -> None:
    article = _extract({"css": {"title": "h1.article-title", "body": "div.article-text"},
                        "xpath": {"published": "//span[@class='nowhere']/text()"}})
    assert article.title == "星河网"  # generic
    assert article.paragraphs == BODY  # the body hint still applies
    assert article.published == datetime(2024, 5, 8, 9, 0, tzinfo=SHANGHAI)
    assert article.evidence["hints"] == {
        "applied": {"body": "css"},
        "unmatched": {"title": "css 'h1.article-title': selected nothing",
                      "published": "xpath \"//span[@class='nowhere']/text()\": selected nothing"}}


@pytest.mark.parametrize(("hints", "field", "reason"), [
    ({"css": {"published": "div.ttl"}}, "published", "css 'div.ttl': selected no readable date"),
    ({"xpath": {"body": "//div[@class='ttl']/text()"}}, "body",
     "xpath \"//div[@class='ttl']/text()\": selected no element with text"),
    ({"css": {"title": "div.article-text > br"}}, "title", "css 'div.article-text > br': selected nothing"),
])
def test_unusable_selection_falls_back(hints: dict[str, dict[str, str]], field: str, reason: str) -> None:
    article = _extract(hints)
    generic = _extract(None)
    assert getattr(article, field) == getattr(generic, field)
    assert article.evidence["hints"] == {"applied": {}, "unmatched": {field: reason}}


def test_css_hint_tried_before_xpath_for_the_same_field() -> None:
    article = _extract({"css": {"title": "h2.none"}, "xpath": {"title": "string(//div[@class='ttl'])"}})
    assert article.title == TITLE
    assert article.evidence["hints"] == {"applied": {"title": "xpath"}, "unmatched": {}}


@pytest.mark.crawl
def test_crawl_applies_the_site_hints(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Portal() as portal:
        portal.pages = {f"/news/a{n}.html": Page(PAGE.replace(TITLE.encode(), f"{TITLE}{n}".encode()))
                        for n in (1, 2, 3)}
        portal.pages["/news/"] = Page(section_html([(f"/news/a{n}.html", f"{TITLE}{n}") for n in (1, 2, 3)]))
        sites = tmp_path / "sites"
        sites.mkdir()
        (sites / "hinted.toml").write_text(
            f'name = "hinted"\nsections = ["{portal.url}/news/"]\ntimezone = "Asia/Shanghai"\n'
            '[hints.css]\ntitle = "div.ttl"\nbody = "div.article-text"\n'
            '[hints.xpath]\npublished = "//span[@class=\'pubtime\']/text()"\n', encoding="utf-8")
        run_cli("crawl", "hinted", "--sites-dir", str(sites), "--db", db_url, *FAST)
    with Archive(db_url) as archive:
        rows = sorted(articles(archive), key=lambda r: r["url"])
    assert [r["title"] for r in rows] == [f"{TITLE}{n}" for n in (1, 2, 3)]
    assert [r["body"] for r in rows] == ["\n".join(BODY)] * 3
    assert [r["published"] for r in rows] == ["2024-05-01T08:00:00+08:00"] * 3


def test_extract_command_applies_a_site_hints(tmp_path: Path) -> None:
    (tmp_path / "hinted.toml").write_text(
        'name = "hinted"\nsections = ["https://www.xinghe.example/news/"]\ntimezone = "Asia/Shanghai"\n'
        '[hints.css]\ntitle = "div.ttl"\nbody = "div.article-text"\n', encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    runner = CliRunner()
    plain = runner.invoke(main, ["extract", str(page), "--url", URL])
    hinted = runner.invoke(main, ["extract", str(page), "--url", URL, "--site", "hinted",
                                  "--sites-dir", str(tmp_path)])
    assert plain.exit_code == 0 and hinted.exit_code == 0, hinted.output
    assert json.loads(plain.output)["title"] == "星河网"
    record = json.loads(hinted.output)
    assert (record["title"], record["body"]) == (TITLE, "\n".join(BODY))
    assert record["evidence"]["hints"]["applied"] == {"title": "css", "body": "css"}
    unknown = runner.invoke(main, ["extract", str(page), "--site", "nosuch", "--sites-dir", str(tmp_path)])
    assert unknown.exit_code == 2 and "no site named 'nosuch'" in unknown.output


def test_empty_hint_tables_leave_no_trace() -> None:
    assert "hints" not in _extract({"css": {}, "xpath": {}}).evidence


@pytest.mark.parametrize("hints", [
    {"css": {"published": 'meta[property="article:published_time"]'}},
    {"xpath": {"published": '//meta[@property="article:published_time"]/@content'}},
])
def test_published_hint_reads_a_meta_tag(hints: dict[str, dict[str, str]]) -> None:
    page = PAGE.replace(b"<title>", b'<meta property="article:published_time" '
                                    b'content="2024-04-30T07:00:00+08:00"><title>')
    article = extract(page, URL, timezone="Asia/Shanghai", hints=hints)
    assert article.published == datetime(2024, 4, 30, 7, 0, tzinfo=SHANGHAI)
