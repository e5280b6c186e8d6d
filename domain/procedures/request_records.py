"""The records of a conditional-open request (有条件开放申请, SPEC §4): who
acts, what happened, the third parties, the decision, the application, the
request itself and its deadlines. Every record is an immutable value; the
rules that produce them are in :mod:`domain.procedures.requests`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, TypeAlias

from domain.periods.workdays import Clock
from domain.procedures import kit
from domain.procedures.identity import IdentityKind
from domain.procedures.request_states import (
    Answer,
    DeliveryMethod,
    EventKind,
    Outcome,
    PeriodKind,
    Role,
    State,
)


@dataclass(frozen=True)
class Actor:
    """Who acts, in which role. Binding a login to a role, a department or a
    third party's key is the service's job; the procedure checks the role.

    Raises:
        ValueError: on construction, when ``name`` is blank.
    """

    role: Role
    name: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("an actor needs a name (who acted is part of the record, 003 §34)")


def _frozen(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(data))


@dataclass(frozen=True)
class Event:
    """One thing that happened to a request, for the audit log (调度溯源, 003 §34).

    ``data`` holds plain JSON values (dates as ISO strings) and never a clear
    identity number or contact (SPEC §7). ``notify`` lists who must be told:
    ``"applicant"``, ``"provider"``, ``"authority"`` or ``"third_party:<key>"``.
    """

    kind: EventKind
    actor_role: Role
    actor: str
    on: date
    data: Mapping[str, Any] = field(default_factory=dict)
    notify: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", _frozen(self.data))


@dataclass(frozen=True)
class ThirdParty:
    """A third party consulted in writing (003 §25). Its period of
    ``third_party_period`` working days runs from ``received_on``, the day it
    received the consultation (自收到征求意见书之日起), the day itself not counted.

    ``objection_reasonable`` is the provider's written judgement of an
    objection: None until judged, and an unjudged objection counts as
    reasonable. ``notice_required`` is set when the provider opens the data
    over the objection for the public interest; ``notified_on`` records the
    written notice (书面告知第三方).
    """

    key: str
    name: str
    received_on: date
    consultation: int = 1  # which consultation of the request (1, 2, ...)
    answer: Answer | None = None
    answered_on: date | None = None
    reasons: str = ""
    objection_reasonable: bool | None = None
    judgement: str = ""
    notice_required: bool = False
    notified_on: date | None = None

    @property
    def blocks_opening(self) -> bool:
        """An objection not judged unreasonable (003 §25 不同意开放且有合理理由)."""
        return self.answer == "object" and self.objection_reasonable is not False


@dataclass(frozen=True)
class Decision:
    """The answer to a request. ``remedy_notice`` tells the applicant of
    administrative reconsideration or litigation (002 §40) and is set on
    every adverse outcome (rejected, denied, not processed)."""

    outcome: Outcome
    on: date
    actor: str
    reasons: str = ""
    legal_basis: str = ""
    scope: str = ""
    delivery_method: DeliveryMethod | None = None
    public_interest_override: str = ""
    remedy_notice: str = ""


@dataclass(frozen=True, kw_only=True)
class Application:
    """What the applicant files (003 §24; 002 §36 data-use commitment).

    The identity number and the contacts are personal information (SPEC §7):
    they are left out of ``repr`` so that a logged request does not leak them.
    """

    dataset_id: str
    department: str  # the providing department (数据提供部门)
    applicant_name: str
    identity_kind: IdentityKind
    identity_number: str = field(repr=False)
    phone: str = field(default="", repr=False)
    email: str = field(default="", repr=False)
    data_description: str = ""  # 003 §24(二) name, type, content of the data wanted
    purpose: str  # 003 §24(三) 用途
    scope_of_use: str  # 003 §24(三) 使用范围
    security_measures: str  # 003 §24(三) 安全管理措施
    delivery_method: DeliveryMethod = DeliveryMethod.DOWNLOAD  # as asked (002 §36)
    commitment_signed: bool = False  # 数据开放利用承诺书 (002 §36)
    # The methods the dataset's descriptor allows (its ``provision``), as
    # recorded when the request was filed; the method asked for and the one
    # approved must be among them. Empty: not recorded (requests filed before
    # the rule existed), every method.
    offered: tuple[DeliveryMethod, ...] = ()

    def offers(self, method: DeliveryMethod) -> bool:
        """Whether the dataset's descriptor allows delivery by ``method``."""
        return not self.offered or method in self.offered


@dataclass(frozen=True)
class Request:
    """One conditional-open request and everything that happened to it.

    Each period has its own :class:`~domain.periods.workdays.Clock`, kept after it
    ends so that timeliness can be reported (000 §50): ``review_clock`` for
    the normative review, ``reply_clock`` for the provider's reply (paused by
    consultations and explanations, extended once), ``delivery_clock`` for
    opening the data after approval.
    """

    number: str
    application: Application
    state: State
    received: date
    review_clock: Clock
    reply_clock: Clock | None = None
    delivery_clock: Clock | None = None
    third_parties: tuple[ThirdParty, ...] = ()
    decision: Decision | None = None
    events: tuple[Event, ...] = ()

    @property
    def dataset_id(self) -> str:
        return self.application.dataset_id

    @property
    def department(self) -> str:
        return self.application.department

    @property
    def extension_used(self) -> bool:
        return self.reply_clock is not None and self.reply_clock.extension is not None

    @property
    def last_event_on(self) -> date:
        return self.events[-1].on if self.events else self.received

    @property
    def consultation(self) -> int:
        """The number of the latest consultation; 0 when none was started."""
        return max((p.consultation for p in self.third_parties), default=0)

    @property
    def current_parties(self) -> tuple[ThirdParty, ...]:
        """The third parties of the latest consultation."""
        n = self.consultation
        return tuple(p for p in self.third_parties if p.consultation == n)

    def party(self, key: str) -> ThirdParty | None:
        return next((p for p in self.third_parties if p.key == key), None)

    @property
    def notices_outstanding(self) -> tuple[ThirdParty, ...]:
        """Third parties owed a written notice of an opening over their objection."""
        return tuple(p for p in self.third_parties if p.notice_required and p.notified_on is None)


# One running period of a request (the kit's Deadline, typed for requests).
Deadline: TypeAlias = kit.Deadline[PeriodKind, Role]
