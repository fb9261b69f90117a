"""The shared vocabulary: its word tables are written once, in Simplified, and the patterns built
from them match every spelling."""

from __future__ import annotations

import re

import opencc
import pytest

from newsarchive.extract import vocab
from newsarchive.extract.vocab import all_spellings, alternation, spellings

WORD_TABLES = sorted(
    name
    for name, value in vars(vocab).items()
    if name.isupper() and isinstance(value, tuple) and all(isinstance(w, str) for w in value)
)


def test_the_word_tables_are_found() -> None:
    assert {"SOURCE_WORDS", "PUBLISHED_WORDS", "UPDATED_WORDS", "AUTHOR_ROLE_WORDS",
            "ORG_SUFFIXES", "MONTHS"} <= set(WORD_TABLES)


@pytest.mark.parametrize("name", WORD_TABLES)
def test_a_word_table_spells_each_word_once_in_simplified(name: str) -> None:
    words = getattr(vocab, name)
    to_simplified = opencc.OpenCC("t2s")
    assert [w for w in words if to_simplified.convert(w) != w] == []
    assert len(set(words)) == len(words)


def test_spellings_give_both_traditional_forms() -> None:
    assert spellings("发布") == ("发布", "發佈", "發布")
    assert all_spellings(("更新", "时间")) == {"更新", "时间", "時間"}


def test_an_alternation_matches_every_spelling_longest_first() -> None:
    pattern = re.compile(alternation(vocab.EDITOR_WORDS))
    assert [m.group(0) for m in map(pattern.match, ("責任編輯", "责任编辑")) if m] == [
        "責任編輯", "责任编辑"]
