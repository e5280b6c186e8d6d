"""The vocabulary of a conditional-open request (有条件开放申请, SPEC §4):
states, roles, actions, event kinds, and the errors of the procedure.

The table :data:`TRANSITIONS` says which role may do what in which state; the
operations of :class:`domain.procedures.requests.Procedure` and its ``allowed_actions``
both read it, so what a UI offers and what the procedure accepts cannot
drift apart. The records themselves are in :mod:`domain.procedures.request_records`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from domain.procedures.kit import EventOutOfOrder as EventOutOfOrder
from domain.procedures.kit import IllegalTransition as IllegalTransition
from domain.procedures.kit import ProcedureError as ProcedureError
from domain.procedures.kit import RoleNotAllowed as RoleNotAllowed
from domain.procedures.kit import Transitions
from domain.procedures.roles import Role as Role

# --- errors -------------------------------------------------------------------
# ProcedureError, IllegalTransition, RoleNotAllowed and EventOutOfOrder are the
# kit's (domain.procedures.kit), shared by every kind of case.


class RuleViolation(ProcedureError):
    """The operation is possible in this state but breaks a rule of the texts
    (or a value it needs is missing); the message (English, for operators and
    logs) cites the article.

    Every place that raises one gives it its own stable ``code`` (a slug such
    as ``"third-party-answer-late"``), so that user interfaces translate the
    code, never the English message; ``params`` carry the values a
    translation may name (dates, party keys, numbers).

    Attributes:
        code: the stable slug of the rule broken.
        article: the rule broken, e.g. ``"003 §25"``; empty for a plain
            input rule of the portal.
        params: the values named by the message, by name (str, int or date).
    """

    code = "rule-violation"
    status = 422

    def __init__(self, message: str, article: str = "", *, code: str,
                 **params: str | int | date) -> None:
        self.article = article
        self.code = code
        self.params: Mapping[str, str | int | date] = MappingProxyType(dict(params))
        super().__init__(f"{message} ({article})" if article else message)


class ApplicationIncomplete(RuleViolation):
    """The application lacks what 003 §24 / 002 §36 require.

    Attributes:
        problems: one Chinese message per problem, for the applicant.
    """

    code = "application-incomplete"

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            f"the application cannot be accepted: {len(problems)} problem(s), see .problems",
            "003 §24, 002 §36", code=self.code,
        )


# --- vocabularies -----------------------------------------------------------------


class State(StrEnum):
    # Awaiting the data authority's normative review (000 §31), or, where the
    # provider's period runs from receipt (003 §25, 004 §31), the platform's
    # formal check, which runs inside that period.
    SUBMITTED = "submitted"
    REJECTED = "rejected"  # 驳回: failed the normative review (000 §31) or formal check
    FORWARDED = "forwarded"  # with the providing department, its period running (003 §25)
    # Excessive request (003 §26): the clock runs on, unless a bureau policy
    # pause is configured (profile.explanation_pause).
    EXPLANATION_REQUESTED = "explanation_requested"
    EXPLANATION_ANSWERED = "explanation_answered"  # clock running, provider judges (003 §26)
    CONSULTING = "consulting"  # third parties consulted, clock paused (003 §25 para 3)
    NOT_PROCESSED = "not_processed"  # 不予处理: explanation unreasonable or not given (003 §26)
    APPROVED = "approved"  # 同意开放: data due within open_after_approval (000 §31)
    DENIED = "denied"  # 不予开放 with reasons and basis (000 §31, 003 §25, 004 §31)
    DELIVERED = "delivered"  # data opened to the applicant; use reports follow (000 §36(四))
    WITHDRAWN = "withdrawn"  # by the applicant before a decision


PROVIDER_REVIEW = frozenset({
    State.FORWARDED, State.EXPLANATION_REQUESTED, State.EXPLANATION_ANSWERED, State.CONSULTING,
})
UNDECIDED = frozenset({State.SUBMITTED}) | PROVIDER_REVIEW


class Action(StrEnum):
    FORWARD = "forward"
    REJECT = "reject"
    REQUEST_EXPLANATION = "request_explanation"
    ANSWER_EXPLANATION = "answer_explanation"
    JUDGE_EXPLANATION = "judge_explanation"
    LAPSE_EXPLANATION = "lapse_explanation"  # policy pause over, no answer: 不予处理
    START_CONSULTATION = "start_consultation"
    THIRD_PARTY_ANSWER = "third_party_answer"
    JUDGE_OBJECTION = "judge_objection"
    CLOSE_CONSULTATION = "close_consultation"
    EXTEND = "extend"
    APPROVE = "approve"
    DENY = "deny"
    NOTIFY_THIRD_PARTY = "notify_third_party"
    DELIVER = "deliver"
    WITHDRAW = "withdraw"
    REPORT_USE = "report_use"


class EventKind(StrEnum):
    SUBMITTED = "submitted"
    FORWARDED = "forwarded"
    REJECTED = "rejected"
    EXPLANATION_REQUESTED = "explanation_requested"
    EXPLANATION_ANSWERED = "explanation_answered"
    EXPLANATION_JUDGED = "explanation_judged"
    EXPLANATION_LAPSED = "explanation_lapsed"
    CONSULTATION_STARTED = "consultation_started"
    THIRD_PARTY_ANSWERED = "third_party_answered"
    OBJECTION_JUDGED = "objection_judged"
    CONSULTATION_CLOSED = "consultation_closed"
    EXTENDED = "extended"
    APPROVED = "approved"
    THIRD_PARTY_NOTICE_REQUIRED = "third_party_notice_required"
    THIRD_PARTY_NOTIFIED = "third_party_notified"
    DENIED = "denied"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"
    USE_REPORTED = "use_reported"


class DeliveryMethod(StrEnum):
    """How approved data reaches the applicant (002 §36)."""

    DOWNLOAD = "download"  # 数据下载
    API = "api"  # 接口访问
    SANDBOX = "sandbox"  # 数据沙箱

    @property
    def label(self) -> str:
        """Chinese name, as the dataset pages name the dataset's 提供方式."""
        return {"download": "文件下载", "api": "接口调用", "sandbox": "数据沙箱"}[self.value]


