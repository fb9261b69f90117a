"""Text cleanup: NFC, invisible characters, indents, whitespace, converter pinyin, search folding.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from newsarchive.extract.vocab import CJK, CJK_RE

# Zero-width and format characters, C0/C1 controls (tab, newline, CR are whitespace, kept for
# collapsing).
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]"
)
# Every kind of space, including NBSP and the ideographic space used for paragraph indents.
_SPACE_RUN_RE = re.compile("[\\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# One Hanyu Pinyin syllable with a tone mark or ü (the converters always mark the tone).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN_SYLLABLE = f"[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*"
_PINYIN_AFTER_CHAR_RE = re.compile(f"(?<={CJK})[(（]{_PINYIN_SYLLABLE}[)）]")
# Annotations like this in one page before they are taken as a converter's pattern, not a gloss.
_PINYIN_MIN_REPEATS = 3


def clean_text(text: str) -> str:
    """NFC, invisible characters removed, space runs (NBSP, ideographic indents) collapsed,
    stripped. """
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE_RE.sub("", text)
    return _SPACE_RUN_RE.sub(" ", text).strip()


def strip_pinyin(text: str) -> str:
    """Remove converter pinyin annotations that follow Chinese characters (網(wǎng) -> 網)."""
    return _PINYIN_AFTER_CHAR_RE.sub("", text)


def has_pinyin_pattern(page_text: str) -> bool:
    """Whether a page repeats character-plus-pinyin annotations (a converter's work, not a gloss).
    """
    # An annotation follows a Chinese character: a page without any (most English ones) is spared
    # the slower scan.
    return (
        bool(CJK_RE.search(page_text))
        and len(_PINYIN_AFTER_CHAR_RE.findall(page_text)) >= _PINYIN_MIN_REPEATS
    )


def make_normalizer(page_text: str) -> Callable[[str], str]:
    """clean_text, plus pinyin-annotation removal when the page shows that pattern repeatedly.

    Memoised for the page: the field rules normalise the same lines again and again (about half the
    calls). """
    clean = clean_text if not has_pinyin_pattern(page_text) else _clean_without_pinyin
    done: dict[str, str] = {}

    def normalise(text: str) -> str:
        cleaned = done.get(text)
        if cleaned is None:
            cleaned = done[text] = clean(text)
        return cleaned

    return normalise


def _clean_without_pinyin(text: str) -> str:
    """clean_text after removing converter pinyin annotations."""
    return clean_text(strip_pinyin(text))


@lru_cache(maxsize=1)
def _opencc() -> Any:
    """The OpenCC traditional-to-simplified converter, or None when it is not installed."""
    try:
        import opencc
    except ImportError:
        return None
    return opencc.OpenCC("t2s")


def fold_simplified(text: str) -> str:
    """The Simplified-Chinese search form of a text (the original is kept as it is elsewhere)."""
    converter = _opencc()
    if converter is None or not CJK_RE.search(text):
        return text
    return str(converter.convert(text))
