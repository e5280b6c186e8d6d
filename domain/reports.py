"""Public reports about data: data error reports (校核, 000 §25, 001 §26,
002 §30, 004 §17) and catalogue correction requests (004 §30), answered by
the providing department within the profile's period.

The same shape serves both: received → answered (corrected, or confirmed
correct, with reasons), with at most one extension approved by the
department head. The period runs on the shared working-day ``Clock``; no
second workflow engine. Pure: no I/O, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from domain.calendar import WorkCalendar
from domain.profiles import Profile
from domain.workdays import Clock, is_provisional

# 001 §26, 004 §17: while data is being verified, a citizen's business with
# valid documents must not be refused because of it. Printed on the receipt.
BUSINESS_NOT_REFUSED = (
    "数据校核期间，您持有效证照办理的相关业务不受影响，有关部门不得以数据正在校核为由拒绝办理"
    "（《安徽省政务数据资源管理办法》第二十六条、《万州区政务数据资源管理办法》第十七条）。")


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
    def answered(self) -> bool:
        return self.answer is not None


class Verification:
    """The rules of answering reports, for one jurisdiction's profile."""

    def __init__(self, profile: Profile, calendar: WorkCalendar):
        self.profile, self.calendar = profile, calendar

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
        """One extension approved by the department head (004 §17, 001 §26).

        Raises:
            ReportError: already answered, or the profile allows no extension.
            domain.workdays.ExtensionAlreadyUsed: a second extension.
        """
        if report.answered or report.clock is None:
            raise ReportError(f"report {report.number} is answered; nothing to extend")
        _, limit = self.period(report.kind)
        if not limit:
            raise ReportError(f"the {self.profile.key} profile allows no extension of "
                              f"{report.kind.value} reports")
        return replace(report, clock=report.clock.extend(days, approved_by, on, max_days=limit))

    def answer(self, report: Report, *, finding: Finding | str, reasons: str,
               on: date) -> Report:
        """The department's public answer: corrected, or confirmed correct.

        Raises:
            ReportError: already answered, no reasons, or an unknown finding.
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
        due = self.due(report)
        in_time = due is None or on <= due
        return replace(report, answer=Answer(checked, reasons.strip(), on, in_time))

    def status(self, report: Report, today: date) -> str:
        """running / due_soon / overdue, or answered."""
        if report.answered or report.clock is None:
            return "answered"
        return report.clock.status(today, self.calendar)
