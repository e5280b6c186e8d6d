"""Temporal coverage (时间范围) of a dataset in the descriptor.

``temporal: {start: 2019-01-01, end: 2025-12-31}``; ``end`` may be left out
while the data is still being added to. Read here, reported in the one
error catalogue (domain.catalogue.problems) when it cannot be used.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from domain.catalogue import problems as P
from domain.catalogue.model import Temporal
from domain.catalogue.problems import Problem

# YYYY-MM-DD, or ISO 8601's basic form YYYYMMDD (unambiguous; a YAML number).
_WRITTEN_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}")


def calendar_day(value: Any) -> date | None:
    """A catalogue date: a YAML date or datetime, or text written YYYY-MM-DD,
    optionally followed by a time (``2019-01-01T10:00``, ``2019-01-01 10:00:00``,
    which exports of other platforms write), or ISO 8601's basic form
    YYYYMMDD as text or number (unambiguous); None when empty. The one reader
    of dates in descriptors (publication dates, announcements, coverage).

    Raises:
        ValueError: anything else (2019, "2019-13-01", "2019-01-01x", "2019-W01-1", "昨天").
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # published: 20240301
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    # Full-width digits and dashes (２０１９－０１－０１), as Chinese input
    # methods type them, read as the ASCII they stand for.
    written = unicodedata.normalize("NFKC", value).strip()
    timed = len(written) > 10 and written[10] in "T "
    # fromisoformat alone also reads week dates (2019-W01-1) and mixed forms.
    if not _WRITTEN_DAY.fullmatch(written[:10] if timed else written):
        raise ValueError(f"not a date written YYYY-MM-DD: {value!r}")
    if timed:
        return datetime.fromisoformat(written).date()
    return date.fromisoformat(written)


def read_temporal(raw: Any, rel: str, found: list[Problem]) -> Temporal | None:
    """``temporal: {start: 2019-01-01, end: 2025-12-31}`` (``end`` optional:
    an open period). Absent or empty: None. Anything else is reported
    (temporal-invalid, temporal-start-after-end) and gives None."""
    if raw is None or raw == "" or raw == {}:
        return None
    if not isinstance(raw, Mapping):
        found.append(P.make("temporal-invalid", rel, field="temporal",
                            detail=f"must be a mapping, not {type(raw).__name__}"))
        return None
    unknown = sorted(str(k) for k in raw if k not in ("start", "end"))
    if unknown:
        found.append(P.make("temporal-invalid", rel, field="temporal",
                            detail=f"has unknown key {unknown[0]!r}"))
        return None
    try:
        start, end = calendar_day(raw.get("start")), calendar_day(raw.get("end"))
    except ValueError:
        found.append(P.make("temporal-invalid", rel, field="temporal",
                            detail="has a date that is not a real day written YYYY-MM-DD"))
        return None
    if start is None:
        found.append(P.make("temporal-invalid", rel, field="temporal.start",
                            detail="needs 'start'"))
        return None
    if end is not None and end < start:
        found.append(P.make("temporal-start-after-end", rel, field="temporal",
                            value=start.isoformat(), detail=end.isoformat()))
        return None
    return Temporal(start, end)
