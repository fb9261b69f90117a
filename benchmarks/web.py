"""The web interface's speed on the 1M-article archive of benchmarks/search.py, both engines.

Builds (once, kept for later runs) the archive `benchmarks/search.py` loads, then gives it what
the pages show: a crawl run per 5,000 articles with coverage counts (layout-change warnings in
some), a raw page and a fetch per article, a revision per article (1 in 20 with an earlier,
different one), deletions (1 in 50, 1 in 4 of them restored), failures of every kind, authors,
sections, languages and clusters. Then serves it with `newsarchive serve` (uvicorn, `--workers`
processes, one by default) and requests, from 8 client threads at once:

- the search page `/search?q=...` for the queries benchmarks/search.py draws (its 20, and
  `--extra` more of each length 1-6);
- article pages `/articles/ID` (random ids);
- site dashboards `/sites/HOST`;
- a CSV export `/export.csv` of 100,000 rows, streamed, measuring rows/s and the server's
  peak memory (RSS sampled during the export against before it).

Prints one JSON line per engine: p50/p95 wall ms per page kind, the export's rate and memory,
and the machine's load average before and after.

    .venv/bin/python -m benchmarks.web --articles 1000000 --engine both
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import zstandard
from sqlalchemy import text

from benchmarks.archive import PG_DSN, PG_URL, SITES, percentile
from benchmarks.search import (
    CHUNK,
    EPOCH,
    SAMPLE_EVERY,
    load_postgres,
    load_sqlite,
    queries,
    texts,
)
from newsarchive.archive import Archive

RUN_EVERY = 5000  # articles per crawl run
REVISED_EVERY = 20
DELETED_EVERY = 50
RESTORED_EVERY = 200
CLUSTER_EVERY = 100
FAILURES_EVERY = 100
AUTHORS = 50
SECTIONS = ("国内", "国际", "财经", "科技", "文化", "体育", "社会", "评论")
# (reason, kind) of the failures, as the crawl records them.
FAILURES = (("HTTP 500", "http_status"),
            ("not an article: page_type=list (confidence 0.83)", "not_article"),
            ("no article body found", "no_content"), ("download timeout after 180 s", "timeout"),
            ("forbidden by robots.txt", "robots"))
CONCURRENCY = 8
EXPORT_ROWS = 100_000
READY_MARK = "web_bench_ready"


def sqlite_file(articles: int) -> Path:
    return Path(os.environ.get("NEWSARCHIVE_BENCH_DIR", "/tmp")) / f"web-bench-{articles}.db"


def pg_schema(articles: int) -> str:
    return f"web_bench_{articles}"


def url_for(engine: str, articles: int) -> str:
    if engine == "sqlite":
        return f"sqlite:///{sqlite_file(articles)}"
    return f"{PG_URL}?options=-csearch_path%3D{pg_schema(articles)}"


def is_built(engine: str, articles: int) -> bool:
    """True when a complete archive of this size is kept from an earlier run."""
    if engine == "sqlite" and not sqlite_file(articles).exists():
        return False
    if engine == "postgres":
        import psycopg
        with psycopg.connect(PG_DSN) as conn:
            if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                            (pg_schema(articles),)).fetchone() is None:
                return False
    with Archive(url_for(engine, articles), migrate=False) as archive, \
            archive.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM crawl_runs WHERE finish_reason = :mark"),
            {"mark": READY_MARK}).scalar())


def fresh_database(engine: str, articles: int) -> str:
    if engine == "sqlite":
        path = sqlite_file(articles)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return url_for(engine, articles)
    import psycopg
    schema = pg_schema(articles)
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return url_for(engine, articles)


def raw_page(article_id: int) -> bytes:
    return (f"<html><head><meta charset=utf-8><title>{article_id}</title>"
            f"<script>track({article_id})</script></head><body><h1>archived page "
            f"{article_id}</h1><p>正文见存档</p></body></html>").encode()


def build(engine: str, articles: int, seed: int) -> None:
    """The search benchmark's archive, and every table the pages read (see the module doc)."""
    url = fresh_database(engine, articles)
    started = time.perf_counter()
    with Archive(url) as archive:
        if engine == "sqlite":
            load_sqlite(archive, articles, seed)
        else:
            load_postgres(archive, pg_schema(articles), articles, seed)
        log(f"{engine}: articles and search index loaded in {time.perf_counter() - started:.0f} s")
        with archive.engine.begin() as conn:
            _runs(conn, articles)
            _raw_pages(conn, engine, articles)
            _history(conn, engine)
            conn.execute(text("INSERT INTO crawl_runs (started_at, finished_at, start_urls, "
                              "settings, counts, finish_reason) VALUES (:at, :at, '[]', '{}', "
                              "'{}', :mark)"), {"at": "2024-01-01 00:00:00", "mark": READY_MARK})
        if engine == "postgres":
            import psycopg
            with psycopg.connect(PG_DSN, autocommit=True,
                                 options=f"-csearch_path={pg_schema(articles)}") as conn:
                for table in ("articles", "article_revisions", "fetches", "raw_pages",
                              "article_events", "failures", "crawl_runs"):
                    conn.execute(f"VACUUM ANALYZE {table}")
        else:
            with archive.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    log(f"{engine}: built in {time.perf_counter() - started:.0f} s")