class Outcome(StrEnum):
    APPROVED = "approved"
    DENIED = "denied"
    REJECTED = "rejected"
    NOT_PROCESSED = "not_processed"


class PeriodKind(StrEnum):
    NORMATIVE_REVIEW = "normative_review"  # 000 §31
    PROVIDER_REPLY = "provider_reply"  # 003 §25, 000 §31, 004 §31
    EXPLANATION_ANSWER = "explanation_answer"  # the applicant's days under a policy pause
    THIRD_PARTY = "third_party"  # from the day the letter was received
    DELIVERY = "delivery"  # 000 §31
    THIRD_PARTY_NOTICE = "third_party_notice"  # due with the delivery


Answer = Literal["agree", "object"]

_DEPARTMENT = frozenset({Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD})

# action -> (states in which it is possible, roles that may perform it)
TRANSITIONS: Mapping[Action, tuple[frozenset[State], frozenset[Role]]] = MappingProxyType({
    Action.FORWARD: (frozenset({State.SUBMITTED}), frozenset({Role.AUTHORITY_REVIEWER})),
    Action.REJECT: (frozenset({State.SUBMITTED}), frozenset({Role.AUTHORITY_REVIEWER})),
    Action.REQUEST_EXPLANATION: (frozenset({State.FORWARDED}), _DEPARTMENT),
    Action.ANSWER_EXPLANATION: (
        frozenset({State.EXPLANATION_REQUESTED}), frozenset({Role.APPLICANT})),
    # Without a pause the provider may judge a demand left unanswered.
    Action.JUDGE_EXPLANATION: (
        frozenset({State.EXPLANATION_REQUESTED, State.EXPLANATION_ANSWERED}), _DEPARTMENT),
    Action.LAPSE_EXPLANATION: (frozenset({State.EXPLANATION_REQUESTED}), frozenset({Role.SYSTEM})),
    Action.START_CONSULTATION: (frozenset({State.FORWARDED}), _DEPARTMENT),
    # A department reviewer may record an answer that came on paper (书面).
    Action.THIRD_PARTY_ANSWER: (
        frozenset({State.CONSULTING}), frozenset({Role.THIRD_PARTY, Role.DEPARTMENT_REVIEWER})),
    Action.JUDGE_OBJECTION: (frozenset({State.CONSULTING, State.FORWARDED}), _DEPARTMENT),
    Action.CLOSE_CONSULTATION: (frozenset({State.CONSULTING}), _DEPARTMENT | {Role.SYSTEM}),
    Action.EXTEND: (PROVIDER_REVIEW, frozenset({Role.DEPARTMENT_HEAD})),  # 003 §25 负责人同意
    Action.APPROVE: (frozenset({State.FORWARDED}), _DEPARTMENT),
    Action.DENY: (frozenset({State.FORWARDED, State.CONSULTING}), _DEPARTMENT),
    Action.NOTIFY_THIRD_PARTY: (frozenset({State.APPROVED}), _DEPARTMENT),
    Action.DELIVER: (
        frozenset({State.APPROVED}), frozenset({Role.DEPARTMENT_REVIEWER, Role.SYSTEM})),
    Action.WITHDRAW: (UNDECIDED, frozenset({Role.APPLICANT})),
    Action.REPORT_USE: (frozenset({State.DELIVERED}), frozenset({Role.APPLICANT})),
})
REQUEST_FLOW: Transitions[Action, State, Role] = Transitions(TRANSITIONS, kind="request")
"""The guard over :data:`TRANSITIONS` (the procedure kit)."""
