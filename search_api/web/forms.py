"""Text from forms and JSON bodies as the service stores it: one reader for
every page and API, so no channel applies different rules."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import request

TEXT_MAX = 2000


class Incomplete(Exception):
    """The application cannot be accepted; ``problems`` are for the applicant."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t")


def clean_text(value: Any, limit: int | None = TEXT_MAX) -> str:
    """User text as stored: control characters (NUL…) dropped, trimmed, and
    cut to ``limit`` characters. ``limit=None`` cuts nothing: for fields whose
    length the domain checks, so that over-long input is refused with a
    message saying the limit instead of being silently shortened."""
    text = str(value or "").translate(_CONTROL).strip()
    return text if limit is None else text[:limit]


def form_text(name: str, limit: int | None = TEXT_MAX) -> str:
    """The posted form field ``name`` as :func:`clean_text` stores it
    (empty when absent): the one reader of form text for every page."""
    return clean_text(request.form.get(name), limit)


BAD_DAY = "日期格式不正确，请按 2026-10-12 的格式填写。"
_WRITTEN_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def form_day(name: str, refuse: type[ValueError] = ValueError) -> date | None:
    """The posted date field ``name`` written YYYY-MM-DD; None when empty.

    Raises:
        refuse: (with :data:`BAD_DAY`, in Chinese) anything else, including
            the other forms ``date.fromisoformat`` reads (20261012, 2026-W41-1),
            which no reviewer means.
    """
    value = form_text(name, 40)
    if not value:
        return None
    try:
        if _WRITTEN_DAY.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise refuse(BAD_DAY)
