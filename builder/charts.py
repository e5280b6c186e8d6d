"""Charts as inline SVG, drawn at build time: they show without JavaScript,
print, scale with the page and carry their numbers as text (a screen reader
reads the table each chart sits above; every bar also has a tooltip).

Pure functions of numbers and labels; every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Drawn at its own size in CSS pixels, never scaled: text set at 12 px stays
# 12 px on a 390 px phone and on a desktop (a 640-unit chart scaled to a
# phone's width had 6 px labels). 340 px fits a phone beside its margins.
ROW_HEIGHT = 24
LABEL_WIDTH = 132
VALUE_WIDTH = 44
WIDTH = 340


@dataclass(frozen=True)
class Segment:
    value: int
    css_class: str  # pt-c1 … pt-c4: colours from the theme (portal.css)
    name: str  # in the tooltip and the legend


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


def stacked_bars(bars: Sequence[Bar], *, title: str, unit: str = "个") -> str:
    """Horizontal stacked bars, one row per ``Bar``, scaled to the largest
    total, with the total written after each bar and a legend when a bar has
    more than one kind of segment. Empty input gives an empty string."""
    if not bars:
        return ""
    largest = max((b.total for b in bars), default=0) or 1
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    legend = _legend(bars)
    top = ROW_HEIGHT if legend else 0
    height = top + ROW_HEIGHT * len(bars) + 4
    parts = [f'<svg class="pt-chart" role="img" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>", legend]
    for row, bar in enumerate(bars):
        y = top + row * ROW_HEIGHT
        parts.append(f'<text class="pt-chart-label" x="{LABEL_WIDTH - 8}" y="{y + 16}" '
                     f'text-anchor="end">{escape(_shorten(bar.label))}</text>')
        x = float(LABEL_WIDTH)
        for segment in bar.segments:
            if segment.value <= 0:
                continue
            width = max(track * segment.value / largest, 1.5)
            parts.append(
                f'<rect class="{escape(segment.css_class)}" x="{x:.1f}" y="{y + 4}" '
                f'width="{width:.1f}" height="{ROW_HEIGHT - 8}" rx="2">'
                f"<title>{escape(bar.label)}：{escape(segment.name)} {segment.value}{escape(unit)}"
                f"</title></rect>")
            x += width
        parts.append(f'<text class="pt-chart-value" x="{x + 6:.1f}" y="{y + 16}">'
                     f"{bar.total}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _legend(bars: Sequence[Bar]) -> str:
    kinds: dict[str, str] = {}
    for bar in bars:
        for segment in bar.segments:
            if segment.value > 0:
                kinds.setdefault(segment.css_class, segment.name)
    if len(kinds) < 2:
        return ""
    items, x = [], 0
    for css_class, name in kinds.items():
        items.append(f'<rect class="{escape(css_class)} pt-chart-key" x="{x}" y="4" width="12" '
                     f'height="12" rx="2"></rect><text class="pt-chart-legend" x="{x + 16}" y="14">'
                     f"{escape(name)}</text>")
        x += 24 + 13 * len(name)
    return "".join(items)


def _shorten(label: str, limit: int = 10) -> str:
    # Long department names would run into the bars; the tooltip has it whole.
    return label if len(label) <= limit else label[:limit - 1] + "…"
