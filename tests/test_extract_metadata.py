"""Metadata rules on text lines: source, editor, keywords, <title> suffixes."""

from __future__ import annotations

import lxml.html
import pytest

from newsarchive.extract.metadata import (
    find_editor,
    find_keywords,
    find_source,
    split_site_suffix,
)
from newsarchive.extract.text import clean_text


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
