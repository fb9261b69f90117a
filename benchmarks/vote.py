"""A vote with other extractors where ours may be wrong: measured on the pooled dev sets.

For every dev page: our body, trafilatura's and readability-lxml's (the peers' predictions that
`benchmarks.heldout --out DIR` keeps in DIR), and each one's score. Then the figures, seen and
unseen side by side, of choosing per page:

- ours; trafilatura; readability-lxml; the best of ours and trafilatura per page (an oracle: the
  ceiling of any vote between the two);
- the medoid of the three (the body agreeing most with the other two, by token F1), always or only
  where ours and trafilatura disagree (token F1 below a threshold);
- a learned gate: logistic regression on agreement features (how much of each body the others
  hold, their lengths, our content score, posts, page type) choosing trafilatura's body, weighted
  by what switching gains, validated leaving each seen host out; the unseen side is scored with
  the gate trained on every seen page.

Only aggregates are printed; no unseen page is listed.

    .venv/bin/python -m benchmarks.heldout --out out/heldout --no-speed   # the peers' bodies
    .venv/bin/python -m benchmarks.vote --peers out/heldout
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.extraction import PLACEHOLDER_URL, bench_modules
from benchmarks.split import BENCH, POOLED, host_of, split, truth_lines
from newsarchive.extract import ExtractionError, extract

OURS, TRAF, READ = "ours", "trafilatura", "readability-lxml"
CANDIDATES = (OURS, TRAF, READ)
FORUMS = "magic-forums-dev"
Policy = Callable[[dict[str, Any]], str]


def pages(bench: Path, peers: Path) -> list[dict[str, Any]]:
    """Every pooled dev page with the three bodies, their tokens and their scores."""
    score, _ = bench_modules(bench)
    rows: list[dict[str, Any]] = []
    for name in POOLED:
        dataset = bench / name
        truths = truth_lines(dataset)
        sides = split(truths, bench)
        side_of = {truth["id"]: side for side in sides for truth in sides[side]}
        _, scored = score.load_dataset(dataset)
        by_id = {page.id: page for page in scored}
        peer_bodies = {peer: score.load_predictions(peers / name / f"{peer}.jsonl", scored)[0]
                       for peer in (TRAF, READ)}
        for truth in truths:
            url = truth.get("url") or PLACEHOLDER_URL.format(id=truth["id"])
            row: dict[str, Any] = {"set": name, "side": side_of[truth["id"]],
                                   "host": host_of(truth), "score": 0.0, "posts": 0,
                                   "kind": "error"}
            try:
                article = extract((dataset / "pages" / truth["file"]).read_bytes(), url, {})
                body = article.body
                row.update(score=float(article.evidence["content"]["score"]),
                           posts=len(article.posts), kind=str(article.page_type))
            except ExtractionError:
                body = ""
            bodies = {OURS: body}
            for peer in (TRAF, READ):
                found = peer_bodies[peer].get(truth["id"])
                bodies[peer] = (found.body if found is not None else None) or ""
            row["tokens"] = {name_: score.tokenize(text) for name_, text in bodies.items()}
            row["value"] = {}
            for candidate, text in bodies.items():
                result = score.score_page(by_id[truth["id"]], score.Prediction(body=text, line=1),
                                          0.9, False)
                row["value"][candidate] = (
                    result["body"]["f1"] if "body" in result else float(result["snippets"]["ok"])
                )
            rows.append(row)
    return rows


def agreement(row: dict[str, Any], first: str, second: str, prf: Any) -> tuple[float, float, float]:
    """(share of `second` in `first`, share of `first` in `second`, token F1)."""
    return tuple(prf(row["tokens"][first], row["tokens"][second]))  # type: ignore[return-value]


def features(row: dict[str, Any], prf: Any) -> list[float]:
    """What the gate sees: the three bodies' agreement and lengths, and our own confidence."""
    ours_in_traf, traf_in_ours, _ = agreement(row, TRAF, OURS, prf)
    ours_in_read, read_in_ours, _ = agreement(row, READ, OURS, prf)
    traf_read = agreement(row, TRAF, READ, prf)[2]
    lengths = {name: len(row["tokens"][name]) for name in CANDIDATES}
    return [1.0, ours_in_traf, traf_in_ours, ours_in_read, read_in_ours, traf_read,
            math.log1p(lengths[TRAF]) - math.log1p(lengths[OURS]),
            math.log1p(lengths[READ]) - math.log1p(lengths[OURS]),
            math.log1p(lengths[OURS]) / 8, float(row["posts"] > 0),
            float(row["kind"] != "article"), min(row["score"], 200.0) / 100]


