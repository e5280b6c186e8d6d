"""The working-day calendar's sources and files (domain.periods.calendar), beyond
tests/test_workdays.py: the day rule itself, each refusal of a file, the
provisional years and the copy without some years.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.periods.calendar import (
    BUREAU_FOLDER_HINT,
    PROVISIONAL_SOURCE,
    CalendarFileInvalid,
    CalendarYearMissing,
    WorkCalendar,
    YearCalendar,
    load_year_file,
    provisional_year,
)

SHIPPED = WorkCalendar(use_package=False, provisional=False)


def write(folder: Path, name: str, body: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def year_2027(**changes: Any) -> dict[str, Any]:
    return {"year": 2027, "source": "国办发明电〔2026〕1号", "holidays": [], "workdays": [],
            **changes}


def refusal(path: Path) -> str:
    with pytest.raises(CalendarFileInvalid) as info:
        load_year_file(path)
    assert info.value.path == path
    prefix = f"{path}: "
    assert str(info.value).startswith(prefix)
    return str(info.value)[len(prefix):]


def test_the_day_rule() -> None:
    year = YearCalendar(2027, "x", holidays=frozenset({date(2027, 1, 1)}),
                        workdays=frozenset({date(2027, 1, 9)}))
    assert year.is_workday(date(2027, 1, 8))  # a Friday
    assert year.is_workday(date(2027, 1, 4))  # a Monday
    assert not year.is_workday(date(2027, 1, 1))  # a holiday on a Friday
    assert not year.is_workday(date(2027, 1, 2))  # a Saturday
    assert not year.is_workday(date(2027, 1, 3))  # a Sunday
    assert year.is_workday(date(2027, 1, 9))  # a make-up Saturday


def test_a_good_file(tmp_path: Path) -> None:
    path = write(tmp_path, "2027.json", year_2027(
        source="  国办发明电〔2026〕1号 ", holidays=["2027-01-01", "2027-01-02"],
        workdays=["2027-01-09"], note="测试", papers=[], **{"$schema": "x"}))
    year = load_year_file(path)
    assert year == YearCalendar(2027, "国办发明电〔2026〕1号",
                                frozenset({date(2027, 1, 1), date(2027, 1, 2)}),
                                frozenset({date(2027, 1, 9)}), path)
    assert not year.provisional


@pytest.mark.parametrize(("name", "body", "why"), [
    ("27.json", year_2027(), "calendar files must be named YYYY.json"),
    ("2027.yaml", year_2027(), "calendar files must be named YYYY.json"),
    ("2027.json", [2027], "the file must hold one JSON object"),
    ("2027.json", year_2027(year=True), "'year' is True but the file is named 2027.json"),
    ("2027.json", year_2027(year="2027"), "'year' is '2027' but the file is named 2027.json"),
    ("2027.json", year_2027(year=2027.0), "'year' is 2027.0 but the file is named 2027.json"),
    ("2027.json", year_2027(source=7),
     "'source' must name the State Council notice (title and document number)"),
    ("2027.json", year_2027(holidays=[20270101]),
     "'holidays' entry 20270101 is not a YYYY-MM-DD date"),
    ("2027.json", year_2027(workdays=["2027-01-09", "x2027-01-16"]),
     "'workdays' entry 'x2027-01-16' is not a YYYY-MM-DD date"),
    ("2027.json", year_2027(workdays=["2028-01-08"]),
     "'workdays' entry 2028-01-08 is not in 2027; put it in 2028.json"),
    ("2027.json", year_2027(workdays=["2027-01-09", "2027-01-09"]),
     "'workdays' lists 2027-01-09 twice"),
    ("2027.json", year_2027(holidays="2027-01-01"),
     "'holidays' must be a list of YYYY-MM-DD strings"),
    ("2027.json", year_2027(holidays=["2027-01-09", "2027-01-16"],
                            workdays=["2027-01-16", "2027-01-09"]),
     "2027-01-09 is listed both as a holiday and as a workday"),
    ("2027.json", year_2027(workdays=["2027-01-09", "2027-01-15", "2027-01-11"]),
     "workday 2027-01-11 is a weekday; 'workdays' lists only the weekend days moved to "
     "working days (调休上班)"),
    ("2027.json", year_2027(holiday=[], comment=""), "unknown key(s) comment, holiday"),
    ("2027.json", {"year": 2027, "workdays": []}, "missing key(s) holidays, source"),
])
def test_each_refusal_says_what_is_wrong(tmp_path: Path, name: str, body: Any,
                                         why: str) -> None:
    assert refusal(write(tmp_path, name, body)) == why


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_bytes(json.dumps(year_2027(source="国办"), ensure_ascii=False).encode("gb18030"))
    assert refusal(path).startswith("cannot read as UTF-8 JSON: ")


def test_a_folder_reads_only_year_files(tmp_path: Path) -> None:
    write(tmp_path, "2027.json", year_2027(holidays=["2027-01-04"]))
    (tmp_path / "README.md").write_text("说明", encoding="utf-8")
    (tmp_path / "2028.json.bak").write_text("{", encoding="utf-8")
    (tmp_path / "2029.json").mkdir()
    cal = WorkCalendar([tmp_path], include_shipped=False, use_package=False, provisional=False)
    assert cal.covered_years() == cal.official_years() == {2027}
    assert not cal.is_workday(date(2027, 1, 4))


def test_sources_in_order(tmp_path: Path) -> None:
    nothing = WorkCalendar(include_shipped=False, use_package=False, provisional=False)
    assert nothing.covered_years() == set()
    with pytest.raises(CalendarYearMissing) as info:
        nothing.is_workday(date(2025, 10, 1))
    assert (info.value.code, info.value.status, info.value.year) == \
        ("calendar-year-missing", 503, 2025)
    assert f"add {BUREAU_FOLDER_HINT}/2025.json" in str(info.value)
    package = WorkCalendar(include_shipped=False, provisional=False)
    assert not package.is_workday(date(2025, 10, 1))
    assert package.is_workday(date(2025, 9, 28))  # make-up Sunday
    assert package.source(2025).startswith("chinese_calendar ")
    assert package.official_years() == set()
    assert SHIPPED.source(2025) != package.source(2025)


def test_provisional_years() -> None:
    cal = WorkCalendar(use_package=False)
    assert not cal.is_provisional(2026)
    assert cal.is_provisional(2027)
    assert not cal.is_provisional(2101)  # beyond the law's computation
    assert not SHIPPED.is_provisional(2027)  # provisional years disabled
    assert cal.year(2027) == provisional_year(2027)
    assert cal.source(2027) == PROVISIONAL_SOURCE
    assert provisional_year(2027).provisional and provisional_year(2027).workdays == frozenset()
    assert not cal.is_workday(date(2027, 1, 1))  # New Year's Day, by the law
    with pytest.raises(CalendarYearMissing):
        cal.is_workday(date(2101, 1, 3))


def test_provisional_between_either_order() -> None:
    cal = WorkCalendar(use_package=False)
    assert cal.provisional_between(date(2026, 12, 20), date(2027, 1, 10))
    assert cal.provisional_between(date(2027, 1, 10), date(2026, 12, 20))
    assert not cal.provisional_between(date(2025, 1, 10), date(2026, 12, 20))
    assert not cal.provisional_between(date(2026, 12, 20), date(2026, 12, 20))


def test_provisional_years_for() -> None:
    cal = WorkCalendar(use_package=False)
    assert cal.provisional_years_for(date(2026, 12, 1), 60) == [2027]
    assert cal.provisional_years_for(date(2026, 12, 1), 30) == []
    assert cal.provisional_years_for(date(2026, 12, 31), 366) == [2027, 2028]
    assert cal.provisional_years_for(date(2027, 3, 1), 0) == [2027]
    with pytest.raises(ValueError, match=r"^horizon_days must be >= 0, got -1$"):
        cal.provisional_years_for(date(2026, 1, 1), -1)
    with pytest.raises(ValueError, match=r"^horizon_days must be >= 0, got -2$"):
        cal.missing_years_for(date(2026, 1, 1), -2)


def test_without_years_answers_as_before_the_notice() -> None:
    cal = WorkCalendar()
    before = cal.without_years([2026])
    assert before.is_provisional(2026) and not cal.is_provisional(2026)
    assert 2026 not in before.covered_years() and 2026 not in before.official_years()
    assert before.source(2026) == PROVISIONAL_SOURCE
    assert before.covered_years() | {2026} == cal.covered_years()
    # The make-up working Sunday of 2026 is unknown to the law alone.
    assert cal.is_workday(date(2026, 1, 4)) and not before.is_workday(date(2026, 1, 4))
    assert cal.source(2026) != PROVISIONAL_SOURCE  # the original is untouched


def test_missing_year_names_the_last_bureau_folder(tmp_path: Path) -> None:
    cal = WorkCalendar([tmp_path / "a", tmp_path / "b"], use_package=False, provisional=False)
    with pytest.raises(CalendarYearMissing, match=f"add {tmp_path / 'b'}/2027.json from"):
        cal.is_workday(date(2027, 1, 4))


def test_file_error_code() -> None:
    error = CalendarFileInvalid(Path("x/2027.json"), "bad")
    assert (error.code, error.status, str(error)) == ("calendar-file-invalid", 500,
                                                       "x/2027.json: bad")


def test_the_package_covers_its_own_span_only() -> None:
    import chinese_calendar

    package = WorkCalendar(include_shipped=False, provisional=False)
    with pytest.raises(CalendarYearMissing):
        package.is_workday(date(1990, 1, 3))
    assert package.source(2010) == f"chinese_calendar {chinese_calendar.__version__}"
    assert package.year(2010).year == 2010
    assert provisional_year(2027).year == 2027


def test_provisional_only_within_the_dates_asked(tmp_path: Path) -> None:
    write(tmp_path, "2028.json", {"year": 2028, "source": "假设的通知", "holidays": [],
                                  "workdays": []})
    cal = WorkCalendar([tmp_path], use_package=False)  # 2027 provisional, 2028 not
    assert cal.is_provisional(2027) and not cal.is_provisional(2028)
    assert not cal.provisional_between(date(2028, 1, 10), date(2028, 2, 1))
    assert cal.provisional_years_for(date(2028, 1, 10), 30) == []
    assert cal.provisional_years_for(date(2027, 12, 20), 30) == [2027]


def test_without_years_still_reads_the_package() -> None:
    before = WorkCalendar().without_years([2026])
    assert before.is_workday(date(2010, 1, 4))
    assert not before.is_workday(date(2010, 1, 1))


def test_a_file_in_place_of_a_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "calendars"
    folder.write_text("", encoding="utf-8")
    with pytest.raises(CalendarFileInvalid) as info:
        WorkCalendar([folder])
    assert info.value.path == folder
    assert str(info.value) == f"{folder}: a calendar folder is expected here, not a file"


def test_a_datetime_is_refused_with_the_reason() -> None:
    from datetime import datetime

    with pytest.raises(TypeError) as info:
        SHIPPED.is_workday(datetime(2025, 10, 1, 9, 0))  # type: ignore[arg-type]
    assert str(info.value) == ("pass a date, not a datetime: convert to the Asia/Shanghai "
                               "date first")
