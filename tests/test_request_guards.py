"""Every action of the request procedure checks the state, the actor's role
and the date order before anything else (domain.procedures.requests, TRANSITIONS).

For each action: refused in a state it is not possible in (even by a role
that may do it), refused to a role that may not do it (in a state where it
is possible), and refused when dated before the request's last event. A
refused action cannot have changed the request: requests are frozen and every
operation returns a new one (checked below). The messages are checked whole: the service
shows them to reviewers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from domain.periods.calendar import WorkCalendar
from domain.periods.profiles import load_profile
from domain.procedures.identity import IdentityKind
from domain.procedures.requests import (
    TRANSITIONS,
    Action,
    Actor,
    Application,
    DeliveryMethod,
    EventOutOfOrder,
    IllegalTransition,
    Procedure,
    Request,
    Role,
    RoleNotAllowed,
    State,
)

CAL = WorkCalendar(use_package=False)
P = Procedure(load_profile("guizhou-regulation"), CAL)
DAY = date(2026, 3, 2)
LATER = date(2026, 3, 9)
ACTORS = {role: Actor(role, f"{role.value} 甲") for role in Role}

Call = Callable[[Request, Actor, date], Request]
CALLS: dict[Action, Call] = {
    Action.FORWARD: lambda r, a, d: P.forward(r, actor=a, on=d),
    Action.REJECT: lambda r, a, d: P.reject(r, actor=a, on=d, reasons="申请材料不全"),
    Action.REQUEST_EXPLANATION: lambda r, a, d: P.request_explanation(
        r, actor=a, on=d, question="请说明申请全量数据的理由"),
    Action.ANSWER_EXPLANATION: lambda r, a, d: P.answer_explanation(
        r, actor=a, on=d, text="用于到站预测"),
    Action.JUDGE_EXPLANATION: lambda r, a, d: P.judge_explanation(
        r, actor=a, on=d, reasonable=True),
    Action.LAPSE_EXPLANATION: lambda r, a, d: P.lapse_explanation(r, actor=a, on=d),
    Action.START_CONSULTATION: lambda r, a, d: P.start_consultation(
        r, actor=a, on=d, parties=[("a", "贵阳公交集团")]),
    Action.THIRD_PARTY_ANSWER: lambda r, a, d: P.third_party_answer(
        r, actor=a, key="a", on=d, answer="agree"),
    Action.JUDGE_OBJECTION: lambda r, a, d: P.judge_objection(
        r, actor=a, key="a", on=d, reasonable=True, reasons="异议理由已在年报中公开"),
    Action.CLOSE_CONSULTATION: lambda r, a, d: P.close_consultation(r, actor=a, on=d),
    Action.EXTEND: lambda r, a, d: P.extend(r, actor=a, on=d, days=5, reason="数据量大"),
    Action.APPROVE: lambda r, a, d: P.approve(r, actor=a, on=d, scope="公交出行研究",
                                              delivery_method="api"),
    Action.DENY: lambda r, a, d: P.deny(r, actor=a, on=d, reasons="涉及个人隐私",
                                        legal_basis="《个人信息保护法》第十三条"),
    Action.NOTIFY_THIRD_PARTY: lambda r, a, d: P.notify_third_party(r, actor=a, key="a", on=d),
    Action.DELIVER: lambda r, a, d: P.deliver(r, actor=a, on=d),
    Action.WITHDRAW: lambda r, a, d: P.withdraw(r, actor=a, on=d),
    Action.REPORT_USE: lambda r, a, d: P.report_use(r, actor=a, on=d, text="已用于论文"),
}


def _samples() -> dict[State, Request]:
    """One request in each state the procedure can reach here."""
    application = Application(
        dataset_id="gz-bus-gps", department="省交通运输厅", applicant_name="王小明",
        identity_kind=IdentityKind.ID_NUMBER, identity_number="11010519491231002X",
        phone="13812345678", email="", data_description="公交车辆实时位置",
        purpose="公交出行研究", scope_of_use="仅用于本课题组论文",
        security_measures="加密存储", delivery_method=DeliveryMethod.API,
        commitment_signed=True)
    dept, head = ACTORS[Role.DEPARTMENT_REVIEWER], ACTORS[Role.DEPARTMENT_HEAD]
    submitted = P.submit(application, number="GZ-1", on=DAY, actor=ACTORS[Role.APPLICANT])
    forwarded = P.forward(submitted, actor=ACTORS[Role.AUTHORITY_REVIEWER], on=DAY)
    asked = CALLS[Action.REQUEST_EXPLANATION](forwarded, dept, DAY)
    answered = CALLS[Action.ANSWER_EXPLANATION](asked, ACTORS[Role.APPLICANT], DAY)
    consulting = CALLS[Action.START_CONSULTATION](forwarded, head, DAY)
    approved = CALLS[Action.APPROVE](forwarded, dept, DAY)
    delivered = CALLS[Action.DELIVER](approved, dept, DAY)
    states = {
        State.SUBMITTED: submitted, State.FORWARDED: forwarded,
        State.EXPLANATION_REQUESTED: asked, State.EXPLANATION_ANSWERED: answered,
        State.CONSULTING: consulting, State.APPROVED: approved, State.DELIVERED: delivered,
        State.REJECTED: CALLS[Action.REJECT](submitted, ACTORS[Role.AUTHORITY_REVIEWER], DAY),
        State.DENIED: CALLS[Action.DENY](forwarded, dept, DAY),
        State.WITHDRAWN: CALLS[Action.WITHDRAW](forwarded, ACTORS[Role.APPLICANT], DAY),
    }
    assert {s: r.state for s, r in states.items()} == {s: s for s in states}
    return states


SAMPLES = _samples()


def _possible(state: State) -> str:
    names = sorted(a.value for a, (states, _) in TRANSITIONS.items() if state in states)
    return ", ".join(names) or "nothing (the request is closed)"


def test_every_action_has_a_call() -> None:
    assert set(CALLS) == set(TRANSITIONS) == set(Action)


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_refused_in_a_state_it_is_not_possible_in(action: Action) -> None:
    states, roles = TRANSITIONS[action]
    role = sorted(roles)[0]
    wrong = [s for s in SAMPLES if s not in states]
    assert wrong
    for state in wrong:
        req = SAMPLES[state]
        with pytest.raises(IllegalTransition) as info:
            CALLS[action](req, ACTORS[role], LATER)
        # The state is checked first: not a RoleNotAllowed, whoever asks.
        assert type(info.value) is IllegalTransition
        assert str(info.value) == (f"cannot {action} request GZ-1: it is {state}; "
                                   f"possible in this state: {_possible(state)}")
        assert info.value.code == "illegal-transition" and info.value.status == 409


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_refused_to_a_role_that_may_not_do_it(action: Action) -> None:
    states, roles = TRANSITIONS[action]
    req = next(r for s, r in SAMPLES.items() if s in states)
    for role in Role:
        if role in roles:
            continue
        with pytest.raises(RoleNotAllowed) as info:
            CALLS[action](req, ACTORS[role], LATER)
        may = ", ".join(sorted(r.value for r in roles))
        assert str(info.value) == f"a {role} cannot {action} request GZ-1: only {may} may"
        assert info.value.code == "role-not-allowed" and info.value.status == 403


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_refused_when_dated_before_the_last_event(action: Action) -> None:
    states, roles = TRANSITIONS[action]
    req = next(r for s, r in SAMPLES.items() if s in states)
    with pytest.raises(EventOutOfOrder) as info:
        CALLS[action](req, ACTORS[sorted(roles)[0]], date(2026, 3, 1))
    assert str(info.value) == (f"cannot {action} request GZ-1 on 2026-03-01: its last event "
                               "is dated 2026-03-02; events are recorded in date order")


def test_closed_requests_allow_nothing() -> None:
    for state in (State.REJECTED, State.DENIED, State.WITHDRAWN):
        with pytest.raises(IllegalTransition, match=r"nothing \(the request is closed\)$"):
            CALLS[Action.WITHDRAW](SAMPLES[state], ACTORS[Role.APPLICANT], LATER)


def test_the_auditor_acts_on_nothing() -> None:
    auditor = ACTORS[Role.AUDITOR]
    for action, (states, _) in TRANSITIONS.items():
        req = next(r for s, r in SAMPLES.items() if s in states)
        with pytest.raises(RoleNotAllowed):
            CALLS[action](req, auditor, LATER)


# --- an unanswered demand for explanation (003 §26, bureau-policy pause) ----------


def _asked(p: Procedure) -> Request:
    """Received 2 March 2026, forwarded the same day, explanation asked on 4 March."""
    req = p.submit(SAMPLES[State.SUBMITTED].application, number="GZ-2", on=DAY,
                   actor=ACTORS[Role.APPLICANT])
    req = p.forward(req, actor=ACTORS[Role.AUTHORITY_REVIEWER], on=DAY)
    return p.request_explanation(req, actor=ACTORS[Role.DEPARTMENT_REVIEWER],
                                 on=date(2026, 3, 4), question="请说明申请全量数据的理由")


def test_a_lapsed_demand_ends_the_request_as_not_processed() -> None:
    from domain.procedures.requests import (
        REMEDY_NOTICE,
        Decision,
        EventKind,
        Outcome,
        RuleViolation,
    )

    p = Procedure(load_profile("guizhou-regulation", {"explanation_pause": 5}), CAL)
    asked = _asked(p)  # the applicant has 3/5, 6, 9, 10, 11
    system = ACTORS[Role.SYSTEM]
    with pytest.raises(RuleViolation) as info:
        p.lapse_explanation(asked, actor=system, on=date(2026, 3, 11))
    assert info.value.code == "explanation-still-open"
    assert dict(info.value.params) == {"due": date(2026, 3, 11)}
    article = p.profile.article("explanation_pause")
    assert str(info.value) == "the applicant may answer until 2026-03-11" + (
        f" ({article})" if article else "")
    lapsed = p.lapse_explanation(asked, actor=system, on=date(2026, 3, 12))
    reasons = "申请人未在2026-03-11前说明理由，本申请不予处理。"
    assert lapsed.state is State.NOT_PROCESSED
    assert lapsed.decision == Decision(Outcome.NOT_PROCESSED, date(2026, 3, 12), system.name,
                                       reasons=reasons, remedy_notice=REMEDY_NOTICE)
    event = lapsed.events[-1]
    assert (event.kind, event.actor_role, event.actor, event.on) == \
        (EventKind.EXPLANATION_LAPSED, Role.SYSTEM, system.name, date(2026, 3, 12))
    assert dict(event.data) == {"answer_due": "2026-03-11", "reasons": reasons}
    assert event.notify == ("applicant", "provider")
    assert lapsed.events[:-1] == asked.events


def test_without_a_pause_the_provider_judges_an_unanswered_demand() -> None:
    from domain.procedures.requests import RuleViolation

    p = Procedure(load_profile("guizhou-regulation"), CAL)
    asked = _asked(p)
    with pytest.raises(RuleViolation) as info:
        p.lapse_explanation(asked, actor=ACTORS[Role.SYSTEM], on=date(2026, 6, 1))
    assert info.value.code == "explanation-no-pause"
    article = p.profile.article("explanation")
    assert str(info.value) == "without a pause the provider judges an unanswered demand " \
        "itself" + (f" ({article})" if article else "")


# --- what each decision records --------------------------------------------------


def _violation(call: Callable[[], object], code: str, message: str, article: str) -> None:
    from domain.procedures.requests import RuleViolation

    with pytest.raises(RuleViolation) as info:
        call()
    assert info.value.code == code and info.value.article == article
    assert str(info.value) == (f"{message} ({article})" if article else message)


def test_a_rejection_records_its_reasons_and_the_remedy() -> None:
    from domain.procedures.requests import REMEDY_NOTICE, Decision, EventKind, Outcome

    measures = Procedure(load_profile("guizhou-measures"), CAL)  # a normative review of 5 days
    authority = ACTORS[Role.AUTHORITY_REVIEWER]
    submitted = measures.submit(SAMPLES[State.SUBMITTED].application, number="GZ-3", on=DAY,
                                actor=ACTORS[Role.APPLICANT])
    for on, in_time in ((date(2026, 3, 9), True), (date(2026, 3, 10), False)):
        rejected = measures.reject(submitted, actor=authority, on=on, reasons=" 申请材料不全 ")
        assert rejected.state is State.REJECTED
        assert rejected.decision == Decision(Outcome.REJECTED, on, authority.name,
                                             reasons="申请材料不全", remedy_notice=REMEDY_NOTICE)
        event = rejected.events[-1]
        assert (event.kind, event.actor_role, event.actor, event.on, event.notify) == \
            (EventKind.REJECTED, Role.AUTHORITY_REVIEWER, authority.name, on, ("applicant",))
        assert dict(event.data) == {"reasons": "申请材料不全", "review_in_time": in_time}
    message = "a rejection states its reasons (驳回申请并说明理由)"
    _violation(lambda: measures.reject(submitted, actor=authority, on=DAY, reasons=" "),
               "rejection-reasons-missing", message, "000 §31")
    # Without a normative review (a formal check), the rule is the portal's own.
    _violation(lambda: P.reject(SAMPLES[State.SUBMITTED], actor=authority, on=DAY, reasons=""),
               "rejection-reasons-missing", message, "")


def test_an_explanation_is_recorded_and_judged() -> None:
    from domain.procedures.requests import REMEDY_NOTICE, Decision, EventKind, Outcome

    applicant, dept = ACTORS[Role.APPLICANT], ACTORS[Role.DEPARTMENT_REVIEWER]
    asked = SAMPLES[State.EXPLANATION_REQUESTED]
    _violation(lambda: P.answer_explanation(asked, actor=applicant, on=DAY, text=" "),
               "explanation-empty", "the explanation is empty", "003 §26")
    answered = P.answer_explanation(asked, actor=applicant, on=date(2026, 3, 3),
                                    text=" 用于到站预测 ")
    event = answered.events[-1]
    assert (answered.state, event.kind, event.actor_role, event.on, event.notify) == \
        (State.EXPLANATION_ANSWERED, EventKind.EXPLANATION_ANSWERED, Role.APPLICANT,
         date(2026, 3, 3), ("provider",))
    assert dict(event.data) == {"text": "用于到站预测"}
    assert answered.reply_clock == asked.reply_clock  # no pause: the clock ran on

    reasonable = P.judge_explanation(answered, actor=dept, on=date(2026, 3, 5),
                                     reasonable=True, reasons=" 理由合理 ")
    event = reasonable.events[-1]
    assert (reasonable.state, reasonable.decision) == (State.FORWARDED, None)
    assert (event.kind, event.actor, event.on, event.notify) == \
        (EventKind.EXPLANATION_JUDGED, dept.name, date(2026, 3, 5), ("applicant",))
    assert dict(event.data) == {"reasonable": True, "reasons": "理由合理"}
    assert reasonable.reply_clock == answered.reply_clock

    _violation(lambda: P.judge_explanation(answered, actor=dept, on=LATER, reasonable=False),
               "explanation-judgement-reasons-missing",
               "say why the explanation is not reasonable", "003 §26")
    # The provider's 15 working days from 2 March end on 23 March.
    for on, in_time in ((date(2026, 3, 23), True), (date(2026, 3, 24), False)):
        refused = P.judge_explanation(answered, actor=dept, on=on, reasonable=False,
                                      reasons=" 申请频次明显超出合理需要 ")
        assert refused.state is State.NOT_PROCESSED
        assert refused.decision == Decision(Outcome.NOT_PROCESSED, on, dept.name,
                                            reasons="申请频次明显超出合理需要",
                                            remedy_notice=REMEDY_NOTICE)
        event = refused.events[-1]
        assert (event.kind, event.on, event.notify) == \
            (EventKind.EXPLANATION_JUDGED, on, ("applicant",))
        assert dict(event.data) == {"reasonable": False, "reasons": "申请频次明显超出合理需要",
                                    "reply_in_time": in_time}


def test_under_a_pause_the_answer_and_the_judgement_restart_the_clock() -> None:
    p = Procedure(load_profile("guizhou-regulation", {"explanation_pause": 5}), CAL)
    asked = _asked(p)
    assert asked.reply_clock is not None and asked.reply_clock.paused
    answered = p.answer_explanation(asked, actor=ACTORS[Role.APPLICANT], on=date(2026, 3, 6),
                                    text="用于到站预测")
    assert answered.reply_clock == asked.reply_clock.resume(date(2026, 3, 6))
    # Judged unanswered, the pause ends with the judgement.
    judged = p.judge_explanation(asked, actor=ACTORS[Role.DEPARTMENT_HEAD],
                                 on=date(2026, 3, 9), reasonable=True)
    assert judged.reply_clock == asked.reply_clock.resume(date(2026, 3, 9))
    assert judged.state is State.FORWARDED


def _last(req: Request) -> tuple[object, ...]:
    event = req.events[-1]
    return (event.kind, event.actor_role, event.actor, event.on, dict(event.data), event.notify)


def test_a_demand_for_explanation_records_the_question_and_the_periods() -> None:
    from domain.procedures.requests import EventKind

    dept = ACTORS[Role.DEPARTMENT_REVIEWER]
    _violation(lambda: P.request_explanation(SAMPLES[State.FORWARDED], actor=dept, on=DAY,
                                             question=" "),
               "explanation-question-missing", "say what the applicant must explain", "003 §26")
    asked = P.request_explanation(SAMPLES[State.FORWARDED], actor=dept, on=date(2026, 3, 4),
                                  question=" 请说明 ")
    assert _last(asked) == (EventKind.EXPLANATION_REQUESTED, Role.DEPARTMENT_REVIEWER, dept.name,
                            date(2026, 3, 4),
                            {"question": "请说明", "pause": False, "reply_due": "2026-03-23"},
                            ("applicant",))
    assert asked.state is State.EXPLANATION_REQUESTED
    assert asked.reply_clock == SAMPLES[State.FORWARDED].reply_clock  # runs on (003 §26)
    paused = _asked(Procedure(load_profile("guizhou-regulation", {"explanation_pause": 5}), CAL))
    assert dict(paused.events[-1].data) == {"question": "请说明申请全量数据的理由", "pause": True,
                                            "answer_due": "2026-03-11"}
    assert paused.reply_clock is not None
    assert paused.reply_clock.pauses[-1].began == date(2026, 3, 4) and paused.reply_clock.paused


def test_a_late_answer_under_a_pause_is_refused() -> None:
    from domain.procedures.requests import RuleViolation

    p = Procedure(load_profile("guizhou-regulation", {"explanation_pause": 5}), CAL)
    with pytest.raises(RuleViolation) as info:
        p.answer_explanation(_asked(p), actor=ACTORS[Role.APPLICANT], on=date(2026, 3, 12),
                             text="用于到站预测")
    assert info.value.code == "explanation-answer-late"
    assert dict(info.value.params) == {"due": date(2026, 3, 11)}
    assert str(info.value).startswith("the applicant's period to explain ended on 2026-03-11; "
                                      "the demand has lapsed")
    answered = p.answer_explanation(_asked(p), actor=ACTORS[Role.APPLICANT],
                                    on=date(2026, 3, 11), text="用于到站预测")
    assert answered.state is State.EXPLANATION_ANSWERED


def test_a_denial_records_reasons_basis_and_remedy() -> None:
    from domain.procedures.requests import REMEDY_NOTICE, Decision, EventKind, Outcome

    dept, fw = ACTORS[Role.DEPARTMENT_REVIEWER], SAMPLES[State.FORWARDED]
    for on, in_time in ((date(2026, 3, 23), True), (date(2026, 3, 24), False)):
        denied = P.deny(fw, actor=dept, on=on, reasons=" 涉及个人隐私 ", legal_basis=" 第十三条 ")
        assert _last(denied) == (EventKind.DENIED, Role.DEPARTMENT_REVIEWER, dept.name, on,
                                 {"reasons": "涉及个人隐私", "legal_basis": "第十三条",
                                  "remedy_notice": REMEDY_NOTICE, "reply_in_time": in_time},
                                 ("applicant",))
        assert denied.decision == Decision(Outcome.DENIED, on, dept.name, reasons="涉及个人隐私",
                                           legal_basis="第十三条", remedy_notice=REMEDY_NOTICE)
        assert denied.state is State.DENIED
    _violation(lambda: P.deny(fw, actor=dept, on=DAY, reasons=" ", legal_basis="第十三条"),
               "denial-reasons-missing", "a denial states its reasons", "003 §25 para 4")
    _violation(lambda: P.deny(fw, actor=dept, on=DAY, reasons="隐私", legal_basis=""),
               "denial-legal-basis-missing", "a denial states its legal basis (提供依据)",
               "003 §25 para 4")


def test_withdrawal_and_use_reports() -> None:
    from domain.procedures.requests import EventKind

    applicant = ACTORS[Role.APPLICANT]
    withdrawn = P.withdraw(SAMPLES[State.FORWARDED], actor=applicant, on=LATER,
                           reason=" 不需要了 ")
    assert _last(withdrawn) == (EventKind.WITHDRAWN, Role.APPLICANT, applicant.name, LATER,
                                {"reason": "不需要了"}, ("provider",))
    assert withdrawn.state is State.WITHDRAWN
    early = P.withdraw(SAMPLES[State.SUBMITTED], actor=applicant, on=LATER)
    assert _last(early)[4:] == ({"reason": ""}, ("authority",))
    delivered = SAMPLES[State.DELIVERED]
    reported = P.report_use(delivered, actor=applicant, on=LATER, text=" 已用于论文 ")
    assert _last(reported) == (EventKind.USE_REPORTED, Role.APPLICANT, applicant.name, LATER,
                               {"text": "已用于论文"}, ("provider",))
    assert reported.state is State.DELIVERED
    _violation(lambda: P.report_use(delivered, actor=applicant, on=LATER, text=" "),
               "use-report-empty", "the report of use is empty", "")


def test_an_objection_judged_unreasonable_is_recorded() -> None:
    from domain.procedures.requests import EventKind

    dept = ACTORS[Role.DEPARTMENT_REVIEWER]
    objected = P.third_party_answer(SAMPLES[State.CONSULTING], actor=ACTORS[Role.THIRD_PARTY],
                                    key="a", on=date(2026, 3, 5), answer="object",
                                    reasons=" 商业秘密 ")
    assert _last(objected) == (EventKind.THIRD_PARTY_ANSWERED, Role.THIRD_PARTY,
                               ACTORS[Role.THIRD_PARTY].name, date(2026, 3, 5),
                               {"party": "a", "answer": "object", "reasons": "商业秘密"},
                               ("provider",))
    judged = P.judge_objection(objected, actor=dept, key="a", on=date(2026, 3, 6),
                               reasonable=False, reasons=" 已在年报中公开 ")
    assert _last(judged) == (EventKind.OBJECTION_JUDGED, Role.DEPARTMENT_REVIEWER, dept.name,
                             date(2026, 3, 6),
                             {"party": "a", "reasonable": False, "reasons": "已在年报中公开"}, ())
    party = judged.third_parties[0]
    assert (party.objection_reasonable, party.judgement) == (False, "已在年报中公开")
    assert judged.state is State.CONSULTING


def test_the_records_of_a_request_from_receipt_to_delivery() -> None:
    """Each event's data and who is told, along one path; the dates were
    counted by hand on the 2026 calendar (15 working days from 2 March end
    on 23 March)."""
    from domain.periods.workdays import Clock, Extension, Pause
    from domain.procedures.requests import EventKind

    dept, head, system = (ACTORS[r] for r in (Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD,
                                              Role.SYSTEM))
    submitted, forwarded = SAMPLES[State.SUBMITTED], SAMPLES[State.FORWARDED]
    # No normative review (003 §24-25): the provider's period runs from receipt;
    # no e-mail given: only the authority is told.
    assert _last(submitted)[4:] == ({
        "dataset_id": "gz-bus-gps", "department": "省交通运输厅", "applicant": "王小明",
        "identity_kind": "id_number", "identity": "110105********002X",
        "delivery_method": "api", "review_due": "2026-03-23", "reply_due": "2026-03-23"},
        ("authority",))
    assert submitted.review_clock == submitted.reply_clock == Clock(DAY, 15)
    assert _last(forwarded)[4:] == ({"review_in_time": True, "reply_due": "2026-03-23"},
                                    ("provider", "applicant"))
    assert forwarded.reply_clock == Clock(DAY, 15)

    # A normative review of 5 working days, then the provider's 10 from forwarding.
    measures = Procedure(load_profile("guizhou-measures"), CAL)
    reviewed = measures.submit(submitted.application, number="M-1", on=DAY,
                               actor=ACTORS[Role.APPLICANT])
    assert (reviewed.review_clock, reviewed.reply_clock) == (Clock(DAY, 5), None)
    assert reviewed.events[0].data["review_due"] == "2026-03-09"
    assert "reply_due" not in reviewed.events[0].data
    late = measures.forward(reviewed, actor=ACTORS[Role.AUTHORITY_REVIEWER], on=date(2026, 3, 10))
    assert late.reply_clock == Clock(date(2026, 3, 10), 10)
    assert dict(late.events[-1].data) == {"review_in_time": False, "reply_due": "2026-03-24"}

    # A consultation: letters received on 3 March, recorded on 4 March.
    consulting = P.start_consultation(forwarded, actor=dept, on=date(2026, 3, 4),
                                      parties=[("a", "甲"), ("b", "乙")],
                                      received_on=date(2026, 3, 3))
    parties = [{"key": k, "name": n, "received_on": "2026-03-03", "due": "2026-03-24"}
               for k, n in (("a", "甲"), ("b", "乙"))]
    assert _last(consulting) == (EventKind.CONSULTATION_STARTED, Role.DEPARTMENT_REVIEWER,
                                 dept.name, date(2026, 3, 4),
                                 {"parties": parties, "received_on": "2026-03-03",
                                  "channel": "recorded"}, ("third_party:a", "third_party:b"))
    assert consulting.reply_clock == Clock(DAY, 15, (Pause(date(2026, 3, 3)),))
    online = P.start_consultation(forwarded, actor=dept, on=date(2026, 3, 4),
                                  parties=[("a", "甲")])
    assert dict(online.events[-1].data)["channel"] == "electronic"
    # An answer on paper, received on 6 March, recorded on 9 March.
    answered = P.third_party_answer(online, actor=dept, key="a", on=date(2026, 3, 9),
                                    answer="agree", received_on=date(2026, 3, 6),
                                    reference=" 收文 12 ")
    assert _last(answered)[4:] == ({"party": "a", "answer": "agree", "reasons": "",
                                    "channel": "paper", "received_on": "2026-03-06",
                                    "reference": "收文 12"}, ())
    closed = P.close_consultation(answered, actor=system, on=date(2026, 3, 9))
    assert _last(closed) == (EventKind.CONSULTATION_CLOSED, Role.SYSTEM, system.name,
                             date(2026, 3, 9), {"ended_on": "2026-03-06", "no_answer": [],
                                                "reply_due": "2026-03-25"}, ("provider",))
    assert closed.state is State.FORWARDED
    assert closed.reply_clock == Clock(DAY, 15, (Pause(date(2026, 3, 4), date(2026, 3, 6)),))

    extended = P.extend(forwarded, actor=head, on=date(2026, 3, 10), days=5, reason=" 数据量大 ")
    assert _last(extended) == (EventKind.EXTENDED, Role.DEPARTMENT_HEAD, head.name,
                               date(2026, 3, 10), {"days": 5, "reason": "数据量大",
                                                   "reply_due": "2026-03-30"}, ("applicant",))
    assert extended.reply_clock == Clock(DAY, 15, extension=Extension(5, head.name,
                                                                       date(2026, 3, 10)))
    assert extended.state is State.FORWARDED

    approved = P.approve(forwarded, actor=dept, on=date(2026, 3, 5), scope=" 研究 ",
                         delivery_method="api")
    assert _last(approved) == (EventKind.APPROVED, Role.DEPARTMENT_REVIEWER, dept.name,
                               date(2026, 3, 5),
                               {"scope": "研究", "delivery_method": "api",
                                "public_interest_override": "", "reply_in_time": True,
                                "delivery_due": "2026-03-12"}, ("applicant",))
    assert approved.delivery_clock == Clock(date(2026, 3, 5), 5)
    for on, in_time in ((date(2026, 3, 12), True), (date(2026, 3, 13), False)):
        delivered = P.deliver(approved, actor=dept, on=on, reference=" R1 ")
        assert _last(delivered) == (EventKind.DELIVERED, Role.DEPARTMENT_REVIEWER, dept.name, on,
                                    {"delivery_method": "api", "reference": "R1",
                                     "in_time": in_time}, ("applicant",))
        assert delivered.state is State.DELIVERED


def _refusal_cases() -> dict[str, tuple[Callable[[], object], str, str, dict[str, object], str]]:
    import dataclasses

    dept, head, app, auth, third = (ACTORS[r] for r in (
        Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD, Role.APPLICANT,
        Role.AUTHORITY_REVIEWER, Role.THIRD_PARTY))
    sub, fw, cons, ap = (SAMPLES[s] for s in (State.SUBMITTED, State.FORWARDED, State.CONSULTING,
                                              State.APPROVED))
    objected = P.third_party_answer(cons, actor=third, key="a", on=date(2026, 3, 5),
                                    answer="object", reasons="商业秘密")
    judged = P.judge_objection(objected, actor=dept, key="a", on=date(2026, 3, 6),
                               reasonable=False, reasons="已公开")
    measures = Procedure(load_profile("guizhou-measures"), CAL)  # grants no extension
    at_measures = measures.forward(measures.submit(sub.application, number="N", on=DAY,
                                                   actor=app), actor=auth, on=DAY)
    extended = P.extend(fw, actor=head, on=LATER, days=5, reason="数据量大")
    ext = "003 §25 para 2"
    return {
        "number": (lambda: P.submit(sub.application, number=" ", on=DAY, actor=app),
                   "request-number-missing", "", {}, "a request needs a number"),
        "department": (lambda: P.submit(dataclasses.replace(sub.application, department=" "),
                                         number="N", on=DAY, actor=app),
                       "department-missing", "003 §24", {},
                       "a request names the providing department (数据提供部门)"),
        "scope": (lambda: P.approve(fw, actor=dept, on=LATER, scope=" ", delivery_method="api"),
                  "approval-scope-missing", "003 §25 para 4", {},
                  "an approval states the use and scope of the data (明确数据的用途和使用范围)"),
        "method": (lambda: P.approve(fw, actor=dept, on=LATER, scope="s", delivery_method="fax"),
                   "delivery-method-invalid", "", {},
                   "delivery is by download, api, sandbox, not 'fax'"),
        "days 16": (lambda: P.extend(fw, actor=head, on=LATER, days=16, reason="r"),
                    "extension-days-out-of-range", ext, {"maximum": 15, "days": 16},
                    "an extension is 1 to 15 working days under profile 'guizhou-regulation', "
                    "not 16"),
        "days 0": (lambda: P.extend(fw, actor=head, on=LATER, days=0, reason="r"),
                   "extension-days-out-of-range", ext, {"maximum": 15, "days": 0},
                   "an extension is 1 to 15 working days under profile 'guizhou-regulation', "
                   "not 0"),
        "reason": (lambda: P.extend(fw, actor=head, on=LATER, days=5, reason=" "),
                   "extension-reason-missing", ext, {},
                   "an extension states its reason, which the applicant is told"),
        "twice": (lambda: P.extend(extended, actor=head, on=LATER, days=5, reason="r"),
                  "extension-already-used", ext, {"days": 5, "approved_on": LATER},
                  "the provider's period was already extended by 5 working days on 2026-03-09; "
                  "it can be extended once only"),
        "expired": (lambda: P.extend(fw, actor=head, on=date(2026, 3, 24), days=5, reason="r"),
                    "extension-period-expired", ext, {"due": date(2026, 3, 23)},
                    "the provider's period ended on 2026-03-23; an expired period cannot be "
                    "extended"),
        "no extension": (lambda: measures.extend(at_measures, actor=head, on=LATER, days=5,
                                                 reason="r"),
                         "extension-not-allowed", "000 §31",
                         {"regulation": "贵州省政务数据资源管理办法"},
                         "the provider's period cannot be extended under profile "
                         "'guizhou-measures' (贵州省政务数据资源管理办法 grants no extension)"),
        "not owed": (lambda: P.notify_third_party(ap, actor=dept, key="a", on=LATER),
                     "notice-not-owed", "", {"party": "a"},
                     "no written notice is owed to third party 'a'"),
        "no objection": (lambda: P.judge_objection(cons, actor=dept, key="a", on=LATER,
                                                   reasonable=False, reasons="x"),
                         "objection-none-to-judge", "", {"party": "a"},
                         "third party 'a' has made no objection to judge"),
        "judgement reasons": (lambda: P.judge_objection(objected, actor=dept, key="a", on=LATER,
                                                        reasonable=False, reasons=" "),
                              "objection-judgement-reasons-missing", "", {},
                              "a judgement of an objection states its reasons"),
        "judged twice": (lambda: P.judge_objection(judged, actor=dept, key="a", on=LATER,
                                                   reasonable=False, reasons="y"),
                         "objection-already-judged", "", {"party": "a"},
                         "the objection of third party 'a' was already judged"),
        "override": (lambda: P.approve(fw, actor=dept, on=LATER, scope="s", delivery_method="api",
                                       public_interest_override="公共利益"),
                     "override-without-objection", "", {},
                     "a public-interest override needs a standing objection to override; "
                     "there is none"),
        "still open": (lambda: P.close_consultation(cons, actor=dept, on=LATER),
                       "consultation-still-open", "", {"parties": "a", "until": date(2026, 3, 23)},
                       "the consultation is still open: waiting for a (until 2026-03-23)"),
    }


REFUSALS = _refusal_cases()


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_rule_refuses_with_its_code_article_and_values(case: str) -> None:
    from domain.procedures.requests import RuleViolation

    call, code, article, params, message = REFUSALS[case]
    with pytest.raises(RuleViolation) as info:
        call()
    assert (info.value.code, info.value.article, dict(info.value.params)) == \
        (code, article, params)
    assert str(info.value) == (f"{message} ({article})" if article else message)


def test_an_override_is_told_to_the_third_party_before_delivery() -> None:
    from domain.procedures.requests import EventKind, RuleViolation

    dept = ACTORS[Role.DEPARTMENT_REVIEWER]
    objected = P.third_party_answer(SAMPLES[State.CONSULTING], actor=ACTORS[Role.THIRD_PARTY],
                                    key="a", on=date(2026, 3, 5), answer="object",
                                    reasons="商业秘密")
    closed = P.close_consultation(objected, actor=dept, on=date(2026, 3, 5))
    approved = P.approve(closed, actor=dept, on=date(2026, 3, 6), scope="研究",
                         delivery_method="api", public_interest_override=" 公共利益 ")
    assert [_last(approved)] == [(EventKind.THIRD_PARTY_NOTICE_REQUIRED, Role.DEPARTMENT_REVIEWER,
                                  dept.name, date(2026, 3, 6),
                                  {"party": "a", "name": "贵阳公交集团", "opened": "研究",
                                   "reasons": "公共利益"}, ("third_party:a",))]
    assert dict(approved.events[-2].data)["public_interest_override"] == "公共利益"
    with pytest.raises(RuleViolation) as info:
        P.deliver(approved, actor=dept, on=date(2026, 3, 9))
    assert (info.value.code, info.value.article, dict(info.value.params)) == \
        ("notice-outstanding", "", {"parties": "a"})
    assert str(info.value) == \
        "tell third party a in writing what is opened and why before delivering"
    notified = P.notify_third_party(approved, actor=dept, key="a", on=date(2026, 3, 9))
    assert _last(notified) == (EventKind.THIRD_PARTY_NOTIFIED, Role.DEPARTMENT_REVIEWER,
                               dept.name, date(2026, 3, 9), {"party": "a", "reference": ""}, ())
    assert notified.third_parties[0].notified_on == date(2026, 3, 9)
    with_reference = P.notify_third_party(approved, actor=dept, key="a", on=date(2026, 3, 9),
                                          reference=" 函 3 号 ")
    assert dict(with_reference.events[-1].data) == {"party": "a", "reference": "函 3 号"}
    delivered = P.deliver(notified, actor=dept, on=date(2026, 3, 9))
    assert dict(delivered.events[-1].data) == {"delivery_method": "api", "reference": "",
                                               "in_time": True}
    with pytest.raises(RuleViolation) as owed:
        P.notify_third_party(notified, actor=dept, key="a", on=date(2026, 3, 9))
    assert owed.value.article == ""


def test_a_late_answer_names_no_article_under_a_policy_pause() -> None:
    from domain.procedures.requests import RuleViolation

    p = Procedure(load_profile("guizhou-regulation", {"explanation_pause": 5}), CAL)
    with pytest.raises(RuleViolation) as info:
        p.answer_explanation(_asked(p), actor=ACTORS[Role.APPLICANT], on=date(2026, 3, 12),
                             text="用于到站预测")
    assert info.value.article == ""


def test_the_day_an_answer_was_received_is_the_providers_to_record() -> None:
    from domain.procedures.requests import RuleViolation

    cons, third, dept = SAMPLES[State.CONSULTING], ACTORS[Role.THIRD_PARTY], ACTORS[
        Role.DEPARTMENT_REVIEWER]
    with pytest.raises(RuleViolation) as info:
        P.third_party_answer(cons, actor=third, key="a", on=date(2026, 3, 5), answer="agree",
                             received_on=date(2026, 3, 4))
    assert (info.value.code, info.value.article, dict(info.value.params)) == \
        ("answer-received-date-not-allowed", "", {})
    assert str(info.value) == ("only the providing department records the day a written "
                               "answer was received; a third party answers on the day it answers")
    with pytest.raises(RuleViolation) as info:
        P.third_party_answer(cons, actor=dept, key="a", on=date(2026, 3, 5), answer="agree",
                             received_on=date(2026, 3, 6))
    assert (info.value.code, info.value.article, dict(info.value.params)) == \
        ("answer-received-in-future", "", {"party": "a", "received_on": date(2026, 3, 6)})
    assert str(info.value) == ("third party 'a': an answer received on 2026-03-06 cannot be "
                               "recorded on 2026-03-05, before it was received")
    with pytest.raises(RuleViolation) as info:
        P.third_party_answer(cons, actor=third, key="a", on=date(2026, 3, 30), answer="agree")
    assert (info.value.code, info.value.article) == ("third-party-answer-late", "")
    online = P.third_party_answer(cons, actor=third, key="a", on=date(2026, 3, 5), answer="agree")
    assert dict(online.events[-1].data) == {"party": "a", "answer": "agree", "reasons": ""}


def test_a_use_report_cites_000_only_under_its_own_regulation() -> None:
    from domain.procedures.requests import RuleViolation

    measures = Procedure(load_profile("guizhou-measures"), CAL)
    with pytest.raises(RuleViolation) as info:
        measures.report_use(SAMPLES[State.DELIVERED], actor=ACTORS[Role.APPLICANT], on=LATER,
                            text="")
    assert info.value.article == "000 §36(四)"
    assert str(info.value) == "the report of use is empty (000 §36(四))"


def test_a_demand_after_an_extension_names_the_extended_due_date() -> None:
    extended = P.extend(SAMPLES[State.FORWARDED], actor=ACTORS[Role.DEPARTMENT_HEAD],
                        on=date(2026, 3, 9), days=5, reason="数据量大")
    asked = P.request_explanation(extended, actor=ACTORS[Role.DEPARTMENT_REVIEWER],
                                  on=date(2026, 3, 10), question="请说明")
    assert dict(asked.events[-1].data)["reply_due"] == "2026-03-30"


def _two_objections(p: Procedure, first: Request) -> Request:
    dept, third = ACTORS[Role.DEPARTMENT_REVIEWER], ACTORS[Role.THIRD_PARTY]
    req = p.start_consultation(first, actor=dept, on=date(2026, 3, 4),
                               parties=[("a", "甲"), ("b", "乙")])
    for key in ("a", "b"):
        req = p.third_party_answer(req, actor=third, key=key, on=date(2026, 3, 5),
                                   answer="object", reasons="商业秘密")
    return req


def test_refusals_name_every_party_concerned() -> None:
    from domain.procedures.requests import RuleViolation

    dept = ACTORS[Role.DEPARTMENT_REVIEWER]
    fw = SAMPLES[State.FORWARDED]
    waiting = P.start_consultation(fw, actor=dept, on=date(2026, 3, 4),
                                   parties=[("a", "甲"), ("b", "乙")])
    with pytest.raises(RuleViolation) as info:
        P.close_consultation(waiting, actor=dept, on=date(2026, 3, 5))
    assert dict(info.value.params) == {"parties": "a, b", "until": date(2026, 3, 25)}
    assert str(info.value) == ("the consultation is still open: waiting for a (until "
                               "2026-03-25), b (until 2026-03-25)")
    closed = P.close_consultation(_two_objections(P, fw), actor=dept, on=date(2026, 3, 5))
    with pytest.raises(RuleViolation) as info:
        P.approve(closed, actor=dept, on=date(2026, 3, 6), scope="s", delivery_method="api")
    assert (info.value.code, info.value.article, dict(info.value.params)) == \
        ("objection-stands", "", {"parties": "a, b"})
    assert str(info.value) == (
        "third party a, b objected and the objection is not judged unreasonable: deny, judge "
        "the objection, or record a public-interest override with written reasons")


def test_an_extension_of_one_day() -> None:
    extended = P.extend(SAMPLES[State.FORWARDED], actor=ACTORS[Role.DEPARTMENT_HEAD], on=LATER,
                        days=1, reason="数据量大")
    assert dict(extended.events[-1].data)["reply_due"] == "2026-03-24"


def test_a_still_open_demand_names_no_article_under_a_policy_pause() -> None:
    from domain.procedures.requests import RuleViolation

    p = Procedure(load_profile("guizhou-regulation", {"explanation_pause": 5}), CAL)
    with pytest.raises(RuleViolation) as info:
        p.lapse_explanation(_asked(p), actor=ACTORS[Role.SYSTEM], on=date(2026, 3, 11))
    assert info.value.article == ""


def test_a_request_cannot_be_changed_in_place() -> None:
    """Why a refused action leaves the request as it was: it is immutable."""
    import dataclasses

    req = SAMPLES[State.FORWARDED]
    with pytest.raises(dataclasses.FrozenInstanceError):
        req.state = State.APPROVED  # type: ignore[misc]
    assert isinstance(req.events, tuple)
