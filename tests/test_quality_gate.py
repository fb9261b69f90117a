"""CI quality gate: our figures on the dev datasets may not fall more than the tolerance below
benchmarks/baseline.json (the share of dev pages typed article among them), and every list page
stays a list. """

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
BASELINE = json.loads((BENCHMARKS / "baseline.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def extraction() -> ModuleType:
    from benchmarks import extraction as module

    return module


def test_baseline_names_every_headline_figure() -> None:
    for name, floor in BASELINE["datasets"].items():
        assert ({"date-day", "title exact"} <= set(floor) or {"body F1", "F1≥0.9"} <= set(floor)
                or {"with", "title exact"} <= set(floor)), name
        assert "typed article" in floor, name
        assert all(0.0 <= value <= 1.0 for value in floor.values()), name


def test_list_pages_are_typed_lists(shared_dir: Path, extraction: ModuleType) -> None:
    types = extraction.list_page_types(shared_dir / "bench")
    assert len(types) == 4
    assert set(types.values()) == {"list"}, types


@pytest.mark.parametrize("dataset", sorted(BASELINE["datasets"]))
def test_no_figure_falls_below_the_floor(shared_dir: Path, extraction: ModuleType, dataset: str) -> None:
    bench = shared_dir / "bench"
    figures = extraction.our_figures(bench / dataset, bench)
    floor = BASELINE["datasets"][dataset]
    tolerance = BASELINE["tolerance"]
    assert set(floor) <= set(figures), f"{dataset}: figures missing from the score: {set(floor) - set(figures)}"
    dropped = {name: (round(figures[name], 4), value) for name, value in floor.items()
               if figures[name] < value - tolerance}
    assert not dropped, f"{dataset}: (now, floor) below the floor by more than {tolerance}: {dropped}"
