"""The stored form of a scenario application: a JSON snapshot without the
personal data, and the personal part the store seals (SPEC §7), as a
request's form is split (:mod:`domain.procedures.request_personal`).

The personal part holds the operator's credit code, contact person, phone
and e-mail, and the clear text of any free text that holds a clear ID,
mobile or card number (kept masked in the snapshot). The organisation's
registered name stays in the snapshot: it is public once authorised.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.catalogue.desensitize import find_pii, mask_pii_text
from domain.procedures.operation_records import (
    Authorisation,
    Decision,
    Feedback,
    FirstReview,
    Operation,
    Operator,
    OpEvent,
    ScenarioApplication,
)
from domain.procedures.operation_states import Opinion, OpState, Verdict
from domain.procedures.request_decode import clock_from_dict
from domain.procedures.request_encode import CodecError, clock_to_dict

PERSONAL = ("credit_code", "contact_name", "phone", "email")
FREE_TEXTS = ("scenario_title", "scenario", "purpose", "security_measures")
CLEAR = "clear:"


def _day(value: Any) -> date:
    return date.fromisoformat(str(value))




def encode(case: Operation) -> tuple[dict[str, Any], dict[str, str]]:
    """``(snapshot, personal)`` of ``case``."""
    a, op = case.application, case.application.operator
    personal = {name: str(getattr(op, name)) for name in PERSONAL}
    application: dict[str, Any] = {
        "department": a.department, "datasets": list(a.datasets), "fields": list(a.fields),
        "organisation": op.organisation}
    for name in FREE_TEXTS:
        text = getattr(a, name)
        if find_pii(text):
            personal[CLEAR + name] = text
            text = mask_pii_text(text)
        application[name] = text
    review = case.first_review
    decision = case.decision
    snapshot = {
        "number": case.number, "received": case.received.isoformat(), "state": case.state.value,
        "application": application, "review_clock": clock_to_dict(case.review_clock),
        "decision_clock": clock_to_dict(case.decision_clock) if case.decision_clock else None,
        "first_review": None if review is None else {
            "opinion": review.opinion.value, "reasons": review.reasons, "by": review.by,
            "on": review.on.isoformat(), "in_time": review.in_time},
        "decision": None if decision is None else _decision(decision),
        "feedback": [{"on": f.on.isoformat(), "quality": f.quality, "use": f.use,
                      "effects": f.effects, "in_time": f.in_time} for f in case.feedback],
        "events": [{"action": str(e.action), "on": e.on.isoformat(), "role": str(e.role),
                    "note": e.note} for e in case.events],
    }
    return snapshot, personal


def _decision(d: Decision) -> dict[str, Any]:
    scope = d.authorisation
    return {"verdict": d.verdict.value, "reasons": d.reasons, "by": d.by,
            "on": d.on.isoformat(), "in_time": d.in_time,
            "authorisation": None if scope is None else {
                "datasets": list(scope.datasets), "fields": list(scope.fields),
                "start": scope.start.isoformat(), "end": scope.end.isoformat()}}


def decode(snapshot: Mapping[str, Any], personal: Mapping[str, str]) -> Operation:
    """The case of a stored ``snapshot`` and its opened ``personal`` part
    (an empty mapping gives blank personal fields and the masked texts:
    for pages that need neither).

    Raises:
        CodecError: the snapshot is not the stored form of a case.
    """
    try:
        return _decode(snapshot, personal)
    except (KeyError, TypeError, ValueError) as exc:
        raise CodecError(f"stored scenario application is unreadable: {exc!r}") from None


def _decode(s: Mapping[str, Any], personal: Mapping[str, str]) -> Operation:
    a = s["application"]
    texts = {name: personal.get(CLEAR + name, a[name]) for name in FREE_TEXTS}
    operator = Operator(organisation=a["organisation"],
                        **{name: personal.get(name, "") for name in PERSONAL})
    application = ScenarioApplication(
        department=a["department"], datasets=tuple(a["datasets"]), fields=tuple(a["fields"]),
        operator=operator, **texts)
    r = s["first_review"]
    review = None if r is None else FirstReview(Opinion(r["opinion"]), r["reasons"], r["by"],
                                                _day(r["on"]), bool(r["in_time"]))
    d = s["decision"]
    decision = None
    if d is not None:
        sc = d["authorisation"]
        scope = None if sc is None else Authorisation(
            tuple(sc["datasets"]), tuple(sc["fields"]), _day(sc["start"]), _day(sc["end"]))
        decision = Decision(Verdict(d["verdict"]), d["reasons"], d["by"], _day(d["on"]),
                            bool(d["in_time"]), scope)
    return Operation(
        number=s["number"], received=_day(s["received"]), application=application,
        state=OpState(s["state"]), review_clock=clock_from_dict(s["review_clock"]),
        decision_clock=clock_from_dict(s["decision_clock"]) if s["decision_clock"] else None,
        first_review=review, decision=decision,
        feedback=tuple(Feedback(_day(f["on"]), f["quality"], f["use"], f["effects"],
                                bool(f["in_time"])) for f in s["feedback"]),
        events=tuple(OpEvent(e["action"], _day(e["on"]), e["role"], e["note"])
                     for e in s["events"]))
