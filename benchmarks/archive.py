"""Archive speed and size on a synthetic Chinese archive, through the real store pipeline.

Prints insert rate (ArticlePages items through StorePipeline, batched as in a crawl),
database size per article against both the zlib-compressed article text and the
zlib-compressed raw page, search latency p50/p95 over 20 queries of 1-6 characters, and
export rate (JSONL). Raw pages are portal-like: 30-120 KB of HTML (scripts, navigation,
link lists, footer; one chrome per site with per-page parts) around 1-4 KB of text.

    .venv/bin/python -m benchmarks.archive --articles 20000 --engine sqlite
    .venv/bin/python -m benchmarks.archive --articles 5000 --engine postgres
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from newsarchive.archive import Archive
from newsarchive.crawl.items import ArticlePages, FetchedPage
from newsarchive.extract.article import Article
from newsarchive.extract.text import fold_simplified
from newsarchive.query import search
from newsarchive.query.exports import export
from pipelines.store import StorePipeline

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HEADERS = {"Content-Type": ["text/html; charset=utf-8"]}
DEMO_TEXT = Path(__file__).resolve().parents[1] / "newsarchive" / "demo" / "data"
CST = timezone(timedelta(hours=8))
PUNCTUATION = "，，，。。、；：？！"
SITES = [f"news{n}.example.cn" for n in range(12)]
QUERY_LENGTHS = [1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 6]
CHROME_VARIANTS = 4  # page templates per site
PROGRESS_EVERY = 50_000
SIZE_SAMPLE = 10  # pages whose compressed size is measured: 1 in SIZE_SAMPLE
JS_WORDS = ("function", "var", "return", "if", "else", "for", "document", "window", "push",
            "length", "getElementById", "addEventListener", "setTimeout", "ajax", "data",
            "callback", "url", "item", "index", "null", "true", "false", "this", "new")


class TextMaker:
    """Chinese-like text: characters drawn with the frequencies of real Chinese news prose."""

    def __init__(self, seed: int) -> None:
        # Simplified, as a mainland portal writes (the demo texts mix in Traditional pages).
        text = fold_simplified("".join(p.read_text(encoding="utf-8")
                                       for p in sorted(DEMO_TEXT.glob("*.txt"))))
        counts = Counter(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
        self.chars = list(counts)
        self.cum_weights = list(itertools.accumulate(counts.values()))
        self.seed = seed
        self.random = random.Random(seed)
        self.chromes: dict[tuple[str, int], tuple[str, str]] = {}

    def sentence(self) -> str:
        length = self.random.randint(8, 30)
        return "".join(self.random.choices(self.chars, cum_weights=self.cum_weights, k=length)) + (
            self.random.choice(PUNCTUATION))

    def paragraph(self) -> str:
        return "".join(self.sentence() for _ in range(self.random.randint(2, 6)))

    def words(self, low: int, high: int) -> str:
        return "".join(self.random.choices(self.chars, cum_weights=self.cum_weights,
                                           k=self.random.randint(low, high)))

    def links(self, count: int, host: str, low: int = 4, high: int = 12) -> str:
        return "".join(
            f'<li><a href="http://{host}/{self.random.randrange(10**8):08d}.html" '
            f'target="_blank" title="{(w := self.words(low, high))}">{w}</a></li>'
            for _ in range(count))

    def script(self, size: int) -> str:
        out: list[str] = []
        total = 0
        while total < size:
            line = (" ".join(self.random.choices(JS_WORDS, k=self.random.randint(4, 12)))
                    + f"({self.random.randrange(10**6)});\n")
            out.append(line)
            total += len(line)
        return "<script type=\"text/javascript\">" + "".join(out) + "</script>"

    def chrome(self, host: str) -> tuple[str, str]:
        """A site template's head-and-navigation and its footer (tens of KB, as portals)."""
        head = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                + "".join(self.script(self.random.randint(2000, 9000)) for _ in range(3))
                + "<link rel=stylesheet href=/css/main.css></head><body>"
                + "<div class=\"top-nav\"><ul>"
                + self.links(self.random.randint(60, 200), host, 2, 4)
                + "</ul></div><div class=\"channel-nav\"><ul>"
                + self.links(self.random.randint(30, 90), host, 2, 6) + "</ul></div>")
        footer = ("<div class=\"hot-list\"><ul>" + self.links(self.random.randint(10, 40), host)
                  + "</ul></div><div class=footer><ul>"
                  + self.links(self.random.randint(20, 60), host, 2, 6) + "</ul><p>"
                  + self.words(40, 120) + "</p></div>"
                  + self.script(self.random.randint(3000, 15000)) + "</body></html>")
        return head, footer

    def text(self, n: int) -> tuple[str, list[str]]:
        """Article `n`'s title and paragraphs: the same for a seed whatever else was generated
        (article() goes on drawing from the same sequence for the rest of the page)."""
        self.random = random.Random(f"{self.seed}:{n}")
        paragraphs = [self.paragraph() for _ in range(self.random.randint(4, 14))]
        return self.sentence()[:-1], paragraphs

    def article(self, n: int) -> tuple[Article, bytes]:
        """Article `n` and its page: the same for a seed whatever else was generated."""
        title, paragraphs = self.text(n)
        host = self.random.choice(SITES)
        url = f"http://{host}/2024/{n // 1000:04d}/{n}.html"
        published = datetime(2024, 1, 1, tzinfo=CST) + timedelta(minutes=7 * n)
        article = Article(url=url, title=title, paragraphs=paragraphs, published=published,
                          authors=[self.sentence()[:3]], source="新华社", language="zh",
                          encoding="utf-8")
        key = (host, self.random.randrange(CHROME_VARIANTS))
        if key not in self.chromes:
            own, self.random = self.random, random.Random(f"{self.seed}:{key}")
            self.chromes[key] = self.chrome(host)
            self.random = own
        head, footer = self.chromes[key]
        page = (head + f"<title>{title}</title><div class=article><h1>{title}</h1>"
                f"<div class=info>{published:%Y-%m-%d %H:%M} 来源：新华社</div>"
                + "".join(f"<p>{p}</p>" for p in paragraphs)
                + "</div><div class=related><ul>" + self.links(self.random.randint(8, 20), host)
                + "</ul></div>" + footer)
        return article, page.encode("utf-8")


