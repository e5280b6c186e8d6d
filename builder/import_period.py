"""Temporal coverage (时间范围) in imported catalogues: one range column
(数据时间范围: "2019-01-01至2025-12-31", "2016年-2025年", "2020年1月~至今") or
a start and an end column (起始时间 / 截止时间). Gives the descriptor's
``temporal`` mapping; anything unreadable is left for the import report.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from builder.import_columns import cell_text
from builder.import_dates import parse_date

# Between the two ends of a range. Not "/" nor a bare "-": dates use them.
_RANGE_SEP = re.compile(r"\s*(?:至|到|~|～|—+|–|－|\s-\s)\s*")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_ONGOING = frozenset({"至今", "今", "现在", "目前", "持续更新", "长期", ""})
# A year span written with a bare hyphen: 2016-2025, 2016年-2025年.
_YEAR_SPAN = re.compile(r"^(\d{4})\s*年?\s*-\s*(\d{4})\s*年?$")


def period_end(value: Any, *, end: bool) -> date | None:
    """One end of a period: a full date, or a year / year-month taken from
    its first day (start) or last day (``end``). None when unreadable."""
    found = parse_date(value)
    if found is not None:
        return found
    text = cell_text(value)
    if match := _YEAR.match(text):
        year = int(match.group(1))
        return date(year, 12, 31) if end else date(year, 1, 1)
    if match := _YEAR_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            return None
        return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
    return None


def parse_period(start: Any, end: Any = None, *, ranged: Any = None) -> dict[str, date] | None:
    """The ``temporal`` mapping from a range cell (``ranged``) or from start
    and end cells; ``end`` left out when the data is ongoing (至今). None
    when nothing readable is there or the end precedes the start."""
    if cell_text(ranged):
        text = cell_text(ranged)
        if span := _YEAR_SPAN.match(text):
            start, end = span.group(1), span.group(2)
        else:
            parts = _RANGE_SEP.split(text, maxsplit=1)
            start, end = parts[0], parts[1] if len(parts) > 1 else ""
    first = period_end(start, end=False)
    if first is None:
        return None
    if cell_text(end).rstrip("。") in _ONGOING:
        return {"start": first}
    last = period_end(end, end=True)
    if last is None or last < first:
        return None
    return {"start": first, "end": last}
