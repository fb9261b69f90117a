"""The vocabulary every extraction rule shares: CJK ranges, chrome tags, label words, name tests.

Label words are written once, in Simplified Chinese; their Traditional spellings are generated
with OpenCC (the converter the search folding already uses), so no rule spells both by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

# CJK ideographs: Extension A, the URO, compatibility ideographs and the supplementary planes.
CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CJK = f"[{CJK_RANGES}]"
CJK_RE = re.compile(CJK)

# Elements that never hold text a reader sees as text.
NON_TEXT_TAGS = frozenset(
    {"script", "style", "noscript", "template", "select", "option", "textarea", "button"}
)
# Elements that are the page's own furniture by HTML semantics: never part of an article's text.
RAIL_TAGS = frozenset({"nav", "aside"})
# Chrome by tag inside a body: the rails, plus a header, footer, form or caption (an article's own
# header or footer can carry its date line, so the date rules look only at RAIL_TAGS).
CHROME_TAGS = RAIL_TAGS | frozenset({"footer", "form", "header", "figcaption"})

# The label words of a Chinese page's head and foot lines, in Simplified spelling.
SOURCE_WORDS = ("来源", "稿源", "出处", "信息来源", "文章来源", "本文来源")
AUTHOR_WORDS = ("作者", "撰稿", "撰文", "采写", "记者", "执笔人", "执笔")
EDITOR_WORDS = ("责任编辑", "责编", "编辑", "值班编辑", "本文编辑")
KEYWORD_WORDS = ("关键词", "关键字", "标签")
# Words of the date/stats line under a headline (published, time, clicks, views, reads...).
META_WORDS = ("发布", "时间", "点击", "浏览", "字号", "阅读", "评论")
# The labels that say a date line gives the publication, or the last update, of a page (Chinese in
# Simplified spelling, English in lower case, matched case-blind).
PUBLISHED_WORDS = ("发布", "发表")
PUBLISHED_WORDS_EN = ("published", "posted")
UPDATED_WORDS = ("更新", "修改", "修订", "编辑于", "更新于", "最后编辑", "最后修改")
# English month names as their abbreviations (a pattern takes the rest of the name with [a-z]*).
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# The roles a byline names: those whose names are authors (the author labels and more), and those
# whose are not (editors, photographers, translators...).
AUTHOR_ROLE_WORDS = (
    *AUTHOR_WORDS,
    *"实习记者 特约记者 见习记者 本报记者 本报实习生 首席记者 通讯员 实习生 撰稿人 "
    "文/图 文／图 图/文 图／文 文图 图文 文字 文 口述".split(),
)
OTHER_ROLE_WORDS = tuple(
    "责任编辑 实习编辑 值班编辑 编辑 责编 主编 审核 校对 摄影 摄像 摄 图片 图 来源 制图 视频 "
    "翻译 编译 译 设计 策划 监制 出品 统筹".split()
)
# 'By' opening a byline, in the languages of the European pages (von, par, por, door, di, av...).
BY_WORDS = (
    "by", "written by", "posted by", "from", "von", "par", "por", "door", "di", "da", "av", "af",
    "przez", "od",
)
# Name endings of outlets and organisations (a newspaper, a channel, a company).
ORG_SUFFIXES = tuple(
    "网 报 社 台 站 刊 频道 新闻 日报 晚报 杂志 出版社 公司 集团 中心 官网 客户端".split()
)
# The script variables that hold an author's or account's name (WeChat: `var nickname = "…"`):
# the authors' rules read them, so cleaning keeps them.
SCRIPT_AUTHOR_KEYS = ("nickname", "author", "user_name")


# A profile's or a post's stats ('粉丝：23文章：11', 'Posts: 412'): a label, a colon, a count.
STATS_RE = re.compile(r"[:：]\s*\d|\d+\s*(?:posts?|replies|followers|points)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _converters() -> tuple[Any, ...]:
    """OpenCC Simplified-to-Traditional converters (generic, Taiwan, Hong Kong); none without it."""
    try:
        import opencc
    except ImportError:
        return ()
    return tuple(opencc.OpenCC(config) for config in ("s2t", "s2tw", "s2hk"))


@lru_cache(maxsize=1024)
def spellings(word: str) -> tuple[str, ...]:
    """A Simplified word and its Traditional spellings: each converter's, and character by
    character (both 發布 and 發佈 are in use)."""
    out = [word]
    for converter in _converters():
        for form in (
            str(converter.convert(word)),
            "".join(str(converter.convert(char)) for char in word),
        ):
            if form not in out:
                out.append(form)
    return tuple(out)


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of the words in all their spellings, longest first (so '责任编辑'
    wins over '编辑')."""
    forms = {form for word in words for form in spellings(word)}
    return "|".join(re.escape(form) for form in sorted(forms, key=lambda f: (-len(f), f)))


def all_spellings(words: Iterable[str]) -> frozenset[str]:
    """Every spelling of the words, as a set."""
    return frozenset(form for word in words for form in spellings(word))


# One test of an element's class/id (and rel) words against a named pattern, cached per label:
# labels repeat within a page and across a site's pages.
LABEL_PATTERNS: dict[str, re.Pattern[str]] = {}


def label_pattern(name: str, pattern: str) -> str:
    """Register a class/id pattern under a name (once, at import); returns the name."""
    LABEL_PATTERNS[name] = re.compile(pattern, re.IGNORECASE)
    return name


@lru_cache(maxsize=16384)
def _label_matches(name: str, label: str) -> bool:
    """Whether a label matches the named pattern."""
    return LABEL_PATTERNS[name].search(label) is not None


def label_of(element: Any, *attributes: str) -> str:
    """An element's class and id (and the other attributes named), space-joined."""
    cls, ident = element.get("class"), element.get("id")
    if not attributes:  # the common case, on every element the rules look at: no list, no join
        if not cls:
            return ident or ""
        return f"{cls} {ident}" if ident else cls
    parts = [cls, ident, *(element.get(a) for a in attributes)]
    return " ".join(part for part in parts if part)


def labelled(element: Any, name: str, *attributes: str) -> bool:
    """Whether an element's class/id (and `attributes`) match the pattern registered as `name`."""
    label = label_of(element, *attributes)
    return bool(label) and _label_matches(name, label)


def label_matches(name: str, label: str) -> bool:
    """Whether a ready-made label matches the pattern registered as `name` (cached)."""
    return bool(label) and _label_matches(name, label)