_maker: TextMaker | None = None


def _generate(job: tuple[int, int]) -> tuple[Article, bytes, int, int, int]:
    """Article `n` with its page, text size, and zlib sizes of text and page (a worker's job);
    the page's compressed size is measured on one page in SIZE_SAMPLE (0 for the others)."""
    global _maker
    seed, n = job
    if _maker is None or _maker.seed != seed:
        _maker = TextMaker(seed)
    article, page = _maker.article(n)
    text = ((article.title or "") + "\n" + article.body).encode("utf-8")
    compressed_page = len(zlib.compress(page)) if n % SIZE_SAMPLE == 0 else 0
    return article, page, len(text), len(zlib.compress(text)), compressed_page


# Articles generated per step of the generator process (two steps in memory at most).
GENERATE_CHUNK = 512


def generated(articles: int, seed: int) -> Iterator[tuple[Article, bytes, int, int, int]]:
    """The synthetic articles, made in a worker process while this one stores them.

    One chunk is made ahead, no more: the generator is faster than the archive, and an unbounded
    imap would hold every page it ran ahead by (14 GB at 100k articles).
    """
    chunks = [range(start, min(start + GENERATE_CHUNK, articles))
              for start in range(0, articles, GENERATE_CHUNK)]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pending = None
        for chunk in chunks:
            ahead = pool.map_async(_generate, [(seed, n) for n in chunk])
            if pending is not None:
                yield from pending.get()
            pending = ahead
        if pending is not None:
            yield from pending.get()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def db_size(path: Path | None, tables: dict[str, int]) -> int:
    """The database's bytes: the SQLite files (WAL checkpointed), or on PostgreSQL the
    schema's tables with their indexes (`tables`, from table_sizes)."""
    if path is not None:
        import sqlite3
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return sum(tables.values())


