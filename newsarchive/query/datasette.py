"""A Datasette metadata file for an SQLite archive: every table's and column's description, read
from the schema document (docs/schema.md, shipped in the package as query/schema.md), useful
facets, and canned queries."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

SCHEMA_DOC = "schema.md"
FACETS = {"articles": ["site_id", "language"], "fetches": ["outcome", "status"],
          "failures": ["reason"], "article_events": ["kind"], "article_revisions":
          ["extractor_version"], "crawl_runs": ["finish_reason"]}
LABELS = {"sites": "host", "articles": "title", "crawl_runs": "finish_reason"}
# FTS5 shadow tables and the raw bodies: nothing a researcher browses.
HIDDEN = ("article_search_data", "article_search_idx", "article_search_docsize",
          "article_search_config", "article_search_content", "sketch_anchors",
          "raw_page_dictionaries", "alembic_version")
QUERIES: dict[str, dict[str, Any]] = {
    "deleted_this_week": {
        "title": "Deleted this week",
        "description": "Articles first seen gone in the last 7 days, latest first, with the "
                       "reason and the start of what they said.",
        "sql": "SELECT a.id, s.host AS site, a.title, a.url, a.deleted_at, "
               "(SELECT e.reason FROM article_events e WHERE e.article_id = a.id AND "
               "e.kind = 'deleted' ORDER BY e.id DESC LIMIT 1) AS reason, "
               "substr(a.body, 1, 200) AS said FROM articles a JOIN sites s ON s.id = a.site_id "
               "WHERE a.deleted_at >= datetime('now', '-7 days') ORDER BY a.deleted_at DESC",
    },
    "most_revised": {
        "title": "Most revised",
        "description": "Articles with the most revisions (changed content), most first.",
        "sql": "SELECT a.id, s.host AS site, a.title, a.url, count(r.id) AS revisions, "
               "max(r.created_at) AS last_revised FROM article_revisions r "
               "JOIN articles a ON a.id = r.article_id JOIN sites s ON s.id = a.site_id "
               "GROUP BY a.id, s.host, a.title, a.url HAVING count(r.id) > 1 "
               "ORDER BY revisions DESC, last_revised DESC LIMIT 100",
    },
    "text_contains": {
        "title": "Text contains (Chinese substring)",
        "description": "Articles whose Simplified-folded title or body contains :text "
                       "(Datasette's own full-text search cannot find a Chinese substring).",
        "sql": "SELECT a.id, s.host AS site, a.title, a.url, a.published_at FROM "
               "article_search_source v JOIN articles a ON a.id = v.id JOIN sites s ON "
               "s.id = a.site_id WHERE v.title LIKE '%' || :text || '%' OR v.body LIKE "
               "'%' || :text || '%' ORDER BY a.id DESC LIMIT 100",
    },
}
_HEADING = re.compile(r"^## (\w+)\s*$")
_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|\s*(.*?)\s*\|\s*$")


def schema_doc() -> str:
    """The schema document's text."""
    return (resources.files("newsarchive.query") / SCHEMA_DOC).read_text(encoding="utf-8")


def _plain(value: str) -> str:
    return re.sub(r"`([^`]*)`", r"\1", value).replace("**", "").strip()


def describe(doc: str) -> dict[str, dict[str, Any]]:
    """{table: {"description", "columns": {column: "type: meaning"}}} from the schema document:
    each `## table` section's prose, and its | column | type | meaning | rows."""
    tables: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    prose: list[str] = []
    for line in doc.splitlines():
        heading = _HEADING.match(line)
        if heading:
            if current is not None and prose:
                current["description"] = _plain(" ".join(prose))
            current = tables.setdefault(heading.group(1), {"description": "", "columns": {}})
            prose = []
            continue
        if line.startswith("## "):
            if current is not None and prose:
                current["description"] = _plain(" ".join(prose))
            current, prose = None, []
            continue
        if current is None:
            continue
        row = _ROW.match(line)
        if row:
            names, kind, meaning = row.groups()
            if names in ("column", "---") or set(names) <= {"-"}:
                continue
            for name in (n.strip() for n in names.split(",")):
                text = _plain(f"{kind}: {meaning}" if meaning else kind)
                current["columns"][name] = text
        elif line.strip() and not line.startswith("|") and not current["columns"]:
            prose.append(line.strip())
    if current is not None and prose:
        current["description"] = _plain(" ".join(prose))
    return tables


def metadata(database: str) -> dict[str, Any]:
    """The metadata document for an archive served as database `database` (its file stem)."""
    tables: dict[str, Any] = {}
    for name, described in describe(schema_doc()).items():
        entry: dict[str, Any] = {}
        if described["description"]:
            entry["description"] = described["description"]
        if described["columns"]:
            entry["columns"] = described["columns"]
        if name in FACETS:
            entry["facets"] = FACETS[name]
        if name in LABELS:
            entry["label_column"] = LABELS[name]
        tables[name] = entry
    for name in HIDDEN:
        tables.setdefault(name, {})["hidden"] = True
    return {
        "title": "newsarchive",
        "description": "A news archive made by newsarchive: articles, every revision, every "
                       "fetch, deletions. Plain SQL: see the canned queries.",
        "databases": {database: {"tables": tables, "queries": QUERIES}},
    }
