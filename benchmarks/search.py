"""Search latency and index cost at scale, on a bulk-loaded synthetic Chinese archive.

Building a million-article archive through the store pipeline takes hours, so this loads
``sites``, ``articles`` and the search index directly (the same text as benchmarks/archive.py's
TextMaker, the schema the migrations create), then runs the archive benchmark's 20 queries
and `--extra` more of each length 1-6 through ``newsarchive.query.fulltext.search``. Queries are
substrings of stored bodies (within one paragraph), so common and rare strings both occur.

Prints, per engine: latency p50/p95 (wall ms, and the client's CPU ms) overall and by
query length, the slowest queries, index bytes per article, and what indexing costs per
article (bulk load, and the ordinary write path ``index_articles`` on the full index).

    .venv/bin/python -m benchmarks.search --articles 100000 --engine sqlite
    .venv/bin/python -m benchmarks.search --articles 1000000 --engine postgres
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks.archive import PG_DSN, QUERY_LENGTHS, SITES, TextMaker, percentile, scratch_database
from newsarchive.archive import Archive, index
from newsarchive.query import search

CHUNK = 2000  # articles generated and loaded at a time
SAMPLE_EVERY = 97  # bodies kept to draw queries from: 1 in SAMPLE_EVERY
WRITE_PATH_ARTICLES = 2000  # articles indexed through index_articles after the bulk load
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def texts(seed: int, start: int, stop: int) -> Iterator[tuple[int, str, str]]:
    """(article id, title, body) of articles start..stop-1: archive.py's article n's text."""
    maker = TextMaker(seed)
    for n in range(start, stop):
        title, paragraphs = maker.text(n)
        yield n + 1, title, "\n".join(paragraphs)


def article_row(article_id: int, title: str, body: str) -> tuple[Any, ...]:
    """An `articles` row with the columns the schema requires."""
    url = f"http://{SITES[article_id % len(SITES)]}/2024/{article_id}.html"
    at = EPOCH + timedelta(minutes=7 * article_id)
    return (article_id, article_id % len(SITES) + 1, url, url, at, at, at, title, body,
            "[]", "[]", "[]", f"{article_id:064x}")


ARTICLE_COLUMNS = ("id", "site_id", "canonical_url", "url", "first_seen", "last_seen",
                   "published_at", "title", "body", "authors", "keywords", "section_path",
                   "content_hash")
def article_params(batch: list[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """INSERT_ARTICLE's parameters for (article id, title, body) texts."""
    return [dict(zip(ARTICLE_COLUMNS, article_row(*a), strict=True)) for a in batch]


INSERT_ARTICLE = text(f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES "
                      f"({', '.join(':' + c for c in ARTICLE_COLUMNS)})")


class Loaded:
    """What the load kept: sampled bodies, and seconds spent on the search index."""

    def __init__(self) -> None:
        self.bodies: list[str] = []
        self.index_s = 0.0
        self.index_cpu_s = 0.0

    def keep(self, article_id: int, body: str) -> None:
        if article_id % SAMPLE_EVERY == 0:
            self.bodies.append(body)


def load_sqlite(archive: Archive, articles: int, seed: int) -> Loaded:
    """Articles in one transaction; the index through index_articles, as a crawl writes it."""
    loaded = Loaded()
    with archive.engine.begin() as conn:
        conn.execute(text("INSERT INTO sites (id, host) VALUES (:id, :host)"),
                     [{"id": i + 1, "host": h} for i, h in enumerate(SITES)])
        for start in range(0, articles, CHUNK):
            batch = list(texts(seed, start, min(start + CHUNK, articles)))
            conn.execute(INSERT_ARTICLE, article_params(batch))
            for article_id, _, body in batch:
                loaded.keep(article_id, body)
            wall, cpu = time.perf_counter(), time.process_time()
            index.index_articles(conn, batch, fresh={a[0] for a in batch})
            loaded.index_s += time.perf_counter() - wall
            loaded.index_cpu_s += time.process_time() - cpu
            progress(start + len(batch))
    return loaded


