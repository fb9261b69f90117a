"""The CPU an SQLite full-text index of Chinese text costs per article, with nothing else written.

The archive benchmark's insert target (2,000 articles/s on SQLite) leaves 0.5 ms of CPU per
article for everything: this prints what the index alone takes, in a bare in-memory FTS5 table
fed the benchmark's synthetic articles (benchmarks/archive.py's TextMaker), for the trigram
tokenizer as the archive uses it (detail=none, no content), its tuning knobs, and the
alternative of bigram tokens made in Python. CPU time (process_time), so a busy second core
does not move the figures.

    .venv/bin/python -m benchmarks.fts_floor [--articles 6000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time

from benchmarks.archive import TextMaker  # the archive benchmark's generator

TRIGRAM = "tokenize='trigram', detail=none, columnsize=0, content=''"
BATCH = 200  # articles per transaction, as the store writes them


def texts(articles: int) -> list[tuple[int, str, str]]:
    maker = TextMaker(7)
    rows = []
    for n in range(articles):
        article, _ = maker.article(n)
        rows.append((n + 1, article.title or "", article.body))
    return rows


def bigrams(text: str) -> str:
    """A text's distinct character pairs as space-separated tokens (what a bigram index holds)."""
    folded = text.lower()
    return " ".join({folded[i:i + 2] for i in range(len(folded) - 1)
                     if not folded[i].isspace() and not folded[i + 1].isspace()})


def insert_us(rows: list[tuple[int, str, str]], options: str, setup: str | None = None) -> float:
    """CPU µs per article to index `rows` in an FTS5 table with `options`."""
    connection = sqlite3.connect(":memory:")
    connection.execute(f"CREATE VIRTUAL TABLE s USING fts5(title, body, {options})")
    if setup:
        connection.execute(setup)
    started = time.process_time()
    for start in range(0, len(rows), BATCH):
        with connection:
            connection.executemany("INSERT INTO s(rowid, title, body) VALUES (?, ?, ?)",
                                   rows[start:start + BATCH])
    return (time.process_time() - started) / len(rows) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=6000)
    args = parser.parse_args()
    rows = texts(args.articles)
    started = time.process_time()
    pairs = [(i, bigrams(title), bigrams(body)) for i, title, body in rows]
    bigram_python_us = (time.process_time() - started) / len(rows) * 1e6
    report = {
        "sqlite": sqlite3.sqlite_version,
        "articles": len(rows),
        "characters_per_article": round(sum(len(t) + len(b) for _, t, b in rows) / len(rows)),
        "cpu_us_per_article": {
            "trigram (the archive's index)": insert_us(rows, TRIGRAM),
            "trigram, automerge 0 (segments never merged)": insert_us(
                rows, TRIGRAM, "INSERT INTO s(s, rank) VALUES('automerge', 0)"),
            "trigram, hashsize 128 KiB": insert_us(
                rows, TRIGRAM, "INSERT INTO s(s, rank) VALUES('hashsize', 131072)"),
            "trigram, hashsize 8 MiB": insert_us(
                rows, TRIGRAM, "INSERT INTO s(s, rank) VALUES('hashsize', 8388608)"),
            "trigram, case_sensitive 1": insert_us(
                rows, TRIGRAM.replace("'trigram'", "'trigram case_sensitive 1'")),
            "bigram tokens (ascii tokenizer), insert only": insert_us(
                pairs, TRIGRAM.replace("'trigram'", "'ascii'")),
            "bigram tokens, making them in Python": bigram_python_us,
        },
        "budget_us_per_article_at_2000_per_s": 500,
    }
    report["cpu_us_per_article"] = {k: round(v) for k, v in report["cpu_us_per_article"].items()}
    for name, value in report["cpu_us_per_article"].items():
        print(f"{value:>6} µs  {name}")
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
