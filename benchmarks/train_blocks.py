"""Train and validate the block model (benchmarks/blocks.py) on the seen dev pages.

Example: .venv/bin/python -m benchmarks.train_blocks --check    # validate only
         .venv/bin/python -m benchmarks.train_blocks --out out/blocks.json   # and write weights
Rows are every segment of the seen pages of the dev sets that
have a body truth; a segment is article text when most of its characters appear in the truth body.
Validation is leave-one-host-out (every host's pages are scored by a model trained without that
host). The figures: character-weighted P/R/F1 of the text kept by the rules alone, by the model
alone, by the rules filtered by the model and by the rules plus the model, per threshold. The
final model is trained on every seen row. Reproducible: fixed seed, fixed order, L2 penalty.
Needs numpy (a bench extra).
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.blocks import FEATURES, block_rows, model_dict
from benchmarks.extraction import PLACEHOLDER_URL
from benchmarks.split import BENCH, host_of, seen_pages
from newsarchive.extract import ExtractionError
from newsarchive.extract.clean import clean_tree, parse, segments
from newsarchive.extract.content import find_content
from newsarchive.extract.decode import decode_html
from newsarchive.extract.owner import is_blog_page

BODY_SETS = ("en-articles", "zh-classic-dev", "magic-articles-dev", "magic-forums-dev", "n4k-dev")
SEED = 13
WHOLE_PAGE = True
L2 = 1.0
STEPS = 60
_NON_WORD_RE = re.compile(r"[\W_]+")
_SHINGLE = 8


def _norm(text: str) -> str:
    """Text as compared with the truth: NFKC, lower case, letters and digits only."""
    return _NON_WORD_RE.sub("", unicodedata.normalize("NFKC", text).lower())


def _label(text: str, truth: str) -> float | None:
    """1.0 when most of a block's text is in the truth body, 0.0 when little is; None when too
    short to tell."""
    core = _norm(text)
    if len(core) < _SHINGLE:
        return None
    if core in truth:
        return 1.0
    pieces = [core[i:i + _SHINGLE] for i in range(0, len(core) - _SHINGLE + 1, _SHINGLE)]
    share = sum(1 for piece in pieces if piece in truth) / len(pieces)
    return 1.0 if share >= 0.5 else 0.0


def rows(bench: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Feature matrix, labels, character weights and host of every labelled seen block."""
    x: list[list[float]] = []
    y: list[float] = []
    w: list[float] = []
    hosts: list[str] = []
    for name, truth in seen_pages(bench, BODY_SETS):
        if not truth.get("body"):
            continue
        url = truth.get("url") or PLACEHOLDER_URL.format(id=truth["id"])
        raw = (bench / name / "pages" / truth["file"]).read_bytes()
        try:
            tree = clean_tree(parse(decode_html(raw, {}, url=url).text, url))
        except ExtractionError:
            continue
        segs = segments(tree)
        content = find_content(segs, threads=not is_blog_page(url))
        if content is None:
            continue
        body = _norm(truth["body"])
        rated = segs if WHOLE_PAGE else content.segments
        for seg, row in zip(rated, block_rows(segs, content.segments, rated), strict=True):
            text = "".join(raw for raw, _, _ in seg.lines())
            label = _label(text, body)
            if label is None:
                continue
            x.append([row.get(feature, 0.0) for feature in FEATURES])
            y.append(label)
            w.append(float(len(_norm(text))))
            hosts.append(host_of(truth))
    return np.array(x), np.array(y), np.array(w), hosts


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logistic regression by Newton steps with an L2 penalty (the bias unpenalised)."""
    beta = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], L2)
    penalty[FEATURES.index("bias")] = 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (p - y) + penalty * beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return beta


def validate(x: np.ndarray, y: np.ndarray, w: np.ndarray, hosts: list[str]) -> dict[str, Any]:
    """Leave-one-host-out probabilities, and kept-text P/R/F1 by threshold."""
    groups = np.array(hosts)
    held = np.zeros(len(y))
    for host in sorted(set(hosts)):
        test = groups == host
        held[test] = 1.0 / (1.0 + np.exp(-np.clip(x[test] @ fit(x[~test], y[~test]), -30, 30)))
    total_true = float(np.sum(w * y))
    rule = x[:, FEATURES.index("in_content")] == 1.0
    rule_right = float(np.sum(w[rule] * y[rule]))
    rule_p = rule_right / float(np.sum(w[rule])) if rule.any() else 0.0
    rule_r = rule_right / total_true if total_true else 0.0
    rule_f1 = 2 * rule_p * rule_r / (rule_p + rule_r) if rule_p + rule_r else 0.0
    table: dict[Any, Any] = {"rules alone": {"precision": round(rule_p, 4),
                                             "recall": round(rule_r, 4), "f1": round(rule_f1, 4)}}
    for threshold in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
      for mode in ("model", "rules-and", "rules-or"):
        if mode == "model":
            keep = held >= threshold
        elif mode == "rules-and":
            keep = rule & (held >= threshold)
        else:
            keep = rule | (held >= threshold)
        kept = float(np.sum(w[keep]))
        right = float(np.sum(w[keep] * y[keep]))
        precision = right / kept if kept else 0.0
        recall = right / total_true if total_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[f"{mode}@{threshold}"] = {"precision": round(precision, 4),
                                        "recall": round(recall, 4), "f1": round(f1, 4)}
    accuracy = float(np.mean((held >= 0.5) == (y == 1.0)))
    return {"hosts": len(set(hosts)), "blocks": int(len(y)), "article_share": round(
        float(np.mean(y)), 4), "accuracy@0.5": round(accuracy, 4), "by_threshold": table}


def main(argv: list[str] | None = None) -> int:
    """Validate leave-one-host-out; unless --check, train on all seen blocks and write the model."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bench", type=Path, default=BENCH)
    parser.add_argument("--check", action="store_true", help="validate only, write nothing")
    parser.add_argument("--out", type=Path, default=Path("out/blocks.json"))
    args = parser.parse_args(argv)
    np.random.seed(SEED)  # the fit is deterministic; the seed pins anything that is not
    x, y, w, hosts = rows(args.bench)
    report = validate(x, y, w, hosts)
    print(json.dumps(report, indent=1))
    # The model is used as a filter on the rules' content (see newsarchive/extract/blocks.py).
    best_key = max((t for t in report["by_threshold"] if t.startswith("rules-and@")),
                   key=lambda t: report["by_threshold"][t]["f1"])
    best = float(best_key.split("@")[1])
    print(f"threshold {best}: {report['by_threshold'][best_key]}")
    if not args.check:
        beta = fit(x, y)
        weights = dict(zip(FEATURES, (float(b) for b in beta), strict=True))
        meta = {"seed": SEED, "l2": L2, "validation": "leave-one-host-out on the seen split",
                **{k: v for k, v in report.items() if k != "by_threshold"},
                "at_threshold": report["by_threshold"][best_key],
                "rules_alone": report["by_threshold"]["rules alone"]}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(model_dict(weights, best, meta), indent=1) + "\n",
                            encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
