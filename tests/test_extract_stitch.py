"""A two-page article: the pager gives next_page_url, stitch joins the pages without repeated
chrome. """

from __future__ import annotations

from pathlib import Path

from newsarchive.extract import extract, stitch

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
PAGE_1 = "http://x.example.test/eco/2022/0801/5.html"
PAGE_2 = "http://x.example.test/eco/2022/0801/5_2.html"


def test_next_page_url_from_pager() -> None:
    first = extract((FIXTURES / "multi_1.html").read_bytes(), PAGE_1, {})
    last = extract((FIXTURES / "multi_2.html").read_bytes(), PAGE_2, {})
    assert first.next_page_url == PAGE_2
    assert last.next_page_url is None


def test_stitch_joins_in_order_without_repeats() -> None:
    pages = [extract((FIXTURES / name).read_bytes(), url, {})
             for name, url in (("multi_1.html", PAGE_1), ("multi_2.html", PAGE_2))]
    article = stitch(pages)
    assert article.paragraphs == [
        "编者按：本文为系列报道，共两页，记录长江沿线的生态保护工作。",
        "长江沿线各省份近年来持续推进禁渔和湿地修复工作，水质明显改善，多种珍稀鱼类重新出现。",
        "当地渔民转产上岸后，有的成为护渔员，每天在江面巡查，制止非法捕捞行为。",
        "专家表示，生态修复是长期工程，需要持续投入资金和技术，并建立跨地区协作机制。",
        "记者在调查中发现，部分支流的治理仍然滞后，需要进一步加强监管。（记者 刘洋）",
    ]
    assert article.url == PAGE_1
    assert article.title == "长江流域生态保护调查"
    assert article.source == "今日财经网"
    assert article.published is not None and article.published.isoformat() == "2022-08-01T08:00:00+08:00"
    assert article.authors == ["刘洋"]
    assert article.next_page_url is None
    assert article.evidence["pages"] == [PAGE_1, PAGE_2]


def test_stitch_single_page_is_that_page() -> None:
    page = extract((FIXTURES / "multi_1.html").read_bytes(), PAGE_1, {})
    assert stitch([page]).paragraphs == page.paragraphs
