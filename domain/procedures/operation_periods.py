"""The periods of authorised operation, per jurisdiction profile, and the
basis of each (the article of the profile's own regulation, or bureau
policy where that text sets none).

Only 000 (贵州省政务数据资源管理办法) regulates authorised operation, and
of its steps only the first review has a figure: 10 working days from the
day the provider receives the application (000 §36(二)). The authority's
decision (§36(三)) and the operator's feedback (§36(四) 及时反馈) have no
figure in any text: their periods are bureau policy everywhere, modelled on
those items under 000. Under the other profiles the whole procedure is
bureau policy, and every page that shows a period says so
(:func:`domain.periods.citations.basis_text`).

The periods are kept here rather than in :class:`~domain.periods.profiles.Profile`
because no other regulation sets any of them; a deployment that wants other
figures passes its own :class:`OperationPeriods`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from domain.periods.citations import basis_text
from domain.periods.profile_model import POLICY, Profile

FIRST_REVIEW_DAYS = 10  # 000 §36(二) 自收到申请之日起10个工作日内完成数据需求初审
DECISION_DAYS = 15  # bureau policy: 000 §36(三) sets no period for the authority
FEEDBACK_EVERY_DAYS = 60  # bureau policy: 000 §36(四) says 及时 without a figure

TOPICS = ("application", "first_review", "decision", "feedback")


@dataclass(frozen=True)
class OperationPeriods:
    """The working days of each step and the basis of each topic.

    ``feedback_every``: an authorised operator reports within this many
    working days of the start of the term, then of each report.

    Raises:
        ValueError: a period below 1, or a topic without a basis.
    """

    regulation: str
    first_review: int = FIRST_REVIEW_DAYS
    decision: int = DECISION_DAYS
    feedback_every: int = FEEDBACK_EVERY_DAYS
    basis: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for name in ("first_review", "decision", "feedback_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1 (working days), "
                                 f"got {value!r}")
        missing = [t for t in TOPICS if t not in self.basis]
        if missing:
            raise ValueError(f"no basis for {', '.join(missing)}")
        object.__setattr__(self, "basis", MappingProxyType(dict(self.basis)))

    def article(self, topic: str) -> str:
        """The article behind ``topic``, or ``""`` for bureau policy."""
        value = self.basis[topic]
        return "" if value.startswith(POLICY) else value

    def basis_zh(self, topic: str) -> str:
        """The basis of ``topic`` in Chinese, naming only the profile's own
        regulation: the article, or 本局规定 (with the article it follows)."""
        return basis_text(self.basis[topic], self.regulation)


_GUIZHOU_MEASURES = {
    "application": "000 §36(一)",
    "first_review": "000 §36(二)",
    "decision": "policy: 000 §36(三)",
    "feedback": "policy: 000 §36(四)",
}


def periods_for(profile: Profile) -> OperationPeriods:
    """The periods of authorised operation under ``profile``: 000's article
    for the first review under its own profile, bureau policy elsewhere."""
    if profile.regulation == "000":
        basis = dict(_GUIZHOU_MEASURES)
    else:
        basis = dict.fromkeys(TOPICS, POLICY)
    return OperationPeriods(regulation=profile.regulation, basis=basis)


@dataclass(frozen=True)
class PeriodLine:
    """One line of the public table of periods."""

    topic: str
    name: str
    days: int
    start: str
    basis_zh: str


def lines(periods: OperationPeriods) -> list[PeriodLine]:
    """The periods as the filing form and the guide show them, in Chinese."""
    return [
        PeriodLine("first_review", "数据提供部门初审", periods.first_review,
                   "数据提供部门收到申请之日", periods.basis_zh("first_review")),
        PeriodLine("decision", "大数据主管部门审核决定", periods.decision,
                   "初审意见提交之日", periods.basis_zh("decision")),
        PeriodLine("feedback", "运营方反馈数据质量、使用情况和应用成效", periods.feedback_every,
                   "授权期限开始之日或上次反馈之日", periods.basis_zh("feedback")),
    ]
