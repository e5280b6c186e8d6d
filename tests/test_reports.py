"""Data error reports and catalogue corrections answered within the
profile's period (000 §25, 001 §26, 002 §30, 004 §17, 004 §30). Dates were
counted by hand on the State Council's 2026 notice (National Day 10-01..07
off, Saturday 10-10 worked), the day of receipt not counted."""

from __future__ import annotations

from datetime import date

import pytest

from domain.periods.calendar import WorkCalendar
from domain.periods.profiles import load_profile
from domain.periods.workdays import ExtensionAlreadyUsed, ExtensionNotAllowed
from domain.procedures.reports import (
    BUSINESS_NOT_REFUSED,
    Finding,
    ReportError,
    ReportKind,
    Verification,
)

CAL = WorkCalendar()


def verification(profile: str) -> Verification:
    return Verification(load_profile(profile), CAL)


def receive(v: Verification, on: date, kind: ReportKind = ReportKind.DATA_ERROR):  # type: ignore[no-untyped-def]
    return v.receive(number="JC-1", kind=kind, dataset_id="jtj-0001", department="jtj", on=on,
                     description="站点坐标有误", field="longitude", row="12")


def test_wanzhou_ten_days_across_national_day_and_one_extension() -> None:
    v = verification("wanzhou")
    report = receive(v, date(2026, 9, 30))
    assert v.due(report) == date(2026, 10, 20)
    extended = v.extend(report, days=10, approved_by="局长", on=date(2026, 10, 15))
    assert v.due(extended) == date(2026, 11, 3)
    with pytest.raises(ExtensionAlreadyUsed):
        v.extend(extended, days=1, approved_by="局长", on=date(2026, 10, 16))


def test_anhui_seven_plus_at_most_seven() -> None:
    v = verification("anhui")
    report = receive(v, date(2026, 11, 23))
    assert v.due(report) == date(2026, 12, 2)
    with pytest.raises(ExtensionNotAllowed):
        v.extend(report, days=8, approved_by="负责人", on=date(2026, 11, 25))


def test_guizhou_measures_allows_no_extension() -> None:
    v = verification("guizhou-measures")
    with pytest.raises(ReportError, match="no extension"):
        v.extend(receive(v, date(2026, 11, 23)), days=5, approved_by="x", on=date(2026, 11, 24))


def test_catalogue_corrections_use_their_own_period() -> None:
    v = verification("wanzhou")
    report = receive(v, date(2026, 9, 30), ReportKind.CATALOGUE_CORRECTION)
    assert v.due(report) == date(2026, 10, 20)  # 004 §30: 10 working days


def test_answer_in_time_late_and_once() -> None:
    v = verification("wanzhou")
    report = receive(v, date(2026, 9, 30))
    answered = v.answer(report, finding="corrected", reasons="已按实测坐标更正", on=date(2026, 10, 20))
    assert answered.answer is not None and answered.answer.in_time
    assert answered.answer.finding is Finding.CORRECTED and v.status(answered, date(2026, 11, 1)) == "answered"
    late = v.answer(report, finding="confirmed", reasons="经核实无误", on=date(2026, 10, 21))
    assert late.answer is not None and not late.answer.in_time
    with pytest.raises(ReportError, match="answered"):
        v.answer(answered, finding="confirmed", reasons="x", on=date(2026, 10, 22))
    with pytest.raises(ReportError, match="reasons"):
        v.answer(report, finding="confirmed", reasons=" ", on=date(2026, 10, 2))


def test_status_and_refusals() -> None:
    v = verification("wanzhou")
    report = receive(v, date(2026, 9, 30))
    assert v.status(report, date(2026, 10, 8)) == "running"
    assert v.status(report, date(2026, 10, 19)) == "due_soon"
    assert v.status(report, date(2026, 10, 21)) == "overdue"
    with pytest.raises(ReportError, match="description"):
        v.receive(number="x", kind=ReportKind.DATA_ERROR, dataset_id="a", department="b",
                  on=date(2026, 10, 8), description="")


def test_receipt_states_business_is_not_refused() -> None:
    assert "不得以数据正在校核为由拒绝办理" in BUSINESS_NOT_REFUSED


def test_a_period_into_an_unknown_year_is_refused_at_receipt_when_strict() -> None:
    from domain.periods.calendar import CalendarYearMissing, WorkCalendar

    v = Verification(load_profile("wanzhou"), WorkCalendar(provisional=False))
    with pytest.raises(CalendarYearMissing):
        receive(v, date(2026, 12, 28))


def test_an_extension_asked_after_the_period_is_refused_with_the_reason() -> None:
    v = verification("wanzhou")
    report = receive(v, date(2026, 9, 30))  # due 2026-10-20
    with pytest.raises(ReportError) as info:
        v.extend(report, days=5, approved_by="局长", on=date(2026, 10, 21))
    assert str(info.value) == "答复期限已于 2026-10-20 届满，已超期的期限不能延长：请尽快核实并答复。"
    assert v.due(v.extend(report, days=5, approved_by="局长", on=date(2026, 10, 20))) == date(
        2026, 10, 27)  # on the due date itself: 21 22 23 26 27


def test_a_refused_catalogue_correction_states_reasons_and_basis() -> None:
    # 004 §30 不同意更正的，应当说明理由，并提供依据.
    v = verification("wanzhou")
    report = receive(v, date(2026, 11, 23), ReportKind.CATALOGUE_CORRECTION)
    with pytest.raises(ReportError, match="说明理由，并提供依据"):
        v.answer(report, finding="confirmed", reasons="目录所列更新频度正确", on=date(2026, 11, 24))
    refused = v.answer(report, finding="confirmed", reasons="目录所列更新频度正确",
                       on=date(2026, 11, 24), basis="《云河市交通运输局数据管理规定》第五条")
    assert refused.answer is not None
    assert refused.answer.reasons == "目录所列更新频度正确\n依据：《云河市交通运输局数据管理规定》第五条"
    # An accepted correction needs no basis (it is forwarded as a catalogue change).
    assert v.answer(report, finding="corrected", reasons="更新频度改为每日",
                    on=date(2026, 11, 24)).answer is not None


@pytest.mark.parametrize(("profile", "cited"), [
    ("wanzhou", "（《万州区政务数据资源管理办法》第十七条）"),
    ("anhui", "（《安徽省政务数据资源管理办法》第二十六条）"),
    ("guizhou-regulation", ""),
    ("foshan", ""),
])
def test_the_receipt_notice_cites_only_the_deployments_own_text(profile: str, cited: str) -> None:
    notice = verification(profile).notice
    assert notice == BUSINESS_NOT_REFUSED[:-1] + cited + "。"
    assert notice.count("《") == (1 if cited else 0)


def test_a_period_into_a_year_without_notice_is_provisional() -> None:
    from domain.periods.calendar import WorkCalendar

    v = Verification(load_profile("wanzhou"), WorkCalendar())
    report = receive(v, date(2026, 12, 28))
    # 10 working days: 12-29..31 (3), 元旦 2027-01-01 off, 01-04..08 (5), 01-11..12 (2).
    assert v.due(report) == date(2027, 1, 12)
    assert v.provisional(report)
    assert not v.provisional(receive(v, date(2026, 11, 2)))
