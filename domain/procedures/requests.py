"""The conditional-open request procedure (有条件开放申请, SPEC §4) as a pure,
immutable model: :class:`Procedure` holds the rules, parameterised by a
:class:`~domain.periods.profiles.Profile` (every period) and a
:class:`~domain.periods.calendar.WorkCalendar`; each operation takes a
:class:`~domain.procedures.request_records.Request` and returns a new one with one or
more :class:`~domain.procedures.request_records.Event` appended. The vocabulary and the
errors are in :mod:`domain.procedures.request_states`, the records in
:mod:`domain.procedures.request_records`, the third-party rules in :mod:`domain.procedures.consultation`,
the queries (``deadlines``, ``allowed_actions``) in :mod:`domain.procedures.request_base`;
every public name is importable from here.

The path of a request::

    submitted --forward--> forwarded --approve--> approved --deliver--> delivered
        |                   |  ^  |  \\--deny--> denied
        reject              |  |  |
        v                   |  |  start_consultation --> consulting --close--/
      rejected              |  |                             (deny possible)
                            |  \\-- judge(reasonable) <-- explanation_answered
                            request_explanation --> explanation_requested --answer--^
                                                        judge(unreasonable) --> not_processed
    any undecided state --withdraw--> withdrawn

Periods (all in working days, the day an event happens not counted):

- normative review, ``profile.normative_review`` from receipt (000 §31);
  profiles without one (003 §24–§25, 004 §31) have a formal check by the
  platform instead, which runs inside the provider's period;
- provider reply, ``profile.provider_reply``: under 000 from the day the
  provider receives the forwarded request (000 §31 自收到申请之时起); under
  003 and 004 from the day the platform receives the application, whatever
  the formal check does; paused during a consultation (003 §25 para 3), not
  while the applicant is asked to explain (003 §26 gives no pause) unless
  the profile's ``explanation_pause`` (bureau policy) says so; one extension
  of at most ``profile.provider_extension_max`` approved by the department
  head and told to the applicant (003 §25, 004 §31); none when the profile
  allows none;
- explanation answer (policy pause only), ``profile.explanation_pause``
  from the demand; unanswered, the request ends as 不予处理;
- third party, ``profile.third_party_period`` from the day the third party
  received the letter, recorded by the provider;
- delivery, ``profile.open_after_approval`` from approval (000 §31).

Every rule broken cites the article of the deployment's profile
(``profile.article(topic)``), or nothing where it is bureau policy.

Every operation first checks the state and the actor's role against
:data:`~domain.procedures.request_states.TRANSITIONS` (:class:`IllegalTransition`,
:class:`RoleNotAllowed`), then the date order (:class:`EventOutOfOrder`), then
the rules (:class:`RuleViolation`, citing the article). Dates beyond the
calendar raise :class:`~domain.periods.calendar.CalendarYearMissing`, uncaught.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from domain.periods.workdays import Clock
from domain.procedures import consultation as tp
from domain.procedures.identity import mask_identity, normalize_identity, validate_applicant
from domain.procedures.request_base import REMEDY_NOTICE, ProcedureBase, blank
from domain.procedures.request_records import (
    Actor,
    Application,
    Deadline,
    Decision,
    Event,
    Request,
    ThirdParty,
)
from domain.procedures.request_states import (
    PROVIDER_REVIEW,
    TRANSITIONS,
    Action,
    ApplicationIncomplete,
    DeliveryMethod,
    EventKind,
    EventOutOfOrder,
    IllegalTransition,
    Outcome,
    PeriodKind,
    ProcedureError,
    Role,
    RoleNotAllowed,
    RuleViolation,
    State,
)

# The public names of the procedure, importable from this one module.
__all__ = [
    "PROVIDER_REVIEW",
    "REMEDY_NOTICE",
    "TRANSITIONS",
    "Action",
    "Actor",
    "Application",
    "ApplicationIncomplete",
    "Deadline",
    "Decision",
    "DeliveryMethod",
    "Event",
    "EventKind",
    "EventOutOfOrder",
    "IllegalTransition",
    "Outcome",
    "PeriodKind",
    "Procedure",
    "ProcedureError",
    "Request",
    "Role",
    "RoleNotAllowed",
    "RuleViolation",
    "State",
    "ThirdParty",
]

class Procedure(ProcedureBase):
    """The rules of the conditional-open request procedure; see the module.

    Args:
        profile: the jurisdiction's periods (SPEC §8); never constants here.
        calendar: the official working-day calendar.
        due_soon_within: working days left at which a period is ``due_soon``.
        remedy_notice: the notice of reconsideration or litigation carried by
            every adverse decision (002 §40).
        third_party_veto: opening needs every consulted third party's
            agreement, with no public-interest override (002 §38); False
            applies 003 §25; None (the default) takes the profile's.

    Raises:
        ValueError: ``remedy_notice`` is blank or ``due_soon_within`` negative.
    """

    # --- submission and normative review (000 §31) ---------------------------

    def submit(self, application: Application, *, number: str, on: date, actor: Actor) -> Request:
        """A new request received on ``on``; the normative review clock starts.
        The authority is told, and the applicant too when an e-mail address
        was given (a confirmation with the receipt number and due date).

        Raises:
            RoleNotAllowed: ``actor`` is neither the applicant nor the system.
            RuleViolation: ``number`` or the providing department is blank.
            ApplicationIncomplete: the applicant, identity or contacts are
                invalid, the purpose, scope of use or security measures are
                missing (003 §24), the data-use commitment is not signed
                (002 §36), or the delivery method asked for is not one the
                dataset's descriptor offers; ``.problems`` lists them in Chinese.
            CalendarYearMissing: the review period runs into an uncovered year.
        """
        if actor.role not in (Role.APPLICANT, Role.SYSTEM):
            raise RoleNotAllowed(f"a {actor.role} cannot submit a request: only applicant, system")
        if blank(number):
            raise RuleViolation("a request needs a number", code="request-number-missing")
        if blank(application.department):
            raise RuleViolation("a request names the providing department (数据提供部门)",
                                self._art("application"),
                                code="department-missing")
        a = application
        problems = validate_applicant(
            name=a.applicant_name, identity_kind=a.identity_kind,
            identity_number=a.identity_number, phone=a.phone, email=a.email)
        for value, message in (
            (a.dataset_id, "请选择申请的数据资源。"),
            (a.purpose, "请填写数据用途。"),
            (a.scope_of_use, "请填写使用范围。"),
            (a.security_measures, "请填写安全管理措施。"),
        ):
            if blank(value):
                problems.append(message)
        if not a.commitment_signed:
            problems.append("请阅读并签署《数据开放利用承诺书》。")
        if not a.offers(a.delivery_method):
            problems.append("该数据集不提供所选的获取方式，请选择："
                            + "、".join(m.label for m in a.offered) + "。")
        if problems:
            raise ApplicationIncomplete(problems)
        application = replace(a, identity_number=normalize_identity(a.identity_number))
        review_days = self.profile.normative_review
        reply: Clock | None = None
        if review_days is None:
            # 003 §25, 004 §31: the provider's period runs from receipt on the
            # platform; the formal check shares it and cannot move its end.
            reply = Clock.start(on, self.profile.provider_reply)
            clock = reply
        else:
            clock = Clock.start(on, review_days)
        data: dict[str, Any] = {
            "dataset_id": a.dataset_id,
            "department": a.department,
            "applicant": a.applicant_name,
            "identity_kind": str(a.identity_kind),
            "identity": mask_identity(a.identity_kind, a.identity_number),
            "delivery_method": str(a.delivery_method),
            "review_due": self._iso(clock.due(self.calendar)),
        }
        if reply is not None:
            data["reply_due"] = self._iso(reply.due(self.calendar))
        event = Event(EventKind.SUBMITTED, actor.role, actor.name, on, data,
                      notify=("authority", "applicant") if a.email.strip() else ("authority",))
        return Request(number=number, application=application, state=State.SUBMITTED,
                       received=on, review_clock=clock, reply_clock=reply, events=(event,))

    def forward(self, req: Request, *, actor: Actor, on: date) -> Request:
        """The normative review passed: the request goes to the providing
        department, whose reply period starts (000 §31 审核通过的，转至数据提供部门).
        Where the provider's period ran from receipt (no normative review),
        the formal check passed and the period runs on unchanged.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.FORWARD, actor, on)
        reply = req.reply_clock or Clock.start(on, self.profile.provider_reply)
        return self._record(req, actor, on, EventKind.FORWARDED, {
            "review_in_time": self._in_time(req.review_clock, on),
            "reply_due": self._iso(reply.due(self.calendar)),
        }, notify=("provider", "applicant"), state=State.FORWARDED, reply_clock=reply)

    def reject(self, req: Request, *, actor: Actor, on: date, reasons: str) -> Request:
        """The normative review failed: rejected with reasons (000 §31 驳回申请并说明理由).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: ``reasons`` is blank.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.REJECT, actor, on)
        if blank(reasons):
            raise RuleViolation("a rejection states its reasons (驳回申请并说明理由)",
                                self._art("normative_review") if self.profile.normative_review
                                else "",
                                code="rejection-reasons-missing")
        decision = Decision(Outcome.REJECTED, on, actor.name, reasons=reasons.strip(),
                            remedy_notice=self.remedy_notice)
        return self._record(req, actor, on, EventKind.REJECTED, {
            "reasons": decision.reasons,
            "review_in_time": self._in_time(req.review_clock, on),
        }, notify=("applicant",), state=State.REJECTED, decision=decision)

    # --- excessive requests (003 §26) ----------------------------------------

    def request_explanation(self, req: Request, *, actor: Actor, on: date, question: str) -> Request:
        """Ask the applicant to explain a request whose volume or frequency is
        clearly unreasonable (003 §26). The provider's clock runs on and stays
        under overdue supervision; only a profile with ``explanation_pause``
        (bureau policy) stops it, giving the applicant that many working days
        to answer (:meth:`lapse_explanation` ends an unanswered demand).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: ``question`` is blank.
        """
        self._guard(req, Action.REQUEST_EXPLANATION, actor, on)
        if blank(question):
            raise RuleViolation("say what the applicant must explain", self._art("explanation"),
                                code="explanation-question-missing")
        pause = self.profile.explanation_pause
        data: dict[str, Any] = {"question": question.strip(), "pause": pause is not None}
        reply = self._reply(req)
        if pause is not None:
            data["answer_due"] = self._iso(Clock.start(on, pause).due(self.calendar))
            reply = reply.pause(on)
        else:
            data["reply_due"] = self._iso(self._effective_reply(req, on).due(self.calendar))
        return self._record(req, actor, on, EventKind.EXPLANATION_REQUESTED, data,
                            notify=("applicant",), state=State.EXPLANATION_REQUESTED,
                            reply_clock=reply)

    def answer_explanation(self, req: Request, *, actor: Actor, on: date, text: str) -> Request:
        """The applicant's explanation; under a policy pause the provider's
        clock runs again from ``on``.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: ``text`` is blank.
        """
        self._guard(req, Action.ANSWER_EXPLANATION, actor, on)
        if blank(text):
            raise RuleViolation("the explanation is empty", self._art("explanation"),
                                code="explanation-empty")
        reply = self._reply(req)
        if reply.paused:
            if not self._in_time(self._answer_clock(req), on):
                raise RuleViolation(
                    f"the applicant's period to explain ended on "
                    f"{self._answer_clock(req).due(self.calendar)}; the demand has lapsed",
                    self._art("explanation_pause"), code="explanation-answer-late",
                    due=self._answer_clock(req).due(self.calendar) or on)
            reply = reply.resume(on)
        return self._record(req, actor, on, EventKind.EXPLANATION_ANSWERED, {"text": text.strip()},
                            notify=("provider",), state=State.EXPLANATION_ANSWERED,
                            reply_clock=reply)

    def lapse_explanation(self, req: Request, *, actor: Actor, on: date) -> Request:
        """Under a bureau-policy pause, a demand the applicant left
        unanswered past its period ends as 不予处理, with the remedy notice;
        run by the platform (``portal remind``).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: the profile has no pause (the provider judges the
                unanswered demand itself), or the applicant may still answer.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.LAPSE_EXPLANATION, actor, on)
        if not self._reply(req).paused:
            raise RuleViolation("without a pause the provider judges an unanswered demand itself",
                                self._art("explanation"), code="explanation-no-pause")
        answer = self._answer_clock(req)
        due = answer.due(self.calendar)
        if due is not None and on <= due:
            raise RuleViolation(f"the applicant may answer until {due}",
                                self._art("explanation_pause"), code="explanation-still-open",
                                due=due)
        reasons = f"申请人未在{due.isoformat() if due else ''}前说明理由，本申请不予处理。"
        decision = Decision(Outcome.NOT_PROCESSED, on, actor.name, reasons=reasons,
                            remedy_notice=self.remedy_notice)
        return self._record(req, actor, on, EventKind.EXPLANATION_LAPSED,
                            {"answer_due": self._iso(due), "reasons": reasons},
                            notify=("applicant", "provider"), state=State.NOT_PROCESSED,
                            decision=decision)

    def judge_explanation(
        self, req: Request, *, actor: Actor, on: date, reasonable: bool, reasons: str = ""
    ) -> Request:
        """The provider's judgement of the explanation (003 §26): reasonable →
        back to review (说明理由合理的，应当及时开放); unreasonable → not
        processed (告知申请人不予处理), with reasons and the remedy notice.
        Without a pause the provider may judge a demand the applicant has
        not answered (the clock never stopped).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: unreasonable without reasons.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.JUDGE_EXPLANATION, actor, on)
        data = {"reasonable": reasonable, "reasons": reasons.strip()}
        reply = self._reply(req)
        if reply.paused:  # a policy pause ends with the judgement
            reply = reply.resume(on)
        if reasonable:
            return self._record(req, actor, on, EventKind.EXPLANATION_JUDGED, data,
                                notify=("applicant",), state=State.FORWARDED, reply_clock=reply)
        if blank(reasons):
            raise RuleViolation("say why the explanation is not reasonable",
                                self._art("explanation"),
                                code="explanation-judgement-reasons-missing")
        decision = Decision(Outcome.NOT_PROCESSED, on, actor.name, reasons=reasons.strip(),
                            remedy_notice=self.remedy_notice)
        data["reply_in_time"] = self._in_time(self._reply(req), on)
        return self._record(req, actor, on, EventKind.EXPLANATION_JUDGED, data,
                            notify=("applicant",), state=State.NOT_PROCESSED, decision=decision)

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

    # --- extension (003 §25, 004 §31) ------------------------------------------

    def extend(self, req: Request, *, actor: Actor, on: date, days: int, reason: str) -> Request:
        """Extend the provider's period once by ``days`` working days, approved
        by the department head and told to the applicant (003 §25 经数据提供部门
        负责人同意并告知申请人).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module;
                only ``DEPARTMENT_HEAD`` may extend.
            RuleViolation: the profile allows no extension, the period was
                already extended, ``days`` is not within 1..maximum, ``reason``
                is blank, or the period had already run out on ``on``.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.EXTEND, actor, on)
        art = self._art("provider_extension")
        maximum = self.profile.provider_extension_max
        clock = self._reply(req)
        if not maximum:
            raise RuleViolation(
                f"the provider's period cannot be extended under profile {self.profile.key!r} "
                f"({self.profile.name} grants no extension)", art,
                code="extension-not-allowed", regulation=self.profile.name)
        if clock.extension is not None:
            raise RuleViolation(
                f"the provider's period was already extended by {clock.extension.days} working "
                f"days on {clock.extension.approved_on}; it can be extended once only",
                art, code="extension-already-used", days=clock.extension.days,
                approved_on=clock.extension.approved_on)
        if not 1 <= days <= maximum:
            raise RuleViolation(
                f"an extension is 1 to {maximum} working days under profile "
                f"{self.profile.key!r}, not {days}", art,
                code="extension-days-out-of-range", maximum=maximum, days=days)
        if blank(reason):
            raise RuleViolation("an extension states its reason, which the applicant is told",
                                art, code="extension-reason-missing")
        current = self._effective_reply(req, on)
        due = current.due(self.calendar)
        if due is not None and on > due:
            raise RuleViolation(
                f"the provider's period ended on {due}; an expired period cannot be extended",
                art, code="extension-period-expired", due=due)
        extended = clock.extend(days, actor.name, on, max_days=maximum)
        return self._record(req, actor, on, EventKind.EXTENDED, {
            "days": days, "reason": reason.strip(),
            "reply_due": self._iso(self._effective_reply(req, on, extended).due(self.calendar)),
        }, notify=("applicant",), reply_clock=extended)

    # --- decision (000 §31, 003 §25, 004 §31, 002 §36, §40) ------------------------

    def approve(
        self,
        req: Request,
        *,
        actor: Actor,
        on: date,
        scope: str,
        delivery_method: DeliveryMethod | str,
        public_interest_override: str | None = None,
    ) -> Request:
        """Approve: the data is opened within ``profile.open_after_approval``
        working days (000 §31), limited to ``scope`` (003 §25 明确数据的用途和
        使用范围), by download, API or sandbox (002 §36).

        A third party's objection not judged unreasonable forbids opening
        unless ``public_interest_override`` gives the written reasons why not
        opening would seriously harm the public interest; each such party must
        then be told in writing what is opened and why (003 §25), recorded by
        :meth:`notify_third_party` before delivery. Under the profile's
        ``third_party_veto`` (002 §38), every consulted party must have
        agreed, and nothing overrides a party that did not.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: ``scope`` blank; unknown delivery method, or one
                the dataset's descriptor does not allow (``offered``); an
                objection stands and no override (or a blank one) is given;
                an override with no objection to override; under
                ``third_party_veto``, a consulted party that did not agree
                (002 §38), whatever the override.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.APPROVE, actor, on)
        if blank(scope):
            raise RuleViolation("an approval states the use and scope of the data (明确数据的用途和"
                                "使用范围)", self._art("decision"), code="approval-scope-missing")
        try:
            method = DeliveryMethod(delivery_method)
        except ValueError:
            raise RuleViolation(
                f"delivery is by {', '.join(m.value for m in DeliveryMethod)}, not "
                f"{delivery_method!r}", self._own("002 §36"),
                code="delivery-method-invalid") from None
        if not req.application.offers(method):
            allowed = "、".join(m.label for m in req.application.offered)
            raise RuleViolation(
                f"the dataset's descriptor allows delivery by "
                f"{', '.join(m.value for m in req.application.offered)} only, not {method.value}",
                self._own("002 §36"), code="delivery-method-not-offered", allowed=allowed)
        override = (public_interest_override or "").strip()
        if self.third_party_veto:
            # 002 §38 当事人不同意开放的，不得提供: without every consulted party's
            # agreement the data is not provided, and no public interest
            # overrides it. 002 has no rule like 003 §25's 逾期未提出意见的…
            # 决定, so a party's silence is not agreement either.
            withheld = [p for p in req.third_parties if p.answer != "agree"]
            if withheld:
                keys = ", ".join(p.key for p in withheld)
                raise RuleViolation(
                    f"third party {keys} did not agree to opening; under profile "
                    f"{self.profile.key!r} opening needs the consent of every consulted third "
                    "party and no public-interest override is possible: deny the request",
                    self._art("third_party_consent"), code="third-party-consent-missing",
                    parties=keys)
        blocking = [p for p in req.third_parties if p.blocks_opening]
        if blocking and not override:
            keys = ", ".join(p.key for p in blocking)
            raise RuleViolation(
                f"third party {keys} objected and the objection is not judged unreasonable: deny, "
                "judge the objection, or record a public-interest override with written reasons",
                self._art("third_party_consent"), code="objection-stands", parties=keys)
        if override and not blocking:
            raise RuleViolation("a public-interest override needs a standing objection to "
                                "override; there is none", self._art("public_interest_override"),
                                code="override-without-objection")
        delivery = Clock.start(on, self.profile.open_after_approval)
        decision = Decision(Outcome.APPROVED, on, actor.name, scope=scope.strip(),
                            delivery_method=method, public_interest_override=override)
        events = [Event(EventKind.APPROVED, actor.role, actor.name, on, {
            "scope": decision.scope, "delivery_method": str(method),
            "public_interest_override": override,
            "reply_in_time": self._in_time(self._reply(req), on),
            "delivery_due": self._iso(delivery.due(self.calendar)),
        }, notify=("applicant",))]
        parties = req.third_parties
        for p in blocking:
            parties = tuple(replace(q, notice_required=True) if q.key == p.key else q
                            for q in parties)
            events.append(Event(EventKind.THIRD_PARTY_NOTICE_REQUIRED, actor.role, actor.name, on,
                                {"party": p.key, "name": p.name, "opened": decision.scope,
                                 "reasons": override},
                                notify=(f"third_party:{p.key}",)))
        return replace(req, state=State.APPROVED, decision=decision, delivery_clock=delivery,
                       third_parties=parties, events=req.events + tuple(events))

    def deny(self, req: Request, *, actor: Actor, on: date, reasons: str, legal_basis: str) -> Request:
        """Deny, with reasons and legal basis (000 §31, 003 §25, 004 §31 说明理由，
        并提供依据); the decision carries the remedy notice (002 §40). Possible
        during a consultation, which then ends with the decision.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: ``reasons`` or ``legal_basis`` blank.
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.DENY, actor, on)
        if blank(reasons):
            raise RuleViolation("a denial states its reasons", self._art("decision"),
                                code="denial-reasons-missing")
        if blank(legal_basis):
            raise RuleViolation("a denial states its legal basis (提供依据)", self._art("decision"),
                                code="denial-legal-basis-missing")
        decision = Decision(Outcome.DENIED, on, actor.name, reasons=reasons.strip(),
                            legal_basis=legal_basis.strip(), remedy_notice=self.remedy_notice)
        return self._record(req, actor, on, EventKind.DENIED, {
            "reasons": decision.reasons, "legal_basis": decision.legal_basis,
            "remedy_notice": decision.remedy_notice,
            "reply_in_time": self._in_time(self._effective_reply(req, on), on),
        }, notify=("applicant",), state=State.DENIED, decision=decision)

    def notify_third_party(
        self, req: Request, *, actor: Actor, key: str, on: date, reference: str = ""
    ) -> Request:
        """Record the written notice to third party ``key`` of what was opened
        over its objection and why (003 §25 书面告知第三方).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: no notice is owed to ``key``.
        """
        self._guard(req, Action.NOTIFY_THIRD_PARTY, actor, on)
        party = next((p for p in req.notices_outstanding if p.key == key), None)
        if party is None:
            raise RuleViolation(f"no written notice is owed to third party {key!r}",
                                self._art("public_interest_override"),
                                code="notice-not-owed", party=key)
        return self._record(req, actor, on, EventKind.THIRD_PARTY_NOTIFIED,
                            {"party": key, "reference": reference.strip()},
                            third_parties=self._swap(req, replace(party, notified_on=on)))

    def deliver(self, req: Request, *, actor: Actor, on: date, reference: str = "") -> Request:
        """The data is opened to the applicant by the approved method (000 §31, 002 §36).

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: a third party overridden for the public interest
                has not yet been told in writing (003 §25).
            CalendarYearMissing: a period runs into an uncovered year.
        """
        self._guard(req, Action.DELIVER, actor, on)
        owed = req.notices_outstanding
        if owed:
            raise RuleViolation(
                f"tell third party {', '.join(p.key for p in owed)} in writing what is opened "
                "and why before delivering", self._art("public_interest_override"),
                code="notice-outstanding",
                parties=", ".join(p.key for p in owed))
        assert req.delivery_clock is not None and req.decision is not None  # set by approve
        return self._record(req, actor, on, EventKind.DELIVERED, {
            "delivery_method": str(req.decision.delivery_method), "reference": reference.strip(),
            "in_time": self._in_time(req.delivery_clock, on),
        }, notify=("applicant",), state=State.DELIVERED)

    # --- the applicant -----------------------------------------------------------------

    def withdraw(self, req: Request, *, actor: Actor, on: date, reason: str = "") -> Request:
        """The applicant withdraws the request; possible until a decision.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
        """
        self._guard(req, Action.WITHDRAW, actor, on)
        return self._record(req, actor, on, EventKind.WITHDRAWN, {"reason": reason.strip()},
                            notify=("provider",) if req.state in PROVIDER_REVIEW
                            else ("authority",), state=State.WITHDRAWN)

    def report_use(self, req: Request, *, actor: Actor, on: date, text: str) -> Request:
        """A report of the use and results of delivered data (000 §36(四), 002 §36
        定期向数据授权部门报告开发利用情况). Any number may follow.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
            RuleViolation: ``text`` is blank.
        """
        self._guard(req, Action.REPORT_USE, actor, on)
        if blank(text):
            raise RuleViolation("the report of use is empty", self._own("000 §36(四)"),
                                code="use-report-empty")
        return self._record(req, actor, on, EventKind.USE_REPORTED, {"text": text.strip()},
                            notify=("provider",))
