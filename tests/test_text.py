"""clean_text, the pinyin-annotation normaliser and the Simplified-Chinese search form."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from newsarchive.extract.decode import decode_html
from newsarchive.extract.text import (
    clean_text,
    fold_simplified,
    has_pinyin_pattern,
    make_normalizer,
    strip_pinyin,
)


@pytest.mark.parametrize(("raw", "clean"), [
    ("\u3000\u3000近年來,隨著電信網絡技術", "近年來,隨著電信網絡技術"),
    ("\xa0\xa0\xa0正文第一段", "正文第一段"),
    ("占比不斷增加, 涉案金額", "占比不斷增加, 涉案金額"),
    ("2019年 鄭州警方", "2019年 鄭州警方"),
    ("a  \t\n b", "a b"),
    ("零\u200b宽\u200c字\u200d符\ufeff", "零宽字符"),
    ("控制\x00字\x07符\x1b号\x7f", "控制字符号"),
    ("软\u00ad连字符", "软连字符"),
    ("e\u0301te\u0301", "été"),  # NFC composes
    ("（中文括号）、“引号”：！？", "（中文括号）、“引号”：！？"),  # never NFKC
    ("ＡＢＣ１２３", "ＡＢＣ１２３"),
    ("\u2028行\u2029分隔", "行 分隔"),
    ("  ", ""),
    ("", ""),
    ("第一段\u3000\u3000第二段", "第一段 第二段"),
    ("\u202e反向\u202c", "反向"),
])
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(("raw", "stripped"), [
    ("網(wǎng)絡", "網絡"),
    ("發(fā)展", "發展"),
    ("據(jù)介紹", "據介紹"),
    ("系統(tǒng)治理", "系統治理"),
    ("數(shù)億元", "數億元"),
    ("聯(lián)席會議", "聯席會議"),
    ("恢復區(qū)在哪里", "恢復區在哪里"),
    ("出現(xiàn)問題", "出現問題"),
    ("態(tài)勢", "態勢"),
    ("女(nǚ)士", "女士"),
    ("(wǎng) at start", "(wǎng) at start"),  # no character before it
    ("網(wang)絡", "網(wang)絡"),  # no tone mark: not a converter's annotation
    ("網(英文)絡", "網(英文)絡"),
    ("主席(2019)", "主席(2019)"),
])
def test_strip_pinyin(raw: str, stripped: str) -> None:
    assert strip_pinyin(raw) == stripped


def test_normalizer_strips_pinyin_only_when_page_repeats_it() -> None:
    page = "電信網(wǎng)絡詐騙案件高發(fā),據(jù)鄭州警方統(tǒng)計,涉案金額達數(shù)億元。"
    normalise = make_normalizer(page)
    assert normalise("\u3000\u3000電信網(wǎng)絡詐騙") == "電信網絡詐騙"
    assert normalise("據(jù)介紹") == "據介紹"


def test_single_gloss_in_running_text_is_kept() -> None:
    page = "這個字讀作「行(háng)」，意思是行業。其他段落沒有注音。"
    assert not has_pinyin_pattern(page)
    normalise = make_normalizer(page)
    assert normalise("這個字讀作「行(háng)」") == "這個字讀作「行(háng)」"
    assert normalise("網(wǎng)站  新聞") == clean_text("網(wǎng)站  新聞") == "網(wǎng)站 新聞"


def test_two_glosses_are_not_a_pattern() -> None:
    assert not has_pinyin_pattern("行(háng)業和重(chóng)新")
    assert has_pinyin_pattern("行(háng)業和重(chóng)新、網(wǎng)站")


@pytest.mark.parametrize(("traditional", "simplified"), [
    ("網絡", "网络"),
    ("鄭州警方共打掉電信網絡詐騙團伙", "郑州警方共打掉电信网络诈骗团伙"),
    ("發展經濟", "发展经济"),
    ("已是简体", "已是简体"),
    ("English stays", "English stays"),
    ("", ""),
])
def test_fold_simplified(traditional: str, simplified: str) -> None:
    assert fold_simplified(traditional) == simplified


def test_fold_simplified_leaves_original_untouched() -> None:
    original = "電信網絡"
    folded = fold_simplified(original)
    assert original == "電信網絡" and folded == "电信网络"


def test_seed_title_and_body_normalise_as_expected(shared_dir: Path) -> None:
    import json

    expected = json.loads((shared_dir / "seed" / "expected.json").read_text(encoding="utf-8"))
    text = decode_html((shared_dir / "seed" / "article.html").read_bytes()).text
    tree = lxml.html.document_fromstring(text)
    normalise = make_normalizer(text)
    assert normalise(tree.xpath("//h1")[0].text_content()) == expected["title"]
    paragraphs = [normalise(p.text_content()) for p in tree.xpath("//div[contains(@class,'content')]//p")]
    paragraphs = [p for p in paragraphs if p]
    assert paragraphs[0] == expected["body_paragraphs"][0]
    assert paragraphs[-1] == expected["body_paragraphs"][-1]
