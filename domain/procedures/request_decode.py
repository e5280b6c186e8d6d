"""Decoding of the stored form of a conditional-open request (see
:mod:`domain.procedures.request_codec`): strict, every missing or unknown key,
wrong type or unknown enum value raises :class:`CodecError` naming where it is."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from domain.periods.workdays import Clock, Extension, Pause
from domain.procedures.identity import IdentityKind
from domain.procedures.request_encode import FORMAT, PERSONAL_FIELDS, CodecError, json_value
from domain.procedures.request_records import Application, Decision, Event, Request, ThirdParty
from domain.procedures.request_states import (
    Answer,
    DeliveryMethod,
    EventKind,
    Outcome,
    Role,
    State,
)

_E = TypeVar("_E", State, Role, EventKind, Outcome, DeliveryMethod, IdentityKind)
_ANSWERS: dict[str, Answer] = {"agree": "agree", "object": "object"}



class Reader:
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

    def obj(self, key: str) -> Reader:
        return Reader(self._get(key), f"{self.where}.{key}")

    def opt_obj(self, key: str) -> Reader | None:
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
    r = Reader(data, where)
    r.known("received", "period", "pauses", "extension")
    pauses = []
    for i, raw in enumerate(r.items("pauses")):
        p = Reader(raw, f"{where}.pauses[{i}]")
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
    r = Reader(data, where)
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


def _offered(r: Reader) -> tuple[DeliveryMethod, ...]:
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
    r = Reader(data, where)
    r.known("kind", "actor_role", "actor", "on", "data", "notify")
    notify = r.items("notify")
    if not all(isinstance(n, str) for n in notify):
        raise CodecError(f"{where}.notify: expected a list of strings")
    return Event(
        kind=r.enum("kind", EventKind),
        actor_role=r.enum("actor_role", Role),
        actor=r.text("actor"),
        on=r.day("on"),
        data=json_value(r.obj("data").data, f"{where}.data"),
        notify=tuple(notify),
    )


def third_party_from_dict(data: object, where: str = "third_party") -> ThirdParty:
    r = Reader(data, where)
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
    r = Reader(data, where)
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
    r = Reader(data, "request")
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