def _runs(conn: Any, articles: int) -> None:
    """A crawl run per RUN_EVERY articles, with per-site coverage; every 7th warns."""
    rows = []
    for number in range(articles // RUN_EVERY + 1):
        coverage = {host: {"articles": RUN_EVERY // len(SITES), "date": 1.0,
                           "author": 0.2 if number % 7 == 3 and n == 0 else 0.95,
                           "body": 0.99} for n, host in enumerate(SITES)}
        warnings = ([f"{SITES[0]}: author found in 20% of {RUN_EVERY // len(SITES)} articles, "
                     "recent runs 95% (did the layout change?)"] if number % 7 == 3 else [])
        counts = {"new": RUN_EVERY, "failures": RUN_EVERY // FAILURES_EVERY,
                  "coverage": coverage, "warnings": warnings}
        # Each run archived its RUN_EVERY articles (article n first seen at EPOCH + 7n minutes).
        began = EPOCH + timedelta(minutes=7 * max(1, number * RUN_EVERY))
        ended = EPOCH + timedelta(minutes=7 * min(articles, (number + 1) * RUN_EVERY - 1))
        if conn.dialect.name == "sqlite":  # stored as SQLAlchemy stores UTC instants there
            began, ended = began.replace(tzinfo=None), ended.replace(tzinfo=None)
        rows.append({"id": number + 1, "began": began, "ended": ended,
                     "urls": json.dumps([f"http://{h}/" for h in SITES]),
                     "counts": json.dumps(counts, ensure_ascii=False)})
    conn.execute(text("INSERT INTO crawl_runs (id, started_at, finished_at, start_urls, settings, "
                      "counts, finish_reason) VALUES (:id, :began, :ended, :urls, '{}', :counts, "
                      "'finished')"), rows)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT setval('crawl_runs_id_seq', (SELECT max(id) FROM crawl_runs))"))


def _raw_pages(conn: Any, engine: str, articles: int) -> None:
    """One small zstd-compressed page per article (raw_pages.id = article id)."""
    import hashlib
    compressor = zstandard.ZstdCompressor(level=3)
    for start in range(1, articles + 1, CHUNK):
        batch = []
        for article_id in range(start, min(start + CHUNK, articles + 1)):
            page = raw_page(article_id)
            batch.append({"id": article_id, "sha": hashlib.sha256(page).hexdigest(),
                          "size": len(page), "body": compressor.compress(page)})
        conn.execute(text("INSERT INTO raw_pages (id, sha256, size, compression, body) "
                          "VALUES (:id, :sha, :size, 'zstd', :body)"), batch)
    if engine == "postgres":
        conn.execute(text("SELECT setval('raw_pages_id_seq', (SELECT max(id) FROM raw_pages))"))


def _history(conn: Any, engine: str) -> None:
    """Fetches, revisions, events, failures, and the articles' people, sections and clusters,
    each one INSERT ... SELECT over the articles."""
    pg = engine == "postgres"
    json_array = "jsonb_build_array" if pg else "json_array"
    headers = json.dumps({"Content-Type": ["text/html; charset=utf-8"]})
    encoding = json.dumps({"encoding": "utf-8", "http_charset": "utf-8", "meta_charset": "utf-8",
                           "bom": None, "detected": None, "undecodable_ratio": 0.0})
    evidence = json.dumps({"encoding": {"encoding": "utf-8"}, "published": {
        "rule": "info line", "raw": "2024-01-01 08:00"}}, ensure_ascii=False)
    sections = "CASE articles.id % 8 " + " ".join(
        f"WHEN {n} THEN '{name}'" for n, name in enumerate(SECTIONS)) + " END"
    conn.execute(text(
        f"UPDATE articles SET authors = {json_array}('作者' || (id % {AUTHORS})), "
        f"section_path = {json_array}('首页', {sections}), "
        "language = CASE WHEN id % 10 = 0 THEN 'zh-Hant' ELSE 'zh' END, encoding = 'utf-8', "
        f"cluster_id = CASE WHEN id % {CLUSTER_EVERY} = 1 AND id > 1 THEN id - 1 ELSE id END"))
    log(f"{engine}: articles' people, sections, clusters")
    conn.execute(text(
        "INSERT INTO fetches (id, crawl_run_id, url, final_url, status, headers, fetched_at, "
        "raw_page_id, outcome, error, encoding, article_id) SELECT id, id / :every + 1, url, url, "
        "200, :headers, first_seen, id, 'new', NULL, :encoding, id FROM articles"),
        {"every": RUN_EVERY, "headers": headers, "encoding": encoding})
    if pg:
        conn.execute(text("SELECT setval('fetches_id_seq', (SELECT max(id) FROM fetches))"))
    log(f"{engine}: fetches")
    fields = ("url, title, published_at, published_offset, updated_at, updated_offset, "
              "authors, source, editor, keywords, section_path, summary, language, encoding")
    # Earlier revisions first, so that each article's latest has the highest id.
    conn.execute(text(
        f"INSERT INTO article_revisions (article_id, extractor_version, fetch_id, evidence, "
        f"created_at, body, content_hash, {fields}) SELECT id, '0.1.0', id, :evidence, "
        f"first_seen, replace(replace(body, '。', '，'), '的', '地') || '（原文）', "
        f"'0' || substr(content_hash, 2), {fields} FROM articles WHERE id % :revised = 0"),
        {"evidence": evidence, "revised": REVISED_EVERY})
    conn.execute(text(
        f"INSERT INTO article_revisions (article_id, extractor_version, fetch_id, evidence, "
        f"created_at, body, content_hash, {fields}) SELECT id, '0.1.0', id, :evidence, "
        f"last_seen, NULL, content_hash, {fields} FROM articles"), {"evidence": evidence})
    log(f"{engine}: revisions")
    conn.execute(text(
        "UPDATE articles SET deleted_at = last_seen WHERE id % :deleted = 0 AND "
        "id % :restored <> 0"), {"deleted": DELETED_EVERY, "restored": RESTORED_EVERY})
    conn.execute(text(
        "INSERT INTO article_events (article_id, kind, at, fetch_id, reason) SELECT id, "
        "'deleted', last_seen, id, 'HTTP 404' FROM articles WHERE id % :deleted = 0"),
        {"deleted": DELETED_EVERY})
    conn.execute(text(
        "INSERT INTO article_events (article_id, kind, at, fetch_id, reason) SELECT id, "
        "'restored', last_seen, id, NULL FROM articles WHERE id % :restored = 0"),
        {"restored": RESTORED_EVERY})
    reasons = "CASE id % 5 " + " ".join(
        f"WHEN {n} THEN '{reason}'" for n, (reason, _) in enumerate(FAILURES)) + " END"
    kinds = "CASE id % 5 " + " ".join(
        f"WHEN {n} THEN '{kind}'" for n, (_, kind) in enumerate(FAILURES)) + " END"
    conn.execute(text(
        f"INSERT INTO failures (crawl_run_id, fetch_id, url, reason, kind, created_at) SELECT "
        f"crawl_run_id, NULL, url || '?list', {reasons}, {kinds}, fetched_at FROM fetches "
        f"WHERE id % :every = 0"), {"every": FAILURES_EVERY})
    log(f"{engine}: events and failures")


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# -- measuring -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`newsarchive serve` in a subprocess, and its memory."""

    def __init__(self, url: str, workers: int = 1) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newsarchive.cli", "serve", "--db", url, "--port",
             str(self.port), "--workers", str(workers)], stdout=subprocess.DEVNULL,
            stderr=open(Path(os.environ.get("NEWSARCHIVE_BENCH_DIR", "/tmp")) / "serve.log", "w"))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/api/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
            if self.process.poll() is not None:
                raise RuntimeError("serve exited: see serve.log in NEWSARCHIVE_BENCH_DIR")
        raise RuntimeError("serve did not start in 120 s")

    def rss_kb(self) -> int:
        """The resident memory of serve and of its worker processes, summed."""
        total = 0
        for pid in [self.process.pid, *self._children(self.process.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            total += int(match.group(1)) if match else 0
        return total

    @staticmethod
    def _children(pid: int) -> list[int]:
        found: list[int] = []
        for path in Path(f"/proc/{pid}/task").glob("*/children"):
            for child in path.read_text().split():
                found += [int(child), *Server._children(int(child))]
        return found

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def timed(client: httpx.Client, path: str) -> float:
    began = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code}: {response.text[:300]}")
    return elapsed


def concurrently(base: str, paths: list[str]) -> list[float]:
    """Wall ms of each request, CONCURRENCY at a time, each thread with its own connection."""
    local = threading.local()

    def one(path: str) -> float:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, timeout=120)
        return timed(local.client, path)

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return list(pool.map(one, paths))


