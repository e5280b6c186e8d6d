"""Working days: the calendar, due dates and the period clock.

Expected dates come from tests/data/workday_cases.yaml, worked out by hand
from the State Council notices; each case runs against the shipped files and,
separately, against the chinese_calendar package, so the two sources must agree.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
import yaml

from domain.periods.calendar import (
    DEFAULT_FOLDER,
    CalendarFileInvalid,
    CalendarYearMissing,
    WorkCalendar,
)
from domain.periods.workdays import (
    Clock,
    ClockStateError,
    ExtensionAlreadyUsed,
    ExtensionNotAllowed,
    Pause,
    due_date,
    workdays_between,
)
from tests.python_source import parse

ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((ROOT / "tests" / "data" / "workday_cases.yaml").read_text(encoding="utf-8"))
SHIPPED_YEARS = (2024, 2025, 2026)

FILES_ONLY = WorkCalendar(use_package=False, provisional=False)  # strict: no provisional years
PACKAGE_ONLY = WorkCalendar(include_shipped=False, provisional=False)
CALENDARS = {"files": FILES_ONLY, "package": PACKAGE_ONLY}


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['start']}+{case['n']}"


# --- due_date and workdays_between, table-driven --------------------------------


@pytest.mark.parametrize("source", CALENDARS)
@pytest.mark.parametrize("case", CASES["due_date"], ids=_case_id)
def test_due_date(case: dict[str, Any], source: str) -> None:
    cal = CALENDARS[source]
    if "raises" in case:
        if case["raises"] in cal.covered_years():
            pytest.skip(f"chinese_calendar now covers {case['raises']}: export its file")
        with pytest.raises(CalendarYearMissing) as info:
            due_date(case["start"], case["n"], cal)
        assert info.value.year == case["raises"]
    else:
        assert due_date(case["start"], case["n"], cal) == case["expected"], case["note"]


@pytest.mark.parametrize("case", CASES["workdays_between"], ids=lambda c: f"{c['a']}..{c['b']}")
def test_workdays_between(case: dict[str, Any]) -> None:
    if "raises" in case:
        with pytest.raises(CalendarYearMissing):
            workdays_between(case["a"], case["b"], FILES_ONLY)
    else:
        assert workdays_between(case["a"], case["b"], FILES_ONLY) == case["expected"], case["note"]


@pytest.mark.parametrize("n", [0, -1])
def test_due_date_needs_at_least_one_day(n: int) -> None:
    with pytest.raises(ValueError, match="at least 1 working day"):
        due_date(date(2025, 3, 3), n, FILES_ONLY)


# --- the clock, table-driven ------------------------------------------------------


def _clock_steps() -> list[Any]:
    params = []
    for scenario in CASES["clock"]:
        for i, step in enumerate(scenario["steps"]):
            params.append(pytest.param(scenario, step, id=f"{scenario['name'][:40]}-{i}"))
    return params


def _apply(clock: Clock, op: list[Any]) -> Clock:
    if op[0] == "pause":
        return clock.pause(op[1])
    if op[0] == "resume":
        return clock.resume(op[1])
    if op[0] == "extend":
        return clock.extend(op[1], "数据提供部门主要负责人", op[2], max_days=op[3])
    raise AssertionError(f"unknown op {op!r}")


@pytest.mark.parametrize(("scenario", "step"), _clock_steps())
def test_clock(scenario: dict[str, Any], step: dict[str, Any]) -> None:
    clock = Clock.start(scenario["received"], scenario["n"])
    for op in step["ops"]:
        clock = _apply(clock, op)
    if "raises" in step:
        with pytest.raises(CalendarYearMissing) as info:
            clock.due(FILES_ONLY)
        assert info.value.year == step["raises"]
        return
    assert clock.due(FILES_ONLY) == step["due"], step.get("note")
    for check in step.get("checks", []):
        assert clock.remaining(check["today"], FILES_ONLY) == check["remaining"], check
        assert clock.status(check["today"], FILES_ONLY) == check["status"], check


def test_pause_while_paused_is_refused() -> None:
    clock = Clock.start(date(2025, 1, 20), 15).pause(date(2025, 1, 22))
    with pytest.raises(ClockStateError, match="paused since 2025-01-22; resume it first"):
        clock.pause(date(2025, 1, 23))


def test_resume_while_running_is_refused() -> None:
    with pytest.raises(ClockStateError, match="the clock is running, not paused"):
        Clock.start(date(2025, 1, 20), 15).resume(date(2025, 1, 22))


def test_events_out_of_order_are_refused() -> None:
    clock = Clock.start(date(2025, 1, 20), 15)
    with pytest.raises(ClockStateError, match="was \\(re\\)started on 2025-01-20"):
        clock.pause(date(2025, 1, 19))
    paused = clock.pause(date(2025, 1, 22))
    with pytest.raises(ClockStateError, match="paused on 2025-01-22"):
        paused.resume(date(2025, 1, 21))
    resumed = paused.resume(date(2025, 2, 10))
    with pytest.raises(ClockStateError, match="\\(re\\)started on 2025-02-10"):
        resumed.pause(date(2025, 2, 7))


def test_clock_operations_return_new_clocks() -> None:
    clock = Clock.start(date(2025, 1, 20), 15)
    paused = clock.pause(date(2025, 1, 22))
    assert not clock.paused and paused.paused
    assert clock.pauses == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        clock.period = 20  # type: ignore[misc]


def test_extension_once_only() -> None:
    clock = Clock.start(date(2025, 9, 26), 10).extend(5, "局长", date(2025, 10, 9), max_days=10)
    with pytest.raises(ExtensionAlreadyUsed, match="extended once only"):
        clock.extend(5, "局长", date(2025, 10, 10), max_days=10)


@pytest.mark.parametrize(
    ("by", "max_days", "match"),
    [
        (11, 10, "exceeds the maximum of 10"),
        (16, 15, "exceeds the maximum of 15"),
        (1, None, "cannot be extended"),
        (1, 0, "cannot be extended"),
    ],
)
def test_extension_limited_by_profile(by: int, max_days: int | None, match: str) -> None:
    with pytest.raises(ExtensionNotAllowed, match=match):
        Clock.start(date(2025, 9, 26), 10).extend(by, "局长", date(2025, 10, 9), max_days=max_days)


def test_extension_needs_days_and_approver() -> None:
    clock = Clock.start(date(2025, 9, 26), 10)
    with pytest.raises(ValueError, match="at least 1 working day"):
        clock.extend(0, "局长", date(2025, 10, 9), max_days=10)
    with pytest.raises(ValueError, match="approving department head"):
        clock.extend(5, "  ", date(2025, 10, 9), max_days=10)


def test_extension_approved_during_pause_counts() -> None:
    clock = (
        Clock.start(date(2025, 9, 26), 10)
        .pause(date(2025, 9, 30))
        .extend(10, "局长", date(2025, 10, 9), max_days=10)
    )
    assert clock.due(FILES_ONLY) is None
    assert clock.remaining(date(2025, 10, 9), FILES_ONLY) == 17  # 20 - (9/28, 9/29, 9/30)
    assert clock.extension_counts(FILES_ONLY)


@pytest.mark.parametrize(
    ("within", "today", "expected"),
    [
        (2, date(2025, 10, 14), "due_soon"),  # (10/14, 10/16] = 15, 16
        (2, date(2025, 10, 13), "running"),  # 14, 15, 16
        (0, date(2025, 10, 14), "running"),
        (0, date(2025, 10, 16), "due_soon"),
        (6, date(2025, 10, 9), "due_soon"),  # 10, 11 Sat make-up, 13, 14, 15, 16 = 6
        (5, date(2025, 10, 9), "running"),
    ],
)
def test_due_soon_threshold_is_a_parameter(within: int, today: date, expected: str) -> None:
    clock = Clock.start(date(2025, 9, 26), 10)  # due 2025-10-16
    assert clock.status(today, FILES_ONLY, due_soon_within=within) == expected


def test_clock_rebuilt_from_stored_values_is_checked() -> None:
    with pytest.raises(ValueError, match="open but is not the last"):
        Clock(date(2025, 1, 20), 15, pauses=(Pause(date(2025, 1, 21)), Pause(date(2025, 1, 23))))
    with pytest.raises(ValueError, match="at least 1 working day"):
        Clock.start(date(2025, 1, 20), 0)


# --- the calendar -------------------------------------------------------------------


def test_shipped_files_agree_with_chinese_calendar_every_day() -> None:
    disagreements = []
    for year in SHIPPED_YEARS:
        d = date(year, 1, 1)
        while d.year == year:
            if FILES_ONLY.is_workday(d) != chinese_calendar.is_workday(d):
                disagreements.append(d.isoformat())
            d += timedelta(days=1)
    assert disagreements == []


def test_shipped_files_are_the_source_for_their_years() -> None:
    cal = WorkCalendar()
    for year in SHIPPED_YEARS:
        assert "国务院办公厅关于" in cal.source(year)
        assert cal.year(year).path == DEFAULT_FOLDER / f"{year}.json"
    assert cal.source(2023).startswith("chinese_calendar")


def test_shipped_files_match_their_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DEFAULT_FOLDER / "calendar.schema.json").read_text(encoding="utf-8"))
    for year in SHIPPED_YEARS:
        jsonschema.validate(json.loads((DEFAULT_FOLDER / f"{year}.json").read_text(encoding="utf-8")), schema)


def test_export_script_reproduces_shipped_files() -> None:
    spec = importlib.util.spec_from_file_location("export_calendars", ROOT / "scripts" / "export_calendars.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for year in SHIPPED_YEARS:
        shipped = json.loads((DEFAULT_FOLDER / f"{year}.json").read_text(encoding="utf-8"))
        exported = json.loads(module.render_year(year))
        # The note names the package version; a newer package must not fail this.
        shipped.pop("note"), exported.pop("note")
        assert exported == shipped


def test_missing_year_names_the_file_to_add() -> None:
    with pytest.raises(CalendarYearMissing) as info:
        FILES_ONLY.is_workday(date(2027, 1, 4))
    assert info.value.year == 2027
    assert str(info.value).startswith(
        "no working-day calendar for 2027: add datasets/calendars/2027.json "
        "from the State Council holiday notice"
    )


def test_missing_year_names_the_bureau_folder(tmp_path: Path) -> None:
    with pytest.raises(CalendarYearMissing, match=f"add {tmp_path}/2027.json"):
        WorkCalendar([tmp_path], use_package=False, provisional=False).is_workday(date(2027, 1, 4))


def test_covered_years() -> None:
    assert FILES_ONLY.covered_years() == set(SHIPPED_YEARS)
    # chinese_calendar 1.11.0 knows 2004-2026; a newer one may know more.
    assert WorkCalendar().covered_years() >= set(range(2004, 2027))


@pytest.mark.parametrize(
    ("start", "horizon", "expected"),
    [
        (date(2026, 10, 1), 60, []),
        (date(2026, 12, 1), 60, [2027]),  # a December request runs into January
        (date(2026, 12, 31), 400, [2027, 2028]),
        (date(2026, 12, 31), 0, []),
    ],
)
def test_missing_years_for(start: date, horizon: int, expected: list[int]) -> None:
    assert FILES_ONLY.missing_years_for(start, horizon) == expected


def test_missing_years_for_files_only() -> None:
    assert FILES_ONLY.missing_years_for(date(2023, 12, 1), 60) == [2023]
    with pytest.raises(ValueError):
        FILES_ONLY.missing_years_for(date(2026, 1, 1), -1)


def _write(folder: Path, file_year: int, **body: Any) -> Path:
    content = {"year": file_year, "source": "test notice", "holidays": [], "workdays": [], **body}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{file_year}.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


def test_bureau_file_adds_a_year(tmp_path: Path) -> None:
    # A made-up 2027 for the test only: New Year's Day off, nothing else.
    _write(tmp_path, 2027, holidays=["2027-01-01"])
    cal = WorkCalendar([tmp_path], use_package=False)
    assert 2027 in cal.covered_years()
    assert due_date(date(2026, 12, 31), 1, cal) == date(2027, 1, 4)  # 1/1 Fri off, 1/2-3 weekend
    assert cal.missing_years_for(date(2026, 12, 1), 60) == []


def test_bureau_file_replaces_a_whole_year(tmp_path: Path) -> None:
    _write(tmp_path, 2026, holidays=["2026-12-31"])
    cal = WorkCalendar([tmp_path])
    assert not cal.is_workday(date(2026, 12, 31))
    # Not merged with the shipped file: its Spring Festival is gone too.
    assert cal.is_workday(date(2026, 2, 16))
    assert cal.source(2026) == "test notice"


def test_later_folder_wins(tmp_path: Path) -> None:
    _write(tmp_path / "a", 2027, holidays=["2027-01-04"], source="first")
    _write(tmp_path / "b", 2027, source="second")
    assert WorkCalendar([tmp_path / "a", tmp_path / "b"]).source(2027) == "second"


def test_missing_folder_is_skipped_and_a_file_is_refused(tmp_path: Path) -> None:
    assert WorkCalendar([tmp_path / "not-yet"]).covered_years() == WorkCalendar().covered_years()
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(CalendarFileInvalid, match="calendar folder is expected"):
        WorkCalendar([tmp_path / "file"])


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"year": 2028}, "'year' is 2028 but the file is named 2027.json"),
        ({"source": " "}, "'source' must name the State Council notice"),
        ({"holidays": ["2027-1-1"]}, "is not a YYYY-MM-DD date"),
        ({"holidays": ["2027-02-30"]}, "day is out of range"),
        ({"holidays": ["2026-12-31"]}, "not in 2027; put it in 2026.json"),
        ({"holidays": ["2027-01-01", "2027-01-01"]}, "lists 2027-01-01 twice"),
        ({"workdays": ["2027-01-04"]}, "is a weekday"),
        ({"holidays": ["2027-01-02"], "workdays": ["2027-01-02"]}, "both as a holiday and as a workday"),
        ({"holiday": []}, "unknown key\\(s\\) holiday"),
        ({"workdays": "2027-01-02"}, "must be a list"),
    ],
)
def test_invalid_file_is_refused_with_its_name(tmp_path: Path, body: dict[str, Any], match: str) -> None:
    path = _write(tmp_path, 2027, **body)
    with pytest.raises(CalendarFileInvalid, match=match) as info:
        WorkCalendar([tmp_path])
    assert str(info.value).startswith(str(path))


def test_missing_key_and_broken_json(tmp_path: Path) -> None:
    (tmp_path / "2027.json").write_text('{"year": 2027}', encoding="utf-8")
    with pytest.raises(CalendarFileInvalid, match="missing key\\(s\\) holidays, source, workdays"):
        WorkCalendar([tmp_path])
    (tmp_path / "2027.json").write_text("{", encoding="utf-8")
    with pytest.raises(CalendarFileInvalid, match="cannot read as UTF-8 JSON"):
        WorkCalendar([tmp_path])


def test_datetime_is_refused() -> None:
    with pytest.raises(TypeError, match="Asia/Shanghai"):
        FILES_ONLY.is_workday(datetime(2025, 10, 1, 9, 0))


# --- the domain stays pure ------------------------------------------------------------

FORBIDDEN = ("flask", "mkdocs", "material")


def test_domain_imports_neither_flask_nor_mkdocs() -> None:
    offenders = []
    for path in sorted((ROOT / "domain").rglob("*.py")):
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in FORBIDDEN or top.startswith("flask_"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offenders == []
