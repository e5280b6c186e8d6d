"""States, actions and the transitions table of authorised operation
(授权运营, 000 chapter 7, §34–36), the second kind of case on the procedure
kit (:mod:`domain.procedures.kit`).

000 §36: a market entity files a scenario-application data demand through
the open-data platform to the data provider (一); the provider completes a
first review (初审) within 10 working days, and a refusal gives its basis or
reasons to the big-data authority (二); the authority decides on the scenario,
the demand and the first-review opinion, authorising the operation or
rejecting the application with reasons (三); the authorised operator reports
the quality, use and effects of the data back through the platform (四).
"""

from __future__ import annotations

from enum import StrEnum

from domain.procedures.kit import Transitions
from domain.procedures.roles import Role


class OpState(StrEnum):
    FILED = "filed"  # received; the provider's first review runs (000 §36(二))
    FIRST_REVIEWED = "first_reviewed"  # the opinion is with the authority (000 §36(三))
    AUTHORISED = "authorised"  # the operator uses the data and reports back (000 §36(四))
    REJECTED = "rejected"  # the authority refused, with reasons
    WITHDRAWN = "withdrawn"  # the applicant withdrew before the decision

    @property
    def label(self) -> str:
        return _STATE_LABELS[self.value]


_STATE_LABELS = {"filed": "数据提供部门初审中", "first_reviewed": "大数据主管部门审核中",
                 "authorised": "已授权运营", "rejected": "未通过审核", "withdrawn": "已撤回"}


class OpAction(StrEnum):
    FIRST_REVIEW = "first_review"  # the provider's opinion: pass or not, with reasons
    DECIDE = "decide"  # the authority authorises (scope and term) or rejects, with reasons
    FEEDBACK = "feedback"  # the operator's report on quality, use and effects
    WITHDRAW = "withdraw"  # the applicant withdraws before the decision


class Opinion(StrEnum):
    """The provider's first-review opinion (000 §36(二))."""

    PASS = "pass"  # 初审通过
    FAIL = "fail"  # 初审不予通过 (with its basis or reasons)

    @property
    def label(self) -> str:
        return "初审通过" if self is Opinion.PASS else "初审不予通过"


class Verdict(StrEnum):
    """The authority's decision (000 §36(三))."""

    AUTHORISE = "authorise"  # 审核通过，授权运营
    REJECT = "reject"  # 驳回申请并说明理由

    @property
    def label(self) -> str:
        return "审核通过，授权运营" if self is Verdict.AUTHORISE else "驳回申请"


OPERATION_FLOW: Transitions[OpAction, OpState, Role] = Transitions({
    OpAction.FIRST_REVIEW: (frozenset({OpState.FILED}), frozenset({Role.DEPARTMENT_REVIEWER})),
    OpAction.DECIDE: (frozenset({OpState.FIRST_REVIEWED}),
                      frozenset({Role.AUTHORITY_REVIEWER})),
    OpAction.FEEDBACK: (frozenset({OpState.AUTHORISED}), frozenset({Role.APPLICANT})),
    OpAction.WITHDRAW: (frozenset({OpState.FILED, OpState.FIRST_REVIEWED}),
                        frozenset({Role.APPLICANT})),
}, kind="scenario application")
"""Who may do what with a scenario application in which state: the pages
offer, and the procedure accepts, what this one table says."""

CLOSED = frozenset({OpState.REJECTED, OpState.WITHDRAWN})
"""States in which nothing more happens."""