def table_sizes(url: str, path: Path | None) -> dict[str, int]:
    """Bytes per table (with its indexes; SQLite: dbstat, PostgreSQL: pg_total_relation_size)."""
    if path is not None:
        import sqlite3
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
        return dict(sorted(rows, key=lambda r: -r[1]))
    import psycopg
    schema = url.rsplit("%3D", 1)[1]
    with psycopg.connect(PG_DSN) as conn:
        rows = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND c.relkind IN ('r', 'm') ORDER BY 2 DESC", (schema,)).fetchall()
    return {name: int(size) for name, size in rows}


@contextlib.contextmanager
def scratch_database(engine: str, name: str) -> Iterator[tuple[str, Path | None, str | None]]:
    """A database to fill and measure, gone afterwards: (SQLAlchemy URL, the SQLite file or
    None, the PostgreSQL schema or None)."""
    with tempfile.TemporaryDirectory() as tmp:
        if engine == "sqlite":
            path = Path(tmp) / f"{name}.db"
            yield f"sqlite:///{path}", path, None
            return
        import psycopg
        schema = f"{name}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{PG_URL}?options=-csearch_path%3D{schema}", None, schema
        finally:
            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def run(engine: str, articles: int, seed: int) -> dict[str, Any]:
    with scratch_database(engine, "bench") as (url, path, _schema):
        pipeline = StorePipeline(url, None, [])
        pipeline.open_spider()
        fetched_at = datetime(2024, 6, 1, tzinfo=UTC)
        text_bytes = compressed_text = raw_bytes = compressed_raw = 0
        bodies: list[str] = []
        insert_s = 0.0
        for n, (article, page, size, compressed, compressed_page) in enumerate(
                generated(articles, seed)):
            text_bytes += size
            compressed_text += compressed
            raw_bytes += len(page)
            compressed_raw += compressed_page * SIZE_SAMPLE
            if n % 97 == 0:
                bodies.append(article.body)
            item = ArticlePages(url=article.url, article=article, pages=[FetchedPage(
                article.url, article.url, 200, HEADERS, page, fetched_at)])
            started = time.perf_counter()
            pipeline.enqueue(item)
            insert_s += time.perf_counter() - started
            if (n + 1) % PROGRESS_EVERY == 0:
                print(f"{n + 1} articles, {(n + 1) / insert_s:.0f}/s", file=sys.stderr,
                      flush=True)
        started = time.perf_counter()
        pipeline.close()
        insert_s += time.perf_counter() - started
        with Archive(url, migrate=False) as archive:
            tables = table_sizes(url, path)
            size = db_size(path, tables)
            picker = random.Random(seed + 1)
            queries = []
            for length in QUERY_LENGTHS:
                body = picker.choice(bodies).replace("\n", "")
                start = picker.randrange(0, len(body) - length)
                queries.append(body[start:start + length])
            latencies = []
            for query in queries:
                began = time.perf_counter()
                search(archive, query, limit=20)
                latencies.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            with archive.reading() as session, open(os.devnull, "w") as out:
                exported = export(session, "jsonl", out)
            export_s = time.perf_counter() - began
        return {
            "engine": engine, "articles": articles,
            "insert_articles_per_s": round(articles / insert_s, 1),
            "db_bytes_per_article": round(size / articles),
            "text_bytes_per_article": round(text_bytes / articles),
            "compressed_text_bytes_per_article": round(compressed_text / articles),
            "raw_page_bytes_per_article": round(raw_bytes / articles),
            "compressed_raw_page_bytes_per_article": round(compressed_raw / articles),
            "size_vs_compressed_text": round(size / compressed_text, 2),
            "size_vs_compressed_raw_page": round(size / compressed_raw, 2),
            "bytes_per_article_by_table": {k: round(v / articles) for k, v in tables.items()},
            "search_ms_p50": round(statistics.median(latencies), 1),
            "search_ms_p95": round(percentile(latencies, 0.95), 1),
            "search_ms_by_query_length": {
                str(k): round(statistics.median(
                    [t for q, t in zip(queries, latencies, strict=True) if len(q) == k]), 1)
                for k in sorted(set(QUERY_LENGTHS))},
            "export_rows_per_s": round(exported / export_s, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles", type=int, default=int(os.environ.get("BENCH_ARTICLES", "20000"))
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    for engine in engines:
        print(json.dumps(run(engine, args.articles, args.seed), ensure_ascii=False))


if __name__ == "__main__":
    main()
