"""extract() on fixture pages: Big5 table layout, UTF-8 with chrome inside the body, English, list,
about. """

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.extract import Article, EmptyPage, extract

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def load(name: str, url: str, headers: dict[str, str] | None = None) -> Article:
    return extract((FIXTURES / name).read_bytes(), url, headers or {})


@pytest.fixture(scope="module")
def big5() -> Article:
    return load("big5_table.html", "http://hk.example.test/local/2021/0912/7.html")


@pytest.fixture(scope="module")
def utf8() -> Article:
    return load("utf8_article.html", "https://finance.example.test/2023/0512/88.html",
                {"Content-Type": "text/html; charset=utf-8"})


@pytest.fixture(scope="module")
def english() -> Article:
    return load("english.html", "https://daily.example.test/news/river-cleanup")


def test_big5_table_layout_body_split_at_br(big5: Article) -> None:
    assert big5.paragraphs == [
        "颱風「燦都」今日下午接近台灣東部海面，中央氣象局表示，暴風圈預計於今晚觸及陸地，各地須嚴防強風豪雨。",
        "台北市政府傍晚宣布，明日全市停止上班上課一天，市民應減少外出，並留意各項防颱資訊。",
        "氣象專家指出，這次颱風結構紮實，雨量集中於北部及東北部山區，可能引發土石流，相關單位已預先撤離居民。",
    ]


def test_big5_metadata(big5: Article) -> None:
    assert big5.title == "颱風過境 台北市停班停課一天"
    assert big5.published is not None and big5.published.isoformat() == "2021-09-12T18:05:00+08:00"
    assert big5.authors == ["陳志明"]
    assert big5.source == "港島日報"
    assert big5.editor == "林小華"
    assert big5.section_path == ["首頁", "本地新聞"]
    assert big5.encoding == "big5hkscs"
    assert big5.language == "zh"
    assert big5.keywords == []


def test_utf8_chrome_inside_body_removed(utf8: Article) -> None:
    assert utf8.paragraphs == [
        "五月以来，多个城市推出夜间消费活动，商圈延长营业时间，餐饮、文旅等行业客流明显回升。",
        "商务部门数据显示，试点商圈夜间客流同比增长三成，带动周边零售额同步上涨，商户普遍反映生意好转。",
        "业内人士认为，夜经济的持续发展还需要交通、治安等配套服务跟上，才能形成长期的消费习惯。",
    ]
    for noise in ("分享到", "隐藏的广告", "相关新闻", "五一假期", "脚本内容", "热门排行", "Copyright"):
        assert noise not in utf8.body


def test_utf8_metadata(utf8: Article) -> None:
    assert utf8.title == "城市夜经济带动消费回暖"
    assert utf8.published is not None and utf8.published.isoformat() == "2023-05-12T09:30:00+08:00"
    assert utf8.evidence["published"]["rule"].startswith("json-ld")
    assert utf8.authors == ["张晓明"]
    assert utf8.keywords == ["夜经济", "消费"]  # meta keywords as fallback: no visible line
    assert utf8.evidence["keywords"]["rule"] == "meta"
    assert utf8.summary == "多地推出夜市与延时营业措施。"
    assert utf8.canonical_url == "https://finance.example.test/2023/0512/88.html"
    assert utf8.language == "zh-CN"
    assert utf8.page_type == "article"


def test_english_article(english: Article) -> None:
    assert english.title == "River cleanup draws hundreds of volunteers"
    assert english.authors == ["Jane Doe", "John Roe"]
    assert english.published is not None and english.published.isoformat() == "2024-04-21T10:15:00-04:00"
    assert english.paragraphs[0].startswith("Hundreds of volunteers")
    assert english.paragraphs[-1].endswith("a retired teacher.")
    assert len(english.paragraphs) == 3
    assert "Related stories" not in english.body and "Copyright" not in english.body
    assert english.canonical_url == "https://daily.example.test/news/river-cleanup"
    assert english.language == "en"


def test_list_page_is_not_an_article() -> None:
    article = load("list_page.html", "https://finance.example.test/local/")
    assert article.page_type == "list"
    assert article.page_type_confidence > 0.8
    assert article.paragraphs == []


def test_contact_page_is_other() -> None:
    article = load("about.html", "https://finance.example.test/contact/")
    assert article.page_type == "other"
    assert article.page_type_confidence > 0.6
    assert article.published is None


@pytest.mark.parametrize("body", [b"", b"   \n", b"%PDF-1.4 binary stream", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"])
def test_empty_or_non_html_raises(body: bytes) -> None:
    with pytest.raises(EmptyPage) as info:
        extract(body, "http://x.example.test/a.html", {})
    assert info.value.url == "http://x.example.test/a.html"


def test_to_dict_is_json_ready(utf8: Article) -> None:
    data = utf8.to_dict()
    assert data["published"] == "2023-05-12T09:30:00+08:00"
    assert data["body"] == "\n".join(utf8.paragraphs)
