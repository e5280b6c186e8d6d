"""The procedure kit (domain.procedures.kit): the guard over a transitions
table, the event log in date order and deadlines, on a kind of case the kit
has never seen (defined here in a few lines, as a new procedure would be) and
on the three procedures that use it: requests, error reports and public
participation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pytest

from domain.periods.calendar import WorkCalendar
from domain.periods.profiles import load_profile
from domain.periods.workdays import Clock
from domain.procedures.kit import (
    EventOutOfOrder,
    IllegalTransition,
    RoleNotAllowed,
    Transitions,
    append_event,
    by_due_date,
    deadline_of,
)
from domain.procedures.participation import PARTICIPATION_FLOW, Status, allowed
from domain.procedures.reports import (
    REPORT_FLOW,
    ReportAction,
    ReportKind,
    ReportState,
    Verification,
)
from domain.procedures.request_states import REQUEST_FLOW, TRANSITIONS, Action, State
from domain.procedures.roles import Role

CAL = WorkCalendar()


# -- a new kind of case, in a few lines -------------------------------------------------

class Step(StrEnum):
    FILED = "filed"
    FIRST_REVIEWED = "first_reviewed"
    DECIDED = "decided"


class Do(StrEnum):
    FIRST_REVIEW = "first_review"
    DECIDE = "decide"


FLOW: Transitions[Do, Step, Role] = Transitions({
    Do.FIRST_REVIEW: (frozenset({Step.FILED}), frozenset({Role.DEPARTMENT_REVIEWER})),
    Do.DECIDE: (frozenset({Step.FIRST_REVIEWED}), frozenset({Role.AUTHORITY_REVIEWER})),
}, kind="scenario application")


@dataclass(frozen=True)
class Scenario:
    number: str
    state: Step
    events: tuple[tuple[Do, date], ...] = ()


def test_the_guard_refuses_a_wrong_state_and_names_what_is_possible() -> None:
    with pytest.raises(IllegalTransition) as caught:
        FLOW.guard(Do.DECIDE, number="SQ-1", state=Step.FILED, role=Role.AUTHORITY_REVIEWER)
    assert not isinstance(caught.value, RoleNotAllowed)
    message = str(caught.value)
    assert "cannot decide scenario application SQ-1: it is filed" in message
    assert "possible in this state: first_review" in message
    with pytest.raises(IllegalTransition, match="nothing \\(the scenario application is closed\\)"):
        FLOW.guard(Do.DECIDE, number="SQ-1", state=Step.DECIDED, role=Role.AUTHORITY_REVIEWER)


def test_the_guard_refuses_a_wrong_role_and_names_who_may() -> None:
    with pytest.raises(RoleNotAllowed, match="only department_reviewer may") as caught:
        FLOW.guard(Do.FIRST_REVIEW, number="SQ-1", state=Step.FILED, role=Role.AUDITOR)
    assert caught.value.status == 403 and caught.value.code == "role-not-allowed"


def test_the_guard_keeps_events_in_date_order() -> None:
    FLOW.guard(Do.FIRST_REVIEW, number="SQ-1", state=Step.FILED,
               role=Role.DEPARTMENT_REVIEWER, on=date(2026, 3, 2), last_event_on=date(2026, 3, 2))
    with pytest.raises(EventOutOfOrder, match="last event is dated 2026-03-03"):
        FLOW.guard(Do.FIRST_REVIEW, number="SQ-1", state=Step.FILED,
                   role=Role.DEPARTMENT_REVIEWER, on=date(2026, 3, 2),
                   last_event_on=date(2026, 3, 3))


def test_allowed_and_possible_read_the_same_table() -> None:
    assert FLOW.allowed(Step.FILED, Role.DEPARTMENT_REVIEWER) == {Do.FIRST_REVIEW}
    assert FLOW.allowed(Step.FILED, Role.AUTHORITY_REVIEWER) == set()
    assert FLOW.possible_in(Step.FIRST_REVIEWED) == [Do.DECIDE]
    assert FLOW.possible(Do.DECIDE, Step.FIRST_REVIEWED)
    assert not FLOW.possible(Do.DECIDE, Step.FILED)
    assert FLOW.may(Do.DECIDE, Role.AUTHORITY_REVIEWER)
    assert not FLOW.may(Do.DECIDE, Role.DEPARTMENT_REVIEWER)


def test_append_event_copies_the_case_and_leaves_the_original() -> None:
    case = Scenario("SQ-1", Step.FILED)
    after = append_event(case, (Do.FIRST_REVIEW, date(2026, 3, 2)), state=Step.FIRST_REVIEWED)
    assert case.events == () and case.state is Step.FILED
    assert after.events == ((Do.FIRST_REVIEW, date(2026, 3, 2)),)
    assert after.state is Step.FIRST_REVIEWED and after.number == "SQ-1"


def test_a_deadline_counts_working_days_across_national_day() -> None:
    # 10 working days from receipt on 30 Sep 2026 (not counted), across the
    # National Day holiday (1–7 Oct 2026) and its make-up Saturday 10 Oct.
    clock = Clock.start(date(2026, 9, 30), 10)
    running = deadline_of("first_review", clock, date(2026, 10, 9), CAL,
                          responsible=Role.DEPARTMENT_REVIEWER, basis="000 §36",
                          due_soon_within=2)
    assert running.due == date(2026, 10, 20)
    assert running.status == "running" and running.basis == "000 §36"
    assert running.responsible is Role.DEPARTMENT_REVIEWER and not running.provisional
    late = deadline_of("first_review", clock, date(2026, 10, 21), CAL,
                       responsible=Role.DEPARTMENT_REVIEWER, basis="", due_soon_within=2)
    assert late.status == "overdue" and late.remaining == -1
    paused = deadline_of("x", clock.pause(date(2026, 10, 12)), date(2026, 10, 13), CAL,
                         responsible=Role.APPLICANT, basis="", due_soon_within=2)
    assert paused.due is None
    assert by_due_date([paused, late, running])[0].due == date(2026, 10, 20)
    assert by_due_date([paused, running])[-1] is paused


# -- the procedures that use it -------------------------------------------------------------

def test_requests_guard_reads_the_transitions_table() -> None:
    assert REQUEST_FLOW.table is TRANSITIONS
    assert REQUEST_FLOW.allowed(State.SUBMITTED, Role.AUTHORITY_REVIEWER) == {
        Action.FORWARD, Action.REJECT}
    with pytest.raises(RoleNotAllowed):
        REQUEST_FLOW.guard(Action.APPROVE, number="SQ-2", state=State.FORWARDED,
                           role=Role.AUTHORITY_REVIEWER)


def _report(v: Verification, on: date):  # type: ignore[no-untyped-def]
    return v.receive(number="JC-1", kind=ReportKind.DATA_ERROR, dataset_id="jtj-0001",
                     department="jtj", on=on, description="坐标有误")


def test_reports_who_may_do_what() -> None:
    v = Verification(load_profile("wanzhou"), CAL)
    report = _report(v, date(2026, 9, 30))
    assert report.state is ReportState.OPEN
    assert v.allowed_actions(report, Role.DEPARTMENT_REVIEWER) == {ReportAction.ANSWER}
    assert v.allowed_actions(report, Role.DEPARTMENT_HEAD) == {ReportAction.EXTEND}
    assert v.allowed_actions(report, Role.AUDITOR) == set()
    extended = v.extend(report, days=5, approved_by="局长", on=date(2026, 10, 9))
    assert v.allowed_actions(extended, Role.DEPARTMENT_HEAD) == set()  # one extension only
    answered = v.answer(report, finding="corrected", reasons="已更正", on=date(2026, 10, 9))
    assert answered.state is ReportState.ANSWERED
    assert v.allowed_actions(answered, Role.DEPARTMENT_REVIEWER) == set()
    assert REPORT_FLOW.may(ReportAction.EXTEND, Role.DEPARTMENT_HEAD)
    assert not REPORT_FLOW.may(ReportAction.EXTEND, Role.DEPARTMENT_REVIEWER)


def test_a_profile_without_extensions_offers_none() -> None:
    v = Verification(load_profile("guizhou-measures"), CAL)
    assert v.allowed_actions(_report(v, date(2026, 11, 23)), Role.DEPARTMENT_HEAD) == set()


def test_report_deadlines_while_open_only() -> None:
    v = Verification(load_profile("wanzhou"), CAL)
    report = _report(v, date(2026, 9, 30))
    [period] = v.deadlines(report, date(2026, 10, 19))
    assert period.due == date(2026, 10, 20) and period.status == "due_soon"
    assert period.what is ReportKind.DATA_ERROR
    assert period.responsible is Role.DEPARTMENT_REVIEWER
    assert period.basis == v.profile.article("verification")
    answered = v.answer(report, finding="confirmed", reasons="数据无误", on=date(2026, 10, 9))
    assert v.deadlines(answered, date(2026, 10, 19)) == []


@pytest.mark.parametrize(("action", "status", "possible"), [
    ("approve", Status.PENDING, True), ("approve", Status.ACCEPTED, False),
    ("withdraw", Status.PUBLISHED, True), ("withdraw", Status.PENDING, False),
    ("start", Status.ACCEPTED, True), ("start", Status.IN_PROGRESS, False),
    ("answer", Status.IN_PROGRESS, True), ("answer", Status.ANSWERED, False),
])
def test_participation_statuses_come_from_the_table(action: str, status: Status,
                                                    possible: bool) -> None:
    assert PARTICIPATION_FLOW.possible(action, status) is possible


def test_an_unknown_role_may_do_nothing() -> None:
    from domain.procedures.participation import Item, Kind
    item = Item(number="XQ-1", kind=Kind.DEMAND, received=date(2026, 3, 2), title="t",
                text="x", department="jtj")
    assert not allowed("approve", "janitor", "jtj", item)
    assert allowed("approve", Role.DEPARTMENT_REVIEWER, "jtj", item)
    assert not allowed("approve", Role.DEPARTMENT_REVIEWER, "wjw", item)
    assert not allowed("route", Role.DEPARTMENT_REVIEWER, "jtj", item)
