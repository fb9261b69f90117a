"""Per-site profiles measured: on each host with 3+ dev pages, learn from the others, score one.

Example: .venv/bin/python -m benchmarks.profile
Hosts are pooled across the dev sets (a cnn.com page of one set learns from cnn.com pages of the
others too); pages without a URL are grouped by their file's site prefix. Each page is extracted
twice, without and with the profile learnt from the host's other pages, and both are scored with
its own dataset's truth. Only aggregates are printed, per side of benchmarks/split.py.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.extraction import PLACEHOLDER_URL, bench_modules
from benchmarks.heldout import METRICS, _figure
from benchmarks.split import BENCH, POOLED, SIDES, host_of, split, truth_lines
from newsarchive.extract import ExtractionError, SiteProfile, extract
from newsarchive.extract.profile import page_fingerprints

MIN_HOST_PAGES = 3


def _host(truth: dict[str, Any]) -> str:
    """The exact host name of a page's URL, else the split's site key."""
    return (urlsplit(str(truth.get("url") or "")).hostname or "").lower() or host_of(truth)


def _prediction(raw: bytes, truth: dict[str, Any], profile: SiteProfile | None) -> dict[str, Any]:
    """One page's prediction, with or without a profile."""
    url = truth.get("url") or PLACEHOLDER_URL.format(id=truth["id"])
    try:
        article = extract(raw, url, {}, profile=profile)
    except ExtractionError:
        return {}
    return {"body": article.body, "title": article.title, "authors": article.authors,
            "published": article.published.isoformat() if article.published else None}


def run(bench: Path) -> str:
    """The with/without table per side."""
    score, _ = bench_modules(bench)
    pages: dict[str, list[tuple[str, dict[str, Any], bytes]]] = defaultdict(list)
    sides: dict[str, str] = {}
    for name in POOLED:
        truths = truth_lines(bench / name)
        for side, members in split(truths, bench).items():
            for truth in members:
                sides[truth["id"]] = side
        for truth in truths:
            raw = (bench / name / "pages" / truth["file"]).read_bytes()
            pages[_host(truth)].append((name, truth, raw))
    hosts = {host: group for host, group in pages.items() if len(group) >= MIN_HOST_PAGES}
    marks: dict[str, frozenset[str]] = {}
    for group in hosts.values():
        for _, truth, raw in group:
            url = truth.get("url") or PLACEHOLDER_URL.format(id=truth["id"])
            try:
                marks[truth["id"]] = page_fingerprints(raw, url)
            except ExtractionError:
                marks[truth["id"]] = frozenset()
    rows: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    counted: dict[str, int] = defaultdict(int)
    for host, group in hosts.items():
        for name, truth, raw in group:
            others = [marks[t["id"]] for _, t, _ in group if t["id"] != truth["id"]]
            profile = SiteProfile.learn(host, others)
            _, dataset_pages = score.load_dataset(bench / name)
            page = next(p for p in dataset_pages if p.id == truth["id"])
            side = sides[truth["id"]]
            counted[side] += 1
            for label, used in (("without", None), ("with profile", profile)):
                predicted = _prediction(raw, truth, used)
                pred = score.Prediction(**{k: predicted.get(k) for k in
                                           ("body", "title", "published", "authors")})
                rows[(side, label)].append(score.score_page(page, pred, 0.9, False))
    lines = [f"hosts with {MIN_HOST_PAGES}+ pages: {len(hosts)} "
             f"({', '.join(sorted(hosts))})", "",
             "| side | pages | extractor | " + " | ".join(c for c, _, _ in METRICS) + " |",
             "|" + "---|" * (len(METRICS) + 3)]
    for side in SIDES:
        for label in ("without", "with profile"):
            if not rows[(side, label)]:
                continue
            summary = score.aggregate(rows[(side, label)], 0, 0, False)
            cells = []
            for _, group_name, metric in METRICS:
                value = _figure(summary, group_name, metric)
                cells.append(f"{value:.3f}" if value is not None else "-")
            lines.append(f"| {side} | {counted[side]} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bench", type=Path, default=BENCH)
    args = parser.parse_args(argv)
    print(run(args.bench))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
