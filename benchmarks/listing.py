"""Precision and recall of analyse_listing's article links on bench/zh-list-pages, and its speed."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from newsarchive.extract.listing import analyse_listing

DEFAULT_DATASET = Path(__file__).resolve().parents[2] / "shared" / "bench" / "zh-list-pages"
# Where each saved page was fetched from; the dataset gives only the site host.
PAGE_URLS = {
    "163-1": "https://news.163.com/",
    "163-2": "https://news.163.com/",
    "netease_forum-1": "https://n.netease.com/forum-9-1.html",
    "tieba-1": "https://tieba.baidu.com/f?kw=%E8%B4%B4%E5%90%A7%E7%83%AD%E8%AE%AE&ie=utf-8",
}


def page_url(truth: dict[str, Any]) -> str:
    """The page's own URL: known for the bench pages, else the host of its first expected link."""
    if truth.get("url"):
        return str(truth["url"])
    if truth["id"] in PAGE_URLS:
        return PAGE_URLS[truth["id"]]
    first = truth["links"][0]
    return first.split("/", 3)[0] + "//" + first.split("/", 3)[2] + "/"


def score_dataset(dataset: Path, repeat: int = 1) -> dict[str, Any]:
    """Per-page and overall (micro) precision/recall, plus mean milliseconds per page."""
    rows = []
    total_tp = total_pred = total_truth = 0
    elapsed = 0.0
    for line in (dataset / "links.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        body = (dataset / truth["file"]).read_bytes()
        url = page_url(truth)
        start = time.perf_counter()
        for _ in range(repeat):
            listing = analyse_listing(body, url)
        elapsed += (time.perf_counter() - start) / repeat
        predicted = [link.url for link in listing.article_links]
        expected = set(truth["links"])
        tp = len(set(predicted) & expected)
        total_tp, total_pred, total_truth = (
            total_tp + tp,
            total_pred + len(predicted),
            total_truth + len(expected),
        )
        rows.append(
            {
                "id": truth["id"],
                "expected": len(expected),
                "predicted": len(predicted),
                "precision": tp / len(predicted) if predicted else 0.0,
                "recall": tp / len(expected) if expected else 1.0,
                "order_kept": [u for u in predicted if u in expected]
                == [u for u in truth["links"] if u in set(predicted)],
                "next_pages": len(listing.next_pages),
                "missing": sorted(expected - set(predicted))[:5],
                "unwanted": [u for u in predicted if u not in expected][:5],
            }
        )
    return {
        "pages": rows,
        "precision": total_tp / total_pred if total_pred else 0.0,
        "recall": total_tp / total_truth if total_truth else 0.0,
        "macro_precision": sum(r["precision"] for r in rows) / len(rows),
        "macro_recall": sum(r["recall"] for r in rows) / len(rows),
        "ms_per_page": 1000 * elapsed / len(rows),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the table (or JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--repeat", type=int, default=3, help="runs per page for timing")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = score_dataset(args.dataset, args.repeat)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print(f"{'page':<18}{'truth':>6}{'pred':>6}{'P':>7}{'R':>7}{'order':>7}{'next':>6}")
    for r in result["pages"]:
        print(f"{r['id']:<18}{r['expected']:>6}{r['predicted']:>6}{r['precision']:>7.3f}"
              f"{r['recall']:>7.3f}{r['order_kept']!s:>7}{r['next_pages']:>6}")
        for u in r["missing"]:
            print(f"    missing  {u}")
        for u in r["unwanted"]:
            print(f"    unwanted {u}")
    print(f"{'overall (micro)':<30}{result['precision']:>7.3f}{result['recall']:>7.3f}")
    print(f"{'overall (macro)':<30}{result['macro_precision']:>7.3f}{result['macro_recall']:>7.3f}")
    print(
        f"speed: {result['ms_per_page']:.1f} ms/page "
        "(mean, analyse_listing incl. decoding and parsing)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
