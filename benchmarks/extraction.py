"""Run extract() over a bench-format dataset, write predictions JSONL, print score.py's table and our speed.

Example: .venv/bin/python benchmarks/extraction.py zh-classic-dev zh-news-dev en-articles --out out/extraction
With --anchors it also runs the peer extractors through the bench's anchors.py (needs their libraries).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from newsarchive.extract import ExtractionError, extract

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
# Bench pages have no fetch URL of their own when the truth gives none; any stable URL will do.
PLACEHOLDER_URL = "http://bench.invalid/{id}.html"


def predict(dataset: Path) -> tuple[list[dict[str, Any]], float, dict[str, int]]:
    """One prediction per page, the seconds spent inside extract(), and counts of errors and page types."""
    predictions: list[dict[str, Any]] = []
    elapsed = 0.0
    counts: dict[str, int] = {}
    for line in (dataset / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        file = truth["file"] if str(truth["file"]).startswith("pages/") else f"pages/{truth['file']}"
        body = (dataset / file).read_bytes()
        url = truth.get("url") or PLACEHOLDER_URL.format(id=truth["id"])
        started = time.perf_counter()
        try:
            article = extract(body, url, {})
        except ExtractionError as exc:
            elapsed += time.perf_counter() - started
            counts[f"error:{type(exc).__name__}"] = counts.get(f"error:{type(exc).__name__}", 0) + 1
            predictions.append({"id": truth["id"]})
            continue
        elapsed += time.perf_counter() - started
        counts[article.page_type] = counts.get(article.page_type, 0) + 1
        predictions.append({
            "id": truth["id"],
            "body": article.body,
            "title": article.title,
            "published": article.published.isoformat() if article.published else None,
            "authors": article.authors,
        })
    return predictions, elapsed, counts


def main(argv: list[str] | None = None) -> int:
    """Score each named dataset; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", default=["zh-classic-dev", "zh-news-dev", "en-articles"])
    parser.add_argument("--bench", type=Path, default=BENCH, help="folder holding the datasets and score.py")
    parser.add_argument("--out", type=Path, default=Path("out/extraction"))
    parser.add_argument("--per-page", type=int, default=0, help="also list the N worst pages")
    parser.add_argument("--anchors", action="store_true", help="also run the peers via anchors.py")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.datasets:
        dataset = args.bench / name if not Path(name).is_dir() else Path(name)
        predictions, elapsed, counts = predict(dataset)
        pred_file = args.out / f"{dataset.name}.jsonl"
        pred_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8")
        rate = len(predictions) / elapsed if elapsed else float("inf")
        print(f"## {dataset.name}: {len(predictions)} pages, {rate:.0f} pages/s, {counts}")
        command = [sys.executable, str(args.bench / "score.py"), "--dataset", str(dataset), "--pred", str(pred_file)]
        if args.anchors:
            peers = args.out / f"anchors-{dataset.name}"
            lang = ["--lang", "zh"] if dataset.name.startswith("zh") else []
            subprocess.run([sys.executable, str(args.bench / "anchors.py"), "--dataset", str(dataset),
                            "--out", str(peers), *lang], check=False)
            command += [str(path) for p in sorted(peers.glob("*.jsonl")) for path in ("--pred", p)]
        if args.per_page:
            command += ["--per-page", str(args.per_page)]
        subprocess.run(command, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
