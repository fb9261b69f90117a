"""Score our extract() and the peer extractors side by side on bench-format datasets, in one table
each.

Example: .venv/bin/python -m benchmarks.extraction zh-classic-dev zh-news-dev --out out/extraction
Peers are called through ../shared/bench/anchors.py (imported at run time only); `--peers none` runs
ours alone.
Columns: body P/R/F1, share of pages at F1>=0.9, with/without snippets, title exact, date
day/minute, authors F1, pages/s, and pages/s relative to trafilatura's in the same run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from newsarchive.extract import ExtractionError, extract

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
# Bench pages have no fetch URL of their own when the truth gives none; any stable URL will do.
PLACEHOLDER_URL = "http://bench.invalid/{id}.html"
OURS = "newsarchive"
BASELINE = Path(__file__).resolve().parent / "baseline.json"
DEFAULT_PEERS = (
    "trafilatura",
    "trafilatura-nocomments",
    "readability-lxml",
    "gne",
    "newspaper4k",
    "goose3",
    "justext",
)
ZH_PEERS = ("goose3-zh", "newspaper4k-zh")
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("body P", "body", "precision"),
    ("body R", "body", "recall"),
    ("body F1", "body", "f1"),
    ("F1≥0.9", "body", "near"),
    ("with", "snippets", "with_found_share"),
    ("without", "snippets", "without_absent_share"),
    ("title exact", "title", "exact"),
    ("date-day", "published", "day"),
    ("date-minute", "published", "minute"),
    ("authors F1", "authors", "f1"),
)


def bench_modules(bench: Path) -> tuple[ModuleType, ModuleType]:
    """score.py and anchors.py from the bench folder (never imported by the product)."""
    # Loaded from their files: anchors.py imports its neighbour as `score`.
    score = _load_module("score", bench / "score.py")
    anchors = _load_module("anchors", bench / "anchors.py")
    return score, anchors


def _load_module(name: str, path: Path) -> ModuleType:
    """The module in `path`, imported once under `name`."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def truth_pages(dataset: Path) -> list[dict[str, Any]]:
    """The dataset's truth lines, with `file` relative to pages/."""
    pages = []
    for line in (dataset / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            truth = json.loads(line)
            truth["file"] = str(truth["file"]).removeprefix("pages/")
            pages.append(truth)
    return pages


def predict(
    dataset: Path, pages: list[dict[str, Any]] | None = None
) -> tuple[list[dict[str, Any]], float, dict[str, int]]:
    """Our prediction per page, the seconds spent inside extract(), and counts of errors and page
    types. """
    predictions: list[dict[str, Any]] = []
    elapsed = 0.0
    counts: dict[str, int] = {}
    pages = pages if pages is not None else truth_pages(dataset)
    if pages:
        # One untimed call first, as anchors.run_anchor does for every peer (lazy imports, one-off
        # set-up).
        try:
            extract(
                (dataset / "pages" / pages[0]["file"]).read_bytes(),
                pages[0].get("url") or PLACEHOLDER_URL.format(id=pages[0]["id"]),
                {},
            )
        except ExtractionError:
            pass
    for truth in pages:
        raw = (dataset / "pages" / truth["file"]).read_bytes()
        url = truth.get("url") or PLACEHOLDER_URL.format(id=truth["id"])
        started = time.perf_counter()
        try:
            article = extract(raw, url, {})
        except ExtractionError as exc:
            elapsed += time.perf_counter() - started
            key = f"error:{type(exc).__name__}"
            counts[key] = counts.get(key, 0) + 1
            predictions.append({"id": truth["id"], "page_type": key})
            continue
        elapsed += time.perf_counter() - started
        counts[article.page_type] = counts.get(article.page_type, 0) + 1
        predictions.append({
            "id": truth["id"],
            "body": article.body,
            "title": article.title,
            "published": article.published.isoformat() if article.published else None,
            "authors": article.authors,
            "page_type": str(article.page_type),
        })
    return predictions, elapsed, counts


def summarise(
    score: ModuleType, dataset: Path, pred_file: Path, per_page: int = 0
) -> tuple[dict[str, Any], str]:
    """score.py's summary of one predictions file (no bootstrap), and its worst pages as text."""
    _, pages = score.load_dataset(dataset)
    preds, _ = score.load_predictions(pred_file, pages)
    summary, rows = score.score(pages, preds, near=0.9, n_boot=0, seed=0)
    worst = score.render_pages(rows, per_page) if per_page else ""
    return summary, worst


def headline(summary: dict[str, Any]) -> dict[str, float]:
    """The figures of COLUMNS present in a score summary, by column name."""
    out: dict[str, float] = {}
    for name, group, key in COLUMNS:
        value = summary.get(group, {}).get(key)
        if isinstance(value, dict):
            value = value["mean"]
        if value is not None:
            out[name] = float(value)
    return out


def table(rows: list[tuple[str, dict[str, float], float | None]]) -> str:
    """One markdown table: extractor, the COLUMNS present, pages/s and the ratio to trafilatura."""
    names = [name for name, _, _ in COLUMNS if any(name in figures for _, figures, _ in rows)]
    rates = {extractor: rate for extractor, _, rate in rows}
    reference = rates.get("trafilatura")
    header = ["extractor", *names, "pages/s", "× trafilatura"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for extractor, figures, rate in rows:
        cells = [extractor] + [f"{figures[n]:.3f}" if n in figures else "-" for n in names]
        cells.append(f"{rate:.1f}" if rate else "-")
        cells.append(f"{rate / reference:.2f}" if rate and reference else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_dataset(dataset: Path, out: Path, bench: Path, peers: list[str], per_page: int = 0,
                timeout: float = 20.0) -> str:
    """Run ours and `peers` on one dataset; the markdown section for it."""
    score, anchors = bench_modules(bench)
    out.mkdir(parents=True, exist_ok=True)
    pages = truth_pages(dataset)
    predictions, elapsed, counts = predict(dataset, pages)
    ours_file = out / f"{OURS}.jsonl"
    ours_file.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8"
    )
    summary, worst = summarise(score, dataset, ours_file, per_page)
    rows = [(OURS, headline(summary), len(pages) / elapsed if elapsed else None)]
    if peers:
        anchors.quiet_libraries()
        by_name = {anchor.name: anchor for anchor in anchors.ANCHORS}
        for name in peers:
            anchor = by_name[name]
            info = anchors.run_anchor(anchor, dataset, pages, out, timeout)
            peer_summary, _ = summarise(score, dataset, out / f"{name}.jsonl")
            figures = {
                k: v for k, v in headline(peer_summary).items() if COLUMNS_FIELD[k] in anchor.fields
            }
            rows.append((name, figures, info.get("pages_per_second")))
    text = [f"### {dataset.name}: {len(pages)} pages; ours: {counts}", "", table(rows), ""]
    if worst:
        text += ["```", worst, "```", ""]
    return "\n".join(text)


# Which prediction field each column scores (a peer that never returns a field gets '-').
COLUMNS_FIELD = {name: {"snippets": "body"}.get(group, group) for name, group, _ in COLUMNS}


def our_figures(dataset: Path, bench: Path) -> dict[str, float]:
    """Our headline figures on one dataset, as the quality gate compares them."""
    score, _ = bench_modules(bench)
    predictions, _, counts = predict(dataset)
    _, pages = score.load_dataset(dataset)
    preds = {
        p["id"]: score.Prediction(
            body=p.get("body"),
            title=p.get("title"),
            published=p.get("published"),
            authors=p.get("authors"),
            line=i + 1,
        )
        for i, p in enumerate(predictions)
    }
    summary, _ = score.score(pages, preds, near=0.9, n_boot=0, seed=0)
    figures = {
        name: round(value, 4)
        for name, value in headline(summary).items()
        if name not in ("body P", "body R")
    }
    # Every dev page is an article or a thread: the share typed so is the page type's recall.
    figures["typed article"] = round(counts.get("article", 0) / len(predictions), 4)
    return figures


LIST_PAGES = "zh-list-pages"


def list_page_types(bench: Path) -> dict[str, str]:
    """Our page type for each of the list pages (every one of them a section list)."""
    out: dict[str, str] = {}
    folder = bench / LIST_PAGES / "pages"
    for path in sorted(folder.iterdir()):
        try:
            out[path.name] = str(extract(path.read_bytes(), f"http://bench.invalid/{path.name}",
                                         {}).page_type)
        except ExtractionError as exc:
            out[path.name] = f"error:{type(exc).__name__}"
    return out


def record_baseline(datasets: list[Path], bench: Path) -> None:
    """Raise the floors in baseline.json to our current figures; a floor is never lowered, and
    datasets not named here keep theirs (a figure that fell is reported on stderr instead)."""
    data = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    data.setdefault("tolerance", 0.01)
    floors: dict[str, dict[str, float]] = data.setdefault("datasets", {})
    for dataset in datasets:
        old = floors.get(dataset.name, {})
        new = our_figures(dataset, bench)
        for name, value in new.items():
            if name in old and value < old[name]:
                print(
                    f"{dataset.name} {name}: {value} is below the floor {old[name]}; floor kept",
                    file=sys.stderr,
                )
        floors[dataset.name] = {
            **old,
            **{name: max(value, old.get(name, value)) for name, value in new.items()},
        }
    BASELINE.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Print one side-by-side table per dataset; exit 0."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("datasets", nargs="+", help="dataset folders, or names under --bench")
    parser.add_argument(
        "--bench", type=Path, default=BENCH, help="folder holding score.py, anchors.py, datasets"
    )
    parser.add_argument("--out", type=Path, default=Path("out/extraction"))
    parser.add_argument(
        "--peers",
        default="default",
        help="comma-separated anchor names, 'default' (all text extractors), or 'none'",
    )
    parser.add_argument("--per-page", type=int, default=0, help="also list our N worst pages")
    parser.add_argument(
        "--timeout", type=float, default=20.0, help="per-page cap for peers, seconds"
    )
    parser.add_argument(
        "--record-baseline",
        action="store_true",
        help=f"write our figures for these datasets into {BASELINE.name} (the CI quality floor)",
    )
    args = parser.parse_args(argv)
    if args.record_baseline:
        record_baseline(
            [Path(n) if Path(n).is_dir() else args.bench / n for n in args.datasets], args.bench
        )
        print(BASELINE.read_text(encoding="utf-8"))
        return 0
    for name in args.datasets:
        dataset = Path(name) if Path(name).is_dir() else args.bench / name
        if args.peers == "none":
            peers: list[str] = []
        elif args.peers == "default":
            peers = list(DEFAULT_PEERS) + (list(ZH_PEERS) if dataset.name.startswith("zh") else [])
        else:
            peers = [p for p in args.peers.split(",") if p]
        print(
            run_dataset(
                dataset, args.out / dataset.name, args.bench, peers, args.per_page, args.timeout
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
