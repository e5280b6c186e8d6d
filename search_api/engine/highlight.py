"""Highlighting: HTML-escaped text with the matched words in ``<mark>``.

The record text is escaped first and only ``<mark>``/``</mark>`` are added,
so a title holding ``<script>`` comes out as ``&lt;script&gt;``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

SUMMARY_CHARS = 160
_LEAD = 40  # characters kept before the first match when the summary is cut
ELLIPSIS = "…"


def spans_of(text: str, marks: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of ``marks`` in ``text``, case-insensitive,
    longer marks preferred where two start at the same place: the matches,
    left to right, of the marks (lower-cased, longest first) as one regular
    expression's alternatives, found without compiling one (a query's marks
    are seldom seen twice, and compiling costs more than the searches)."""
    if not text or not marks:
        return []
    lowered = text.lower()
    folded = lowered if len(lowered) == len(text) else text
    ordered = _ordered(tuple(marks))
    if not ordered:  # every mark empty: the expression "()" matches everywhere
        return [(m.start(), m.end()) for m in re.finditer("()", folded)]
    found = []
    for rank, mark in enumerate(ordered):
        start = folded.find(mark)
        while start >= 0:
            found.append((start, rank, start + len(mark)))
            start = folded.find(mark, start + 1)
    # At each place the first alternative that matches there wins (the
    # lowest rank), and the search resumes after it, as a regex's does.
    found.sort()
    spans = []
    end = 0
    for start, _rank, stop in found:
        if start >= end:
            spans.append((start, stop))
            end = stop
    return spans


_ORDERED: dict[tuple[str, ...], tuple[str, ...]] = {}


def _ordered(marks: tuple[str, ...]) -> tuple[str, ...]:
    """The marks lower-cased, without empty ones and repeats, longest first
    (then in code point order): the regex alternatives' order."""
    ordered = _ORDERED.get(marks)
    if ordered is None:
        ordered = tuple(sorted({m.lower() for m in marks if m}, key=lambda m: (-len(m), m)))
        if len(_ORDERED) > 1024:
            _ORDERED.clear()
        _ORDERED[marks] = ordered
    return ordered


_SPECIAL = re.compile(r"[&<>\"']")  # what html.escape changes


def _same(text: str) -> str:
    return text


def render(text: str, spans: Iterable[tuple[int, int]], limit: int | None = None) -> str:
    """``text`` escaped, ``spans`` wrapped in <mark>. With ``limit``, a text
    longer than ``limit`` characters is cut to a window of about that length
    starting a little before the first span, with "…" where it was cut."""
    spans = sorted(spans)
    start, end = 0, len(text)
    if limit is not None and len(text) > limit:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - _LEAD, len(text) - limit))
        end = min(len(text), start + limit)
        spans = [(max(a, start), min(b, end)) for a, b in spans if b > start and a < end]
    # Most catalogue text has nothing to escape: then escape no piece.
    escape = html.escape if _SPECIAL.search(text, start, end) else _same
    out = [ELLIPSIS] if start > 0 else []
    pos = start
    for a, b in spans:
        if a < pos:
            continue
        out.append(escape(text[pos:a]))
        out.append("<mark>" + escape(text[a:b]) + "</mark>")
        pos = b
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return "".join(out)


def _marked(text: str, marks: Sequence[str], limit: int | None = None) -> str:
    """``render(text, spans_of(text, marks), limit)``. A text that is not cut
    and has nothing to escape (most catalogue text) is marked piece by piece
    without render's window and escaping, with the same result."""
    spans = spans_of(text, marks)
    if not spans or (limit is not None and len(text) > limit) or _SPECIAL.search(text):
        return render(text, spans, limit)
    out = []
    pos = 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append("<mark>" + text[start:end] + "</mark>")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def highlight(title: str, summary: str, marks: Sequence[str]) -> dict[str, str]:
    """The ``Hit.highlights`` of a record for these marks."""
    return {"title": _marked(title or "", marks),
            "summary": _marked(summary or "", marks, SUMMARY_CHARS)}


PRE, POST = "\ue000", "\ue001"  # private-use code points, never in catalogue text


def from_tagged(tagged: str, limit: int | None = None) -> str:
    """Render a text in which a backend marked matches with PRE…POST."""
    clean = []
    spans = []
    pos = 0
    opened = -1
    for ch in tagged:
        if ch == PRE:
            opened = pos
        elif ch == POST:
            if opened >= 0:
                spans.append((opened, pos))
            opened = -1
        else:
            clean.append(ch)
            pos += 1
    return render("".join(clean), spans, limit)
