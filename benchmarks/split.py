"""The seen/unseen split of the pooled dev sets: a third of each set's hosts is held out by hash.

Rule: a page's host is the site name in its URL's host: the label before the public suffix
('news.163.com' and 'tech.163.com' -> '163', 'www.bbc.co.uk' -> 'bbc'), so one portal's sections
never fall on both sides. A page without a URL uses its truth `site`, else its file name up to the
last '-' ('thepaper-2.html' -> 'thepaper'). Within
each dataset the hosts are ordered by sha256('newsarchive-split-1:' + host) and taken in that order
into the unseen side until it holds a third of the dataset's pages; a host held out in one dataset
is held out in all of them. Every page of a host stays on one side, so a host's template is never
learnt from and then scored.
Work on the extractor looks only at seen pages one by one; unseen pages are read only as aggregate
figures (benchmarks.heldout prints them).

Example: .venv/bin/python -m benchmarks.split            # pages and hosts per side, per dataset
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
# The dev sets pooled for every judgement (zh-list-pages has no truth.jsonl: it is scored for page
# type only, and is never split).
POOLED = (
    "en-articles",
    "zh-classic-dev",
    "zh-news-dev",
    "magic-articles-dev",
    "magic-forums-dev",
    "n4k-dev",
    "goose3-dev",
)
SALT = "newsarchive-split-1:"
SIDES = ("seen", "unseen")


# Second-level labels under a country code that are part of the public suffix ('com.cn', 'co.uk').
_SUFFIX_LABELS = frozenset({"com", "net", "org", "gov", "edu", "co", "ac", "ne", "or", "go", "gob"})


def host_of(truth: dict[str, Any]) -> str:
    """The site a page is grouped by: its URL host's site label, else its `site`, else its file's
    prefix. """
    host = (urlsplit(str(truth.get("url") or "")).hostname or str(truth.get("site") or "")).lower()
    if host:
        labels = host.split(".")[:-1] or [host]
        if len(labels) > 1 and labels[-1] in _SUFFIX_LABELS:
            labels = labels[:-1]
        return labels[-1]
    stem = Path(str(truth["file"])).stem
    return stem.rsplit("-", 1)[0].lower() if "-" in stem else stem.lower()


def host_rank(host: str) -> str:
    """A host's place in the hash order."""
    return hashlib.sha256((SALT + host).encode("utf-8")).hexdigest()


def unseen_hosts(pages: Iterable[dict[str, Any]]) -> set[str]:
    """The hosts of one dataset held out: first in hash order, until they hold a third of its pages.
    """
    counts: dict[str, int] = {}
    for truth in pages:
        host = host_of(truth)
        counts[host] = counts.get(host, 0) + 1
    target = sum(counts.values()) / 3
    held: set[str] = set()
    taken = 0
    for host in sorted(counts, key=host_rank):
        if taken >= target:
            break
        held.add(host)
        taken += counts[host]
    return held


def truth_lines(dataset: Path) -> list[dict[str, Any]]:
    """The truth lines of a dataset folder, `file` relative to pages/."""
    pages = []
    for line in (dataset / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            truth = json.loads(line)
            truth["file"] = str(truth["file"]).removeprefix("pages/")
            pages.append(truth)
    return pages


@lru_cache(maxsize=4)
def held_out(bench: Path = BENCH) -> frozenset[str]:
    """The hosts held out of every pooled dataset (the union of each dataset's third)."""
    held: set[str] = set()
    for name in POOLED:
        if (bench / name / "truth.jsonl").is_file():
            held |= unseen_hosts(truth_lines(bench / name))
    return frozenset(held)


def split(
    pages: Iterable[dict[str, Any]], bench: Path = BENCH
) -> dict[str, list[dict[str, Any]]]:
    """Pages by side."""
    held = held_out(bench)
    out: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    for truth in pages:
        out["unseen" if host_of(truth) in held else "seen"].append(truth)
    return out


def seen_pages(bench: Path = BENCH, datasets: Iterable[str] = POOLED) -> list[tuple[str, dict]]:
    """(dataset name, truth) for every seen page of the pooled sets: what training may read."""
    return [
        (name, truth)
        for name in datasets
        if (bench / name / "truth.jsonl").is_file()
        for truth in split(truth_lines(bench / name), bench)["seen"]
    ]


def main(argv: list[str] | None = None) -> int:
    """Print pages and hosts on each side of every pooled dataset."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bench", type=Path, default=BENCH)
    args = parser.parse_args(argv)
    print("| dataset | pages | seen pages | unseen pages | seen hosts | unseen hosts |")
    print("|---|---|---|---|---|---|")
    for name in POOLED:
        if not (args.bench / name / "truth.jsonl").is_file():
            continue
        sides = split(truth_lines(args.bench / name), args.bench)
        hosts = {side: {host_of(t) for t in pages} for side, pages in sides.items()}
        total = sum(len(p) for p in sides.values())
        print(f"| {name} | {total} | {len(sides['seen'])} | {len(sides['unseen'])} | "
              f"{len(hosts['seen'])} | {len(hosts['unseen'])} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
