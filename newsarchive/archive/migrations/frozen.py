"""What migrations 0002-0005 computed, frozen as of 0005: Simplified folding, the search rows,
the MinHash sketch and raw-page decompression.

Migrations never import live code: a later change to folding or sketching in the package must
not change what an old migration does to an archive. A migration that needs a newer form
copies it again, beside itself. Only libraries (opencc, zstandard) are imported here.
"""

from __future__ import annotations

import heapq
import re
import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
import zstandard

# The ideographs whose presence makes folding worth running.
_CJK_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# Sketches: overlapping runs of 5 letters or digits, the 32 smallest hashes, 6 of them indexed.
SHINGLE = 5
SKETCH_SIZE = 32
ANCHORS = 6
_SIGN = 1 << 63
_NOT_LETTER = re.compile(r"[\W_]+")
_WIDTH = 4 * SHINGLE


@lru_cache(maxsize=1)
def _opencc() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def fold_simplified(text: str) -> str:
    """The Simplified-Chinese search form of a text."""
    if not _CJK_RE.search(text):
        return text
    return str(_opencc().convert(text))


def fold(value: str | None) -> str:
    return fold_simplified(value or "")


def folded_rows(articles: Sequence[Any]) -> list[tuple[int, str, str, str | None, str | None]]:
    """(id, folded title, folded body, and each again where folding changes it, else None)."""
    rows = []
    for article_id, title, body in articles:
        search_title, search_body = fold(title), fold(body)
        rows.append((article_id, search_title, search_body,
                     None if search_title == (title or "") else search_title,
                     None if search_body == body else search_body))
    return rows


def _grams(value: str) -> set[int]:
    """Each character's UTF-16 unit and each pair of adjacent units as one int32, lower-cased."""
    units = value.lower().encode("utf-16-le")
    parts = [array("i", units[:len(units) // 4 * 4]),
             array("i", units[2:2 + (len(units) - 2) // 4 * 4]), array("H", units)]
    found: set[int] = set()
    for codes in parts:
        if sys.byteorder == "big":
            codes.byteswap()
        found.update(codes)
    return found


def search_rows(articles: Sequence[Any]) -> list[dict[str, Any]]:
    """PostgreSQL ``article_search`` rows (with gram codes) for (article id, title, body)."""
    return [{"article_id": article_id, "title": stored_title, "body": stored_body,
             "grams": "{" + ",".join(map(str, _grams(title) | _grams(body))) + "}"}
            for article_id, title, body, stored_title, stored_body in folded_rows(articles)]


def sketch(text: str) -> list[int]:
    """The SKETCH_SIZE smallest shingle hashes of `text` (signed 64-bit), ascending."""
    letters = _NOT_LETTER.sub("", fold_simplified(text).lower()).encode("utf-32-le")
    if not letters:
        return []
    shingles = [letters[i:i + _WIDTH] for i in range(0, max(len(letters) - _WIDTH, 0) + 4, 4)]
    by_rank = dict(zip(map(zlib.crc32, shingles), shingles, strict=True))
    return sorted(((rank << 32) | zlib.crc32(by_rank[rank][::-1])) - _SIGN
                  for rank in heapq.nsmallest(SKETCH_SIZE, by_rank))


def pack(values: list[int]) -> bytes:
    return struct.pack(f">{len(values)}q", *values)


class RawPages:
    """Reads stored raw-page bodies (zlib, or zstd with or without a per-host dictionary)."""

    def __init__(self) -> None:
        self._plain = zstandard.ZstdDecompressor()
        self._by_dictionary: dict[int, zstandard.ZstdDecompressor] = {}

    def decompress(self, bind: sa.Connection, body: bytes, compression: str,
                   dictionary_id: int | None) -> bytes:
        if compression == "zlib":
            return zlib.decompress(body)
        if dictionary_id is None:
            return self._plain.decompress(body)
        decompressor = self._by_dictionary.get(dictionary_id)
        if decompressor is None:
            data = bind.execute(sa.text("SELECT data FROM raw_page_dictionaries WHERE id = :id"),
                                {"id": dictionary_id}).scalar_one()
            decompressor = zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(
                bytes(data), dict_type=zstandard.DICT_TYPE_AUTO))
            self._by_dictionary[dictionary_id] = decompressor
        return decompressor.decompress(body)
