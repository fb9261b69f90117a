"""Facet counts and top sites over a search's match set (see fulltext.match_set)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Row

# Facet name -> the ArticleFilter field its values toggle.
FACETS = {"site": "sites", "author": "authors", "section": "sections", "language": "languages",
          "status": "statuses"}
FACET_VALUES = 12  # values shown per facet, most frequent first


def _values(row: Row[Any], facet: str) -> list[str]:
    if facet == "site":
        return [row.host]
    if facet == "author":
        return list(dict.fromkeys(row.authors or []))
    if facet == "section":
        # The most specific part of the path (the first is usually the portal's home).
        return [row.section_path[-1]] if row.section_path else []
    if facet == "language":
        return [row.language or ""]
    statuses = ["deleted" if row.deleted_at is not None else "live"]
    if (row.revisions or 0) > 1:
        statuses.append("changed")
    return statuses


def facet_counts(rows: Sequence[Row[Any]], limit: int = FACET_VALUES
                 ) -> dict[str, list[dict[str, Any]]]:
    """{facet: [{"value", "count"}, ...]} over the matches, most frequent first."""
    out: dict[str, list[dict[str, Any]]] = {}
    for facet in FACETS:
        counts: Counter[str] = Counter()
        for row in rows:
            counts.update(_values(row, facet))
        out[facet] = [{"value": value, "count": count}
                      for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                      [:limit]]
    return out


def top_sites(rows: Sequence[Row[Any]], limit: int = 10) -> list[dict[str, Any]]:
    """The sites with most matches: [{"site", "count", "share"}], share of the matches."""
    counts = Counter(row.host for row in rows)
    total = len(rows) or 1
    return [{"site": site, "count": count, "share": round(count / total, 4)}
            for site, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]
