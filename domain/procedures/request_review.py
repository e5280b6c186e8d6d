"""Submission, normative review and the demand for an explanation of an
excessive request (000 §31, 003 §26): the first steps of
:class:`domain.procedures.requests.Procedure`, over
:class:`~domain.procedures.request_base.ProcedureBase`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from domain.periods.workdays import Clock
from domain.procedures.identity import mask_identity, normalize_identity, validate_applicant
from domain.procedures.request_base import ProcedureBase, blank
from domain.procedures.request_records import (
    Actor,
    Application,
    Decision,
    Event,
    Request,
)
from domain.procedures.request_states import (
    Action,
    ApplicationIncomplete,
    EventKind,
    Outcome,
    Role,
    RoleNotAllowed,
    RuleViolation,
    State,
)


class ReviewSteps(ProcedureBase):
    """The submission and review steps of the request procedure (000 §31, 003 §26)."""

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
