"""Archive speed and size on a synthetic Chinese archive, through the real Archive write path.

Prints insert rate (record_fetch + store_article per article, one transaction each, as the
store pipeline does), database size per article against the zlib-compressed article text,
search latency p50/p95 over 20 queries of 1-6 characters, and export rate (JSONL).

    .venv/bin/python benchmarks/archive.py --articles 20000 --engine sqlite
    .venv/bin/python benchmarks/archive.py --articles 5000 --engine postgres
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import tempfile
import time
import uuid
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from newsarchive.archive import Archive
from newsarchive.export import export
from newsarchive.extract.article import Article

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEMO_TEXT = Path(__file__).resolve().parents[1] / "newsarchive" / "demo" / "data"
CST = timezone(timedelta(hours=8))
PUNCTUATION = "，，，。。、；：？！"
SITES = [f"news{n}.example.cn" for n in range(12)]
QUERY_LENGTHS = [1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 6]


class TextMaker:
    """Chinese-like text: characters drawn with the frequencies of real Chinese news prose."""

    def __init__(self, seed: int) -> None:
        text = "".join(p.read_text(encoding="utf-8") for p in sorted(DEMO_TEXT.glob("*.txt")))
        counts = Counter(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
        self.chars = list(counts)
        self.weights = list(counts.values())
        self.random = random.Random(seed)

    def sentence(self) -> str:
        length = self.random.randint(8, 30)
        return "".join(self.random.choices(self.chars, self.weights, k=length)) + (
            self.random.choice(PUNCTUATION))

    def paragraph(self) -> str:
        return "".join(self.sentence() for _ in range(self.random.randint(2, 6)))

    def article(self, n: int) -> tuple[Article, bytes]:
        paragraphs = [self.paragraph() for _ in range(self.random.randint(4, 14))]
        title = self.sentence()[:-1]
        url = f"http://{self.random.choice(SITES)}/2024/{n // 1000:04d}/{n}.html"
        published = datetime(2024, 1, 1, tzinfo=CST) + timedelta(minutes=7 * n)
        article = Article(url=url, title=title, paragraphs=paragraphs, published=published,
                          authors=[self.sentence()[:3]], source="新华社", language="zh",
                          encoding="utf-8")
        page = ("<html><head><meta charset=utf-8><title>" + title + "</title></head><body>"
                "<div class=nav>" + "首页 新闻 财经 体育 " * 20 + "</div><h1>" + title + "</h1>"
                + "".join(f"<p>{p}</p>" for p in paragraphs)
                + "<div class=footer>" + "关于我们 联系我们 " * 30 + "</div></body></html>")
        return article, page.encode("utf-8")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def db_size(url: str, path: Path | None) -> int:
    if path is not None:
        import sqlite3
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    import psycopg
    schema = url.rsplit("%3D", 1)[1]
    with psycopg.connect(PG_DSN) as conn:
        found = conn.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND c.relkind IN ('r', 'm')", (schema,)).fetchone()
        return int(found[0]) if found is not None else 0


def run(engine: str, articles: int, seed: int) -> dict[str, Any]:
    tmp = tempfile.TemporaryDirectory()
    schema = None
    path: Path | None = None
    if engine == "sqlite":
        path = Path(tmp.name) / "bench.db"
        url = f"sqlite:///{path}"
    else:
        import psycopg
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    maker = TextMaker(seed)
    try:
        with Archive(url) as archive:
            run_id = archive.start_run([], {})
            fetched_at = datetime(2024, 6, 1, tzinfo=UTC)
            text_bytes = compressed_text = raw_bytes = 0
            bodies: list[str] = []
            insert_s = 0.0
            for n in range(articles):
                article, page = maker.article(n)  # generating the text is not timed
                text = (article.title or "") + "\n" + article.body
                text_bytes += len(text.encode("utf-8"))
                compressed_text += len(zlib.compress(text.encode("utf-8")))
                raw_bytes += len(page)
                if n % 97 == 0:
                    bodies.append(article.body)
                started = time.perf_counter()
                fetch = archive.record_fetch(run_id, url=article.url, final_url=article.url,
                                             status=200, headers={}, body=page,
                                             fetched_at=fetched_at)
                archive.store_article(run_id, [fetch], article, "bench")
                insert_s += time.perf_counter() - started
            size = db_size(url, path)
            picker = random.Random(seed + 1)
            queries = []
            for length in QUERY_LENGTHS:
                body = picker.choice(bodies).replace("\n", "")
                start = picker.randrange(0, len(body) - length)
                queries.append(body[start:start + length])
            latencies = []
            for query in queries:
                began = time.perf_counter()
                archive.search(query, limit=20)
                latencies.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            with archive.reading() as session:
                exported = export(session, "jsonl", io.StringIO())
            export_s = time.perf_counter() - began
        return {
            "engine": engine, "articles": articles,
            "insert_articles_per_s": round(articles / insert_s, 1),
            "db_bytes_per_article": round(size / articles),
            "text_bytes_per_article": round(text_bytes / articles),
            "compressed_text_bytes_per_article": round(compressed_text / articles),
            "raw_page_bytes_per_article": round(raw_bytes / articles),
            "size_vs_compressed_text": round(size / compressed_text, 2),
            "search_ms_p50": round(statistics.median(latencies), 1),
            "search_ms_p95": round(percentile(latencies, 0.95), 1),
            "search_ms_by_query_length": {
                str(k): round(statistics.median(
                    [t for q, t in zip(queries, latencies, strict=True) if len(q) == k]), 1)
                for k in sorted(set(QUERY_LENGTHS))},
            "export_rows_per_s": round(exported / export_s, 1),
        }
    finally:
        if schema is not None:
            import psycopg
            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=int(os.environ.get("BENCH_ARTICLES", "20000")))
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    for engine in engines:
        print(json.dumps(run(engine, args.articles, args.seed), ensure_ascii=False))


if __name__ == "__main__":
    main()