def load_postgres(archive: Archive, schema: str, articles: int, seed: int) -> Loaded:
    """COPY articles and search rows with the search indexes dropped, then rebuild them."""
    import psycopg

    loaded = Loaded()
    with psycopg.connect(PG_DSN, options=f"-csearch_path={schema}") as conn:
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s "
            "AND tablename = 'article_search' AND indexname <> 'article_search_pkey'",
            (schema,)).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        with conn.cursor().copy("COPY sites (id, host) FROM STDIN") as copy:
            for i, host in enumerate(SITES):
                copy.write_row((i + 1, host))
        columns: list[str] | None = None
        for start in range(0, articles, CHUNK):
            batch = list(texts(seed, start, min(start + CHUNK, articles)))
            with conn.cursor().copy(f"COPY articles ({', '.join(ARTICLE_COLUMNS)}) "
                                    "FROM STDIN") as copy:
                for article in batch:
                    copy.write_row(article_row(*article))
                    loaded.keep(article[0], article[2])
            wall, cpu = time.perf_counter(), time.process_time()
            rows = index.search_rows(batch)
            columns = columns or list(rows[0])
            with conn.cursor().copy(f"COPY article_search ({', '.join(columns)}) "
                                    "FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(row[c] for c in columns))
            loaded.index_s += time.perf_counter() - wall
            loaded.index_cpu_s += time.process_time() - cpu
            progress(start + len(batch))
        conn.commit()
        wall, cpu = time.perf_counter(), time.process_time()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            conn.execute(definition)
        conn.commit()
        loaded.index_s += time.perf_counter() - wall
        loaded.index_cpu_s += time.process_time() - cpu
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE articles")
        conn.execute("VACUUM ANALYZE article_search")
    return loaded


def progress(done: int) -> None:
    if done % 100_000 == 0:
        print(f"{time.strftime('%H:%M:%S')} {done} articles loaded", file=sys.stderr, flush=True)


def write_path_us(archive: Archive, articles: int, seed: int) -> tuple[float, float]:
    """µs per article (wall, CPU) that index_articles adds to a write into the full index."""
    batch = list(texts(seed + 1, articles, articles + WRITE_PATH_ARTICLES))
    with archive.engine.begin() as conn:
        for start in range(0, len(batch), 100):
            conn.execute(INSERT_ARTICLE, article_params(batch[start:start + 100]))
        wall = cpu = 0.0
        for start in range(0, len(batch), 100):  # the store's batches are this order of size
            chunk = batch[start:start + 100]
            began, began_cpu = time.perf_counter(), time.process_time()
            index.index_articles(conn, chunk, fresh={a[0] for a in chunk})
            wall += time.perf_counter() - began
            cpu += time.process_time() - began_cpu
    return wall / len(batch) * 1e6, cpu / len(batch) * 1e6


def index_bytes(archive: Archive, path: Path | None, schema: str | None) -> dict[str, int]:
    """Bytes of each search table and index."""
    with archive.engine.connect() as conn:
        if path is not None:
            rows = conn.execute(text(
                "SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'article_search%' "
                "GROUP BY name")).all()
        else:
            rows = conn.execute(text(
                "SELECT c.relname, pg_total_relation_size(c.oid) - CASE WHEN c.relkind = 'r' "
                "THEN pg_indexes_size(c.oid) ELSE 0 END FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema "
                "AND c.relname LIKE '%article_search%' AND c.relkind IN ('r', 'i')"),
                {"schema": schema}).all()
    return {name: int(size) for name, size in rows}


def queries(bodies: list[str], extra: int, seed: int) -> list[str]:
    """The archive benchmark's 20 query lengths, then `extra` of each length 1-6."""
    picker = random.Random(seed + 1)
    paragraphs = [p for body in bodies for p in body.split("\n")]
    chosen = []
    for length in QUERY_LENGTHS + [n for n in range(1, 7) for _ in range(extra)]:
        paragraph = picker.choice(paragraphs)
        start = picker.randrange(0, len(paragraph) - length)
        chosen.append(paragraph[start:start + length])
    return chosen


def latency(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 1), "p95": round(percentile(values, 0.95), 1)}


def measure(archive: Archive, chosen: list[str]) -> dict[str, Any]:
    timed = []
    for query in chosen:
        wall, cpu = time.perf_counter(), time.process_time()
        hits = search(archive, query, limit=20)
        timed.append((query, (time.perf_counter() - wall) * 1000,
                      (time.process_time() - cpu) * 1000, len(hits)))
    walls = [t[1] for t in timed]
    return {
        "benchmark_20_ms": latency(walls[:len(QUERY_LENGTHS)]),
        "all_ms": latency(walls), "all_cpu_ms": latency([t[2] for t in timed]),
        "by_length_ms": {n: latency([t[1] for t in timed if len(t[0]) == n]) for n in range(1, 7)},
        "slowest": [{"query": q, "ms": round(ms, 1), "hits": h}
                    for q, ms, _, h in sorted(timed, key=lambda t: -t[1])[:8]],
    }


def run(engine: str, articles: int, seed: int, extra: int) -> dict[str, Any]:
    with scratch_database(engine, "search_bench") as (url, path, schema):
        with Archive(url) as archive:
            began = time.perf_counter()
            loaded = (load_sqlite(archive, articles, seed) if schema is None
                      else load_postgres(archive, schema, articles, seed))
            load_s = time.perf_counter() - began
            sizes = index_bytes(archive, path, schema)
            chosen = queries(loaded.bodies, extra, seed)
            search(archive, chosen[0])  # connection and caches warm, as in a running archive
            result = measure(archive, chosen)
            write_wall, write_cpu = write_path_us(archive, articles, seed)
        return {
            "engine": engine, "articles": articles, "queries": len(chosen),
            **result,
            "index_bytes_per_article": round(sum(sizes.values()) / articles),
            "index_bytes_per_article_by_relation": {
                k: round(v / articles) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])},
            "bulk_index_us_per_article": {"wall": round(loaded.index_s / articles * 1e6),
                                          "client_cpu": round(loaded.index_cpu_s / articles * 1e6)},
            "write_path_index_us_per_article": {"wall": round(write_wall),
                                                "client_cpu": round(write_cpu)},
            "load_s": round(load_s),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--extra", type=int, default=50, help="more queries of each length 1-6")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for engine in ["sqlite", "postgres"] if args.engine == "both" else [args.engine]:
        print(json.dumps(run(engine, args.articles, args.seed, args.extra), ensure_ascii=False),
              flush=True)


if __name__ == "__main__":
    main()
