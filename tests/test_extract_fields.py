"""Issue-3 fields and removals on hand-made fixture pages: cleaned HTML, main image, tables, quotes,
promos, page types.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.extract import Article, extract

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"
URL = "https://news.example.cn/finance/2023/0506/1.html"


def page(name: str, url: str = URL) -> Article:
    return extract((FIXTURES / name).read_bytes(), url, {"Content-Type": "text/html; charset=utf-8"})


@pytest.fixture(scope="module")
def noise() -> Article:
    return page("noise.html")


def test_body_is_the_article_with_every_noise_kind_removed(noise: Article) -> None:
    # The picture's caption is the image's own field, not a paragraph of the text.
    assert noise.image_caption == "纽约证券交易所交易大厅。"
    assert noise.paragraphs == [
        "周五美股三大指数集体收涨，资产管理巨头贝莱德股价上涨，投资者情绪有所回暖。",
        "分析人士指出，科技股的反弹主要来自业绩超预期，市场对利率前景的担忧有所缓解。",
        "指数 | 收盘 | 涨跌幅",
        "道琼斯 | 33674.38 | +1.65%",
        "纳斯达克 | 12235.41 | +2.25%",
        "截至收盘，道指涨1.65%，纳指涨2.25%，标普500指数涨1.85%，创下近一个月来最大单日涨幅。（王小明）",
    ]


@pytest.mark.parametrize("unwanted", ["431.2", "APP", "登录", "美股开户", "广告", "Copyright", "首页"])
def test_noise_is_not_in_the_body(noise: Article, unwanted: str) -> None:
    assert unwanted not in noise.body


def test_keyword_auto_link_kept_as_plain_text(noise: Article) -> None:
    assert "分析人士指出，科技股的反弹" in noise.body


def test_main_image_and_caption(noise: Article) -> None:
    assert (noise.image_url, noise.image_caption) == ("https://news.example.cn/img/2023/wallstreet.jpg",
                                                      "纽约证券交易所交易大厅。")


def test_cleaned_html_holds_only_the_article(noise: Article) -> None:
    assert noise.html is not None
    assert noise.html.startswith("<article>\n<h1>美股收盘：科技股走强</h1>\n"
                                 '<figure><img src="https://news.example.cn/img/2023/wallstreet.jpg" '
                                 'alt="纽约证券交易所交易大厅。"><figcaption>纽约证券交易所交易大厅。</figcaption></figure>\n'
                                 "<p>周五美股三大指数集体收涨，资产管理巨头贝莱德股价上涨，投资者情绪有所回暖。</p>")
    assert noise.html.endswith("（王小明）</p>\n</article>")
    assert "首页" not in noise.html and "script" not in noise.html


def test_date_from_script_data_survives_cleaning(noise: Article) -> None:
    assert noise.published is not None
    assert noise.published.isoformat() == "2023-05-06T21:30:00+08:00"
    assert noise.evidence["published"]["rule"].startswith("script:")


def test_metadata_of_the_noise_page(noise: Article) -> None:
    assert (noise.title, noise.authors, noise.source, noise.page_type) == (
        "美股收盘：科技股走强", ["王小明"], "示例网", "article")


def test_gallery_page_type() -> None:
    article = page("gallery.html", "https://pic.example.cn/2023/0401/g.html")
    assert (article.page_type, article.image_url) == ("gallery", "https://pic.example.cn/p/1.jpg")


def test_video_page_type() -> None:
    article = page("video.html", "https://v.example.cn/2023/0801/v.html")
    assert article.page_type == "video"
    assert article.title == "视频：台风登陆现场"
