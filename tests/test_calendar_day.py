"""One reader of catalogue dates (domain.catalogue.temporal.calendar_day):
publication dates, announcements and the period of coverage read a date the
same way, so a value accepted in one field is never refused in another."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from builder.check import run_check
from domain.catalogue.temporal import calendar_day
from tests.conftest import TODAY


@pytest.mark.parametrize(("value", "day"), [
    (None, None),
    ("", None),
    (date(2019, 1, 2), date(2019, 1, 2)),
    (datetime(2019, 1, 2, 23, 59), date(2019, 1, 2)),
    ("2019-01-02", date(2019, 1, 2)),
    ("  2019-01-02 ", date(2019, 1, 2)),
    ("2019-01-02T10:00", date(2019, 1, 2)),
    ("2019-01-02 10:00:00", date(2019, 1, 2)),
    (20190102, date(2019, 1, 2)),  # ISO 8601's basic form, a YAML number
    ("20190102", date(2019, 1, 2)),
    ("２０１９－０１－０２", date(2019, 1, 2)),  # typed with a Chinese input method
    ("2019-01-02\u3000", date(2019, 1, 2)),  # an ideographic space after it
])
def test_dates_and_dates_with_a_time_are_read(value: object, day: date | None) -> None:
    assert calendar_day(value) == day


@pytest.mark.parametrize("value", [
    2019, True, 201901021, "2019", "2019-0102", "201901-02", "2019-W01-2", "2019W012", "2019-W01-1T10:00", "20190102T1000x", "2019-01-\u200b02", "2019-13-01", "2019-02-30",
    "2019-01-02x", "2019-01-02T25:00", "昨天", ["2019-01-02"], 3.5,
])
def test_anything_else_is_refused(value: object) -> None:
    with pytest.raises(ValueError):
        calendar_day(value)


@pytest.mark.parametrize(("written", "ok"), [
    ("2024-03-01T09:30", True),
    ("2024-03-01 09:30:00", True),
    ("20240301", True),
    ("2024-03-01x", False),
    ("2024-0301", False),
])
def test_descriptor_dates_and_coverage_follow_the_same_rule(catalog_copy: Path, written: str,
                                                            ok: bool) -> None:
    bus = catalog_copy / "bus-stops" / "datapackage.yaml"
    text = bus.read_text(encoding="utf-8").replace("published: 2024-03-01",
                                                   f"published: '{written}'")
    bus.write_text(text + f"temporal: {{start: '{written}'}}\n", encoding="utf-8")
    report = run_check(catalog_copy, TODAY, validate=False)
    found = sorted((p.code, p.field) for p in report.problems
                   if p.field in ("published", "temporal"))
    if ok:
        assert found == []
    else:
        assert found == [("field-invalid", "published"), ("temporal-invalid", "temporal")]
