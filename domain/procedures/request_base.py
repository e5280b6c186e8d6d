"""The plumbing and the queries of the conditional-open request procedure:
configuration, the state/role/date guard, the provider's clock as it stands on
a day, and the two read-only views every UI needs, :meth:`deadlines` and
:meth:`allowed_actions`. The operations are in :mod:`domain.procedures.requests`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.periods.calendar import WorkCalendar
from domain.periods.profiles import Profile
from domain.periods.workdays import DUE_SOON_WITHIN, Clock
from domain.procedures import consultation as tp
from domain.procedures.kit import append_event, deadline_of
from domain.procedures.request_records import Actor, Deadline, Event, Request, ThirdParty
from domain.procedures.request_states import (
    PROVIDER_REVIEW,
    REQUEST_FLOW,
    Action,
    EventKind,
    PeriodKind,
    Role,
    RuleViolation,
    State,
)

# 002 §40; periods of 《行政复议法》第二十条 and 《行政诉讼法》第四十六条.
REMEDY_NOTICE = (
    "申请人如对本决定不服，可以自知道该决定之日起六十日内依法申请行政复议，"
    "或者自知道该决定之日起六个月内依法向人民法院提起行政诉讼。"
)


def blank(text: str | None) -> bool:
    """True for None, an empty or a whitespace-only string."""
    return text is None or not text.strip()


class ProcedureBase:
    """Configuration, guards and queries of :class:`domain.procedures.requests.Procedure`.

    Args:
        profile: the jurisdiction's periods (SPEC §8); never constants here.
        calendar: the official working-day calendar.
        due_soon_within: working days left at which a period is ``due_soon``.
        remedy_notice: the notice of reconsideration or litigation carried by
            every adverse decision (002 §40); a deployment names its
            reconsideration body here.
        third_party_veto: opening needs the agreement of every consulted third
            party, with no public-interest override (002 §38 当事人不同意开放的，
            不得提供); False applies 003 §25 (only an objection with reasonable
            grounds forbids, and the public interest may override it); None,
            the default, takes ``profile.third_party_veto``.

    Raises:
        ValueError: ``remedy_notice`` is blank or ``due_soon_within`` negative.
    """

    def __init__(
        self,
        profile: Profile,
        calendar: WorkCalendar,
        *,
        due_soon_within: int = DUE_SOON_WITHIN,
        remedy_notice: str = REMEDY_NOTICE,
        third_party_veto: bool | None = None,
    ) -> None:
        if blank(remedy_notice):
            raise ValueError("an adverse decision must tell of reconsideration or litigation (002 §40)")
        if due_soon_within < 0:
            raise ValueError(f"due_soon_within must be >= 0, got {due_soon_within}")
        self.profile = profile
        self.calendar = calendar
        self.due_soon_within = due_soon_within
        self.remedy_notice = remedy_notice.strip()
        self.third_party_veto = (profile.third_party_veto if third_party_veto is None
                                 else third_party_veto)

    # --- queries ------------------------------------------------------------------------

    def deadlines(self, req: Request, today: date) -> list[Deadline]:
        """Every period running (or paused) on ``today``: the normative review
        (or, where there is none, the provider's reply, running from receipt
        while the platform's formal check is under way: the authority answers
        for it); the provider's reply; the applicant's answer to an
        explanation demand under a policy pause; the provider's reply (running again once a consultation is over, even
        before it is recorded as closed); each third party that may still
        answer; the delivery, and any written notice to a third party (due
        with the delivery). Empty once the request is decided and delivered.
        A deadline counted through a year without a loaded notice is
        ``provisional`` (暂定).

        Raises:
            CalendarYearMissing: a period runs into an uncovered year.
        """
        out: list[Deadline] = []
        basis = self.profile.basis
        if req.state is State.SUBMITTED:
            if req.reply_clock is not None:  # no normative review: the provider's period runs
                out.append(self._deadline(PeriodKind.PROVIDER_REPLY, req.reply_clock, today,
                                          Role.AUTHORITY_REVIEWER, basis["provider_reply"]))
            else:
                out.append(self._deadline(PeriodKind.NORMATIVE_REVIEW, req.review_clock, today,
                                          Role.AUTHORITY_REVIEWER, basis["normative_review"]))
        elif req.state in PROVIDER_REVIEW:
            out.append(self._deadline(PeriodKind.PROVIDER_REPLY, self._effective_reply(req, today),
                                      today, Role.DEPARTMENT_REVIEWER, basis["provider_reply"]))
            if req.state is State.EXPLANATION_REQUESTED and self._reply(req).paused:
                out.append(self._deadline(PeriodKind.EXPLANATION_ANSWER, self._answer_clock(req),
                                          today, Role.APPLICANT, basis["explanation_pause"]))
            if req.state is State.CONSULTING:
                period = self.profile.third_party_period
                for p, _ in tp.waiting_for(req.current_parties, period, self.calendar, today):
                    out.append(self._deadline(PeriodKind.THIRD_PARTY, tp.party_clock(p, period),
                                              today, Role.THIRD_PARTY, basis["third_party_period"],
                                              party=p.key))
        elif req.state is State.APPROVED:
            assert req.delivery_clock is not None
            out.append(self._deadline(PeriodKind.DELIVERY, req.delivery_clock, today,
                                      Role.DEPARTMENT_REVIEWER, basis["open_after_approval"]))
            # Owed notices block delivery, so none is left once delivered.
            for p in req.notices_outstanding:
                out.append(self._deadline(PeriodKind.THIRD_PARTY_NOTICE, req.delivery_clock,
                                          today, Role.DEPARTMENT_REVIEWER,
                                          basis["public_interest_override"], party=p.key))
        return out

    def allowed_actions(self, req: Request, role: Role, on: date | None = None) -> set[Action]:
        """What ``role`` may do with ``req`` now, for UIs. The state and role
        come from :data:`TRANSITIONS`; preconditions that need no input are
        applied too (one extension only, an answer still owed, a notice owed,
        ...). With ``on``, those that depend on the day are checked for that
        day: a consultation can be closed, an answer is not late, the period
        has not run out for an extension.

        Raises:
            CalendarYearMissing: (only with ``on``) a period runs into an uncovered year.
        """
        return {action for action in REQUEST_FLOW.allowed(req.state, role)
                if self._possible(req, action, role, on)}

    # --- internals ------------------------------------------------------------------------

    def _possible(self, req: Request, action: Action, role: Role, on: date | None) -> bool:
        period = self.profile.third_party_period
        if action is Action.EXTEND:
            if req.extension_used or not self.profile.provider_extension_max:
                return False
            if on is None:
                return True
            due = self._effective_reply(req, on).due(self.calendar)
            return due is None or on <= due
        if action is Action.THIRD_PARTY_ANSWER:
            # The department records a written answer received in time even
            # after the period (its received day is checked when recorded).
            if on is None or role is Role.DEPARTMENT_REVIEWER:
                return any(p.answer is None for p in req.current_parties)
            return bool(tp.waiting_for(req.current_parties, period, self.calendar, on))
        if action is Action.LAPSE_EXPLANATION:
            if req.reply_clock is None or not req.reply_clock.paused:
                return False
            return on is None or not self._in_time(self._answer_clock(req), on)
        if action is Action.ANSWER_EXPLANATION and on is not None and self._reply(req).paused:
            return self._in_time(self._answer_clock(req), on)
        if action is Action.CLOSE_CONSULTATION and on is not None:
            return tp.consultation_end(req.current_parties, period, self.calendar, on) is not None
        if action is Action.JUDGE_OBJECTION:
            # 002 §38: under the veto an objection is not judged, it forbids.
            return not self.third_party_veto and any(
                p.answer == "object" and p.objection_reasonable is None for p in req.third_parties)
        if action is Action.APPROVE and self.third_party_veto:
            return all(p.answer == "agree" for p in req.third_parties)
        if action is Action.NOTIFY_THIRD_PARTY:
            return bool(req.notices_outstanding)
        if action is Action.DELIVER:
            return not req.notices_outstanding
        return True

    def _guard(self, req: Request, action: Action, actor: Actor, on: date) -> None:
        REQUEST_FLOW.guard(action, number=req.number, state=req.state, role=actor.role,
                           on=on, last_event_on=req.last_event_on)

    def _record(self, req: Request, actor: Actor, on: date, kind: EventKind,
                data: Mapping[str, Any], *, notify: tuple[str, ...] = (),
                **changes: Any) -> Request:
        return append_event(req, Event(kind, actor.role, actor.name, on, data, notify), **changes)

    def _art(self, topic: str) -> str:
        """The profile's article for ``topic``; empty where it is bureau policy."""
        return self.profile.article(topic)

    def _own(self, article: str) -> str:
        """``article`` when it belongs to the profile's own regulation, else
        empty (a public message never cites another jurisdiction's text)."""
        return article if article.startswith(self.profile.regulation + " ") else ""

    def _answer_clock(self, req: Request) -> Clock:
        """The applicant's period to answer the latest explanation demand
        (policy pause): ``profile.explanation_pause`` from the demand."""
        demanded = next(e.on for e in reversed(req.events)
                        if e.kind is EventKind.EXPLANATION_REQUESTED)
        return Clock.start(demanded, self.profile.explanation_pause or 1)

    @staticmethod
    def _reply(req: Request) -> Clock:
        assert req.reply_clock is not None, "the provider's clock starts when the request is forwarded"
        return req.reply_clock

    def _effective_reply(self, req: Request, today: date, clock: Clock | None = None) -> Clock:
        """The provider's clock as it stands on ``today``: during a
        consultation that is over but not yet closed, resumed on the day it
        ended (003 §25 para 3), so that reminders do not wait for the record."""
        clock = clock or self._reply(req)
        if req.state is State.CONSULTING and clock.paused:
            end = tp.consultation_end(req.current_parties, self.profile.third_party_period,
                                      self.calendar, today)
            if end is not None:
                return clock.resume(end)
        return clock

    def _current_party(self, req: Request, key: str) -> ThirdParty:
        party = req.party(key)
        if party is None or party.consultation != req.consultation:
            raise RuleViolation(f"third party {key!r} is not consulted in the current "
                                "consultation of this request", self._art("third_party_period"),
                                code="third-party-not-consulted", party=key)
        return party

    @staticmethod
    def _swap(req: Request, updated: ThirdParty) -> tuple[ThirdParty, ...]:
        return tuple(updated if p.key == updated.key else p for p in req.third_parties)

    def _in_time(self, clock: Clock, on: date) -> bool:
        due = clock.due(self.calendar)
        return due is None or on <= due

    @staticmethod
    def _iso(d: date | None) -> str | None:
        return d.isoformat() if d is not None else None

    def _deadline(self, what: PeriodKind, clock: Clock, today: date, responsible: Role,
                  basis: str, party: str | None = None) -> Deadline:
        return deadline_of(what, clock, today, self.calendar, responsible=responsible,
                           basis=basis, due_soon_within=self.due_soon_within, party=party)
