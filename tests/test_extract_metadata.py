"""Metadata rules on text lines: bylines, source, editor, keywords, <title> suffixes."""

from __future__ import annotations

import lxml.html
import pytest

from newsarchive.extract.metadata import (
    find_authors,
    find_editor,
    find_keywords,
    find_source,
    split_site_suffix,
)
from newsarchive.extract.text import clean_text

EMPTY = lxml.html.document_fromstring("<html><body><p>x</p></body></html>")


@pytest.mark.parametrize(("head", "body", "names"), [
    ([], ["……切實守好群眾的錢袋子。(記者 王韶卿 通訊員 閆亞平)"], ["王韶卿", "閆亞平"]),
    ([], ["本报讯 （实习记者 樊亮 张明超 记者惠禾）13岁，正是花季的年龄。"], ["樊亮", "张明超", "惠禾"]),
    (["2005-07-18 来源：21世纪经济报道 作者：宋怡 杨志华"], ["正文。"], ["宋怡", "杨志华"]),
    (["文/张晓明 摄影/李四"], ["正文。"], ["张晓明"]),
    (["石佳/中国青年报", "2019-09-24 09:10"], ["正文。"], ["石佳"]),
    ([], ["澎湃新闻记者 段彦超 廖艳", "7岁小花（化名）事件，仍有许多疑问。"], ["段彦超", "廖艳"]),
    ([], ["顶端新闻·河南商报记者马俊峰/文受访者供图", "正文。"], ["马俊峰"]),
    ([], ["大家认认真真剪出了窗花，过一个廉洁的新春佳节。（常书香 马丹阳 ）"], ["常书香", "马丹阳"]),
    ([], ["记者从国家林业和草原局获悉，全国已完成春季造林任务。"], []),
    ([], ["全文完。（新华社）"], []),
    (["（责任编辑：王思远）"], ["正文。"], []),
])
def test_authors(head: list[str], body: list[str], names: list[str]) -> None:
    assert find_authors(head, body, EMPTY, [], clean_text)[0] == names


def test_authors_from_english_byline() -> None:
    tree = lxml.html.document_fromstring('<html><body><p class="byline">By Jane Doe and John Roe</p></body></html>')
    assert find_authors([], [], tree, [], clean_text) == (["Jane Doe", "John Roe"], "byline-class")


def test_authors_from_json_ld_person() -> None:
    ld = [{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Ada Lovelace"}]}]
    assert find_authors([], [], EMPTY, ld, clean_text) == (["Ada Lovelace"], "json-ld")


@pytest.mark.parametrize(("line", "source"), [
    ("2020-01-09 07:56:40來源:映象網", "映象網"),
    ("来源：新华社 作者：张三", "新华社"),
    ("稿源： 人民日报 2005-03-21", "人民日报"),
])
def test_source(line: str, source: str) -> None:
    assert find_source([line])[0] == source


@pytest.mark.parametrize(("line", "editor"), [
    ("責任編輯:hnmd004", "hnmd004"),
    ("（责任编辑：王思远）", "王思远"),
    ("责编：李四", "李四"),
])
def test_editor(line: str, editor: str) -> None:
    assert find_editor([line])[0] == editor


def test_visible_keywords_beat_meta() -> None:
    tree = lxml.html.document_fromstring('<html><head><meta name="keywords" content="垃圾,广告"></head><body></body></html>')
    assert find_keywords(["關鍵詞: 鄭州警方 電信網絡詐騙團伙"], tree, clean_text) == (["鄭州警方", "電信網絡詐騙團伙"], "visible")
    assert find_keywords(["正文"], tree, clean_text) == (["垃圾", "广告"], "meta")


@pytest.mark.parametrize(("title", "headline"), [
    ("2019年 鄭州警方共打掉電信網絡詐騙團伙170多個_映象網", "2019年 鄭州警方共打掉電信網絡詐騙團伙170多個"),
    ("北京今日降雪 - 新浪网", "北京今日降雪"),
    ("千龙网--汽车--广汽回应现代合资内幕 全面合作项目即将展开", "广汽回应现代合资内幕 全面合作项目即将展开"),
    ("River cleanup draws hundreds | The Daily Example", "River cleanup draws hundreds"),
    ("COVID-19 cases fall", "COVID-19 cases fall"),
])
def test_split_site_suffix(title: str, headline: str) -> None:
    assert split_site_suffix(title) == headline
