"""The conditional-open request procedure (有条件开放申请, SPEC §4) as a pure,
immutable model: :class:`Procedure` holds the rules, parameterised by a
:class:`~domain.periods.profiles.Profile` (every period) and a
:class:`~domain.periods.calendar.WorkCalendar`; each operation takes a
:class:`~domain.procedures.request_records.Request` and returns a new one with one or
more :class:`~domain.procedures.request_records.Event` appended. The vocabulary and the
errors are in :mod:`domain.procedures.request_states`, the records in
:mod:`domain.procedures.request_records`, the third-party rules in :mod:`domain.procedures.consultation`,
the queries (``deadlines``, ``allowed_actions``) in :mod:`domain.procedures.request_base`,
the steps in :mod:`domain.procedures.request_review` (submission, review,
explanation), :mod:`domain.procedures.request_consultation` (third parties) and
:mod:`domain.procedures.request_decision` (extension, decision, delivery), each a
mixin over ``ProcedureBase``; the applicant's own steps are here, and
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

from datetime import date

from domain.procedures.request_base import REMEDY_NOTICE, blank
from domain.procedures.request_consultation import ConsultationSteps
from domain.procedures.request_decision import DecisionSteps
from domain.procedures.request_records import (
    Actor,
    Application,
    Deadline,
    Decision,
    Event,
    Request,
    ThirdParty,
)
from domain.procedures.request_review import ReviewSteps
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
from domain.procedures.roles import AUTHORITY

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


class Procedure(ReviewSteps, ConsultationSteps, DecisionSteps):
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

    # --- the applicant -----------------------------------------------------------------

    def withdraw(self, req: Request, *, actor: Actor, on: date, reason: str = "") -> Request:
        """The applicant withdraws the request; possible until a decision.

        Raises:
            IllegalTransition, RoleNotAllowed, EventOutOfOrder: see the module.
        """
        self._guard(req, Action.WITHDRAW, actor, on)
        return self._record(req, actor, on, EventKind.WITHDRAWN, {"reason": reason.strip()},
                            notify=("provider",) if req.state in PROVIDER_REVIEW
                            else (AUTHORITY,), state=State.WITHDRAWN)

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
