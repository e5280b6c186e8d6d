"""The rules of approved use (domain/procedures/data_grants.py): default field lists,
the terms an approval may state, the use-report schedule, reminders and
overdue reports, and when a grant serves data."""

from __future__ import annotations

from datetime import date

import pytest

from domain.procedures.data_grants import (
    GrantStatus,
    GrantTerms,
    SchemaField,
    add_months,
    default_fields,
    overdue,
    refusal,
    reminders,
    report_due_dates,
    terms_problems,
)

TABLES = {"t": [SchemaField("code", "编码"), SchemaField("holder", "权利人", personal=True),
                SchemaField("area", "面积")]}


def terms(**changes: object) -> GrantTerms:
    base: dict[str, object] = dict(dataset_id="d", method="sandbox", fields={"t": ("code",)},
                                   valid_from=date(2026, 1, 31), valid_to=date(2026, 12, 31),
                                   raw_rows=True, report_every_months=3)
    base.update(changes)
    return GrantTerms(**base)  # type: ignore[arg-type]


def test_default_fields_leave_out_personal_ones() -> None:
    assert default_fields(TABLES) == {"t": ("code", "area")}


@pytest.mark.parametrize(("changes", "problem"), [
    ({"fields": {"t": ("secret",)}}, "没有数据项“secret”"),
    ({"fields": {"u": ("code",)}}, "没有名为“u”的表"),
    ({"fields": {"t": ()}}, "至少选择一个"),
    ({"valid_to": date(2025, 12, 31)}, "早于开始日期"),
    ({"valid_to": date(2031, 2, 1)}, "不能超过 5 年"),
    ({"report_every_months": 13}, "报告间隔"),
    ({"method": "api", "raw_rows": False}, "请选择数据沙箱方式"),
    ({"method": "fax"}, "提供方式只能是"),
])
def test_terms_problems(changes: dict[str, object], problem: str) -> None:
    found = terms_problems(terms(**changes), TABLES)
    assert any(problem in p for p in found), found


def test_good_terms_and_download_terms_have_no_problems() -> None:
    assert terms_problems(terms(), TABLES) == []
    assert terms_problems(terms(method="download", fields={}), TABLES) == []


def test_months_stay_within_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 5, 15), -5) == date(2025, 12, 15)


def test_reports_fall_due_every_interval_and_at_the_end() -> None:
    assert report_due_dates(terms()) == [date(2026, 4, 30), date(2026, 7, 31),
                                         date(2026, 10, 31), date(2026, 12, 31)]
    assert report_due_dates(terms(report_every_months=0)) == [date(2026, 12, 31)]
    # An interval date that is the end date is not counted twice.
    assert report_due_dates(terms(valid_to=date(2026, 7, 31), report_every_months=6)) == [
        date(2026, 7, 31)]


def test_reminders_before_and_after_and_reports_answering_them() -> None:
    dues = [date(2026, 4, 30), date(2026, 7, 31)]
    kw = {"days_before": 7, "days_after": 7}
    assert reminders(dues, [], date(2026, 4, 22), **kw) == []
    assert [r.key for r in reminders(dues, [], date(2026, 4, 23), **kw)] == ["2026-04-30:before"]
    assert reminders(dues, [], date(2026, 5, 3), **kw) == []  # late, not yet a week
    assert [r.key for r in reminders(dues, [], date(2026, 5, 7), **kw)] == ["2026-04-30:after"]
    # A late report answers the date it is late for, not the next one.
    late = [date(2026, 5, 10)]
    assert reminders(dues, late, date(2026, 5, 12), **kw) == []
    assert [r.key for r in reminders(dues, late, date(2026, 7, 25), **kw)] == [
        "2026-07-31:before"]
    assert overdue(dues, late, date(2026, 8, 1)) == [date(2026, 7, 31)]
    assert overdue(dues, [date(2026, 4, 1), date(2026, 6, 1)], date(2026, 8, 1)) == []


def test_when_a_grant_serves_data() -> None:
    start, end = date(2026, 1, 1), date(2026, 6, 30)
    assert refusal(GrantStatus.ACTIVE, start, end, date(2026, 6, 30)) is None
    assert "已过期" in (refusal(GrantStatus.ACTIVE, start, end, date(2026, 7, 1)) or "")
    assert "尚未到" in (refusal(GrantStatus.ACTIVE, start, end, date(2025, 12, 31)) or "")
    assert "暂停" in (refusal(GrantStatus.SUSPENDED, start, end, date(2026, 3, 1)) or "")
    assert "撤销" in (refusal(GrantStatus.REVOKED, start, end, date(2026, 3, 1)) or "")
