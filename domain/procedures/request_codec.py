"""Plain-JSON form of a conditional-open request, for storage only.

:func:`request_to_dict` turns a :class:`~domain.procedures.request_records.Request` into
a dict of JSON values (dates as ISO ``YYYY-MM-DD`` strings, enums as their
values) and :func:`request_from_dict` turns it back; the round trip is exact
(``request_from_dict(request_to_dict(r)) == r``). The same pairs exist for the
parts: applications, events, clocks, third parties and decisions.

The dict of a request holds the applicant's clear identity number and
contacts (SPEC §7): it is for the store, never for logs, pages or messages.
:func:`split_personal` takes them out (the store keeps them in a separate,
encrypted column and the rest as the request's snapshot) and
:func:`join_personal` puts them back. An applicant may also type an ID,
mobile or card number into the free text of the application (purpose, scope
of use...): those texts go into the snapshot masked, and whole only into the
personal part, under ``clear:<field>``.

Decoding is strict: a missing or unknown key, a value of the wrong type or an
unknown enum value raises :class:`CodecError` naming where it is, e.g.
``events[3].on``. Event data must be JSON values already (lists, not tuples),
or the round trip could not be exact; encoding refuses anything else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from domain.catalogue.desensitize import find_pii, mask_pii_text
from domain.periods.workdays import Clock, Extension, Pause
from domain.procedures.identity import IdentityKind
from domain.procedures.request_records import Application, Decision, Event, Request, ThirdParty
from domain.procedures.request_states import (
    Answer,
    DeliveryMethod,
    EventKind,
    Outcome,
    Role,
    State,
)

__all__ = [
    "CLEAR_PREFIX",
    "FORMAT",
    "FREE_TEXT_FIELDS",
    "PERSONAL_FIELDS",
    "CodecError",
    "application_from_dict",
    "application_to_dict",
    "clock_from_dict",
    "clock_to_dict",
    "decision_from_dict",
    "decision_to_dict",
    "event_from_dict",
    "event_to_dict",
    "join_personal",
    "request_from_dict",
    "request_to_dict",
    "split_personal",
    "third_party_from_dict",
    "third_party_to_dict",
]

FORMAT = 1
"""Version of the dict layout, stored as ``"format"`` in a request's dict."""

PERSONAL_FIELDS = ("identity_number", "phone", "email")
"""The fields of an application that are personal information (SPEC §7)."""

FREE_TEXT_FIELDS = ("data_description", "purpose", "scope_of_use", "security_measures")
"""The applicant's free texts: kept masked in the snapshot when they hold a
clear identifier, whole in the personal part (``CLEAR_PREFIX`` + name)."""

CLEAR_PREFIX = "clear:"

_E = TypeVar("_E", State, Role, EventKind, Outcome, DeliveryMethod, IdentityKind)
_ANSWERS: dict[str, Answer] = {"agree": "agree", "object": "object"}


class CodecError(ValueError):
    """A dict that is not the stored form of a request (or a request whose
    event data is not plain JSON); the message says where."""


# --- encoding -------------------------------------------------------------------------


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _json_value(value: Any, where: str) -> Any:
    """``value`` copied, when it is a JSON value; CodecError otherwise."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CodecError(f"{where}: {value!r} is not a JSON number")
        return value
    if isinstance(value, list):
        return [_json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise CodecError(f"{where}: key {k!r} is not a string")
            out[k] = _json_value(v, f"{where}.{k}")
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
        "data": _json_value(e.data, f"{where}.data"),
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


def split_personal(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``(rest, personal)``: the dict of a request without the application's
    personal fields, and those fields alone. A free text of the application
    holding a clear ID, mobile or card number is masked in ``rest``
    (``110******14``) and kept whole in ``personal`` under
    ``clear:<field>``.

    Raises:
        CodecError: ``data`` has no application or lacks a personal field.
    """
    rest = dict(data)
    app = _Reader(data, "request").obj("application")
    personal = {name: app.text(name) for name in PERSONAL_FIELDS}
    kept = {k: v for k, v in app.data.items() if k not in PERSONAL_FIELDS}
    for name in FREE_TEXT_FIELDS:
        value = kept.get(name)
        if isinstance(value, str) and find_pii(value):
            personal[CLEAR_PREFIX + name] = value
            kept[name] = mask_pii_text(value)
    rest["application"] = kept
    return rest, personal


