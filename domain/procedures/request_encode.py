"""Encoding of a conditional-open request into plain JSON values, for storage
only (see :mod:`domain.procedures.request_codec`): the layout's version, the
names of the personal fields, and the error of a value that is not plain JSON
(the same error decoding raises)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.periods.workdays import Clock
from domain.procedures.request_records import Application, Decision, Event, Request, ThirdParty

FORMAT = 1
"""Version of the dict layout, stored as ``"format"`` in a request's dict."""

PERSONAL_FIELDS = ("identity_number", "phone", "email")
"""The fields of an application that are personal information (SPEC §7)."""





class CodecError(ValueError):
    """A dict that is not the stored form of a request (or a request whose
    event data is not plain JSON); the message says where."""





def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def json_value(value: Any, where: str) -> Any:
    """``value`` copied, when it is a JSON value; CodecError otherwise."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CodecError(f"{where}: {value!r} is not a JSON number")
        return value
    if isinstance(value, list):
        return [json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise CodecError(f"{where}: key {k!r} is not a string")
            out[k] = json_value(v, f"{where}.{k}")
        return out
    raise CodecError(f"{where}: {type(value).__name__} is not a JSON value "
                     "(event data holds plain JSON: str, int, float, bool, None, list, dict)")


def clock_to_dict(clock: Clock) -> dict[str, Any]:
    ext = clock.extension
    return {
        "received": clock.received.isoformat(),
        "period": clock.period,
        "pauses": [{"began": p.began.isoformat(), "ended": _iso(p.ended)} for p in clock.pauses],
        "extension": None if ext is None else {
            "days": ext.days, "approved_by": ext.approved_by,
            "approved_on": ext.approved_on.isoformat()},
    }


def application_to_dict(a: Application) -> dict[str, Any]:
    """The application, clear identity number and contacts included (storage only)."""
    return {
        "dataset_id": a.dataset_id,
        "department": a.department,
        "applicant_name": a.applicant_name,
        "identity_kind": a.identity_kind.value,
        "identity_number": a.identity_number,
        "phone": a.phone,
        "email": a.email,
        "data_description": a.data_description,
        "purpose": a.purpose,
        "scope_of_use": a.scope_of_use,
        "security_measures": a.security_measures,
        "delivery_method": a.delivery_method.value,
        "commitment_signed": a.commitment_signed,
        "offered": [m.value for m in a.offered],
    }


def event_to_dict(e: Event, where: str = "event") -> dict[str, Any]:
    return {
        "kind": e.kind.value,
        "actor_role": e.actor_role.value,
        "actor": e.actor,
        "on": e.on.isoformat(),
        "data": json_value(e.data, f"{where}.data"),
        "notify": list(e.notify),
    }


def third_party_to_dict(p: ThirdParty) -> dict[str, Any]:
    return {
        "key": p.key,
        "name": p.name,
        "received_on": p.received_on.isoformat(),
        "consultation": p.consultation,
        "answer": p.answer,
        "answered_on": _iso(p.answered_on),
        "reasons": p.reasons,
        "objection_reasonable": p.objection_reasonable,
        "judgement": p.judgement,
        "notice_required": p.notice_required,
        "notified_on": _iso(p.notified_on),
    }


def decision_to_dict(d: Decision) -> dict[str, Any]:
    return {
        "outcome": d.outcome.value,
        "on": d.on.isoformat(),
        "actor": d.actor,
        "reasons": d.reasons,
        "legal_basis": d.legal_basis,
        "scope": d.scope,
        "delivery_method": d.delivery_method.value if d.delivery_method is not None else None,
        "public_interest_override": d.public_interest_override,
        "remedy_notice": d.remedy_notice,
    }


def request_to_dict(req: Request) -> dict[str, Any]:
    """The request as JSON values, personal data included (storage only).

    Raises:
        CodecError: an event's data is not plain JSON.
    """
    return {
        "format": FORMAT,
        "number": req.number,
        "application": application_to_dict(req.application),
        "state": req.state.value,
        "received": req.received.isoformat(),
        "review_clock": clock_to_dict(req.review_clock),
        "reply_clock": None if req.reply_clock is None else clock_to_dict(req.reply_clock),
        "delivery_clock": None if req.delivery_clock is None else clock_to_dict(req.delivery_clock),
        "third_parties": [third_party_to_dict(p) for p in req.third_parties],
        "decision": None if req.decision is None else decision_to_dict(req.decision),
        "events": [event_to_dict(e, f"events[{i}]") for i, e in enumerate(req.events)],
    }
