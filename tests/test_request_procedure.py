"""The conditional-open request procedure (domain/procedures/requests.py, SPEC §4).

Deadline scenarios come from tests/data/request_cases.yaml, worked out by hand
from the State Council notices; the rules and illegal transitions are tested
one by one below. Calendars: the shipped files only, the source of truth.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from domain.periods.calendar import DEFAULT_FOLDER, CalendarYearMissing, WorkCalendar
from domain.periods.profiles import load_profile
from domain.periods.workdays import Clock
from domain.procedures.identity import IdentityKind
from domain.procedures.requests import (
    REMEDY_NOTICE,
    TRANSITIONS,
    Action,
    Actor,
    Application,
    ApplicationIncomplete,
    DeliveryMethod,
    EventKind,
    EventOutOfOrder,
    IllegalTransition,
    Outcome,
    PeriodKind,
    Procedure,
    Request,
    Role,
    RoleNotAllowed,
    RuleViolation,
    State,
)

ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((ROOT / "tests" / "data" / "request_cases.yaml").read_text(encoding="utf-8"))
CAL = WorkCalendar(use_package=False)

APPLICANT = Actor(Role.APPLICANT, "王小明")
AUTHORITY = Actor(Role.AUTHORITY_REVIEWER, "省大数据局 李审核")
REVIEWER = Actor(Role.DEPARTMENT_REVIEWER, "省交通运输厅 赵专员")
HEAD = Actor(Role.DEPARTMENT_HEAD, "省交通运输厅 钱厅长")
THIRD = Actor(Role.THIRD_PARTY, "贵阳公交集团")
SYSTEM = Actor(Role.SYSTEM, "reminder-job")
AUDITOR = Actor(Role.AUDITOR, "审计 孙")

ID_NUMBER = "11010519491231002X"  # the example number of GB 11643-1999


def application(**changes: Any) -> Application:
    base = Application(
        dataset_id="gz-bus-gps", department="省交通运输厅", applicant_name="王小明",
        identity_kind=IdentityKind.ID_NUMBER, identity_number=ID_NUMBER,
        phone="13812345678", email="wang@example.com",
        data_description="公交车辆实时位置，2025 年全年", purpose="公交出行研究",
        scope_of_use="仅用于本课题组论文", security_measures="加密存储，专人管理",
        delivery_method=DeliveryMethod.API, commitment_signed=True,
    )
    return dataclasses.replace(base, **changes)


def procedure(profile: str = "guizhou-regulation", **kwargs: Any) -> Procedure:
    return Procedure(load_profile(profile), CAL, **kwargs)


def submitted(p: Procedure, on: date = date(2026, 3, 2)) -> Request:
    return p.submit(application(), number="GZ-2026-0001", on=on, actor=APPLICANT)


def forwarded(p: Procedure, on: date = date(2026, 3, 2)) -> Request:
    return p.forward(submitted(p, on), actor=AUTHORITY, on=on)


def consulting(p: Procedure, on: date = date(2026, 3, 4)) -> Request:
    return p.start_consultation(forwarded(p), actor=REVIEWER, on=on,
                                parties=[("a", "贵阳公交集团"), ("b", "某某科技有限公司")])


def approved(p: Procedure, on: date = date(2026, 3, 5)) -> Request:
    return p.approve(forwarded(p), actor=REVIEWER, on=on, scope="仅用于公交出行研究",
                     delivery_method="api")


def denied(p: Procedure, on: date = date(2026, 3, 5)) -> Request:
    return p.deny(forwarded(p), actor=REVIEWER, on=on, reasons="涉及个人隐私",
                  legal_basis="《个人信息保护法》第十三条")


# --- the table-driven deadline scenarios -------------------------------------------

# The operations of a `do` step: the usual role and the other values of the call.
STEPS: dict[str, Callable[[Procedure, Request, dict[str, Any]], Request]] = {
    "forward": lambda p, r, s: p.forward(r, actor=AUTHORITY, on=s["day"]),
    "extend": lambda p, r, s: p.extend(r, actor=HEAD, on=s["day"], days=s["days"],
                                       reason="数据量大，需要脱敏处理"),
    "start_consultation": lambda p, r, s: p.start_consultation(
        r, actor=REVIEWER, on=s["day"], parties=[(k, f"第三方 {k}") for k in s["parties"]]),
    "third_party_answer": lambda p, r, s: p.third_party_answer(
        r, actor=THIRD, key=s["party"], on=s["day"], answer=s["answer"],
        reasons=s.get("reasons", "")),
    "judge_objection": lambda p, r, s: p.judge_objection(
        r, actor=REVIEWER, key=s["party"], on=s["day"], reasonable=s["reasonable"],
        reasons="所称商业秘密已在公开年报中披露"),
    "close_consultation": lambda p, r, s: p.close_consultation(r, actor=REVIEWER, on=s["day"]),
    "request_explanation": lambda p, r, s: p.request_explanation(
        r, actor=REVIEWER, on=s["day"], question="请说明每日申请全量数据的理由"),
    "answer_explanation": lambda p, r, s: p.answer_explanation(
        r, actor=APPLICANT, on=s["day"], text="用于实时公交到站预测，需要每日更新"),
    "judge_explanation": lambda p, r, s: p.judge_explanation(
        r, actor=REVIEWER, on=s["day"], reasonable=s["reasonable"], reasons="理由合理"),
    "approve": lambda p, r, s: p.approve(r, actor=REVIEWER, on=s["day"], scope="仅用于公交出行研究",
                                         delivery_method="download"),
    "deliver": lambda p, r, s: p.deliver(r, actor=REVIEWER, on=s["day"]),
    "lapse_explanation": lambda p, r, s: p.lapse_explanation(r, actor=SYSTEM, on=s["day"]),
}
ERRORS: dict[str, type[Exception]] = {"RuleViolation": RuleViolation,
                                      "IllegalTransition": IllegalTransition}


@pytest.mark.parametrize("scenario", CASES["scenarios"], ids=lambda s: s["name"])
def test_deadline_scenario(scenario: dict[str, Any]) -> None:
    p = Procedure(load_profile(scenario["profile"], scenario.get("overrides")), CAL)
    req = p.submit(application(), number=scenario["name"], on=scenario["received"],
                   actor=APPLICANT)
    for i, step in enumerate(scenario["steps"]):
        where = f"step {i} ({step.get('note', '')})"
        if "check" in step:
            check = step["check"]
            got = [
                {"what": str(d.what), "due": d.due, "status": d.status, "remaining": d.remaining,
                 **({"party": d.party} if d.party else {})}
                for d in p.deadlines(req, check["today"])
            ]
            assert got == check["expect"], where
        elif "raises" in step:
            with pytest.raises(ERRORS[step["raises"]]):
                STEPS[step["do"]](p, req, step)
        else:
            req = STEPS[step["do"]](p, req, step)


def test_scenarios_cover_every_step_kind() -> None:
    used = {s["do"] for sc in CASES["scenarios"] for s in sc["steps"] if "do" in s}
    assert used == set(STEPS)


# --- submission --------------------------------------------------------------------------


def test_submit_starts_the_normative_review_and_masks_the_identity() -> None:
    p = procedure("guizhou-measures")
    req = p.submit(application(identity_number="110105 19491231 002x"), number="N-1",
                   on=date(2025, 9, 26), actor=APPLICANT)
    assert req.state is State.SUBMITTED
    assert req.review_clock == Clock.start(date(2025, 9, 26), 5)
    assert req.application.identity_number == ID_NUMBER  # normalised
    event = req.events[0]
    # An e-mail was given: the applicant gets a confirmation too (issue 10).
    assert event.kind is EventKind.SUBMITTED and event.notify == ("authority", "applicant")
    assert event.data["identity"] == "110105********002X"
    assert event.data["review_due"] == "2025-10-10"
    assert ID_NUMBER not in repr(req) and "13812345678" not in repr(req)
    assert ID_NUMBER not in repr(req.events)


def test_submit_refuses_an_incomplete_application_with_chinese_messages() -> None:
    p = procedure()
    bad = application(identity_number="110105194912310021", purpose=" ", commitment_signed=False,
                      phone="", email="")
    with pytest.raises(ApplicationIncomplete) as info:
        p.submit(bad, number="N-1", on=date(2026, 3, 2), actor=APPLICANT)
    assert info.value.problems == (
        "身份证号码校验位不正确，请核对第 18 位。",
        "请至少填写一种联系方式：手机、固定电话或电子邮箱。",
        "请填写数据用途。",
        "请阅读并签署《数据开放利用承诺书》。",
    )
    assert info.value.article == "003 §24, 002 §36"
    assert isinstance(info.value, RuleViolation)


def test_submit_by_a_reviewer_is_refused() -> None:
    with pytest.raises(RoleNotAllowed):
        procedure().submit(application(), number="N-1", on=date(2026, 3, 2), actor=REVIEWER)


def test_periods_come_from_the_profile() -> None:
    p = Procedure(load_profile("guizhou-measures", {"normative_review": 3, "provider_reply": 7}),
                  CAL)
    req = forwarded(p, date(2025, 9, 26))
    assert req.review_clock.period == 3
    assert req.reply_clock == Clock.start(date(2025, 9, 26), 7)


# --- normative review (000 §31) ---------------------------------------------------------


def test_reject_needs_reasons_and_carries_the_remedy_notice() -> None:
    p = procedure("guizhou-measures")
    req = submitted(p)
    with pytest.raises(RuleViolation, match=r"000 §31"):
        p.reject(req, actor=AUTHORITY, on=date(2026, 3, 3), reasons="  ")
    done = p.reject(req, actor=AUTHORITY, on=date(2026, 3, 3), reasons="申请用途填写不完整")
    assert done.state is State.REJECTED
    assert done.decision is not None and done.decision.outcome is Outcome.REJECTED
    assert done.decision.remedy_notice == REMEDY_NOTICE
    assert done.events[-1].data["review_in_time"] is True
    assert p.deadlines(done, date(2026, 3, 3)) == []


def test_late_normative_review_is_recorded_as_late() -> None:
    p = procedure("guizhou-measures")
    req = p.forward(submitted(p, date(2025, 9, 26)), actor=AUTHORITY, on=date(2025, 10, 13))
    assert req.events[-1].data["review_in_time"] is False


# --- roles and states -----------------------------------------------------------------------


@pytest.mark.parametrize("make", [approved, denied], ids=["approved", "denied"])
def test_withdraw_after_a_decision_is_refused(make: Callable[[Procedure], Request]) -> None:
    p = procedure()
    req = make(p)
    with pytest.raises(IllegalTransition) as info:
        p.withdraw(req, actor=APPLICANT, on=date(2026, 3, 6))
    message = str(info.value)
    assert f"it is {req.state}" in message and "possible in this state" in message


@pytest.mark.parametrize("make", [submitted, forwarded, consulting],
                         ids=["submitted", "forwarded", "consulting"])
def test_withdraw_before_a_decision(make: Callable[[Procedure], Request]) -> None:
    p = procedure()
    req = p.withdraw(make(p), actor=APPLICANT, on=date(2026, 3, 6), reason="不再需要")
    assert req.state is State.WITHDRAWN and req.events[-1].kind is EventKind.WITHDRAWN
    assert p.allowed_actions(req, Role.APPLICANT) == set()


def test_withdraw_by_someone_else_is_refused() -> None:
    p = procedure()
    with pytest.raises(RoleNotAllowed, match="only applicant may"):
        p.withdraw(forwarded(p), actor=REVIEWER, on=date(2026, 3, 6))


def test_illegal_transition_names_the_state_and_what_is_possible() -> None:
    p = procedure()
    with pytest.raises(IllegalTransition) as info:
        p.approve(submitted(p), actor=REVIEWER, on=date(2026, 3, 3), scope="x",
                  delivery_method="api")
    assert str(info.value) == (
        "cannot approve request GZ-2026-0001: it is submitted; possible in this state: "
        "forward, reject, withdraw"
    )
    assert not isinstance(info.value, RoleNotAllowed)


def test_closed_request_says_nothing_is_possible() -> None:
    p = procedure()
    with pytest.raises(IllegalTransition, match=r"nothing \(the request is closed\)"):
        p.forward(denied(p), actor=AUTHORITY, on=date(2026, 3, 6))


def test_wrong_role_is_refused_with_the_roles_that_may() -> None:
    p = procedure()
    with pytest.raises(RoleNotAllowed, match="only authority_reviewer may") as info:
        p.forward(submitted(p), actor=REVIEWER, on=date(2026, 3, 3))
    assert info.value.status == 403


def test_events_are_recorded_in_date_order() -> None:
    p = procedure()
    with pytest.raises(EventOutOfOrder):
        p.forward(submitted(p, date(2026, 3, 2)), actor=AUTHORITY, on=date(2026, 3, 1))


def test_operations_return_new_requests_and_leave_the_old_one_alone() -> None:
    p = procedure()
    before = submitted(p)
    after = p.forward(before, actor=AUTHORITY, on=date(2026, 3, 3))
    assert before.state is State.SUBMITTED and len(before.events) == 1
    assert after.state is State.FORWARDED and len(after.events) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        after.state = State.APPROVED  # type: ignore[misc]
    with pytest.raises(TypeError):
        after.events[-1].data["reply_due"] = "2099-01-01"  # type: ignore[index]


# --- decision (000 §31, 003 §25, 004 §31, 002 §40) ------------------------------------------


def test_deny_without_legal_basis_is_refused() -> None:
    p = procedure()
    req = forwarded(p)
    with pytest.raises(RuleViolation, match=r"legal basis.*003 §25 para 4") as info:
        p.deny(req, actor=REVIEWER, on=date(2026, 3, 5), reasons="涉及个人隐私", legal_basis="")
    assert info.value.article == "003 §25 para 4"  # the deployment's own text, current numbering
    w = procedure("wanzhou")
    with pytest.raises(RuleViolation) as info:
        w.deny(forwarded(w), actor=REVIEWER, on=date(2026, 3, 5), reasons="隐私", legal_basis=" ")
    assert info.value.article == "004 §31"
    with pytest.raises(RuleViolation, match="reasons"):
        p.deny(req, actor=REVIEWER, on=date(2026, 3, 5), reasons="", legal_basis="《条例》")


def test_denial_carries_reasons_basis_and_remedy_notice() -> None:
    p = procedure(remedy_notice="可向贵州省人民政府申请行政复议，或向人民法院提起行政诉讼。")
    req = denied(p)
    assert req.state is State.DENIED
    assert req.decision is not None
    assert (req.decision.reasons, req.decision.legal_basis) == (
        "涉及个人隐私", "《个人信息保护法》第十三条")
    assert req.decision.remedy_notice.startswith("可向贵州省人民政府")
    assert req.events[-1].data["remedy_notice"] == req.decision.remedy_notice
    assert req.events[-1].notify == ("applicant",)


def test_a_procedure_without_remedy_notice_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="002 §40"):
        procedure(remedy_notice=" ")


def test_approve_needs_a_scope_and_a_known_delivery_method() -> None:
    p = procedure()
    req = forwarded(p)
    with pytest.raises(RuleViolation, match="003 §25 para 4"):
        p.approve(req, actor=REVIEWER, on=date(2026, 3, 5), scope="", delivery_method="api")
    # 002 §36 is Foshan's: not cited under the Guizhou regulation.
    with pytest.raises(RuleViolation) as info:
        p.approve(req, actor=REVIEWER, on=date(2026, 3, 5), scope="研究", delivery_method="usb")
    assert info.value.article == ""
    f = procedure("foshan")
    with pytest.raises(RuleViolation, match="002 §36"):
        f.approve(forwarded(f), actor=REVIEWER, on=date(2026, 3, 9), scope="研究",
                  delivery_method="usb")
    done = p.approve(req, actor=HEAD, on=date(2026, 3, 5), scope="研究",
                     delivery_method=DeliveryMethod.SANDBOX)
    assert done.decision is not None and done.decision.delivery_method is DeliveryMethod.SANDBOX


# A dataset whose descriptor says 接口调用、数据沙箱 and 原始明细不得带出 (the
# sample's dsj-0001): the applicant cannot ask for, and a reviewer cannot
# approve, a download.
API_AND_SANDBOX = (DeliveryMethod.API, DeliveryMethod.SANDBOX)


def test_no_confirmation_is_queued_without_an_e_mail_address() -> None:
    req = procedure().submit(application(email=""), number="N-1", on=date(2026, 3, 2),
                             actor=APPLICANT)
    assert req.events[0].notify == ("authority",)


def test_a_method_the_dataset_does_not_offer_cannot_be_asked_for() -> None:
    p = procedure()
    wrong = application(offered=API_AND_SANDBOX, delivery_method=DeliveryMethod.DOWNLOAD)
    with pytest.raises(ApplicationIncomplete) as caught:
        p.submit(wrong, number="GZ-2026-0001", on=date(2026, 3, 2), actor=APPLICANT)
    assert caught.value.problems == ("该数据集不提供所选的获取方式，请选择：接口调用、数据沙箱。",)
    right = application(offered=API_AND_SANDBOX, delivery_method=DeliveryMethod.SANDBOX)
    assert p.submit(right, number="GZ-2026-0001", on=date(2026, 3, 2), actor=APPLICANT)


def test_a_method_the_dataset_does_not_offer_cannot_be_approved() -> None:
    p = procedure()
    req = p.forward(p.submit(application(offered=API_AND_SANDBOX), number="GZ-2026-0001",
                             on=date(2026, 3, 2), actor=APPLICANT),
                    actor=AUTHORITY, on=date(2026, 3, 2))
    with pytest.raises(RuleViolation) as caught:
        p.approve(req, actor=REVIEWER, on=date(2026, 3, 5), scope="研究",
                  delivery_method="download")
    assert caught.value.code == "delivery-method-not-offered"
    assert caught.value.params == {"allowed": "接口调用、数据沙箱"}
    for method in API_AND_SANDBOX:
        done = p.approve(req, actor=REVIEWER, on=date(2026, 3, 5), scope="研究",
                         delivery_method=method)
        assert done.decision is not None and done.decision.delivery_method is method


def test_a_request_filed_before_offers_were_recorded_allows_every_method() -> None:
    p = procedure()
    req = forwarded(p)
    assert req.application.offered == ()
    done = p.approve(req, actor=REVIEWER, on=date(2026, 3, 5), scope="研究",
                     delivery_method="download")
    assert done.decision is not None and done.decision.delivery_method is DeliveryMethod.DOWNLOAD


def test_deliver_then_report_use() -> None:
    p = procedure()
    req = p.deliver(approved(p), actor=SYSTEM, on=date(2026, 3, 6), reference="api-key-17")
    assert req.state is State.DELIVERED
    assert req.events[-1].data == {"delivery_method": "api", "reference": "api-key-17",
                                   "in_time": True}
    with pytest.raises(RuleViolation, match="report of use is empty"):
        p.report_use(req, actor=APPLICANT, on=date(2026, 6, 1), text="")
    req = p.report_use(req, actor=APPLICANT, on=date(2026, 6, 1), text="已完成到站预测模型")
    req = p.report_use(req, actor=APPLICANT, on=date(2026, 9, 1), text="论文已投稿")
    assert [e.kind for e in req.events[-2:]] == [EventKind.USE_REPORTED] * 2
    assert req.state is State.DELIVERED
    with pytest.raises(RoleNotAllowed):
        p.report_use(req, actor=REVIEWER, on=date(2026, 9, 2), text="x")


def test_report_use_before_delivery_is_refused() -> None:
    p = procedure()
    with pytest.raises(IllegalTransition, match="it is approved"):
        p.report_use(approved(p), actor=APPLICANT, on=date(2026, 3, 6), text="x")


# --- third parties (003 §25) -----------------------------------------------------------------


def test_objection_with_reasonable_grounds_forbids_approval_without_override() -> None:
    p = procedure()
    req = p.third_party_answer(consulting(p), actor=THIRD, key="a", on=date(2026, 3, 5),
                               answer="object", reasons="涉及本企业商业秘密")
    req = p.third_party_answer(req, actor=THIRD, key="b", on=date(2026, 3, 5), answer="agree")
    req = p.close_consultation(req, actor=REVIEWER, on=date(2026, 3, 6))
    req = p.judge_objection(req, actor=REVIEWER, key="a", on=date(2026, 3, 6), reasonable=True,
                            reasons="线路运营成本属商业秘密")
    with pytest.raises(RuleViolation, match=r"third party a objected"):
        p.approve(req, actor=REVIEWER, on=date(2026, 3, 9), scope="研究", delivery_method="api")
    with pytest.raises(RuleViolation, match="objection is not judged unreasonable"):
        p.approve(req, actor=REVIEWER, on=date(2026, 3, 9), scope="研究", delivery_method="api",
                  public_interest_override="   ")
    # Denying is always possible.
    assert p.deny(req, actor=REVIEWER, on=date(2026, 3, 9), reasons="第三方不同意",
                  legal_basis="《条例》第二十五条").state is State.DENIED


def test_public_interest_override_requires_a_written_notice_to_the_third_party() -> None:
    p = procedure()
    req = p.third_party_answer(consulting(p), actor=THIRD, key="a", on=date(2026, 3, 5),
                               answer="object", reasons="涉及本企业商业秘密")
    req = p.third_party_answer(req, actor=REVIEWER, key="b", on=date(2026, 3, 5), answer="agree")
    req = p.close_consultation(req, actor=REVIEWER, on=date(2026, 3, 6))
    req = p.approve(req, actor=REVIEWER, on=date(2026, 3, 9), scope="公交线路客流汇总",
                    delivery_method="download",
                    public_interest_override="线路客流关系到公共交通规划，不开放将严重影响公共利益")
    assert req.state is State.APPROVED
    assert req.decision is not None and req.decision.public_interest_override.startswith("线路客流")
    notice = req.events[-1]
    assert notice.kind is EventKind.THIRD_PARTY_NOTICE_REQUIRED
    assert notice.notify == ("third_party:a",)
    assert notice.data["opened"] == "公交线路客流汇总" and notice.data["reasons"].startswith("线路")
    assert [p_.key for p_ in req.notices_outstanding] == ["a"]
    # The notice is due with the delivery, and blocks it until recorded.
    kinds = [(d.what, d.party) for d in p.deadlines(req, date(2026, 3, 9))]
    assert kinds == [(PeriodKind.DELIVERY, None), (PeriodKind.THIRD_PARTY_NOTICE, "a")]
    assert Action.DELIVER not in p.allowed_actions(req, Role.DEPARTMENT_REVIEWER)
    with pytest.raises(RuleViolation, match=r"tell third party a in writing"):
        p.deliver(req, actor=REVIEWER, on=date(2026, 3, 10))
    with pytest.raises(RuleViolation, match="no written notice is owed to third party 'b'"):
        p.notify_third_party(req, actor=REVIEWER, key="b", on=date(2026, 3, 10))
    req = p.notify_third_party(req, actor=REVIEWER, key="a", on=date(2026, 3, 10),
                               reference="黔交函〔2026〕12号")
    assert req.notices_outstanding == ()
    assert p.deliver(req, actor=REVIEWER, on=date(2026, 3, 10)).state is State.DELIVERED


def test_override_without_an_objection_is_refused() -> None:
    p = procedure()
    with pytest.raises(RuleViolation, match="no.*objection|none"):
        p.approve(forwarded(p), actor=REVIEWER, on=date(2026, 3, 5), scope="研究",
                  delivery_method="api", public_interest_override="公共利益")


def test_unjudged_objection_counts_as_reasonable_and_an_unreasonable_one_does_not_block() -> None:
    p = procedure()
    req = p.third_party_answer(consulting(p), actor=THIRD, key="a", on=date(2026, 3, 5),
                               answer="object", reasons="不愿意")
    req = p.third_party_answer(req, actor=THIRD, key="b", on=date(2026, 3, 5), answer="agree")
    req = p.close_consultation(req, actor=REVIEWER, on=date(2026, 3, 6))
    with pytest.raises(RuleViolation, match="not judged unreasonable"):
        p.approve(req, actor=REVIEWER, on=date(2026, 3, 9), scope="研究", delivery_method="api")
    with pytest.raises(RuleViolation, match="states its reasons"):
        p.judge_objection(req, actor=REVIEWER, key="a", on=date(2026, 3, 9), reasonable=False,
                          reasons="")
    with pytest.raises(RuleViolation, match="no objection to judge"):
        p.judge_objection(req, actor=REVIEWER, key="b", on=date(2026, 3, 9), reasonable=False,
                          reasons="x")
    req = p.judge_objection(req, actor=REVIEWER, key="a", on=date(2026, 3, 9), reasonable=False,
                            reasons="未说明任何受损的合法权益")
    with pytest.raises(RuleViolation, match="already judged"):
        p.judge_objection(req, actor=REVIEWER, key="a", on=date(2026, 3, 9), reasonable=True,
                          reasons="x")
    done = p.approve(req, actor=REVIEWER, on=date(2026, 3, 9), scope="研究", delivery_method="api")
    assert done.notices_outstanding == ()


def test_third_party_veto_forbids_any_objected_opening() -> None:
    p = procedure(third_party_veto=True)  # 002 §38
    req = p.third_party_answer(consulting(p), actor=THIRD, key="a", on=date(2026, 3, 5),
                               answer="object", reasons="不同意")
    req = p.third_party_answer(req, actor=THIRD, key="b", on=date(2026, 3, 5), answer="agree")
    req = p.close_consultation(req, actor=REVIEWER, on=date(2026, 3, 6))
    # Under the veto an objection is not judged: it forbids (002 §38).
    with pytest.raises(RuleViolation, match="any objection forbids opening"):
        p.judge_objection(req, actor=REVIEWER, key="a", on=date(2026, 3, 6), reasonable=False,
                          reasons="理由不充分")
    with pytest.raises(RuleViolation, match="did not agree to opening"):
        p.approve(req, actor=REVIEWER, on=date(2026, 3, 9), scope="研究", delivery_method="api",
                  public_interest_override="公共利益")
    assert Action.APPROVE not in p.allowed_actions(req, Role.DEPARTMENT_REVIEWER)
    assert Action.DENY in p.allowed_actions(req, Role.DEPARTMENT_REVIEWER)


def test_late_third_party_answer_is_refused_and_on_the_due_date_accepted() -> None:
    p = procedure()
    req = consulting(p, date(2026, 3, 4))  # due: 3/5-6 9-13 16-20 23-25 → 2026-03-25
    with pytest.raises(RuleViolation) as info:
        p.third_party_answer(req, actor=THIRD, key="a", on=date(2026, 3, 26), answer="agree")
    assert "after its period of 15 working days ended on 2026-03-25" in str(info.value)
    # The 15 days are the pre-revision text of 003, adopted as bureau policy: no article.
    assert info.value.article == ""
    assert Action.THIRD_PARTY_ANSWER not in p.allowed_actions(req, Role.THIRD_PARTY,
                                                              date(2026, 3, 26))
    ok = p.third_party_answer(req, actor=THIRD, key="a", on=date(2026, 3, 25), answer="agree")
    assert ok.party("a") is not None and ok.party("a").answered_on == date(2026, 3, 25)  # type: ignore[union-attr]


@pytest.mark.parametrize(("key", "answer", "reasons", "match"), [
    ("a", "object", "", "must state its grounds"),
    ("a", "maybe", "", "'agree' or 'object'"),
    ("zz", "agree", "", "not consulted"),
])
def test_bad_third_party_answers(key: str, answer: str, reasons: str, match: str) -> None:
    p = procedure()
    with pytest.raises(RuleViolation, match=match):
        p.third_party_answer(consulting(p), actor=THIRD, key=key, on=date(2026, 3, 5),
                             answer=answer, reasons=reasons)


def test_a_third_party_answers_once() -> None:
    p = procedure()
    req = p.third_party_answer(consulting(p), actor=THIRD, key="a", on=date(2026, 3, 5),
                               answer="agree")
    with pytest.raises(RuleViolation, match="already answered"):
        p.third_party_answer(req, actor=THIRD, key="a", on=date(2026, 3, 6), answer="object",
                             reasons="改变主意")


def test_consultation_needs_parties_with_distinct_keys() -> None:
    p = procedure()
    req = forwarded(p)
    with pytest.raises(RuleViolation, match="at least one"):
        p.start_consultation(req, actor=REVIEWER, on=date(2026, 3, 4), parties=[])
    with pytest.raises(RuleViolation, match="already consulted"):
        p.start_consultation(req, actor=REVIEWER, on=date(2026, 3, 4),
                             parties=[("a", "甲"), ("a", "甲")])


def test_close_consultation_waits_for_every_party() -> None:
    p = procedure()
    req = p.third_party_answer(consulting(p), actor=THIRD, key="a", on=date(2026, 3, 5),
                               answer="agree")
    with pytest.raises(RuleViolation, match=r"waiting for b \(until 2026-03-25\)"):
        p.close_consultation(req, actor=REVIEWER, on=date(2026, 3, 25))
    assert Action.CLOSE_CONSULTATION not in p.allowed_actions(req, Role.SYSTEM, date(2026, 3, 25))
    assert Action.CLOSE_CONSULTATION in p.allowed_actions(req, Role.SYSTEM, date(2026, 3, 26))
    closed = p.close_consultation(req, actor=SYSTEM, on=date(2026, 3, 26))
    assert closed.state is State.FORWARDED
    assert closed.events[-1].data["no_answer"] == ["b"]
    assert closed.events[-1].data["ended_on"] == "2026-03-25"
    # The provider's clock reused: one pause, from the consultation to its end.
    assert closed.reply_clock is not None
    assert [(x.began, x.ended) for x in closed.reply_clock.pauses] == [
        (date(2026, 3, 4), date(2026, 3, 25))]


def test_a_second_consultation_pauses_the_clock_again() -> None:
    p = procedure()
    req = p.third_party_answer(consulting(p), actor=THIRD, key="a", on=date(2026, 3, 5),
                               answer="agree")
    req = p.third_party_answer(req, actor=THIRD, key="b", on=date(2026, 3, 5), answer="agree")
    req = p.close_consultation(req, actor=REVIEWER, on=date(2026, 3, 5))
    req = p.start_consultation(req, actor=REVIEWER, on=date(2026, 3, 9), parties=[("c", "丙")])
    assert req.consultation == 2 and [x.key for x in req.current_parties] == ["c"]
    with pytest.raises(RuleViolation, match="not consulted in the current"):
        p.third_party_answer(req, actor=THIRD, key="a", on=date(2026, 3, 9), answer="agree")
    assert req.reply_clock is not None and len(req.reply_clock.pauses) == 2


def test_deny_during_a_consultation() -> None:
    p = procedure()
    req = p.deny(consulting(p), actor=REVIEWER, on=date(2026, 3, 5), reasons="第三方涉及个人隐私",
                 legal_basis="《条例》第二十一条")
    assert req.state is State.DENIED
    with pytest.raises(IllegalTransition):
        p.third_party_answer(req, actor=THIRD, key="a", on=date(2026, 3, 6), answer="agree")


# --- extension (003 §25, 004 §31) --------------------------------------------------------------


def test_department_reviewer_cannot_extend_only_the_head() -> None:
    p = procedure()
    req = forwarded(p)
    with pytest.raises(RoleNotAllowed, match="only department_head may"):
        p.extend(req, actor=REVIEWER, on=date(2026, 3, 5), days=5, reason="数据量大")
    assert Action.EXTEND not in p.allowed_actions(req, Role.DEPARTMENT_REVIEWER)
    assert Action.EXTEND in p.allowed_actions(req, Role.DEPARTMENT_HEAD)
    done = p.extend(req, actor=HEAD, on=date(2026, 3, 5), days=5, reason="数据量大")
    assert done.extension_used
    assert done.events[-1].notify == ("applicant",)  # 告知申请人
    assert done.events[-1].data["reply_due"] == "2026-03-30"  # 3/23 + 24-27 30


@pytest.mark.parametrize(("days", "reason", "match"), [
    (16, "数据量大", "1 to 15 working days"),
    (0, "数据量大", "1 to 15 working days"),
    (5, " ", "states its reason"),
])
def test_extension_limits(days: int, reason: str, match: str) -> None:
    p = procedure()
    with pytest.raises(RuleViolation, match=match):
        p.extend(forwarded(p), actor=HEAD, on=date(2026, 3, 5), days=days, reason=reason)


def test_second_extension_is_refused() -> None:
    p = procedure("wanzhou")
    req = p.extend(forwarded(p), actor=HEAD, on=date(2026, 3, 5), days=3, reason="数据量大")
    with pytest.raises(RuleViolation, match=r"once only.*\(004 §31\)"):
        p.extend(req, actor=HEAD, on=date(2026, 3, 6), days=3, reason="还需要时间")
    assert Action.EXTEND not in p.allowed_actions(req, Role.DEPARTMENT_HEAD)


def test_no_extension_where_the_profile_allows_none() -> None:
    p = procedure("guizhou-measures")  # 000 §31 grants none
    req = forwarded(p)
    with pytest.raises(RuleViolation, match="grants no extension"):
        p.extend(req, actor=HEAD, on=date(2026, 3, 5), days=1, reason="数据量大")
    assert Action.EXTEND not in p.allowed_actions(req, Role.DEPARTMENT_HEAD)


def test_an_expired_period_cannot_be_extended() -> None:
    p = procedure()
    req = forwarded(p)  # due 2026-03-23
    with pytest.raises(RuleViolation, match="ended on 2026-03-23"):
        p.extend(req, actor=HEAD, on=date(2026, 3, 24), days=5, reason="数据量大")
    assert Action.EXTEND not in p.allowed_actions(req, Role.DEPARTMENT_HEAD, date(2026, 3, 24))
    assert Action.EXTEND in p.allowed_actions(req, Role.DEPARTMENT_HEAD, date(2026, 3, 23))


def test_extension_during_a_consultation_counts_after_it() -> None:
    p = procedure()
    req = p.extend(consulting(p), actor=HEAD, on=date(2026, 3, 5), days=5, reason="数据量大")
    [reply, *_] = p.deadlines(req, date(2026, 3, 5))
    assert (reply.status, reply.remaining) == ("paused", 13 + 5)


# --- excessive requests (003 §26) -------------------------------------------------------------


def test_explanation_demand_does_not_stop_the_clock() -> None:
    p = procedure()
    req = p.request_explanation(forwarded(p), actor=REVIEWER, on=date(2026, 3, 3),
                                question="请说明每小时申请一次全量数据的理由")
    assert req.reply_clock is not None and not req.reply_clock.paused
    assert req.events[-1].data == {"question": "请说明每小时申请一次全量数据的理由",
                                   "pause": False, "reply_due": "2026-03-23"}
    [reply] = p.deadlines(req, date(2026, 3, 24))
    assert (reply.what, reply.status, reply.due) == (PeriodKind.PROVIDER_REPLY, "overdue",
                                                     date(2026, 3, 23))
    # Nothing for the platform to lapse: the provider judges the unanswered demand.
    assert Action.LAPSE_EXPLANATION not in p.allowed_actions(req, Role.SYSTEM, date(2026, 4, 1))
    with pytest.raises(RuleViolation, match="judges an unanswered demand itself"):
        p.lapse_explanation(req, actor=SYSTEM, on=date(2026, 4, 1))
    done = p.judge_explanation(req, actor=REVIEWER, on=date(2026, 3, 20), reasonable=False,
                               reasons="未说明理由")
    assert done.state is State.NOT_PROCESSED


def test_unreasonable_explanation_means_not_processed() -> None:
    p = procedure()
    req = p.request_explanation(forwarded(p), actor=REVIEWER, on=date(2026, 3, 3),
                                question="请说明每小时申请一次全量数据的理由")
    assert req.state is State.EXPLANATION_REQUESTED and req.reply_clock is not None
    req = p.answer_explanation(req, actor=APPLICANT, on=date(2026, 3, 10), text="想要")
    with pytest.raises(RuleViolation, match="003 §26"):
        p.judge_explanation(req, actor=REVIEWER, on=date(2026, 3, 11), reasonable=False)
    done = p.judge_explanation(req, actor=REVIEWER, on=date(2026, 3, 11), reasonable=False,
                               reasons="申请频次明显超过合理范围，说明理由不成立")
    assert done.state is State.NOT_PROCESSED
    assert done.decision is not None and done.decision.outcome is Outcome.NOT_PROCESSED
    assert done.decision.remedy_notice == REMEDY_NOTICE
    assert p.deadlines(done, date(2026, 3, 11)) == []


def test_reasonable_explanation_returns_to_review() -> None:
    p = procedure()
    req = p.request_explanation(forwarded(p), actor=REVIEWER, on=date(2026, 3, 3), question="?")
    req = p.answer_explanation(req, actor=APPLICANT, on=date(2026, 3, 4), text="用于实时预测")
    req = p.judge_explanation(req, actor=REVIEWER, on=date(2026, 3, 4), reasonable=True)
    assert req.state is State.FORWARDED
    assert Action.APPROVE in p.allowed_actions(req, Role.DEPARTMENT_REVIEWER)


def test_only_the_applicant_answers_an_explanation() -> None:
    p = procedure()
    req = p.request_explanation(forwarded(p), actor=REVIEWER, on=date(2026, 3, 3), question="?")
    with pytest.raises(RoleNotAllowed):
        p.answer_explanation(req, actor=REVIEWER, on=date(2026, 3, 4), text="代答")


# --- deadlines() and allowed_actions() ----------------------------------------------------------


def test_deadline_statuses_and_responsible_roles() -> None:
    p = procedure("guizhou-measures")
    req = submitted(p, date(2025, 9, 26))
    [review] = p.deadlines(req, date(2025, 10, 9))
    assert (review.what, review.status, review.responsible, review.basis) == (
        PeriodKind.NORMATIVE_REVIEW, "due_soon", Role.AUTHORITY_REVIEWER, "000 §31")
    [review] = p.deadlines(req, date(2025, 10, 13))
    assert review.status == "overdue"
    req = p.start_consultation(p.forward(req, actor=AUTHORITY, on=date(2025, 10, 10)),
                               actor=REVIEWER, on=date(2025, 10, 13), parties=[("a", "甲")])
    reply, third = p.deadlines(req, date(2025, 10, 14))
    assert (reply.status, reply.due, reply.responsible) == ("paused", None, Role.DEPARTMENT_REVIEWER)
    assert (third.what, third.party, third.responsible) == (
        PeriodKind.THIRD_PARTY, "a", Role.THIRD_PARTY)


def test_due_soon_threshold_is_configurable() -> None:
    p = procedure("guizhou-measures", due_soon_within=0)
    req = submitted(p, date(2025, 9, 26))
    assert p.deadlines(req, date(2025, 10, 9))[0].status == "running"
    assert p.deadlines(req, date(2025, 10, 10))[0].status == "due_soon"


@pytest.mark.parametrize(("make", "role", "expected"), [
    (submitted, Role.AUTHORITY_REVIEWER, {Action.FORWARD, Action.REJECT}),
    (submitted, Role.APPLICANT, {Action.WITHDRAW}),
    (submitted, Role.DEPARTMENT_REVIEWER, set()),
    (forwarded, Role.DEPARTMENT_REVIEWER,
     {Action.REQUEST_EXPLANATION, Action.START_CONSULTATION, Action.APPROVE, Action.DENY}),
    (forwarded, Role.DEPARTMENT_HEAD,
     {Action.REQUEST_EXPLANATION, Action.START_CONSULTATION, Action.APPROVE, Action.DENY,
      Action.EXTEND}),
    (consulting, Role.THIRD_PARTY, {Action.THIRD_PARTY_ANSWER}),
    (consulting, Role.DEPARTMENT_REVIEWER,
     {Action.THIRD_PARTY_ANSWER, Action.CLOSE_CONSULTATION, Action.DENY}),
    (approved, Role.DEPARTMENT_REVIEWER, {Action.DELIVER}),
    (approved, Role.APPLICANT, set()),
    (denied, Role.APPLICANT, set()),
])
def test_allowed_actions(make: Callable[[Procedure], Request], role: Role,
                         expected: set[Action]) -> None:
    assert procedure().allowed_actions(make(procedure()), role) == expected


@pytest.mark.parametrize("make", [submitted, forwarded, consulting, approved, denied])
def test_auditors_act_on_nothing(make: Callable[[Procedure], Request]) -> None:
    assert procedure().allowed_actions(make(procedure()), Role.AUDITOR) == set()


def test_every_action_has_an_operation() -> None:
    assert {a.value for a in TRANSITIONS} == {a.value for a in Action}
    for action in Action:
        assert callable(getattr(Procedure, action.value))


# --- calendar -------------------------------------------------------------------------------------


def test_a_date_beyond_the_calendar_raises_calendar_year_missing(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_FOLDER / "2026.json", tmp_path / "2026.json")
    only_2026 = WorkCalendar([tmp_path], include_shipped=False, use_package=False,
                            provisional=False)
    p = Procedure(load_profile("guizhou-measures"), only_2026)
    with pytest.raises(CalendarYearMissing) as info:
        p.submit(application(), number="N-1", on=date(2026, 12, 28), actor=APPLICANT)
    assert info.value.year == 2027
    req = p.submit(application(), number="N-1", on=date(2026, 12, 21), actor=APPLICANT)
    with pytest.raises(CalendarYearMissing):
        p.deadlines(req, date(2027, 1, 4))


def test_third_party_period_runs_from_the_day_the_letter_was_received() -> None:
    p = procedure()
    req = forwarded(p)  # provider due 2026-03-23
    # Sent on paper on 3/4; the receipt is dated 3/6 and recorded on 3/9.
    with pytest.raises(RuleViolation) as info:
        p.start_consultation(req, actor=REVIEWER, on=date(2026, 3, 9), parties=[("a", "甲公司")],
                             received_on=date(2026, 3, 10))
    assert info.value.code == "consultation-received-in-future"
    with pytest.raises(RuleViolation) as info:
        p.start_consultation(req, actor=REVIEWER, on=date(2026, 3, 9), parties=[("a", "甲公司")],
                             received_on=date(2026, 3, 1))
    assert info.value.code == "consultation-received-too-early"
    req = p.start_consultation(req, actor=REVIEWER, on=date(2026, 3, 9),
                               parties=[("a", "甲公司")], received_on=date(2026, 3, 6))
    assert req.events[-1].data["received_on"] == "2026-03-06"
    got = {(str(d.what), d.due, d.remaining) for d in p.deadlines(req, date(2026, 3, 9))}
    # third party: 3/9-13(1-5) 16-20(6-10) 23-27(11-15) → 3/27, 14 left after 3/9;
    # provider: 3/3 4 5 6 consumed (to the receipt day), 11 left while paused.
    assert got == {("third_party", date(2026, 3, 27), 14), ("provider_reply", None, 11)}
    # Electronic delivery: received the day it is sent (bureau policy).
    e = p.start_consultation(forwarded(p), actor=REVIEWER, on=date(2026, 3, 4),
                             parties=[("a", "甲公司")])
    assert e.third_parties[0].received_on == date(2026, 3, 4)
    assert e.events[-1].data["channel"] == "electronic"
