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
    longer marks preferred where two start at the same place."""
    if not text or not marks:
        return []
    pattern = _pattern(tuple(marks))
    lowered = text.lower()
    folded = lowered if len(lowered) == len(text) else text
    return [(m.start(), m.end()) for m in pattern.finditer(folded)]


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def _pattern(marks: tuple[str, ...]) -> re.Pattern[str]:
    """The marks (lower-cased, longest first) as one capturing group: its
    matches are the spans, its split the texts between them and the matches."""
    pattern = _PATTERNS.get(marks)
    if pattern is None:
        ordered = sorted({m.lower() for m in marks if m}, key=lambda m: (-len(m), m))
        pattern = re.compile("(" + "|".join(re.escape(m) for m in ordered) + ")")
        if len(_PATTERNS) > 1024:
            _PATTERNS.clear()
        _PATTERNS[marks] = pattern
    return pattern


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
    """``render(text, spans_of(text, marks), limit)``. A text that is not cut,
    has nothing to escape and is its own lower case (most catalogue text)
    is marked by one substitution of the marks' pattern, with the same
    result: the spans are that pattern's matches, left to right."""
    if text and marks and (limit is None or len(text) <= limit) \
            and not _SPECIAL.search(text) and text.lower() == text:
        pattern = _pattern(tuple(marks))
        if pattern.pattern != "()":  # (marks all empty: it would match between characters)
            parts = pattern.split(text)
            parts[1::2] = ["<mark>" + part + "</mark>" for part in parts[1::2]]
            return "".join(parts)
    return render(text, spans_of(text, marks), limit)


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
