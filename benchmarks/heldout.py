"""Seen vs unseen: ours and the best peer's figures on each side of the split, per set and pooled.

Example: .venv/bin/python -m benchmarks.heldout --out out/heldout
The split is benchmarks/split.py's. Peers' predictions are kept in --out and reused (they do not
change with our code); `--fresh-peers` runs them again. trafilatura always runs again, so the speed
ratio is measured in this run, side by side with ours, on the same pages. Only aggregate figures are
printed: the unseen pages are never listed one by one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.extraction import bench_modules, predict
from benchmarks.split import BENCH, POOLED, SIDES, split, truth_lines

PEERS = ("trafilatura", "readability-lxml", "gne", "newspaper4k", "goose3", "justext")
ZH_PEERS = ("goose3-zh", "newspaper4k-zh")
SPEED_PEER = "trafilatura"
# (column, score group, metric) in the order printed.
METRICS: tuple[tuple[str, str, str], ...] = (
    ("body F1", "body", "f1"),
    ("F1≥0.9", "body", "near"),
    ("page acc", "snippets", "page_accuracy"),
    ("title exact", "title", "exact"),
    ("date-day", "published", "day"),
    ("date-minute", "published", "minute"),
    ("authors F1", "authors", "f1"),
)
# Which prediction field a metric reads (a peer without that field is not ranked on it).
FIELD = {"body": "body", "snippets": "body", "title": "title", "published": "published",
         "authors": "authors"}


def _figure(summary: dict[str, Any], group: str, metric: str) -> float | None:
    """One mean from a score summary, or None when the side has no such pages."""
    value = summary.get(group, {}).get(metric)
    if isinstance(value, dict):
        return float(value["mean"])
    return None


def _predictions(score: Any, path: Path, pages: list[Any]) -> dict[str, Any]:
    """A predictions file as score.py reads it."""
    preds, _ = score.load_predictions(path, pages)
    return dict(preds)


def run(bench: Path, out: Path, datasets: list[str], fresh_peers: bool,
        timeout: float, speed: bool = True,
        wanted: tuple[str, ...] = SIDES) -> tuple[str, dict[str, Any]]:
    """Score every dataset's sides; the markdown report and the figures as data."""
    score, anchors = bench_modules(bench)
    anchors.quiet_libraries()
    by_name = {anchor.name: anchor for anchor in anchors.ANCHORS}
    rows_by: dict[tuple[str, str], list[dict[str, Any]]] = {}
    timing = {"ours": 0.0, SPEED_PEER: 0.0, "pages": 0}
    report: dict[str, Any] = {}
    kinds: dict[str, dict[str, dict[str, int]]] = {}
    for name in datasets:
        dataset = bench / name
        truths = truth_lines(dataset)
        sides = split(truths, bench)
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        predictions, elapsed, _ = predict(dataset, truths)
        timing["ours"] += elapsed
        timing["pages"] += len(truths)
        ours_file = folder / "newsarchive.jsonl"
        ours_file.write_text(
            "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8"
        )
        peers = list(PEERS) + (list(ZH_PEERS) if name.startswith("zh") else [])
        for peer in peers:
            path = folder / f"{peer}.jsonl"
            if (peer == SPEED_PEER and speed) or fresh_peers or not path.exists():
                info = anchors.run_anchor(by_name[peer], dataset, truths, folder, timeout)
                if peer == SPEED_PEER:
                    timing[SPEED_PEER] += float(info["seconds"])
        _, pages = score.load_dataset(dataset)
        side_ids = {side: {t["id"] for t in sides[side]} for side in SIDES}
        types = _page_types(predictions, side_ids, wanted)
        kinds[name] = types
        report[name] = {}
        for extractor in ["newsarchive", *peers]:
            preds = _predictions(score, folder / f"{extractor}.jsonl", pages)
            fields = (
                set(FIELD.values())
                if extractor == "newsarchive"
                else set(by_name[extractor].fields)
            )
            for side in wanted:
                subset = [page for page in pages if page.id in side_ids[side]]
                if not subset:
                    continue
                summary, rows = score.score(subset, preds, near=0.9, n_boot=0, seed=0)
                rows_by.setdefault((extractor, side), []).extend(
                    _only_fields(rows, fields)
                )
                report[name].setdefault(side, {"pages": len(subset)})[extractor] = {
                    column: value
                    for column, group, metric in METRICS
                    if FIELD[group] in fields
                    and (value := _figure(summary, group, metric)) is not None
                }
    kinds["zh-list-pages"] = _list_page_types(bench)
    pooled: dict[str, Any] = {}
    for (extractor, side), rows in rows_by.items():
        summary = score.aggregate(rows, 0, 0, False)
        pooled.setdefault(side, {"pages": 0})[extractor] = {
            column: value
            for column, group, metric in METRICS
            if (value := _figure(summary, group, metric)) is not None
        }
    for side in SIDES:
        if side in pooled:
            pooled[side]["pages"] = sum(report[n].get(side, {}).get("pages", 0) for n in report)
    report["pooled"] = pooled
    return render(report, kinds, timing), {"figures": report, "page_types": kinds,
                                            "timing": timing}


LIST_SET = "zh-list-pages"


def _list_page_types(bench: Path) -> dict[str, dict[str, int]]:
    """Our page types on the list pages (all of them lists; not split, they are shared)."""
    from newsarchive.extract import ExtractionError, extract

    counts: dict[str, int] = {}
    folder = bench / LIST_SET / "pages"
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            kind = str(extract(path.read_bytes(), f"http://bench.invalid/{path.name}").page_type)
        except ExtractionError as exc:
            kind = f"error:{type(exc).__name__}"
        counts[kind] = counts.get(kind, 0) + 1
    return {"all": counts} if counts else {}


