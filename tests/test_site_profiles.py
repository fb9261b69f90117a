"""Per-site learning in crawls and reextract: what a host's archived pages all carry is its chrome,
dropped from its articles once the archive has seen enough of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.archive import Archive
from newsarchive.query import articles
from tests.mockserver import FAST, Page, Portal, run_cli, section_html

pytestmark = pytest.mark.crawl

STORIES = {
    "/news/1.html": ("水库扩容工程完工", "城北水库扩容工程昨日通过验收，新增库容一千二百万立方米，可满足十万人用水。",
                     "工程历时两年，期间完成大坝加高和溢洪道改造，汛期前投入使用。"),
    "/news/2.html": ("老旧小区加装电梯", "今年全市计划为三百个老旧小区加装电梯，居民出资比例按楼层分摊。",
                     "首批一百台电梯已经开工，预计年底前全部投入运行。"),
    "/news/3.html": ("夜间公交线路调整", "公交集团宣布，下月起开通五条夜间线路，末班车延至凌晨一点。",
                     "新线路覆盖火车站、医院和大学城，票价与日间线路相同。"),
    "/news/4.html": ("社区图书馆延长开放", "全市二十家社区图书馆从本周起延长开放时间，工作日开放至晚上九点。",
                     "延长开放所需经费由区财政承担，读者无需预约即可入馆。"),
}
# Standing boxes inside every story's body block: the generic rules cannot tell them from it.
BOXES = ("关于本报：本报创办于一九九八年，是本市发行量最大的综合性日报。",
         "扫码关注本报微信公众号，每天早上七点推送当日要闻。")


def _article(title: str, first: str, second: str) -> bytes:
    # Each story's own text, long enough to read as an article with or without the boxes.
    filler = "记者从有关部门了解到，相关工作将按计划推进，进展情况将及时向社会公布。"
    paragraphs = "".join(f"<p>{text}{filler}</p>" for text in (first, second))
    paragraphs += "".join(f"<p>{text}</p>" for text in BOXES)
    return (f"<html><head><title>{title}_本市日报</title></head><body>"
            f'<div class="top"><a href="/">本市日报</a></div><h1>{title}</h1>'
            f'<div class="info">2024-05-06 10:20 来源：本市日报</div>'
            f'<div class="story">{paragraphs}</div></body></html>').encode()


def _pages() -> dict[str, Page]:
    pages = {path: Page(_article(*story)) for path, story in STORIES.items()}
    pages["/news/"] = Page(section_html([(path, story[0]) for path, story in STORIES.items()]))
    return pages


def test_crawl_and_reextract_learn_the_site_chrome(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Portal(_pages()) as portal:
        run_cli("crawl", portal.url + "/news/", "--db", db_url, *FAST)
        with Archive(db_url, readonly=True) as archive:
            first = {row["url"]: row["body"] for row in articles(archive)}
        # A first crawl knows nothing of the site: the boxes stay in every article.
        assert len(first) == len(STORIES)
        assert all(BOXES[0] in body for body in first.values())
        # reextract learns the site from its archived pages and drops them: a revision each.
        result = run_cli("reextract", "--db", db_url)
        assert result.stdout.startswith(f"{len(STORIES)} checked, {len(STORIES)} changed")
        with Archive(db_url, readonly=True) as archive:
            second = {row["url"]: row["body"] for row in articles(archive)}
        filler = "记者从有关部门了解到，相关工作将按计划推进，进展情况将及时向社会公布。"
        for path, (_, one, two) in STORIES.items():
            assert second[portal.url + path] == f"{one}{filler}\n{two}{filler}"
        # The next crawl starts from the archive's profile: the pages read the same again.
        again = run_cli("crawl", portal.url + "/news/", "--db", db_url, *FAST).stdout
    assert f"0 new, 0 changed, {len(STORIES)} unchanged" in again
