"""The Chinese official working-day calendar (工作日) that every period of the
portal is counted in (SPEC §4: "all periods in working days").

A day is a working day when it is Monday to Friday and not a public holiday,
or when it is a weekend day the State Council moved to a working day (调休
上班). Each year's holidays and make-up days are set by that year's notice of
the General Office of the State Council (国务院办公厅关于 YYYY 年部分节假日安排
的通知), published around November of the year before.

Sources, first match wins:

1. ``YYYY.json`` files: the bureau's folders (e.g. ``datasets/calendars/``),
   later folders first, then the shipped ``domain/data/calendars/``. A file
   replaces its whole year; the lists are never merged, so one year always
   comes from one notice.
2. The ``chinese_calendar`` package, for the years it knows (2004–2026 in
   1.11.0). The shipped files are the source of truth; the package is the
   cross-check (``tests/test_workdays.py`` compares them day by day).
3. A *provisional* (暂定) year, for a year no notice covers yet: Monday to
   Friday minus the statutory holidays of 《全国年节及纪念日放假办法》
   (:mod:`domain.periods.statutory`). Its dates are marked provisional wherever shown,
   and are recomputed when the year's notice is loaded.

Only a date beyond what the statutory computation supports (before 2025 or
after 2100) raises :class:`CalendarYearMissing`: a deadline is never computed
from a guess that weekends are the only days off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar

from domain.periods import statutory

DEFAULT_FOLDER = Path(__file__).resolve().parents[1] / "data" / "calendars"
# Named in the "add a file" message when the bureau configured no folder of its own.
BUREAU_FOLDER_HINT = "datasets/calendars"

_FILE_NAME = re.compile(r"^(\d{4})\.json$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEYS_REQUIRED = frozenset({"year", "source", "holidays", "workdays"})
_KEYS_OPTIONAL = frozenset({"$schema", "papers", "note"})


class CalendarYearMissing(LookupError):
    """No source covers the year of a date that a period needs.

    Attributes:
        year: the uncovered year.
        code: stable slug for logs and the JSON error shape.
        status: HTTP status; 503 because the service cannot answer until an
            administrator adds the year, not because the request was wrong.
    """

    code = "calendar-year-missing"
    status = 503

    def __init__(self, year: int, folder: str = BUREAU_FOLDER_HINT) -> None:
        self.year = year
        super().__init__(
            f"no working-day calendar for {year}: add {folder}/{year}.json from the "
            f"State Council holiday notice (国务院办公厅关于{year}年部分节假日安排的通知)"
        )


class CalendarFileInvalid(ValueError):
    """A ``YYYY.json`` calendar file cannot be used; the message names the file."""

    code = "calendar-file-invalid"
    status = 500

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        super().__init__(f"{path}: {detail}")


@dataclass(frozen=True)
class YearCalendar:
    """One year of the official calendar, as one notice set it.

    ``holidays`` are the days off of the announced holiday periods (weekend
    days inside a period may or may not be listed; it makes no difference);
    ``workdays`` are the weekend days moved to working days (调休上班).
    """

    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]
    path: Path | None = None  # None when the year comes from chinese_calendar
    provisional: bool = False  # True: computed from the law, no notice yet (暂定)

    def is_workday(self, d: date) -> bool:
        """True for a make-up working day, or a weekday that is not a holiday
        (``d`` is assumed to be in ``year``)."""
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays


def load_year_file(path: Path) -> YearCalendar:
    """Read and check one ``YYYY.json`` calendar file.

    Raises:
        CalendarFileInvalid: the file is unreadable, not UTF-8 JSON, or breaks
            a rule of the format (see ``calendar.schema.json`` next to the
            shipped files); the message says which rule.
    """
    match = _FILE_NAME.match(path.name)
    if not match:
        raise CalendarFileInvalid(path, "calendar files must be named YYYY.json")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CalendarFileInvalid(path, f"cannot read as UTF-8 JSON: {exc}") from exc
    return _year_from_mapping(path, int(match.group(1)), raw)


def _year_from_mapping(path: Path, file_year: int, raw: Any) -> YearCalendar:
    if not isinstance(raw, dict):
        raise CalendarFileInvalid(path, "the file must hold one JSON object")
    missing = sorted(_KEYS_REQUIRED - raw.keys())
    if missing:
        raise CalendarFileInvalid(path, f"missing key(s) {', '.join(missing)}")
    # Unknown keys are refused because a misspelt "holiday" would otherwise
    # silently leave a year without its holidays.
    unknown = sorted(raw.keys() - _KEYS_REQUIRED - _KEYS_OPTIONAL)
    if unknown:
        raise CalendarFileInvalid(path, f"unknown key(s) {', '.join(unknown)}")
    year = raw["year"]
    if not isinstance(year, int) or isinstance(year, bool) or year != file_year:
        raise CalendarFileInvalid(path, f"'year' is {year!r} but the file is named {file_year}.json")
    source = raw["source"]
    if not isinstance(source, str) or not source.strip():
        raise CalendarFileInvalid(
            path, "'source' must name the State Council notice (title and document number)"
        )
    holidays = _dates(path, year, "holidays", raw["holidays"])
    workdays = _dates(path, year, "workdays", raw["workdays"])
    both = sorted(holidays & workdays)
    if both:
        raise CalendarFileInvalid(
            path, f"{both[0].isoformat()} is listed both as a holiday and as a workday"
        )
    # A make-up working day is by definition a Saturday or Sunday; a weekday
    # here is a typing mistake that would otherwise go unnoticed.
    weekdays = sorted(d for d in workdays if d.weekday() < 5)
    if weekdays:
        raise CalendarFileInvalid(
            path,
            f"workday {weekdays[0].isoformat()} is a weekday; 'workdays' lists only the "
            "weekend days moved to working days (调休上班)",
        )
    return YearCalendar(year, source.strip(), holidays, workdays, path)


def _dates(path: Path, year: int, key: str, raw: Any) -> frozenset[date]:
    if not isinstance(raw, list):
        raise CalendarFileInvalid(path, f"'{key}' must be a list of YYYY-MM-DD strings")
    seen: set[date] = set()
    for item in raw:
        if not isinstance(item, str) or not _ISO_DATE.match(item):
            raise CalendarFileInvalid(path, f"'{key}' entry {item!r} is not a YYYY-MM-DD date")
        try:
            d = date.fromisoformat(item)
        except ValueError as exc:
            raise CalendarFileInvalid(path, f"'{key}' entry {item!r}: {exc}") from exc
        if d.year != year:
            # One file, one year: a notice that also moves days of the
            # previous year (it happened for 2018/2019) goes in two files.
            raise CalendarFileInvalid(
                path, f"'{key}' entry {item} is not in {year}; put it in {d.year}.json"
            )
        if d in seen:
            raise CalendarFileInvalid(path, f"'{key}' lists {item} twice")
        seen.add(d)
    return frozenset(seen)


def _package_years() -> frozenset[int]:
    # The package refuses (NotImplementedError) any year outside the span of
    # its holiday table; read that span the same way it does.
    years = [d.year for d in chinese_calendar.holidays]
    return frozenset(range(min(years), max(years) + 1))


def _package_year(year: int) -> YearCalendar:
    holidays = frozenset(d for d in chinese_calendar.holidays if d.year == year)
    workdays = frozenset(d for d in chinese_calendar.workdays if d.year == year)
    version = str(getattr(chinese_calendar, "__version__", "?"))
    return YearCalendar(year, f"chinese_calendar {version}", holidays, workdays)


PROVISIONAL_SOURCE = "暂定：按《全国年节及纪念日放假办法》推算（该年度国务院放假安排尚未发布）"


def provisional_year(year: int) -> YearCalendar:
    """The provisional calendar of ``year``: its statutory holidays, no
    make-up working days (:mod:`domain.periods.statutory`).

    Raises:
        ValueError: ``year`` is outside what :mod:`domain.periods.statutory` computes.
    """
    return YearCalendar(year, PROVISIONAL_SOURCE,
                        frozenset(statutory.statutory_holidays(year)), frozenset(),
                        provisional=True)


class WorkCalendar:
    """Answers whether a date is an official working day in mainland China.

    Args:
        folders: the bureau's calendar folders (e.g. ``datasets/calendars``);
            a later folder overrides an earlier one, and all override the
            shipped files. A folder that does not exist is skipped: the
            bureau creates it when it first needs a year (the "add a file"
            message names it).
        include_shipped: read ``domain/data/calendars/`` (default True).
        use_package: fall back to ``chinese_calendar`` for years no file
            covers (default True).
        provisional: answer with a provisional year (:func:`provisional_year`)
            for a year no file or package covers (default True); False
            restores the strict behaviour (:class:`CalendarYearMissing`).

    Raises:
        CalendarFileInvalid: a ``YYYY.json`` file in a folder is malformed,
            or a configured folder is a file. Files are read once, here, so
            a bad file stops the service at start-up rather than mid-request.
    """

    def __init__(
        self,
        folders: Sequence[Path | str] = (),
        *,
        include_shipped: bool = True,
        use_package: bool = True,
        provisional: bool = True,
    ) -> None:
        search = [DEFAULT_FOLDER] if include_shipped else []
        search += [Path(f) for f in folders]
        self._files: dict[int, YearCalendar] = {}
        for folder in search:  # later folders override earlier ones
            for year_cal in _read_folder(folder):
                self._files[year_cal.year] = year_cal
        self._package_years = _package_years() if use_package else frozenset()
        self._package_cache: dict[int, YearCalendar] = {}
        self._provisional = provisional
        self._provisional_cache: dict[int, YearCalendar] = {}
        self._hint = str(Path(folders[-1])) if folders else BUREAU_FOLDER_HINT
        # Answers of is_workday: a period counts the same days again and again
        # (every filing and status answer, issue #17); the sources never change.
        self._workdays: dict[date, bool] = {}

    def year(self, year: int) -> YearCalendar:
        """The calendar of ``year`` from the first source that covers it;
        a provisional one (``provisional`` True) when no notice covers it.

        Raises:
            CalendarYearMissing: no file and no package data for ``year``, and
                no provisional year either (disabled, or ``year`` outside
                2025–2100).
        """
        found = self._files.get(year)
        if found is not None:
            return found
        if year in self._package_years:
            cached = self._package_cache.get(year)
            if cached is None:
                cached = self._package_cache[year] = _package_year(year)
            return cached
        if self._provisional and statutory.supported(year):
            cached = self._provisional_cache.get(year)
            if cached is None:
                cached = self._provisional_cache[year] = provisional_year(year)
            return cached
        raise CalendarYearMissing(year, self._hint)

    def is_provisional(self, year: int) -> bool:
        """True if ``year`` is answered provisionally: no notice covers it yet,
        and the statutory holidays stand in for it."""
        return year not in self.covered_years() and self._provisional and statutory.supported(year)

    def provisional_between(self, start: date, end: date) -> bool:
        """True if a day from ``start`` to ``end`` (in either order) falls in a
        provisional year, i.e. a date counted through them is provisional."""
        low, high = sorted((start, end))
        return any(self.is_provisional(y) for y in range(low.year, high.year + 1))

    def official_years(self) -> set[int]:
        """The years covered by a ``YYYY.json`` file (shipped or the bureau's)."""
        return set(self._files)

    def without_years(self, years: Iterable[int]) -> WorkCalendar:
        """A copy in which the files of ``years`` are ignored, so that those
        years are answered as before their notice was loaded (provisional).
        Used to tell what a provisional date was once the notice is in."""
        dropped = set(years)
        copy = object.__new__(WorkCalendar)
        copy.__dict__.update(self.__dict__)
        copy._files = {y: c for y, c in self._files.items() if y not in dropped}
        copy._package_years = frozenset(y for y in self._package_years if y not in dropped)
        copy._package_cache = {}
        copy._provisional_cache = {}
        copy._workdays = {}
        return copy

    def is_workday(self, d: date) -> bool:
        """True if ``d`` is a working day: a weekday that is not a public
        holiday, or a weekend day moved to a working day (调休上班).

        Raises:
            CalendarYearMissing: no source covers ``d.year``.
            TypeError: ``d`` is a ``datetime``; the caller must first decide
                the local (Asia/Shanghai) date, since a receipt at 23:30 UTC
                is already the next day in China.
        """
        known = self._workdays.get(d)
        if known is not None:
            return known
        if isinstance(d, datetime):
            raise TypeError("pass a date, not a datetime: convert to the Asia/Shanghai date first")
        answer = self._workdays[d] = self.year(d.year).is_workday(d)
        return answer

    def source(self, year: int) -> str:
        """The notice (or package) the calendar of ``year`` comes from.

        Raises:
            CalendarYearMissing: no source covers ``year``.
        """
        return self.year(year).source

    def covered_years(self) -> set[int]:
        """Every year some source covers."""
        return set(self._files) | set(self._package_years)

    def provisional_years_for(self, start: date, horizon_days: int) -> list[int]:
        """Years between ``start`` and ``start + horizon_days`` calendar days
        answered provisionally, in order (for the reviewers' warning).

        Raises:
            ValueError: ``horizon_days`` is negative.
        """
        if horizon_days < 0:
            raise ValueError(f"horizon_days must be >= 0, got {horizon_days}")
        end = start + timedelta(days=horizon_days)
        return [y for y in range(start.year, end.year + 1) if self.is_provisional(y)]

    def missing_years_for(self, start: date, horizon_days: int) -> list[int]:
        """Years between ``start`` and ``start + horizon_days`` calendar days
        that no notice (file or package) covers, in order; empty when all are
        covered. Such years are answered provisionally when possible.

        Meant for an administrator warning: a request filed in December runs
        into next year, so the year is needed before its notice is copied in.
        Calendar days are used because working days cannot be counted through
        a year that is not known.

        Raises:
            ValueError: ``horizon_days`` is negative.
        """
        if horizon_days < 0:
            raise ValueError(f"horizon_days must be >= 0, got {horizon_days}")
        end = start + timedelta(days=horizon_days)
        covered = self.covered_years()
        return [y for y in range(start.year, end.year + 1) if y not in covered]


def _read_folder(folder: Path) -> Iterable[YearCalendar]:
    if not folder.exists():
        return []
    if not folder.is_dir():
        raise CalendarFileInvalid(folder, "a calendar folder is expected here, not a file")
    return [
        load_year_file(p)
        for p in sorted(folder.iterdir())
        if p.is_file() and _FILE_NAME.match(p.name)
    ]
