"""Near-duplicate clusters across portals: bottom-k MinHash of character shingles.

Chinese has no spaces, so a text's shingles are its overlapping runs of SHINGLE letters
or digits (punctuation and spacing dropped, folded to Simplified, lower-cased). A
sketch keeps the SKETCH_SIZE smallest 64-bit shingle hashes; two sketches estimate the
texts' Jaccard similarity. The ANCHORS smallest hashes are indexed: articles sharing one
are candidates, then compared on their full sketches.

Hashing runs on every stored article, so it stays in C: CRC-32 ranks the shingles (the
bottom-k choice), and the CRC-32 of the reversed shingle fills the low 32 bits, which
keeps anchors distinct across a large archive.
"""

from __future__ import annotations

import heapq
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from newsarchive.extract.text import fold_simplified
from newsarchive.models import ArticleRow, SketchAnchor

SHINGLE = 5
SKETCH_SIZE = 32
ANCHORS = 6
SIMILAR = 0.5  # estimated Jaccard at or above which two texts are one story
MAX_CANDIDATES = 200
LOOKUP_CHUNK = 500
_SIGN = 1 << 63
_NOT_LETTER = re.compile(r"[\W_]+")
_WIDTH = 4 * SHINGLE  # a shingle's bytes in UTF-32

_anchors = cast(Table, SketchAnchor.__table__)
_articles = cast(Table, ArticleRow.__table__)


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


@dataclass
class Sketched:
    """An article whose body is new to the archive. `fresh`: it has no anchors yet, and
    joins the most similar story's cluster (or starts its own); else it keeps its cluster."""

    article_id: int
    body: str
    fresh: bool


@dataclass
class _Known:
    """What clustering needs of an archived article."""

    cluster_id: int | None
    values: list[int]


def assign_clusters(connection: Connection, articles: Sequence[Sketched]) -> None:
    """Store each article's sketch and anchors and its cluster, in order: an article may
    join the cluster of one earlier in the same list."""
    if not articles:
        return
    sketches = [sketch(a.body) for a in articles]
    batch_ids = {a.article_id for a in articles}
    by_anchor = _archived_anchors(connection, {v for s in sketches for v in s[:ANCHORS]},
                                  batch_ids)
    known = _archived_sketches(connection, {i for ids in by_anchor.values() for i in ids}
                               | {a.article_id for a in articles if not a.fresh})
    final: dict[int, tuple[int, list[int]]] = {}
    for article, values in zip(articles, sketches, strict=True):
        previous = known.get(article.article_id)
        cluster_id = previous.cluster_id if previous is not None else None
        if cluster_id is None:
            cluster_id = _best_cluster(values, by_anchor, known) or article.article_id
        known[article.article_id] = _Known(cluster_id, values)
        for anchor in values[:ANCHORS]:
            by_anchor.setdefault(anchor, []).append(article.article_id)
        final[article.article_id] = (cluster_id, values)
    stale = [a.article_id for a in articles if not a.fresh]
    for start in range(0, len(stale), LOOKUP_CHUNK):
        connection.execute(delete(_anchors).where(
            _anchors.c.article_id.in_(stale[start:start + LOOKUP_CHUNK])))
    anchors = [{"anchor": anchor, "article_id": article_id}
               for article_id, (_, values) in final.items() for anchor in values[:ANCHORS]]
    if anchors:
        connection.execute(insert(_anchors), anchors)
    connection.execute(
        update(_articles).where(_articles.c.id == bindparam("b_id"))
        .values(sketch=bindparam("b_sketch"), cluster_id=bindparam("b_cluster")),
        [{"b_id": i, "b_sketch": pack(v), "b_cluster": c} for i, (c, v) in final.items()])


def _archived_anchors(connection: Connection, anchors: set[int],
                      excluded: set[int]) -> dict[int, list[int]]:
    """{anchor: ids of archived articles with it, newest first}, leaving out `excluded`
    (being re-sketched). An anchor many articles share (a stock phrase) gives only its
    newest MAX_CANDIDATES: no article compares with more, and syndicated copies are recent."""
    found: dict[int, list[int]] = {}
    ordered = sorted(anchors)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        ranked = select(_anchors.c.anchor, _anchors.c.article_id, func.row_number().over(
            partition_by=_anchors.c.anchor, order_by=_anchors.c.article_id.desc()).label("rank"),
        ).where(_anchors.c.anchor.in_(ordered[start:start + LOOKUP_CHUNK])).subquery()
        rows = connection.execute(select(ranked.c.anchor, ranked.c.article_id)
                                  .where(ranked.c.rank <= MAX_CANDIDATES + len(excluded))
                                  .order_by(ranked.c.anchor, ranked.c.rank))
        for anchor, article_id in rows:
            if article_id not in excluded:
                found.setdefault(anchor, []).append(article_id)
    return found


def _archived_sketches(connection: Connection, article_ids: set[int]) -> dict[int, _Known]:
    found: dict[int, _Known] = {}
    ordered = sorted(article_ids)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        rows = connection.execute(
            select(_articles.c.id, _articles.c.cluster_id, _articles.c.sketch)
            .where(_articles.c.id.in_(ordered[start:start + LOOKUP_CHUNK])))
        for article_id, cluster_id, packed in rows:
            found[article_id] = _Known(cluster_id, unpack(packed) if packed else [])
    return found


def _best_cluster(values: list[int], by_anchor: dict[int, list[int]],
                  known: dict[int, _Known]) -> int | None:
    candidates: dict[int, None] = {}
    for anchor in values[:ANCHORS]:
        for article_id in by_anchor.get(anchor, ()):
            candidates.setdefault(article_id)
    best: tuple[float, int] | None = None
    own = set(values)
    for other_id in list(candidates)[:MAX_CANDIDATES]:
        other = known.get(other_id)
        if other is None or not other.values or not may_be_similar(
                own, other.values, min(SKETCH_SIZE, max(len(values), len(other.values)))):
            continue
        score = similarity(values, other.values)
        if score >= SIMILAR and (best is None or score > best[0]):
            best = (score, other.cluster_id or other_id)
    return best[1] if best is not None else None


def origin_order() -> tuple[Any, ...]:
    """Earliest published first (undated last), then first archived: the cluster's origin leads."""
    return (ArticleRow.published_at.asc().nulls_last(), ArticleRow.first_seen.asc(),
            ArticleRow.id.asc())