def page_type_table(kinds: dict[str, dict[str, dict[str, int]]]) -> str:
    """Page-type precision and recall: every dev page is an article or thread, every list page a
    list; per dataset the pages typed each way."""
    names = sorted({kind for sides in kinds.values() for c in sides.values() for kind in c})
    lines = ["| set | side | pages | " + " | ".join(names) + " |", "|" + "---|" * (len(names) + 3)]
    typed_article = {"article": 0, "list": 0}
    articles = lists = 0
    for name, sides in kinds.items():
        for side, counts in sorted(sides.items(), key=lambda item: SIDES.index(item[0])
                                   if item[0] in SIDES else len(SIDES)):
            total = sum(counts.values())
            lines.append(f"| {name} | {side} | {total} | "
                         + " | ".join(str(counts.get(k, 0)) for k in names) + " |")
            if name == LIST_SET:
                lists += total
                typed_article["list"] += counts.get("article", 0)
            else:
                articles += total
                typed_article["article"] += counts.get("article", 0)
    said = typed_article["article"] + typed_article["list"]
    recall = typed_article["article"] / articles if articles else 0.0
    precision = typed_article["article"] / said if said else 0.0
    list_recall = (lists - typed_article["list"]) / lists if lists else 0.0
    lines += ["", f"article recall {recall:.3f} (dev pages typed article), article precision "
              f"{precision:.3f}, list pages kept out of articles {list_recall:.3f}"]
    return "\n".join(lines)


def _only_fields(rows: list[dict[str, Any]], fields: set[str]) -> list[dict[str, Any]]:
    """Score rows without the groups of fields an extractor never returns (not pooled as zeros)."""
    keep = {group for group, field in FIELD.items() if field in fields}
    return [
        {key: value for key, value in row.items() if key not in FIELD or key in keep}
        for row in rows
    ]


def _page_types(
    predictions: list[dict[str, Any]], side_ids: dict[str, set[str]],
    kinds_wanted: tuple[str, ...] = SIDES,
) -> dict[str, dict[str, int]]:
    """Our page types counted per side."""
    out: dict[str, dict[str, int]] = {}
    for prediction in predictions:
        side = next(s for s in SIDES if prediction["id"] in side_ids[s])
        if side not in kinds_wanted:
            continue
        kind = prediction.get("page_type") or "error"
        out.setdefault(side, {})
        out[side][kind] = out[side].get(kind, 0) + 1
    return out


def render(report: dict[str, Any], kinds: dict[str, Any], timing: dict[str, Any]) -> str:
    """The markdown tables: per dataset, ours seen/unseen and the best peer on each side."""
    lines = []
    for name, sides in report.items():
        columns = [
            column for column, _, _ in METRICS
            if any(column in figures.get("newsarchive", {}) for figures in sides.values())
        ]
        lines += [f"### {name}", "", "| side | pages | extractor | " + " | ".join(columns) + " |",
                  "|" + "---|" * (len(columns) + 3)]
        for side in SIDES:
            if side not in sides:
                continue
            figures = sides[side]
            ours = figures.get("newsarchive", {})
            cells = [f"{ours[c]:.3f}" if c in ours else "-" for c in columns]
            lines.append(f"| {side} | {figures['pages']} | ours | " + " | ".join(cells) + " |")
            best = []
            for column in columns:
                ranked = [
                    (values[column], peer)
                    for peer, values in figures.items()
                    if peer not in ("pages", "newsarchive") and column in values
                ]
                best.append(f"{max(ranked)[0]:.3f} {max(ranked)[1]}" if ranked else "-")
            lines.append(f"| {side} | {figures['pages']} | best peer | " + " | ".join(best) + " |")
        lines.append("")
    lines += ["### page type", "", page_type_table(kinds), ""]
    ours_rate = timing["pages"] / timing["ours"] if timing["ours"] else 0.0
    peer_rate = timing["pages"] / timing[SPEED_PEER] if timing[SPEED_PEER] else 0.0
    if not timing[SPEED_PEER]:
        return "\n".join(lines)
    lines.append(
        f"speed on all {timing['pages']} pages, this run: ours {ours_rate:.1f} pages/s, "
        f"{SPEED_PEER} {peer_rate:.1f} pages/s, ratio {ours_rate / peer_rate:.2f}"
        if peer_rate else f"speed: ours {ours_rate:.1f} pages/s"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the seen/unseen report; write it as JSON beside the predictions."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bench", type=Path, default=BENCH)
    parser.add_argument("--out", type=Path, default=Path("out/heldout"))
    parser.add_argument("--datasets", default=",".join(POOLED))
    parser.add_argument("--fresh-peers", action="store_true")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--no-speed", action="store_true",
                        help="reuse trafilatura's kept predictions too (no speed ratio)")
    parser.add_argument("--seen-only", action="store_true",
                        help="score the seen side only (for work on the extractor)")
    args = parser.parse_args(argv)
    text, data = run(args.bench, args.out, [d for d in args.datasets.split(",") if d],
                     args.fresh_peers, args.timeout, speed=not args.no_speed,
                     wanted=("seen",) if args.seen_only else SIDES)
    (args.out / "heldout.json").write_text(json.dumps(data, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    print(text)
    print(f"(figures as JSON: {args.out / 'heldout.json'})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
