"""Block features and a logistic-regression block model: the learned route to content, measured.

The features of a block (a segment: text owned by one block element) are whether the rules chose
it, its size, link, punctuation and CJK shares, its tag and the tags above it, its class/id words,
its place in the page and in the chosen content, and whether its text repeats on the page.
benchmarks/train_blocks.py validates the model leave-one-host-out on the seen dev pages. Measured,
it does not earn a place in extract(): as a filter on the rules' content it lifts kept-text F1 by
0.002 (0.9239 -> 0.9256) and no page-level figure; alone it scores below the rules (0.917). So the
product does not ship it; the tooling stays to re-measure when the features or the data change.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

import newsarchive.extract  # noqa: F401  (registers the label patterns read as features)
from newsarchive.extract.clean import Segment
from newsarchive.extract.vocab import CHROME_TAGS, CJK_RE, label_matches, label_of

_PUNCT_RE = re.compile(r"[，。；：！？、,.;:!?]")
_TAGS = ("p", "div", "td", "li", "span", "a", "h1", "h2", "h3", "h4", "blockquote", "pre",
         "section", "article", "font", "strong", "b", "dd", "figcaption", "em")
_ANCESTOR_TAGS = ("li", "td", "table", "ul", "article", "main", "section", "blockquote")
# Label patterns registered by the content and date rules, read here as features.
_LABELS = ("content", "not-content", "chrome", "comments", "article", "footer", "date-chrome")
FEATURES: tuple[str, ...] = (
    "bias", "in_content", "log_chars", "link_share", "punct_density", "cjk_share", "lines", "short",
    "position", "content_position", "repeats", "depth", "in_chrome_tag",
    *(f"tag_{tag}" for tag in _TAGS),
    *(f"under_{tag}" for tag in _ANCESTOR_TAGS),
    *(f"label_{name}" for name in _LABELS),
    *(f"parent_label_{name}" for name in _LABELS),
)
_UP = 6


@dataclass(frozen=True)
class BlockModel:
    """Logistic-regression weights by feature name, and the keep threshold."""

    weights: dict[str, float]
    threshold: float

    def probability(self, row: dict[str, float]) -> float:
        """P(article text) for one block's features."""
        z = sum(self.weights.get(name, 0.0) * value for name, value in row.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def block_rows(segs: list[Segment], chosen: list[Segment],
               rated: list[Segment] | None = None) -> list[dict[str, float]]:
    """The features of each segment of `rated` (default: the chosen ones), in its page (`segs`)
    and relative to the content the rules chose."""
    texts = Counter(_text(seg) for seg in segs)
    total = max(1, len(segs))
    members = {id(seg) for seg in chosen}
    start = chosen[0].index if chosen else 0
    span = max(1, (chosen[-1].index - start + 1) if chosen else total)
    rows = []
    for seg in rated if rated is not None else chosen:
        row = _row(seg, texts, seg.index / total, (seg.index - start) / span)
        row["in_content"] = 1.0 if id(seg) in members else 0.0
        rows.append(row)
    return rows


def _text(seg: Segment) -> str:
    """A segment's text, whitespace dropped."""
    return "".join("".join(text.split()) for text, _ in seg.pieces if text)


def _row(seg: Segment, texts: Counter[str], position: float,
         content_position: float) -> dict[str, float]:
    """One segment's features."""
    lines = seg.lines()
    chars = sum(total for _, _, total in lines)
    linked = sum(link for _, link, _ in lines)
    text = "".join(raw for raw, _, _ in lines)
    owner: HtmlElement = seg.owner
    row: dict[str, float] = {
        "bias": 1.0,
        "log_chars": math.log1p(chars),
        "link_share": linked / chars if chars else 0.0,
        "punct_density": min(1.0, 10 * len(_PUNCT_RE.findall(text)) / chars) if chars else 0.0,
        "cjk_share": len(CJK_RE.findall(text)) / chars if chars else 0.0,
        "lines": min(10.0, float(len(lines))) / 10,
        "short": 1.0 if chars < 20 else 0.0,
        "position": position,
        "content_position": content_position,
        "repeats": 1.0 if texts[_text(seg)] > 1 else 0.0,
    }
    tag = owner.tag if isinstance(owner.tag, str) else ""
    if tag in _TAGS:
        row[f"tag_{tag}"] = 1.0
    label = label_of(owner)
    for name in _LABELS:
        if label and label_matches(name, label):
            row[f"label_{name}"] = 1.0
    depth = 0
    for depth, ancestor in enumerate(owner.iterancestors(), 1):
        atag = ancestor.tag if isinstance(ancestor.tag, str) else ""
        if atag in CHROME_TAGS:
            row["in_chrome_tag"] = 1.0
        if atag in _ANCESTOR_TAGS:
            row[f"under_{atag}"] = 1.0
        if depth <= _UP:
            alabel = label_of(ancestor)
            for name in _LABELS:
                if alabel and label_matches(name, alabel):
                    row[f"parent_label_{name}"] = 1.0
    row["depth"] = min(30, depth) / 30
    return row


def keep_blocks(segs: list[Segment], chosen: list[Segment], model: BlockModel) -> list[Segment]:
    """The chosen segments the model does not rule out as chrome."""
    if not chosen:
        return chosen
    rows = block_rows(segs, chosen)
    return [seg for seg, row in zip(chosen, rows, strict=True)
            if model.probability(row) >= model.threshold]


def model_dict(weights: dict[str, float], threshold: float, meta: dict[str, Any]) -> dict[str, Any]:
    """The shipped file's JSON form."""
    return {"features": list(FEATURES), "weights": {k: round(v, 6) for k, v in weights.items()},
            "threshold": threshold, "training": meta}