def join_personal(rest: Mapping[str, Any], personal: Mapping[str, str]) -> dict[str, Any]:
    """The inverse of :func:`split_personal`.

    Raises:
        CodecError: ``rest`` has no application, or a personal field is missing.
    """
    out = dict(rest)
    app = dict(_Reader(rest, "request").obj("application").data)
    for name in PERSONAL_FIELDS:
        if name not in personal:
            raise CodecError(f"personal data: {name} is missing")
        app[name] = personal[name]
    for key, value in personal.items():
        if key.startswith(CLEAR_PREFIX) and key[len(CLEAR_PREFIX):] in FREE_TEXT_FIELDS:
            app[key[len(CLEAR_PREFIX):]] = value
    out["application"] = app
    return out


# --- decoding -------------------------------------------------------------------------


class _Reader:
    """Typed, path-aware access to one JSON object; checks its keys are all known."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise CodecError(f"{where}: expected an object, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.where = where

    def known(self, *keys: str) -> None:
        unknown = sorted(set(self.data) - set(keys))
        if unknown:
            raise CodecError(f"{self.where}: unknown key(s) {', '.join(map(repr, unknown))}")

    def _get(self, key: str) -> Any:
        if key not in self.data:
            raise CodecError(f"{self.where}.{key}: missing")
        return self.data[key]

    def _fail(self, key: str, what: str) -> CodecError:
        return CodecError(f"{self.where}.{key}: expected {what}, got {self.data[key]!r}")

    def text(self, key: str) -> str:
        v = self._get(key)
        if not isinstance(v, str):
            raise self._fail(key, "a string")
        return v

    def opt_text(self, key: str) -> str | None:
        return None if self._get(key) is None else self.text(key)

    def integer(self, key: str) -> int:
        v = self._get(key)
        if isinstance(v, bool) or not isinstance(v, int):
            raise self._fail(key, "an integer")
        return v

    def flag(self, key: str) -> bool:
        v = self._get(key)
        if not isinstance(v, bool):
            raise self._fail(key, "true or false")
        return v

    def opt_flag(self, key: str) -> bool | None:
        return None if self._get(key) is None else self.flag(key)

    def day(self, key: str) -> date:
        v = self.text(key)
        try:
            if len(v) != 10:
                raise ValueError(v)
            return date.fromisoformat(v)
        except ValueError:
            raise self._fail(key, "an ISO date YYYY-MM-DD") from None

    def opt_day(self, key: str) -> date | None:
        return None if self._get(key) is None else self.day(key)

    def obj(self, key: str) -> _Reader:
        return _Reader(self._get(key), f"{self.where}.{key}")

    def opt_obj(self, key: str) -> _Reader | None:
        return None if self._get(key) is None else self.obj(key)

    def items(self, key: str) -> list[Any]:
        v = self._get(key)
        if not isinstance(v, list):
            raise self._fail(key, "a list")
        return v

    def enum(self, key: str, kind: type[_E]) -> _E:
        v = self.text(key)
        try:
            return kind(v)
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            raise self._fail(key, f"one of {allowed}") from None


def clock_from_dict(data: object, where: str = "clock") -> Clock:
    r = _Reader(data, where)
    r.known("received", "period", "pauses", "extension")
    pauses = []
    for i, raw in enumerate(r.items("pauses")):
        p = _Reader(raw, f"{where}.pauses[{i}]")
        p.known("began", "ended")
        pauses.append(Pause(p.day("began"), p.opt_day("ended")))
    ext = r.opt_obj("extension")
    extension = None
    if ext is not None:
        ext.known("days", "approved_by", "approved_on")
        extension = Extension(ext.integer("days"), ext.text("approved_by"), ext.day("approved_on"))
    try:
        return Clock(received=r.day("received"), period=r.integer("period"), pauses=tuple(pauses),
                     extension=extension)
    except ValueError as exc:
        raise CodecError(f"{where}: {exc}") from None


def application_from_dict(data: object, where: str = "application") -> Application:
    r = _Reader(data, where)
    r.known("dataset_id", "department", "applicant_name", "identity_kind", *PERSONAL_FIELDS,
            "data_description", "purpose", "scope_of_use", "security_measures",
            "delivery_method", "commitment_signed", "offered")
    return Application(
        dataset_id=r.text("dataset_id"),
        department=r.text("department"),
        applicant_name=r.text("applicant_name"),
        identity_kind=r.enum("identity_kind", IdentityKind),
        identity_number=r.text("identity_number"),
        phone=r.text("phone"),
        email=r.text("email"),
        data_description=r.text("data_description"),
        purpose=r.text("purpose"),
        scope_of_use=r.text("scope_of_use"),
        security_measures=r.text("security_measures"),
        delivery_method=r.enum("delivery_method", DeliveryMethod),
        commitment_signed=r.flag("commitment_signed"),
        offered=_offered(r),
    )


def _offered(r: _Reader) -> tuple[DeliveryMethod, ...]:
    """The ``offered`` list of an application; absent in records written
    before it existed (then: every method)."""
    raw = r.data.get("offered", [])
    if not isinstance(raw, list):
        raise CodecError(f"{r.where}.offered: expected a list, got {raw!r}")
    try:
        return tuple(DeliveryMethod(v) for v in raw)
    except ValueError:
        raise CodecError(f"{r.where}.offered: unknown delivery method in {raw!r}") from None


def event_from_dict(data: object, where: str = "event") -> Event:
    r = _Reader(data, where)
    r.known("kind", "actor_role", "actor", "on", "data", "notify")
    notify = r.items("notify")
    if not all(isinstance(n, str) for n in notify):
        raise CodecError(f"{where}.notify: expected a list of strings")
    return Event(
        kind=r.enum("kind", EventKind),
        actor_role=r.enum("actor_role", Role),
        actor=r.text("actor"),
        on=r.day("on"),
        data=_json_value(r.obj("data").data, f"{where}.data"),
        notify=tuple(notify),
    )


def third_party_from_dict(data: object, where: str = "third_party") -> ThirdParty:
    r = _Reader(data, where)
    r.known("key", "name", "received_on", "consultation", "answer", "answered_on", "reasons",
            "objection_reasonable", "judgement", "notice_required", "notified_on")
    raw_answer = r.opt_text("answer")
    answer: Answer | None = None
    if raw_answer is not None:
        if raw_answer not in _ANSWERS:
            raise CodecError(f"{where}.answer: expected agree, object or null, got {raw_answer!r}")
        answer = _ANSWERS[raw_answer]
    return ThirdParty(
        key=r.text("key"),
        name=r.text("name"),
        received_on=r.day("received_on"),
        consultation=r.integer("consultation"),
        answer=answer,
        answered_on=r.opt_day("answered_on"),
        reasons=r.text("reasons"),
        objection_reasonable=r.opt_flag("objection_reasonable"),
        judgement=r.text("judgement"),
        notice_required=r.flag("notice_required"),
        notified_on=r.opt_day("notified_on"),
    )


def decision_from_dict(data: object, where: str = "decision") -> Decision:
    r = _Reader(data, where)
    r.known("outcome", "on", "actor", "reasons", "legal_basis", "scope", "delivery_method",
            "public_interest_override", "remedy_notice")
    return Decision(
        outcome=r.enum("outcome", Outcome),
        on=r.day("on"),
        actor=r.text("actor"),
        reasons=r.text("reasons"),
        legal_basis=r.text("legal_basis"),
        scope=r.text("scope"),
        delivery_method=(None if r.opt_text("delivery_method") is None
                         else r.enum("delivery_method", DeliveryMethod)),
        public_interest_override=r.text("public_interest_override"),
        remedy_notice=r.text("remedy_notice"),
    )


def request_from_dict(data: Mapping[str, Any]) -> Request:
    """The request of :func:`request_to_dict`'s dict.

    Raises:
        CodecError: ``data`` is not such a dict (the message says where), or
            its format version is not :data:`FORMAT`.
    """
    r = _Reader(data, "request")
    r.known("format", "number", "application", "state", "received", "review_clock",
            "reply_clock", "delivery_clock", "third_parties", "decision", "events")
    if r.integer("format") != FORMAT:
        raise CodecError(f"request.format: version {data['format']} is not {FORMAT}; "
                         "a newer portal wrote this record")
    reply = r.opt_obj("reply_clock")
    delivery = r.opt_obj("delivery_clock")
    decision = r.opt_obj("decision")
    return Request(
        number=r.text("number"),
        application=application_from_dict(r.obj("application").data, "request.application"),
        state=r.enum("state", State),
        received=r.day("received"),
        review_clock=clock_from_dict(r.obj("review_clock").data, "request.review_clock"),
        reply_clock=None if reply is None else clock_from_dict(reply.data, reply.where),
        delivery_clock=None if delivery is None else clock_from_dict(delivery.data, delivery.where),
        third_parties=tuple(third_party_from_dict(p, f"request.third_parties[{i}]")
                            for i, p in enumerate(r.items("third_parties"))),
        decision=None if decision is None else decision_from_dict(decision.data, "request.decision"),
        events=tuple(event_from_dict(e, f"request.events[{i}]")
                     for i, e in enumerate(r.items("events"))),
    )
