"""analyse_listing on the zh-list-pages bench: per-page precision and recall floors."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from newsarchive.extract.listing import analyse_listing

# Measured 1.0/1.0 on all four pages; the floor leaves room for small trade-offs elsewhere.
FLOOR = 0.95


def test_zh_list_pages_precision_and_recall(shared_dir: Path) -> None:
    dataset = shared_dir / "bench" / "zh-list-pages"
    lines = (dataset / "links.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    scores = {}
    for line in lines:
        truth = json.loads(line)
        first = urlsplit(truth["links"][0])
        page_url = f"{first.scheme}://{first.netloc}/"
        listing = analyse_listing((dataset / truth["file"]).read_bytes(), page_url)
        predicted = [link.url for link in listing.article_links]
        hits = len(set(predicted) & set(truth["links"]))
        scores[truth["id"]] = (hits / max(len(predicted), 1), hits / len(truth["links"]))
        # Items come in page order.
        assert [u for u in truth["links"] if u in predicted] == [u for u in predicted if u in truth["links"]]
    low = {page: pr for page, pr in scores.items() if min(pr) < FLOOR}
    assert not low, f"below {FLOOR}: {low}"
