"""Authorised operation (授权运营, 000 §34–36): the procedure of a scenario
application on the procedure kit, for one jurisdiction's periods and
working-day calendar.

    ops = Operations(periods_for(profile), calendar)
    case = ops.file(number="YY-20261123-0001", on=day, application=app)
    case = ops.first_review(case, opinion="pass", reasons=..., by="jtj", on=day)
    case = ops.decide(case, verdict="authorise", reasons=..., by="authority", on=day,
                      scope=Authorisation(...))
    case = ops.feedback(case, quality=..., use=..., effects=..., on=day)

Every step is guarded by :data:`~domain.procedures.operation_states.OPERATION_FLOW`
(state, role, date order) and returns a new case; nothing is changed in
place. Pure: no I/O.
"""

from __future__ import annotations

from datetime import date

from domain.periods.calendar import WorkCalendar
from domain.periods.workdays import DUE_SOON_WITHIN, Clock
from domain.procedures.kit import Deadline, ProcedureError, append_event, deadline_of
from domain.procedures.operation_periods import OperationPeriods
from domain.procedures.operation_records import (
    Authorisation,
    Decision,
    Feedback,
    FirstReview,
    Operation,
    OpEvent,
    ScenarioApplication,
)
from domain.procedures.operation_states import (
    OPERATION_FLOW,
    OpAction,
    Opinion,
    OpState,
    Verdict,
)
from domain.procedures.roles import Role

REASONS_MIN = 4
FEEDBACK_MIN = 10


class OperationError(ProcedureError):
    """A step the rules refuse for a reason of its contents; the message, in
    Chinese, says what to change."""

    code = "operation-refused"
    status = 422


def _text(value: str, what: str, minimum: int = REASONS_MIN) -> str:
    text = value.strip()
    if len(text) < minimum:
        raise OperationError(f"请填写{what}（至少 {minimum} 个字）。")
    return text