def fit(rows: list[dict[str, Any]], l2: float = 1.0) -> list[float]:
    """Weighted logistic regression (Newton steps): switching to trafilatura helps or not."""
    import numpy as np

    x = np.array([row["x"] for row in rows])
    y = np.array([1.0 if row["gain"] > 0 else 0.0 for row in rows])
    weight = np.array([abs(row["gain"]) + 0.01 for row in rows])
    w = np.zeros(x.shape[1])
    for _ in range(30):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (weight * (p - y)) + l2 * w
        hessian = (x.T * (weight * p * (1 - p))) @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return [float(v) for v in w]


def gate(rows: list[dict[str, Any]], threshold: float) -> dict[int, str]:
    """The learned gate's choice per page: leaving each host out on seen, trained on all seen
    pages for unseen."""
    seen = [row for row in rows if row["side"] == "seen"]
    chosen: dict[int, str] = {}

    def choose(w: list[float], row: dict[str, Any]) -> str:
        z = sum(a * b for a, b in zip(w, row["x"], strict=True))
        return TRAF if 1 / (1 + math.exp(-z)) > threshold else OURS

    for host in sorted({row["host"] for row in seen}):
        w = fit([row for row in seen if row["host"] != host])
        for row in seen:
            if row["host"] == host:
                chosen[id(row)] = choose(w, row)
    w = fit(seen)
    for row in rows:
        if row["side"] == "unseen":
            chosen[id(row)] = choose(w, row)
    return chosen


def figures(rows: list[dict[str, Any]], policy: Policy) -> list[str]:
    """Mean figure per group and side, and how many pages the policy took from a peer."""
    cells = []
    for group in ("all", "articles", "forums"):
        for side in ("seen", "unseen"):
            values = [row["value"][policy(row)] for row in rows if row["side"] == side and (
                group == "all" or (row["set"] == FORUMS) == (group == "forums"))]
            cells.append(f"{sum(values) / len(values):.3f}")
    switched = [sum(policy(row) != OURS for row in rows if row["side"] == side)
                for side in ("seen", "unseen")]
    return [*cells, f"{switched[0]} / {switched[1]}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=BENCH)
    parser.add_argument("--peers", type=Path, default=Path("out/heldout"),
                        help="benchmarks.heldout's --out, holding the peers' predictions")
    args = parser.parse_args(argv)
    score, _ = bench_modules(args.bench)
    rows = pages(args.bench, args.peers)
    for row in rows:
        row["x"] = features(row, score.prf)
        row["gain"] = row["value"][TRAF] - row["value"][OURS]

    def medoid(row: dict[str, Any]) -> str:
        return max(CANDIDATES, key=lambda c: (
            sum(agreement(row, c, o, score.prf)[2] for o in CANDIDATES if o != c), c == OURS))

    policies: list[tuple[str, Policy]] = [
        ("ours", lambda row: OURS),
        ("trafilatura", lambda row: TRAF),
        ("readability-lxml", lambda row: READ),
        ("best of ours and trafilatura (oracle)",
         lambda row: max((OURS, TRAF), key=lambda c: row["value"][c])),
        ("medoid of the three, always", medoid),
    ]
    def medoid_below(limit: float) -> Policy:
        return lambda row: (
            medoid(row) if agreement(row, OURS, TRAF, score.prf)[2] < limit else OURS)

    def gated(chosen: dict[int, str]) -> Policy:
        return lambda row: chosen[id(row)]

    for limit in (0.3, 0.5, 0.7):
        policies.append((f"medoid where F1(ours, trafilatura) < {limit}", medoid_below(limit)))
    for threshold in (0.5, 0.7):
        policies.append((f"learned gate, p > {threshold} (leave one host out)",
                         gated(gate(rows, threshold))))
    print("Body F1 (page acc on the snippet sets), per side; 'switched' counts pages given a "
          "peer's body (seen / unseen).\n")
    print("| choice | all seen | all unseen | articles seen | articles unseen | forums seen | "
          "forums unseen | switched |")
    print("|---|---|---|---|---|---|---|---|")
    for label, policy in policies:
        print("| " + " | ".join([label, *figures(rows, policy)]) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
