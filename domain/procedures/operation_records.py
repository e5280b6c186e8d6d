"""What a scenario application (场景应用数据需求申请, 000 §36) records:
its required contents, the operator's identity, the first-review opinion,
the decision with its authorisation (scope and term), the feedback reports
and the dated events. Immutable: every step makes a copy
(:func:`domain.procedures.kit.append_event`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.periods.workdays import Clock
from domain.procedures.operation_states import Opinion, OpState, Verdict


@dataclass(frozen=True)
class Operator:
    """The market entity (市场主体, 000 §34) and whom to contact there.

    ``organisation`` is the registered name: public once authorised (it is
    the operator the register names). ``credit_code`` (统一社会信用代码),
    ``contact_name``, ``phone`` and ``email`` are sealed with the case's
    personal data and never shown publicly.
    """

    organisation: str
    credit_code: str
    contact_name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ScenarioApplication:
    """The required contents of an application (000 §36(一)): the scenario,
    the datasets wanted (of one providing department) and, optionally, the
    fields, the purpose, the security measures, the operator."""

    scenario_title: str
    scenario: str  # the application scenario: what service or product is built
    department: str  # the data provider the application goes to
    datasets: tuple[str, ...]
    fields: tuple[str, ...]  # fields wanted; empty: the whole datasets
    purpose: str
    security_measures: str
    operator: Operator


@dataclass(frozen=True)
class FirstReview:
    opinion: Opinion
    reasons: str  # for a refusal: its basis or reasons (000 §36(二))
    by: str
    on: date
    in_time: bool


@dataclass(frozen=True)
class Authorisation:
    """What is authorised: datasets, fields (empty: all of them) and term."""

    datasets: tuple[str, ...]
    fields: tuple[str, ...]
    start: date
    end: date

    def in_force(self, on: date) -> bool:
        return self.start <= on <= self.end


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: str
    by: str
    on: date
    in_time: bool
    authorisation: Authorisation | None = None


@dataclass(frozen=True)
class Feedback:
    """The operator's report (000 §36(四)): quality of the data, use made of
    it, and effects of the services and products built."""

    on: date
    quality: str
    use: str
    effects: str
    in_time: bool


@dataclass(frozen=True)
class OpEvent:
    action: str
    on: date
    role: str
    note: str = ""


@dataclass(frozen=True)
class Operation:
    """One scenario application and what followed it.

    ``review_clock`` runs the provider's first review from receipt;
    ``decision_clock`` the authority's decision from the first review.
    """

    number: str
    received: date
    application: ScenarioApplication
    state: OpState
    review_clock: Clock
    decision_clock: Clock | None = None
    first_review: FirstReview | None = None
    decision: Decision | None = None
    feedback: tuple[Feedback, ...] = ()
    events: tuple[OpEvent, ...] = ()

    @property
    def authorisation(self) -> Authorisation | None:
        return self.decision.authorisation if self.decision is not None else None

    @property
    def last_event_on(self) -> date:
        return self.events[-1].on if self.events else self.received