class Operations:
    """The rules of scenario applications under ``periods``, counted on
    ``calendar`` (the deployment's working-day calendar)."""

    def __init__(self, periods: OperationPeriods, calendar: WorkCalendar):
        self.periods, self.calendar = periods, calendar

    def _guard(self, case: Operation, action: OpAction, role: Role, on: date) -> None:
        OPERATION_FLOW.guard(action, number=case.number, state=case.state, role=role, on=on,
                             last_event_on=case.last_event_on)

    def file(self, *, number: str, on: date, application: ScenarioApplication) -> Operation:
        """A scenario application received on ``on``: the provider's first
        review starts (000 §36(二); the day of receipt not counted).

        Raises:
            CalendarYearMissing: the period runs into an uncovered year.
        """
        clock = Clock.start(on, self.periods.first_review)
        clock.due(self.calendar)  # fail now, before a number is used, if the year is missing
        return Operation(number=number, received=on, application=application,
                         state=OpState.FILED, review_clock=clock,
                         events=(OpEvent("filed", on, Role.APPLICANT),))

    def first_review(self, case: Operation, *, opinion: Opinion | str, reasons: str, by: str,
                     on: date) -> Operation:
        """The provider's first-review opinion, which goes to the authority
        either way (000 §36(二): a refusal gives its basis or reasons); the
        authority's period starts.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: the guard.
            OperationError: an unknown opinion, or no reasons.
        """
        self._guard(case, OpAction.FIRST_REVIEW, Role.DEPARTMENT_REVIEWER, on)
        try:
            checked = Opinion(opinion)
        except ValueError:
            raise OperationError("初审意见只能是“初审通过”或“初审不予通过”。") from None
        what = "初审意见" if checked is Opinion.PASS else "不予通过的依据或理由"
        review = FirstReview(checked, _text(reasons, what), by, on,
                             in_time=on <= self._due(case.review_clock))
        return append_event(case, OpEvent(OpAction.FIRST_REVIEW, on, Role.DEPARTMENT_REVIEWER,
                                          checked.value),
                            state=OpState.FIRST_REVIEWED, first_review=review,
                            decision_clock=Clock.start(on, self.periods.decision))

    def decide(self, case: Operation, *, verdict: Verdict | str, reasons: str, by: str,
               on: date, scope: Authorisation | None = None) -> Operation:
        """The authority's decision on the scenario, the demand and the
        first-review opinion (000 §36(三)), with reasons. An authorisation
        names its scope (datasets among those applied for, fields among
        those applied for if any) and a term that has not ended.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: the guard.
            OperationError: an unknown verdict, no reasons, or a scope that
                is missing or goes beyond the application.
        """
        self._guard(case, OpAction.DECIDE, Role.AUTHORITY_REVIEWER, on)
        try:
            checked = Verdict(verdict)
        except ValueError:
            raise OperationError("审核结果只能是“授权运营”或“驳回申请”。") from None
        text = _text(reasons, "审核理由" if checked is Verdict.AUTHORISE else "驳回理由")
        authorisation = None
        if checked is Verdict.AUTHORISE:
            authorisation = self._scope(case, scope, on)
        assert case.decision_clock is not None  # set by the first review
        decision = Decision(checked, text, by, on, on <= self._due(case.decision_clock),
                            authorisation)
        state = OpState.AUTHORISED if authorisation is not None else OpState.REJECTED
        return append_event(case, OpEvent(OpAction.DECIDE, on, Role.AUTHORITY_REVIEWER,
                                          checked.value),
                            state=state, decision=decision)

    @staticmethod
    def _scope(case: Operation, scope: Authorisation | None, on: date) -> Authorisation:
        if scope is None or not scope.datasets:
            raise OperationError("授权运营须写明授权范围：至少一个数据集。")
        beyond = [d for d in scope.datasets if d not in case.application.datasets]
        if beyond:
            raise OperationError(f"授权范围不能超出申请的数据集：{'、'.join(beyond)}。")
        wanted = case.application.fields
        extra = [f for f in scope.fields if wanted and f not in wanted]
        if extra:
            raise OperationError(f"授权字段不能超出申请的字段：{'、'.join(extra)}。")
        if scope.end < scope.start:
            raise OperationError("授权期限的结束日期不能早于开始日期。")
        if scope.end < on:
            raise OperationError("授权期限的结束日期已过，请重新填写。")
        return scope

    def feedback(self, case: Operation, *, quality: str, use: str, effects: str,
                 on: date) -> Operation:
        """The operator's report on the quality of the data, its use and the
        effects of what was built (000 §36(四)); it is in time when made on
        or before the report then due.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: the guard.
            OperationError: a part left (nearly) empty, or a report before
                the term starts.
        """
        self._guard(case, OpAction.FEEDBACK, Role.APPLICANT, on)
        scope = case.authorisation
        assert scope is not None  # authorised
        if on < scope.start:
            raise OperationError(f"授权期限自 {scope.start.isoformat()} 开始，届时再反馈。")
        due = self.feedback_due(case)
        report = Feedback(on, _text(quality, "数据质量情况", FEEDBACK_MIN),
                          _text(use, "数据使用情况", FEEDBACK_MIN),
                          _text(effects, "应用成效", FEEDBACK_MIN),
                          in_time=due is None or on <= due)
        return append_event(case, OpEvent(OpAction.FEEDBACK, on, Role.APPLICANT),
                            feedback=(*case.feedback, report))

    def withdraw(self, case: Operation, *, on: date) -> Operation:
        """The applicant withdraws before the authority decides.

        Raises:
            IllegalTransition, EventOutOfOrder: the guard.
        """
        self._guard(case, OpAction.WITHDRAW, Role.APPLICANT, on)
        return append_event(case, OpEvent(OpAction.WITHDRAW, on, Role.APPLICANT),
                            state=OpState.WITHDRAWN)

    # --- periods -----------------------------------------------------------------

    def _due(self, clock: Clock) -> date:
        due = clock.due(self.calendar)
        assert due is not None  # these clocks are never paused
        return due

    def feedback_clock(self, case: Operation) -> Clock | None:
        """The period of the next feedback report: from the start of the
        term, then from the last report; None when not authorised or once
        the term has ended and a report was made after it (the last one)."""
        scope = case.authorisation
        if case.state is not OpState.AUTHORISED or scope is None:
            return None
        last = case.feedback[-1].on if case.feedback else None
        if last is not None and last > scope.end:
            return None
        return Clock.start(max(scope.start, last) if last else scope.start,
                           self.periods.feedback_every)

    def feedback_due(self, case: Operation) -> date | None:
        clock = self.feedback_clock(case)
        return self._due(clock) if clock is not None else None

    def feedback_overdue(self, case: Operation, today: date) -> bool:
        """True when the operator's next report is past its date (the
        overdue feedback rule: the authority and the provider see it)."""
        due = self.feedback_due(case)
        return due is not None and today > due

    def deadlines(self, case: Operation, today: date,
                  due_soon_within: int = DUE_SOON_WITHIN) -> list[Deadline[str, Role]]:
        """The period running now, with whom it is for and its basis code.

        Raises:
            CalendarYearMissing: the period runs into an uncovered year.
        """
        clock, what, who = self._running(case)
        if clock is None:
            return []
        return [deadline_of(what, clock, today, self.calendar, responsible=who,
                            basis=self.periods.article(what), due_soon_within=due_soon_within)]

    def _running(self, case: Operation) -> tuple[Clock | None, str, Role]:
        if case.state is OpState.FILED:
            return case.review_clock, "first_review", Role.DEPARTMENT_REVIEWER
        if case.state is OpState.FIRST_REVIEWED:
            return case.decision_clock, "decision", Role.AUTHORITY_REVIEWER
        return self.feedback_clock(case), "feedback", Role.APPLICANT

    def allowed_actions(self, case: Operation, role: Role | str) -> set[OpAction]:
        """What ``role`` may do with ``case`` now (the table, for the pages)."""
        try:
            checked = Role(role)
        except ValueError:
            return set()
        return OPERATION_FLOW.allowed(case.state, checked)

