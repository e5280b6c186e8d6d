"""Third parties: consent under 002 §38 (Foshan) against 003 §25 (the
other profiles), and answers received on paper.

002 §38: 涉及商业秘密、个人隐私，可能损害其他人合法权益的，应当征求当事人的意见，
当事人不同意开放的，不得提供. The text asks for the party's consent and knows no
override: an objection (with or without grounds) or no agreement at all
forbids opening. 003 §25: only an objection with reasonable grounds forbids,
silence leaves the decision to the provider, and the public interest may
override an objection (with a written notice to the party).

Dates: a consultation received on Wed 2026-03-04 runs 15 working days to
2026-03-25 (no holiday in March 2026).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.periods.profiles import PROFILES
from domain.procedures.requests import (
    Action,
    EventKind,
    Procedure,
    Request,
    Role,
    RuleViolation,
    State,
)
from tests.test_request_procedure import REVIEWER, THIRD, consulting, procedure

DUE = date(2026, 3, 25)


def test_only_foshan_requires_consent() -> None:
    # 002 §38 is the only text of the five that makes the party's disagreement final.
    assert {k for k, p in PROFILES.items() if p.third_party_veto} == {"foshan"}
    assert procedure("foshan").third_party_veto
    assert not procedure("guizhou-regulation").third_party_veto
    assert procedure("guizhou-regulation", third_party_veto=True).third_party_veto  # explicit


def _answered(p: Procedure, answers: dict[str, tuple[str, str] | None]) -> Request:
    """Parties a and b consulted on 03-04; each answers (answer, reasons) on
    03-05 or stays silent (None); the consultation is closed once over."""
    req = consulting(p)
    for key, given in answers.items():
        if given is not None:
            req = p.third_party_answer(req, actor=THIRD, key=key, on=date(2026, 3, 5),
                                       answer=given[0], reasons=given[1])
    silent = any(given is None for given in answers.values())
    return p.close_consultation(req, actor=REVIEWER, on=date(2026, 3, 26) if silent
                                else date(2026, 3, 6))


AGREE = ("agree", "")
OBJECT = ("object", "涉及本企业经营信息")
OBJECT_BARE = ("object", "")  # 002 §38 asks for no grounds

# profile, answers of a and b, public-interest override → the code refusing
# the approval, or None when it is approved.
APPROVALS: list[tuple[str, dict[str, Any], str, str | None]] = [
    # 002 §38: every consulted party's agreement, nothing overrides.
    ("foshan", {"a": AGREE, "b": AGREE}, "", None),
    ("foshan", {"a": OBJECT, "b": AGREE}, "", "third-party-consent-missing"),
    ("foshan", {"a": OBJECT, "b": AGREE}, "关系重大公共利益", "third-party-consent-missing"),
    ("foshan", {"a": OBJECT_BARE, "b": AGREE}, "关系重大公共利益", "third-party-consent-missing"),
    ("foshan", {"a": None, "b": AGREE}, "", "third-party-consent-missing"),  # silence ≠ consent
    ("foshan", {"a": None, "b": AGREE}, "关系重大公共利益", "third-party-consent-missing"),
    # 003 §25: an objection with grounds forbids unless the public interest overrides.
    ("guizhou-regulation", {"a": AGREE, "b": AGREE}, "", None),
    ("guizhou-regulation", {"a": OBJECT, "b": AGREE}, "", "objection-stands"),
    ("guizhou-regulation", {"a": OBJECT, "b": AGREE}, "关系重大公共利益", None),
    ("guizhou-regulation", {"a": None, "b": AGREE}, "", None),  # 逾期未提出意见的，由数据提供部门决定
    ("wanzhou", {"a": OBJECT, "b": AGREE}, "关系重大公共利益", None),
    ("anhui", {"a": None, "b": None}, "", None),
]


@pytest.mark.parametrize(("profile", "answers", "override", "refused"), APPROVALS)
def test_approval_after_a_consultation(profile: str, answers: dict[str, Any], override: str,
                                       refused: str | None) -> None:
    p = procedure(profile)
    req = _answered(p, answers)
    offered = Action.APPROVE in p.allowed_actions(req, Role.DEPARTMENT_REVIEWER, date(2026, 3, 27))
    assert offered is (refused is None or refused == "objection-stands")
    approve = {"actor": REVIEWER, "on": date(2026, 3, 27), "scope": "汇总数据",
               "delivery_method": "download", "public_interest_override": override or None}
    if refused is None:
        done = p.approve(req, **approve)
        assert done.state is State.APPROVED
        # 003 §25: opened over an objection, the party is told in writing.
        assert [x.key for x in done.notices_outstanding] == (["a"] if override else [])
        return
    with pytest.raises(RuleViolation) as info:
        p.approve(req, **approve)
    assert info.value.code == refused
    # 002 §38 under Foshan; elsewhere the objection rule is the pre-revision
    # text of 003 adopted as bureau policy, which cites no article.
    article = "002 §38" if profile == "foshan" else ""
    assert info.value.article == article
    # Denying stays possible: the provider must answer the applicant (003 §25).
    assert p.deny(req, actor=REVIEWER, on=date(2026, 3, 27), reasons="第三方不同意开放",
                  legal_basis="《佛山市政务数据资源管理办法（试行）》第三十八条"
                  ).state is State.DENIED


def test_under_002_38_an_objection_needs_no_grounds_and_is_not_judged() -> None:
    foshan, guizhou = procedure("foshan"), procedure("guizhou-regulation")
    req = foshan.third_party_answer(consulting(foshan), actor=THIRD, key="a",
                                    on=date(2026, 3, 5), answer="object")
    assert req.party("a") is not None and req.party("a").answer == "object"  # type: ignore[union-attr]
    assert Action.JUDGE_OBJECTION not in foshan.allowed_actions(req, Role.DEPARTMENT_REVIEWER)
    with pytest.raises(RuleViolation) as info:
        foshan.judge_objection(req, actor=REVIEWER, key="a", on=date(2026, 3, 6),
                               reasonable=False, reasons="理由不充分")
    assert (info.value.code, info.value.article) == ("objection-judgement-under-veto", "002 §38")
    # 003 §25 不同意开放且有合理理由: there an objection must give its grounds.
    with pytest.raises(RuleViolation) as info:
        guizhou.third_party_answer(consulting(guizhou), actor=THIRD, key="a",
                                   on=date(2026, 3, 5), answer="object")
    assert info.value.code == "objection-grounds-missing"


# --- answers received on paper ----------------------------------------------------------


def test_a_paper_answer_received_in_time_is_recorded_after_the_period() -> None:
    p = procedure()
    req = p.third_party_answer(consulting(p), actor=THIRD, key="b", on=date(2026, 3, 5),
                               answer="agree")
    recording_day = date(2026, 3, 27)  # after the period: the letter came on the 24th
    assert Action.THIRD_PARTY_ANSWER in p.allowed_actions(req, Role.DEPARTMENT_REVIEWER,
                                                          recording_day)
    assert Action.THIRD_PARTY_ANSWER not in p.allowed_actions(req, Role.THIRD_PARTY,
                                                              recording_day)
    req = p.third_party_answer(req, actor=REVIEWER, key="a", on=recording_day,
                               received_on=date(2026, 3, 24), answer="object",
                               reasons="函告：涉及商业秘密", reference="收文〔2026〕88号")
    party = req.party("a")
    assert party is not None and (party.answer, party.answered_on) == ("object",
                                                                       date(2026, 3, 24))
    event = req.events[-1]
    assert event.kind is EventKind.THIRD_PARTY_ANSWERED and event.on == recording_day
    assert event.actor_role is Role.DEPARTMENT_REVIEWER and event.notify == ()
    assert dict(event.data) == {"party": "a", "answer": "object", "reasons": "函告：涉及商业秘密",
                                "channel": "paper", "received_on": "2026-03-24",
                                "reference": "收文〔2026〕88号"}
    # The consultation ended the day the letter came: the clock resumes then.
    closed = p.close_consultation(req, actor=REVIEWER, on=recording_day)
    assert closed.events[-1].data["ended_on"] == "2026-03-24"


@pytest.mark.parametrize(("actor", "received", "recorded", "code"), [
    # Judged late by the same rule as an online answer (003 §25 逾期).
    (REVIEWER, date(2026, 3, 26), date(2026, 3, 27), "third-party-answer-late"),
    # Not before the consultation began (it was received on 03-04).
    (REVIEWER, date(2026, 3, 3), date(2026, 3, 5), "third-party-answer-before-consultation"),
    # Not after the day it is recorded.
    (REVIEWER, date(2026, 3, 10), date(2026, 3, 9), "answer-received-in-future"),
    # A third party cannot date its own answer back.
    (THIRD, date(2026, 3, 5), date(2026, 3, 6), "answer-received-date-not-allowed"),
])
def test_paper_answer_dates(actor: Any, received: date, recorded: date, code: str) -> None:
    p = procedure()
    with pytest.raises(RuleViolation) as info:
        p.third_party_answer(consulting(p), actor=actor, key="a", on=recorded,
                             received_on=received, answer="agree")
    assert info.value.code == code and info.value.article == ""  # bureau policy


def test_the_due_day_itself_is_in_time_on_paper() -> None:
    p = procedure()
    req = p.third_party_answer(consulting(p), actor=REVIEWER, key="a", on=date(2026, 3, 30),
                               received_on=DUE, answer="agree")
    assert req.party("a").answered_on == DUE  # type: ignore[union-attr]