def latency(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": round(statistics.median(values), 1),
            "p95": round(percentile(values, 0.95), 1), "max": round(max(values), 1)}


def export_rate(server: Server) -> dict[str, Any]:
    """Stream a 100,000-row CSV export, sampling the server's RSS meanwhile."""
    before = server.rss_kb()
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], server.rss_kb())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    size = 0
    began = time.perf_counter()
    with httpx.stream("GET", server.base + f"/export.csv?limit={EXPORT_ROWS}",
                      timeout=600) as response:
        lines = response.iter_lines()
        next(lines)  # the pin
        rows = sum(1 for _ in csv.reader(lines)) - 1  # records (bodies hold newlines)
        size = int(response.num_bytes_downloaded)
    elapsed = time.perf_counter() - began
    done.set()
    sampler.join()
    return {"rows": rows, "seconds": round(elapsed, 2), "rows_per_s": round(rows / elapsed),
            "mb": round(size / 1e6, 1), "rss_before_mb": round(before / 1024, 1),
            "rss_peak_mb": round(peak[0] / 1024, 1)}


def measure(engine: str, articles: int, seed: int, extra: int, articles_n: int,
            workers: int = 1) -> dict[str, Any]:
    url = url_for(engine, articles)
    bodies = [body for _, _, body in (next(texts(seed, n - 1, n))
                                      for n in range(SAMPLE_EVERY, articles + 1, SAMPLE_EVERY))]
    chosen = queries(bodies, extra, seed)
    picker = random.Random(seed)
    article_paths = [f"/articles/{picker.randrange(1, articles + 1)}" for _ in range(articles_n)]
    site_paths = [f"/sites/{host}" for host in SITES] * 4
    load_before = os.getloadavg()
    server = Server(url, workers)
    try:
        warm = httpx.Client(base_url=server.base, timeout=120)
        for path in ["/search?q=" + chosen[0], article_paths[0], site_paths[0]]:
            timed(warm, path)  # connections and caches warm, as in a running server
        search_ms = concurrently(server.base, [f"/search?q={q}" for q in chosen])
        article_ms = concurrently(server.base, article_paths)
        site_ms = concurrently(server.base, site_paths)
        export = export_rate(server)
    finally:
        server.stop()
    by_length = {n: latency([ms for q, ms in zip(chosen, search_ms, strict=True) if len(q) == n])
                 for n in range(1, 7)}
    return {
        "engine": engine, "articles": articles, "concurrency": CONCURRENCY, "workers": workers,
        "search_page_ms": latency(search_ms), "search_by_length_ms": by_length,
        "article_page_ms": latency(article_ms), "site_dashboard_ms": latency(site_ms),
        "csv_export": export,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--extra", type=int, default=20, help="more queries of each length 1-6")
    parser.add_argument("--article-pages", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="build the archive anew")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers")
    args = parser.parse_args()
    for engine in ["sqlite", "postgres"] if args.engine == "both" else [args.engine]:
        if args.rebuild or not is_built(engine, args.articles):
            build(engine, args.articles, args.seed)
        if args.build_only:
            continue
        print(json.dumps(measure(engine, args.articles, args.seed, args.extra,
                                 args.article_pages, args.workers), ensure_ascii=False),
              flush=True)


if __name__ == "__main__":
    main()
