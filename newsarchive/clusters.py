"""Near-duplicate clusters across portals: bottom-k MinHash of character shingles.

Chinese has no spaces, so a text's shingles are its overlapping runs of SHINGLE letters
or digits (punctuation and spacing dropped, folded to Simplified, lower-cased). A
sketch keeps the SKETCH_SIZE smallest 64-bit shingle hashes; two sketches estimate the
texts' Jaccard similarity. The ANCHORS smallest hashes are indexed: articles sharing one
are candidates, then compared on their full sketches.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from newsarchive.extract.text import fold_simplified
from newsarchive.models import ArticleRow, SketchAnchor

SHINGLE = 5
SKETCH_SIZE = 32
ANCHORS = 6
SIMILAR = 0.5  # estimated Jaccard at or above which two texts are one story
MAX_CANDIDATES = 200
_SIGN = 1 << 63


def shingles(text: str) -> set[str]:
    """The text's overlapping runs of SHINGLE letters/digits, folded and lower-cased."""
    letters = "".join(ch for ch in fold_simplified(text).lower() if ch.isalnum())
    if len(letters) <= SHINGLE:
        return {letters} if letters else set()
    return {letters[i:i + SHINGLE] for i in range(len(letters) - SHINGLE + 1)}


def _hash(shingle: str) -> int:
    # Signed 64-bit, so it fits a BIGINT column on both engines.
    digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") - _SIGN


def sketch(text: str) -> list[int]:
    """The SKETCH_SIZE smallest shingle hashes of `text`, ascending."""
    return sorted({_hash(s) for s in shingles(text)})[:SKETCH_SIZE]


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
    union = sorted(set(a) | set(b))[:min(SKETCH_SIZE, len(set(a) | set(b)))]
    both = set(a) & set(b)
    return sum(1 for value in union if value in both) / len(union)


def assign_cluster(session: Session, article_id: int, body: str, cluster_id: int | None,
                   *, fresh: bool) -> int:
    """Store the article's sketch and anchors; a new article joins the most similar story's
    cluster (or starts its own). `fresh`: the article has no anchors yet."""
    values = sketch(body)
    anchors = values[:ANCHORS]
    # Core statements: this runs on every write, and the ORM's bookkeeping costs more here.
    connection = session.connection()
    anchor_table = cast(Table, SketchAnchor.__table__)
    if not fresh:
        connection.execute(delete(anchor_table).where(anchor_table.c.article_id == article_id))
    if cluster_id is None:
        cluster_id = _best_cluster(session, article_id, values, anchors) or article_id
    if anchors:
        connection.execute(insert(anchor_table), [{"anchor": a, "article_id": article_id}
                                                  for a in anchors])
    articles = cast(Table, ArticleRow.__table__)
    connection.execute(update(articles).where(articles.c.id == article_id)
                       .values(sketch=pack(values), cluster_id=cluster_id))
    return cluster_id


def _best_cluster(session: Session, article_id: int, values: list[int],
                  anchors: list[int]) -> int | None:
    if not anchors:
        return None
    anchor_table = SketchAnchor.__table__
    articles = ArticleRow.__table__
    candidates = (select(anchor_table.c.article_id).where(
        anchor_table.c.anchor.in_(anchors), anchor_table.c.article_id != article_id)
        .distinct().limit(MAX_CANDIDATES))
    rows = session.connection().execute(
        select(articles.c.id, articles.c.cluster_id, articles.c.sketch)
        .where(articles.c.id.in_(candidates), articles.c.sketch.is_not(None))).all()
    best: tuple[float, int] | None = None
    for other_id, other_cluster, other_sketch in rows:
        score = similarity(values, unpack(other_sketch))
        if score >= SIMILAR and (best is None or score > best[0]):
            best = (score, other_cluster or other_id)
    return best[1] if best is not None else None


def origin_order() -> tuple[Any, ...]:
    """Earliest published first (undated last), then first archived: the cluster's origin leads."""
    return (ArticleRow.published_at.asc().nulls_last(), ArticleRow.first_seen.asc(),
            ArticleRow.id.asc())
