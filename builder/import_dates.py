"""Dates as real catalogues write them, for ``portal import``: ISO,
2023/4/6, 2023年4月6日 (with or without a time; with a zone, the day in
China), 20230406, epoch seconds or milliseconds (API exports), Excel serial
numbers; full-width digits and dashes too."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from builder.import_columns import cell_text
from domain.catalogue.digitfold import fold

_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                      r"(?:[\sT]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2})(?:\.\d+)?)?"
                      r"\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$", re.IGNORECASE)
# Dates are read as the portals mean them: in China's time (UTC+8), which
# is the day a UTC time stamp (…T20:00:00Z, epoch milliseconds) falls on there.
_CHINA_TIME = timezone(timedelta(hours=8))
# Epoch time stamps (seconds or milliseconds, as API exports write dates) are
# taken only in this range, so that other long numbers are not read as dates.
_EPOCH_YEARS = (1990, 2100)


def parse_date(value: Any) -> date | None:
    """A date from the spellings real catalogues use: ISO, 2023/4/6,
    2023年4月6日, with or without a time (with a zone, the day in China),
    20230406 (text or number), epoch seconds or milliseconds (as API exports
    write them), or an Excel serial number (a number cell or its digits).
    None when it is none of those."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, int) or value.is_integer():
            return _digits_date(str(int(value)))
        return _excel_serial(float(value))
    text = fold(cell_text(value)).text  # full-width digits and dashes: ２０２３－０６－１２
    try:
        if match := _DATE_RE.match(text):
            day = date(*(int(g) for g in match.groups()[:3]))
            return _in_china(day, match) if match.group(7) else day
    except ValueError:  # 2023-02-30
        return None
    if re.fullmatch(r"\d+", text):
        return _digits_date(text)
    if re.fullmatch(r"\d{5}\.\d+", text):
        return _excel_serial(float(text))
    return None


def _in_china(day: date, match: re.Match[str]) -> date:
    """The day in China of a date-time written with a zone (Z, +00:00)."""
    hour, minute = int(match.group(4)), int(match.group(5))
    zone = match.group(7).upper()
    offset = timedelta(0) if zone == "Z" else (
        (1 if zone[0] == "+" else -1)
        * timedelta(hours=int(zone[1:3]), minutes=int(zone[-2:])))
    try:
        stamp = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone(offset))
    except ValueError:  # 25:61, or an offset of a day or more
        return day
    return stamp.astimezone(_CHINA_TIME).date()


def _digits_date(text: str) -> date | None:
    """A date written as digits alone: 20230612 (8), epoch seconds (10) or
    milliseconds (13) within ``_EPOCH_YEARS``, or an Excel serial (5)."""
    try:
        if len(text) == 8:
            day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
            return day if _EPOCH_YEARS[0] - 90 <= day.year <= _EPOCH_YEARS[1] else None
    except ValueError:  # 20230230, 12345678
        return None
    if len(text) in (10, 13):
        stamp = datetime.fromtimestamp(int(text) / (1000 if len(text) == 13 else 1),
                                       _CHINA_TIME)
        return stamp.date() if _EPOCH_YEARS[0] <= stamp.year <= _EPOCH_YEARS[1] else None
    if len(text) == 5:
        return _excel_serial(float(text))
    return None


def _excel_serial(number: float) -> date | None:
    # Excel's 1900 date system. Serials below 61 fall before its phantom
    # 1900-02-29, and no catalogue dates from then: treat them as not dates.
    if not 61 <= number < 2958466:
        return None
    return _EXCEL_EPOCH + timedelta(days=int(number))
