"""Authorised operation in the domain (000 §34–36): the transitions table,
the periods and their basis per profile, the first review's due date on the
working-day calendar, the authority's scope checks, the feedback schedule
and its overdue rule, the required contents, and the stored form that keeps
personal data apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.periods.calendar import WorkCalendar
from domain.periods.profiles import PROFILES, load_profile
from domain.procedures.kit import EventOutOfOrder, IllegalTransition, RoleNotAllowed
from domain.procedures.operation import OperationError, Operations
from domain.procedures.operation_application import (
    ApplicationIncomplete,
    build_application,
    split_list,
)
from domain.procedures.operation_codec import decode, encode
from domain.procedures.operation_periods import OperationPeriods, lines, periods_for
from domain.procedures.operation_records import Authorisation, Operation
from domain.procedures.operation_states import OPERATION_FLOW, OpAction, OpState
from domain.procedures.roles import Role

CAL = WorkCalendar()
CREDIT_CODE = "91350100M000100Y43"
VALUES = {"scenario_title": "公交到站预测", "scenario": "开发面向市民的公交到站时间预测服务。",
          "purpose": "为出行应用提供实时到站预测服务。", "fields": "站点名称，经度",
          "security_measures": "境内机房存储，最小权限访问，日志留存。",
          "organisation": "云河智行科技有限公司", "credit_code": CREDIT_CODE,
          "contact_name": "张晓明", "phone": "13912345678", "email": ""}
DEPARTMENTS = {"jtj-0001": "jtj", "jtj-0002": "jtj", "rsj-0001": "rsj"}
TERM = Authorisation(("jtj-0001",), ("站点名称",), date(2026, 11, 2), date(2027, 10, 30))


def ops(profile: str = "guizhou-measures") -> Operations:
    return Operations(periods_for(load_profile(profile)), CAL)


def filed(on: date = date(2026, 9, 30)) -> Operation:
    app = build_application(VALUES, ["jtj-0001", "jtj-0002"], department_of=DEPARTMENTS)
    return ops().file(number="YY-1", on=on, application=app)


def authorised() -> Operation:
    o = ops()
    case = o.first_review(filed(), opinion="pass", reasons="可以提供", by="jtj",
                          on=date(2026, 10, 9))
    return o.decide(case, verdict="authorise", reasons="符合要求", by="authority",
                    on=date(2026, 10, 16), scope=TERM)


def test_the_table_gives_each_step_to_one_role() -> None:
    assert OPERATION_FLOW.allowed(OpState.FILED, Role.DEPARTMENT_REVIEWER) == {
        OpAction.FIRST_REVIEW}
    assert OPERATION_FLOW.allowed(OpState.FILED, Role.AUTHORITY_REVIEWER) == set()
    assert OPERATION_FLOW.allowed(OpState.FIRST_REVIEWED, Role.AUTHORITY_REVIEWER) == {
        OpAction.DECIDE}
    assert OPERATION_FLOW.allowed(OpState.AUTHORISED, Role.APPLICANT) == {OpAction.FEEDBACK}
    assert OPERATION_FLOW.allowed(OpState.FIRST_REVIEWED, Role.APPLICANT) == {
        OpAction.WITHDRAW}
    for state in OpState:
        assert OPERATION_FLOW.allowed(state, Role.AUDITOR) == set()


def test_first_review_runs_ten_working_days_over_national_day() -> None:
    case = filed()
    [period] = ops().deadlines(case, date(2026, 10, 9))
    assert period.what == "first_review" and period.due == date(2026, 10, 20)
    assert period.responsible is Role.DEPARTMENT_REVIEWER and period.basis == "000 §36(二)"
    [late] = ops().deadlines(case, date(2026, 10, 21))
    assert late.status == "overdue"
    on_time = ops().first_review(case, opinion="pass", reasons="可以提供", by="jtj",
                                 on=date(2026, 10, 20))
    assert on_time.first_review is not None and on_time.first_review.in_time
    too_late = ops().first_review(case, opinion="fail", reasons="涉及个人信息", by="jtj",
                                  on=date(2026, 10, 21))
    assert too_late.first_review is not None and not too_late.first_review.in_time
    assert too_late.state is OpState.FIRST_REVIEWED  # a refusal goes to the authority too
    [decision] = ops().deadlines(too_late, date(2026, 10, 21))
    assert decision.what == "decision" and decision.responsible is Role.AUTHORITY_REVIEWER
    assert decision.basis == ""  # bureau policy


def test_only_000_sets_a_figure_elsewhere_everything_is_bureau_policy() -> None:
    for profile in PROFILES.values():
        periods = periods_for(profile)
        texts = [line.basis_zh for line in lines(periods)]
        if profile.regulation == "000":
            assert texts[0] == "《贵州省政务数据资源管理办法》第三十六条第（二）项"
            assert texts[1].startswith("本局规定（参照")
        else:
            assert texts == ["本局规定"] * 3
            assert all(not periods.article(t) for t in ("first_review", "decision", "feedback"))
    with pytest.raises(ValueError, match="first_review must be"):
        OperationPeriods(regulation="000", first_review=0,
                         basis=dict.fromkeys(("application", "first_review", "decision",
                                              "feedback"), "policy"))


def test_the_guard_refuses_wrong_steps() -> None:
    with pytest.raises(IllegalTransition):
        ops().decide(filed(), verdict="reject", reasons="不同意", by="a", on=date(2026, 10, 9))
    with pytest.raises(EventOutOfOrder):
        ops().first_review(filed(), opinion="pass", reasons="可以提供", by="jtj",
                           on=date(2026, 9, 29))
    with pytest.raises(RoleNotAllowed):
        OPERATION_FLOW.guard(OpAction.DECIDE, number="YY-1", state=OpState.FIRST_REVIEWED,
                             role=Role.DEPARTMENT_REVIEWER)
    with pytest.raises(OperationError, match="不予通过的依据或理由"):
        ops().first_review(filed(), opinion="fail", reasons=" ", by="jtj", on=date(2026, 10, 9))
    with pytest.raises(OperationError, match="初审意见只能是"):
        ops().first_review(filed(), opinion="maybe", reasons="可以提供", by="jtj",
                           on=date(2026, 10, 9))


@pytest.mark.parametrize(("scope", "message"), [
    (None, "至少一个数据集"),
    (replace(TERM, datasets=("rsj-0001",)), "超出申请的数据集"),
    (replace(TERM, fields=("身份证号",)), "超出申请的字段"),
    (replace(TERM, end=date(2026, 11, 1)), "不能早于开始日期"),
    (replace(TERM, start=date(2026, 1, 1), end=date(2026, 10, 15)), "已过"),
])
def test_an_authorisation_stays_within_the_application(scope: Authorisation | None,
                                                       message: str) -> None:
    o = ops()
    case = o.first_review(filed(), opinion="pass", reasons="可以提供", by="jtj",
                          on=date(2026, 10, 9))
    with pytest.raises(OperationError, match=message):
        o.decide(case, verdict="authorise", reasons="符合要求", by="a", on=date(2026, 10, 16),
                 scope=scope)
    rejected = o.decide(case, verdict="reject", reasons="场景不明确", by="a",
                        on=date(2026, 10, 16))
    assert rejected.state is OpState.REJECTED and rejected.authorisation is None
    assert o.deadlines(rejected, date(2026, 10, 16)) == []


def test_feedback_schedule_and_overdue_rule() -> None:
    o, case = ops(), authorised()
    due = o.feedback_due(case)
    assert due is not None and due > TERM.start
    [period] = o.deadlines(case, TERM.start)
    assert period.what == "feedback" and period.responsible is Role.APPLICANT
    assert not o.feedback_overdue(case, due)
    assert o.feedback_overdue(case, date.fromordinal(due.toordinal() + 1))
    with pytest.raises(OperationError, match="开始"):
        o.feedback(case, quality="数据完整准确及时无误", use="仅用于公交到站预测服务",
                   effects="日均使用两万人次以上", on=date(2026, 10, 30))
    with pytest.raises(OperationError, match="应用成效"):
        o.feedback(case, quality="数据完整准确及时无误", use="仅用于公交到站预测服务",
                   effects="好", on=date(2026, 11, 3))
    late = o.feedback(case, quality="数据完整准确及时无误", use="仅用于公交到站预测服务",
                      effects="日均使用两万人次以上", on=date.fromordinal(due.toordinal() + 1))
    assert not late.feedback[-1].in_time
    next_due = o.feedback_due(late)
    assert next_due is not None and next_due > due  # counted again from the report
    final = o.feedback(late, quality="数据完整准确及时无误", use="仅用于公交到站预测服务",
                       effects="日均使用两万人次以上", on=date(2027, 11, 2))
    assert o.feedback_due(final) is None  # a report after the term closes the schedule


def test_required_contents_each_named() -> None:
    with pytest.raises(ApplicationIncomplete) as caught:
        build_application({**VALUES, "purpose": "", "security_measures": "加密",
                           "credit_code": "91350100M000100Y44", "phone": ""},
                          ["jtj-0001", "rsj-0001", "nope"], department_of=DEPARTMENTS)
    text = " ".join(caught.value.problems)
    for expected in ("数据用途", "安全保护措施写得太简略", "统一社会信用代码",
                     "联系方式", "nope", "按部门分别申请"):
        assert expected in text
    with pytest.raises(ApplicationIncomplete, match="至少选择一个"):
        build_application(VALUES, [], department_of=DEPARTMENTS)
    assert split_list("a，b、c\n a ,,") == ("a", "b", "c")


def test_stored_form_keeps_personal_data_apart() -> None:
    case = authorised()
    case = replace(case, application=replace(
        case.application, purpose="联系 13912345678 获取数据服务。"))
    snapshot, personal = encode(case)
    text = str(snapshot)
    assert CREDIT_CODE not in text and "张晓明" not in text and "13912345678" not in text
    assert "云河智行科技有限公司" in text  # the organisation is public once authorised
    assert decode(snapshot, personal) == case
    sealed = decode(snapshot, {})
    assert sealed.application.operator.credit_code == "" and "139" in sealed.application.purpose
    assert "13912345678" not in sealed.application.purpose
