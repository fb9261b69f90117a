"""Charts drawn on the server as SVG: no script, no library, nothing loaded; every label escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 220
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 12, 12, 36
# Series colours (colour-blind safe, Okabe-Ito).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000")


@dataclass(frozen=True)
class Series:
    """One line: its label and (x label, value) points, all series sharing the x labels."""

    label: str
    points: Sequence[tuple[str, float]]


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.2f}%" if value < 0.1 else f"{value * 100:.1f}%"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.2f}"


def _labelled(i: int, count: int, every: int) -> bool:
    """Whether the i-th x label is written: every `every`-th, and the last unless it would
    crowd the one before."""
    if i == count - 1:
        return True
    return i % every == 0 and count - 1 - i >= every


def _ticks(top: float) -> list[float]:
    if top <= 0:
        return [0.0]
    return [top * n / 4 for n in range(5)]


def line_chart(series: Sequence[Series], *, percent: bool = False, title: str = "",
               css_class: str = "chart", marked: Sequence[str] = ()) -> Markup:
    """Lines of points over shared x labels; each point a <circle class="point"> with its
    label and value in a <title>; x labels in `marked` get a dashed marker (partial periods)."""
    labels = [x for x, _ in series[0].points] if series else []
    top = max((v for s in series for _, v in s.points), default=0.0)
    inner_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    inner_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    step = inner_w / max(1, len(labels) - 1)

    def x(i: int) -> float:
        return MARGIN_LEFT + (i * step if len(labels) > 1 else inner_w / 2)

    def y(v: float) -> float:
        return MARGIN_TOP + inner_h - (v / top * inner_h if top else 0)

    parts = [f'<svg class="{escape(css_class)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for tick in _ticks(top):
        parts.append(f'<line class="grid" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
                     f'y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
                     f'<text class="axis" x="{MARGIN_LEFT - 6}" y="{y(tick) + 4:.1f}" '
                     f'text-anchor="end">{escape(_number(tick, percent))}</text>')
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if _labelled(i, len(labels), every):
            parts.append(f'<text class="axis" x="{x(i):.1f}" y="{HEIGHT - 14}" '
                         f'text-anchor="middle">{escape(label)}</text>')
        if label in marked:
            parts.append(f'<line class="partial" x1="{x(i):.1f}" x2="{x(i):.1f}" '
                         f'y1="{MARGIN_TOP}" y2="{MARGIN_TOP + inner_h}"/>')
    for n, line in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(line.points))
        parts.append(f'<g class="series" data-series="{n}" data-label="{escape(line.label)}">'
                     f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{coords}"/>')
        for i, (label, value) in enumerate(line.points):
            parts.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" '
                         f'fill="{colour}" data-period="{escape(label)}" '
                         f'data-value="{value}"><title>{escape(line.label)} {escape(label)}: '
                         f'{escape(_number(value, percent))}</title></circle>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(points: Sequence[tuple[str, float]], *, title: str = "",
              css_class: str = "chart bars") -> Markup:
    """Bars of (x label, value), each a <rect class="bar"> with a <title>."""
    top = max((v for _, v in points), default=0.0)
    inner_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    inner_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    width = inner_w / max(1, len(points))
    parts = [f'<svg class="{escape(css_class)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for tick in _ticks(top):
        level = MARGIN_TOP + inner_h - (tick / top * inner_h if top else 0)
        parts.append(f'<line class="grid" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
                     f'y1="{level:.1f}" y2="{level:.1f}"/><text class="axis" '
                     f'x="{MARGIN_LEFT - 6}" y="{level + 4:.1f}" text-anchor="end">'
                     f'{escape(_number(tick, False))}</text>')
    every = max(1, len(points) // 8)
    for i, (label, value) in enumerate(points):
        height = value / top * inner_h if top else 0
        left = MARGIN_LEFT + i * width
        parts.append(f'<rect class="bar" x="{left + width * 0.1:.1f}" '
                     f'y="{MARGIN_TOP + inner_h - height:.1f}" width="{max(1.0, width * 0.8):.1f}" '
                     f'height="{height:.1f}" data-label="{escape(label)}" data-value="{value}">'
                     f'<title>{escape(label)}: {escape(_number(value, False))}</title></rect>')
        if _labelled(i, len(points), every):
            parts.append(f'<text class="axis" x="{left + width / 2:.1f}" y="{HEIGHT - 14}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
