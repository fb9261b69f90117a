"""Bottom-k MinHash sketches of character shingles, for near-duplicate detection.

Chinese has no spaces, so a text's shingles are its overlapping runs of SHINGLE letters
or digits (punctuation and spacing dropped, folded to Simplified, lower-cased). A
sketch keeps the SKETCH_SIZE smallest 64-bit shingle hashes; two sketches estimate the
texts' Jaccard similarity.

Hashing runs on every stored article, so it stays in C: CRC-32 ranks the shingles (the
bottom-k choice), and the CRC-32 of the reversed shingle fills the low 32 bits, which
keeps anchors distinct across a large archive. No database here (newsarchive.archive.clusters
stores and compares sketches).
"""

from __future__ import annotations

import heapq
import re
import struct
import zlib

from newsarchive.extract.text import fold_simplified

SHINGLE = 5
SKETCH_SIZE = 32
SIMILAR = 0.5  # estimated Jaccard at or above which two texts are one story
_SIGN = 1 << 63
_NOT_LETTER = re.compile(r"[\W_]+")
_WIDTH = 4 * SHINGLE  # a shingle's bytes in UTF-32


def _letters(text: str) -> bytes:
    """The text's letters and digits, folded and lower-cased, as UTF-32 (4 bytes each)."""
    return _NOT_LETTER.sub("", fold_simplified(text).lower()).encode("utf-32-le")


def sketch(text: str) -> list[int]:
    """The SKETCH_SIZE smallest shingle hashes of `text` (signed 64-bit), ascending."""
    letters = _letters(text)
    if not letters:
        return []
    shingles = [letters[i:i + _WIDTH] for i in range(0, max(len(letters) - _WIDTH, 0) + 4, 4)]
    by_rank = dict(zip(map(zlib.crc32, shingles), shingles, strict=True))
    return sorted(((rank << 32) | zlib.crc32(by_rank[rank][::-1])) - _SIGN
                  for rank in heapq.nsmallest(SKETCH_SIZE, by_rank))


def pack(values: list[int]) -> bytes:
    """A sketch as bytes (8 per value, big-endian signed)."""
    return struct.pack(f">{len(values)}q", *values)


def unpack(data: bytes) -> list[int]:
    """The sketch `pack` made."""
    return list(struct.unpack(f">{len(data) // 8}q", data))


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two texts from their sketches."""
    if not a or not b:
        return 0.0
    union = sorted(set(a) | set(b))[:SKETCH_SIZE]
    both = set(a) & set(b)
    return sum(1 for value in union if value in both) / len(union)


def may_be_similar(values: set[int], other: list[int], longest: int) -> bool:
    """Whether two sketches can reach SIMILAR (`longest`: the longer one's length).

    The estimate counts shared values among at least `longest` (the union's smallest
    SKETCH_SIZE), so it is at most shared / longest: most candidates, which share an anchor
    and little else, are ruled out by one set intersection instead of a sort.
    """
    return len(values.intersection(other)) >= SIMILAR * longest
