"""Third-party consultation (003 §25, 002 §38): the steps of
:class:`domain.procedures.requests.Procedure` that ask, record and judge the
answers of the parties whose rights the data touch. The rules themselves are in
:mod:`domain.procedures.consultation`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from domain.procedures import consultation as tp
from domain.procedures.request_base import ProcedureBase, blank
from domain.procedures.request_records import (
    Actor,
    Request,
)
from domain.procedures.request_states import (
    Action,
    EventKind,
    Role,
    RuleViolation,
    State,
)


class ConsultationSteps(ProcedureBase):
    """The third-party consultation steps of the request procedure (003 §25)."""

    # --- third-party consultation --------------------------------------------

    def start_consultation(
        self, req: Request, *, actor: Actor, on: date, parties: Sequence[tuple[str, str]],
        received_on: date | None = None,
    ) -> Request:
        """Consult ``parties`` (key, name) in writing. Each has
        ``profile.third_party_period`` working days from the day it received
        the letter (自收到征求意见书之日起), which the provider records as
        ``received_on``: on paper, the date on the receipt; electronically,
        the day of delivery, which is ``on`` (the default; bureau policy).
        The provider's clock pauses from that day (003 §25 para 3 征求第三方
        意见所需时间不计算在前款规定的期限内): the days a letter is under way
        count against the provider.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: no party, a blank key or name, a key used twice;
                ``received_on`` after ``on`` or before the request's last event.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.START_CONSULTATION, actor, on)
        art = self._art("third_party_period")
        received = received_on or on
        if received > on:
            raise RuleViolation(f"a letter received on {received} cannot be recorded on {on}",
                                art, code="consultation-received-in-future",
                                received_on=received)
        if received < req.last_event_on:
            raise RuleViolation(
                f"the third party cannot have received the letter on {received}, before the "
                f"request's last event on {req.last_event_on}", art,
                code="consultation-received-too-early", received_on=received,
                last_event_on=req.last_event_on)
        added = tp.new_parties(parties, req.third_parties, received, req.consultation + 1,
                               article=art)
        period = self.profile.third_party_period
        listed = [{"key": p.key, "name": p.name, "received_on": received.isoformat(),
                   "due": tp.party_due(p, period, self.calendar).isoformat()} for p in added]
        return self._record(req, actor, on, EventKind.CONSULTATION_STARTED,
                            {"parties": listed, "received_on": received.isoformat(),
                             "channel": "electronic" if received_on is None else "recorded"},
                            notify=tuple(f"third_party:{p.key}" for p in added),
                            state=State.CONSULTING, reply_clock=self._reply(req).pause(received),
                            third_parties=req.third_parties + added)

    def third_party_answer(
        self, req: Request, *, actor: Actor, key: str, on: date, answer: str, reasons: str = "",
        received_on: date | None = None, reference: str = "",
    ) -> Request:
        """The answer of third party ``key``: ``"agree"`` or ``"object"`` (with
        grounds, except under ``third_party_veto``: 002 §38 asks for none).

        The third party answers online on ``on``. A department reviewer
        records an answer that came on paper or by post (书面): ``on`` is the
        day of recording, ``received_on`` (default ``on``) the day the answer
        was received, which counts as the day of the answer — for the period
        (an answer received after it is late, as online) and for the end of
        the consultation. ``reference`` is the letter's registration number.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: unknown key, not in the current consultation, a
                second answer, an objection without grounds where they are
                required, a late answer (after the party's period, 003 §25
                逾期), an answer received before the consultation began or
                after ``on``, or a ``received_on`` from anyone but the
                providing department.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.THIRD_PARTY_ANSWER, actor, on)
        party = self._current_party(req, key)
        on_paper = actor.role is Role.DEPARTMENT_REVIEWER
        if received_on is not None and not on_paper:
            raise RuleViolation(
                "only the providing department records the day a written answer was received; "
                "a third party answers on the day it answers", self._art("third_party_period"),
                code="answer-received-date-not-allowed")
        answered_on = received_on or on
        if answered_on > on:
            raise RuleViolation(
                f"third party {key!r}: an answer received on {answered_on} cannot be recorded on "
                f"{on}, before it was received", self._art("third_party_period"),
                code="answer-received-in-future",
                party=key, received_on=answered_on)
        updated = tp.record_answer(party, answer, answered_on, reasons,
                                   self.profile.third_party_period, self.calendar,
                                   grounds_required=not self.third_party_veto,
                                   article=self._art("third_party_period"))
        data: dict[str, Any] = {"party": key, "answer": updated.answer,
                                "reasons": updated.reasons}
        if on_paper:
            data.update(channel="paper", received_on=answered_on.isoformat(),
                        reference=reference.strip())
        # A paper answer is recorded by the provider itself: nobody to tell.
        return self._record(req, actor, on, EventKind.THIRD_PARTY_ANSWERED, data,
                            notify=() if on_paper else ("provider",),
                            third_parties=self._swap(req, updated))

    def judge_objection(
        self, req: Request, *, actor: Actor, key: str, on: date, reasonable: bool, reasons: str
    ) -> Request:
        """The provider's written judgement of third party ``key``'s objection.
        Until judged, an objection counts as reasonable; one judged not
        reasonable no longer forbids opening (003 §25 不同意开放且有合理理由的，不予开放).
        Under ``third_party_veto`` an objection forbids opening whatever its
        grounds (002 §38), so there is nothing to judge.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: unknown key, no objection to judge, already
                judged, ``reasons`` blank, or ``third_party_veto``.
        """
        self._guard(req, Action.JUDGE_OBJECTION, actor, on)
        party = req.party(key)
        if party is None or party.answer != "object":
            raise RuleViolation(f"third party {key!r} has made no objection to judge",
                                self._art("third_party_consent"),
                                code="objection-none-to-judge", party=key)
        if self.third_party_veto:
            raise RuleViolation(
                f"the objection of third party {key!r} is not judged: under profile "
                f"{self.profile.key!r} any objection forbids opening (当事人不同意开放的，不得提供)",
                self._art("third_party_consent"), code="objection-judgement-under-veto", party=key)
        if party.objection_reasonable is not None:
            raise RuleViolation(f"the objection of third party {key!r} was already judged",
                                self._art("third_party_consent"), code="objection-already-judged",
                                party=key)
        if blank(reasons):
            raise RuleViolation("a judgement of an objection states its reasons",
                                self._art("third_party_consent"),
                                code="objection-judgement-reasons-missing")
        updated = replace(party, objection_reasonable=reasonable, judgement=reasons.strip())
        return self._record(req, actor, on, EventKind.OBJECTION_JUDGED,
                            {"party": key, "reasonable": reasonable, "reasons": updated.judgement},
                            third_parties=self._swap(req, updated))

    def close_consultation(self, req: Request, *, actor: Actor, on: date) -> Request:
        """End the consultation once every third party answered or its period
        passed; the provider's clock resumes on the day the consultation
        ended (which may be before ``on``). Parties that did not answer in
        time leave the decision to the provider (003 §25 逾期未提出意见的…决定).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: a third party may still answer; the message says
                which and until when.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.CLOSE_CONSULTATION, actor, on)
        period = self.profile.third_party_period
        end = tp.consultation_end(req.current_parties, period, self.calendar, on)
        if end is None:
            open_ = tp.waiting_for(req.current_parties, period, self.calendar, on)
            waiting = ", ".join(f"{p.key} (until {due})" for p, due in open_)
            raise RuleViolation(f"the consultation is still open: waiting for {waiting}",
                                self._art("third_party_period"),
                                code="consultation-still-open",
                                parties=", ".join(p.key for p, _ in open_),
                                until=max(due for _, due in open_))
        silent = [p.key for p in req.current_parties if p.answer is None]
        reply = self._reply(req).resume(end)
        return self._record(req, actor, on, EventKind.CONSULTATION_CLOSED, {
            "ended_on": end.isoformat(), "no_answer": silent,
            "reply_due": self._iso(reply.due(self.calendar)),
        }, notify=("provider",), state=State.FORWARDED, reply_clock=reply)
