"""Near-duplicate clusters across portals, from bottom-k MinHash sketches
(newsarchive.archive.sketches).

The ANCHORS smallest hashes of each article's sketch are indexed: articles sharing one
are candidates, then compared on their full sketches; an article joins the most similar
story's cluster, or starts its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from newsarchive.archive.models import ArticleRow, SketchAnchor
from newsarchive.archive.sketches import (
    SIMILAR,
    SKETCH_SIZE,
    may_be_similar,
    pack,
    similarity,
    sketch,
    unpack,
)

ANCHORS = 6
MAX_CANDIDATES = 200
LOOKUP_CHUNK = 500

_anchors = cast(Table, SketchAnchor.__table__)
_articles = cast(Table, ArticleRow.__table__)


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
