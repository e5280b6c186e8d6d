"""Public reports about data: data error reports (校核: 001 §26, 004 §17;
003 §37 及时校核和更正 without a period; 000 §25 and 002 §30 concern
departments using *shared* data, so their profiles' periods for the public
are bureau policy) and catalogue correction requests (004 §30), answered by
the providing department within the profile's period.

004 §30: a refused catalogue correction states its reasons *and* its basis
(说明理由，并提供依据); an accepted one is forwarded to the district big-data
bureau as a catalogue change to make (向区大数据发展局申请更新政务数据资源目录).

The same shape serves both: received → answered (corrected, or confirmed
correct, with reasons), with at most one extension approved by the
department head. The period runs on the shared working-day ``Clock``; no
second workflow engine. Pure: no I/O, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from domain.periods.calendar import WorkCalendar
from domain.periods.citations import cite_own
from domain.periods.profiles import Profile
from domain.periods.workdays import DUE_SOON_WITHIN, Clock, is_provisional
from domain.procedures.kit import Deadline, Transitions, deadline_of
from domain.procedures.roles import Role

# 001 §26, 004 §17: while data is being verified, a citizen's business with
# valid documents must not be refused because of it. Printed on the receipt,
# citing the article only under those two profiles (Verification.notice).
BUSINESS_NOT_REFUSED = (
    "数据校核期间，您持有效证照办理的相关业务不受影响，有关部门不得以数据正在校核为由拒绝办理。")
_BUSINESS_ARTICLE = {"001": "001 §26", "004": "004 §17"}


class ReportKind(StrEnum):
    DATA_ERROR = "data_error"  # 数据纠错
    CATALOGUE_CORRECTION = "catalogue_correction"  # 目录更正

    @property
    def label(self) -> str:
        return {"data_error": "数据纠错", "catalogue_correction": "目录更正申请"}[self.value]


class Finding(StrEnum):
    CORRECTED = "corrected"  # 已更正
    CONFIRMED = "confirmed"  # 经核实无误

    @property
    def label(self) -> str:
        return {"corrected": "已更正", "confirmed": "经核实数据无误"}[self.value]


class ReportAction(StrEnum):
    ANSWER = "answer"  # the department's public answer
    EXTEND = "extend"  # one extension, approved by the department head


class ReportState(StrEnum):
    OPEN = "open"  # received, the department's period runs
    ANSWERED = "answered"


REPORT_FLOW: Transitions[ReportAction, ReportState, Role] = Transitions({
    ReportAction.ANSWER: (frozenset({ReportState.OPEN}), frozenset({Role.DEPARTMENT_REVIEWER})),
    # 004 §17, 001 §26: the head of the department approves the extension.
    ReportAction.EXTEND: (frozenset({ReportState.OPEN}), frozenset({Role.DEPARTMENT_HEAD})),
}, kind="report")
"""Who may do what with a report in which state (the procedure kit)."""


class ReportError(ValueError):
    """An operation the rules do not allow; the message says which and why."""


@dataclass(frozen=True)
class Answer:
    finding: Finding
    reasons: str
    on: date
    in_time: bool


@dataclass(frozen=True)
class Report:
    number: str
    kind: ReportKind
    dataset_id: str
    department: str
    received: date
    description: str  # what is wrong (never shown publicly before moderation)
    field: str = ""
    row: str = ""
    evidence: str = ""
    clock: Clock | None = None
    answer: Answer | None = None

    @property
    def state(self) -> ReportState:
        return ReportState.ANSWERED if self.answer is not None else ReportState.OPEN

    @property
    def answered(self) -> bool:
        return self.answer is not None


class Verification:
    """The rules of answering reports, for one jurisdiction's profile."""

    def __init__(self, profile: Profile, calendar: WorkCalendar):
        self.profile, self.calendar = profile, calendar

    @property
    def notice(self) -> str:
        """The receipt's sentence that business is not refused during
        verification, citing the profile's article where it has one."""
        article = _BUSINESS_ARTICLE.get(self.profile.regulation)
        if article is None:
            return BUSINESS_NOT_REFUSED
        return f"{BUSINESS_NOT_REFUSED[:-1]}（{cite_own(article, self.profile.regulation)}）。"

    def period(self, kind: ReportKind) -> tuple[int, int | None]:
        if kind is ReportKind.DATA_ERROR:
            return self.profile.verification, self.profile.verification_extension_max
        return self.profile.catalogue_correction, self.profile.catalogue_correction_extension_max

    def receive(self, *, number: str, kind: ReportKind, dataset_id: str, department: str,
                on: date, description: str, field: str = "", row: str = "",
                evidence: str = "") -> Report:
        """A report received on ``on``; its period starts (day not counted).

        Raises:
            ReportError: no description or no dataset.
            CalendarYearMissing: the period runs into an uncovered year.
        """
        if not description.strip():
            raise ReportError("a report says what is wrong (description is empty)")
        if not dataset_id.strip() or not department.strip():
            raise ReportError("a report names the dataset and its providing department")
        days, _ = self.period(kind)
        clock = Clock.start(on, days)
        clock.due(self.calendar)  # fail now, not later, if the calendar lacks the year
        return Report(number, kind, dataset_id, department, on, description.strip(),
                      field.strip(), row.strip(), evidence.strip(), clock)

    def due(self, report: Report) -> date | None:
        return report.clock.due(self.calendar) if report.clock else None

    def provisional(self, report: Report) -> bool:
        """True if the due date is 暂定: counted through a year whose State
        Council holiday notice is not loaded yet (it may move when it is)."""
        if report.clock is None:
            return False
        return is_provisional(report.clock.received, self.due(report), self.calendar)

    def extend(self, report: Report, *, days: int, approved_by: str, on: date) -> Report:
        """One extension approved by the department head (004 §17, 001 §26),
        asked while the period still runs.

        Raises:
            ReportError: already answered, the profile allows no extension,
                or the period ran out before ``on`` (the message, in Chinese
                for the reviewer, says so and when).
            domain.periods.workdays.ExtensionAlreadyUsed: a second extension.
        """
        if report.answered or report.clock is None:
            raise ReportError(f"report {report.number} is answered; nothing to extend")
        _, limit = self.period(report.kind)
        if not limit:
            raise ReportError(f"the {self.profile.key} profile allows no extension of "
                              f"{report.kind.value} reports")
        due = self.due(report)
        if due is not None and on > due:
            raise ReportError(f"答复期限已于 {due.isoformat()} 届满，已超期的期限不能延长："
                              "请尽快核实并答复。")
        return replace(report, clock=report.clock.extend(days, approved_by, on, max_days=limit))

    def answer(self, report: Report, *, finding: Finding | str, reasons: str,
               on: date, basis: str = "") -> Report:
        """The department's public answer: corrected, or confirmed correct.
        A catalogue correction refused (confirmed) states its basis as well
        as its reasons (004 §30 说明理由，并提供依据); the basis is kept with
        the reasons, after 依据：.

        Raises:
            ReportError: already answered, no reasons, an unknown finding,
                or a refused catalogue correction without a basis.
        """
        if report.answered:
            raise ReportError(f"report {report.number} was answered on {report.answer.on}")  # type: ignore[union-attr]
        if not reasons.strip():
            raise ReportError("an answer gives its reasons (what was corrected, or why the data "
                              "is right)")
        try:
            checked = Finding(finding)
        except ValueError:
            raise ReportError(f"finding is corrected or confirmed, not {finding!r}") from None
        text = reasons.strip()
        if report.kind is ReportKind.CATALOGUE_CORRECTION and checked is Finding.CONFIRMED:
            if not basis.strip():
                raise ReportError("不同意更正的，应当说明理由，并提供依据：请填写依据。")
            text = f"{text}\n依据：{basis.strip()}"
        due = self.due(report)
        in_time = due is None or on <= due
        return replace(report, answer=Answer(checked, text, on, in_time))

    def allowed_actions(self, report: Report, role: Role) -> set[ReportAction]:
        """What ``role`` may do with ``report`` now (for UIs and the views'
        access check): the transitions table, plus an extension only where
        the profile allows one and none was used."""
        allowed = REPORT_FLOW.allowed(report.state, role)
        _, limit = self.period(report.kind)
        if not limit or (report.clock is not None and report.clock.extension is not None):
            allowed.discard(ReportAction.EXTEND)
        return allowed

    def deadlines(self, report: Report, today: date,
                  due_soon_within: int = DUE_SOON_WITHIN) -> list[Deadline[ReportKind, Role]]:
        """The department's period while the report is open (else none).

        Raises:
            CalendarYearMissing: the period runs into an uncovered year.
        """
        if report.answered or report.clock is None:
            return []
        return [deadline_of(report.kind, report.clock, today, self.calendar,
                            responsible=Role.DEPARTMENT_REVIEWER, basis=self.basis(report.kind),
                            due_soon_within=due_soon_within)]

    def basis(self, kind: ReportKind) -> str:
        """The article that sets the period of ``kind`` in this profile
        (empty where it is bureau policy)."""
        topic = "verification" if kind is ReportKind.DATA_ERROR else "catalogue_correction"
        return self.profile.article(topic)

    def status(self, report: Report, today: date) -> str:
        """running / due_soon / overdue, or answered."""
        if report.answered or report.clock is None:
            return "answered"
        return report.clock.status(today, self.calendar)
