"""When a year's official calendar appears, open deadlines are recomputed and
everyone whose date moved is told once (issue #12).

Deadlines are not stored: they are computed on read from the clocks of each
request, report and participation item. So "recompute" means: for every year
recorded as provisional (table ``calendar_years``) that the calendar now
covers with a notice, compare each open deadline as it was shown (the same
calendar without that year's file, i.e. provisional) with the official one,
and queue one message per person concerned whose date moved:

- requests: the applicant (when they left an e-mail address), the providing
  department, the data authority for its normative review, and a third party
  whose own answer period moved (in writing, as every consultation letter);
- error reports: the department, and the reporter when they left an e-mail;
- demands and suggestions: the department that owes the reply (else the
  authority).

Each message has the dedupe key ``calendar:<years>:<number>:<recipient>``, so
running this again (service start, ``portal remind``, ``portal calendar``,
several workers at once) tells nobody twice. Then the years are marked
official. Years answered provisionally today are recorded, so a later notice
is noticed.

Runs at service start, in ``portal remind`` and in ``portal calendar`` when a
database is configured.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.periods.calendar import WorkCalendar
from domain.periods.profiles import Profile
from domain.procedures.participation import Participation
from domain.procedures.reports import Verification
from domain.procedures.request_records import Deadline
from domain.procedures.request_states import PeriodKind, State
from domain.procedures.requests import Procedure
from domain.procedures.roles import AUTHORITY
from search_api.store import OutboxMessage, Store
from search_api.store.calendar_years import CalendarYears
from search_api.store.participation_store import ParticipationStore
from search_api.store.report_store import ReportStore
from search_api.web import labels_zh

log = logging.getLogger(__name__)

OPEN = frozenset({State.SUBMITTED, State.FORWARDED, State.EXPLANATION_REQUESTED,
                  State.EXPLANATION_ANSWERED, State.CONSULTING, State.APPROVED})
# Years recorded as provisional: the open cases of today reach at most this far.
WATCHED_DAYS = 400


@dataclass
class Recomputed:
    """What one run did: the years that became official, the cases whose
    dates moved, and how many messages were newly queued."""

    years: list[int] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    queued: int = 0


@dataclass(frozen=True)
class Moved:
    """One deadline that moved: its name, the provisional and the official date."""

    name: str
    before: date
    after: date
    party: str | None = None

    def line(self) -> str:
        return (f"{self.name}期限由 {self.before.isoformat()}（暂定）调整为 "
                f"{self.after.isoformat()}")


def _moved(before: list[Deadline], after: list[Deadline]) -> list[tuple[Deadline, Moved]]:
    old = {(d.what, d.party): d for d in before}
    out = []
    for d in after:
        was = old.get((d.what, d.party))
        if was is None or was.due is None or d.due is None or not was.provisional:
            continue
        if was.due != d.due:
            name = labels_zh.PERIODS.get(d.what, str(d.what))
            out.append((d, Moved(name, was.due, d.due, d.party)))
    return out


def _message(number: str, years: str, role: str, recipient: str, subject: str,
             lines: list[str], request_number: str | None) -> OutboxMessage:
    return OutboxMessage(
        kind="calendar.moved", recipient_role=role, recipient=recipient,
        subject=f"{subject} {number}：期限已按{years}年国务院节假日安排调整",
        body=(f"国务院办公厅{years}年部分节假日安排已载入平台，此前按法定节假日暂定的期限"
              f"已重新计算：\n" + "\n".join(f"- {line}" for line in lines) +
              "\n详情请登录平台查看。"),
        request_number=request_number,
        dedupe_key=f"calendar:{years}:{number}:{recipient}")


class Recompute:
    """One recomputation with the service's rules: ``profile`` for request
    and report periods, ``reply_days`` for demands and suggestions."""

    def __init__(self, store: Store, calendar: WorkCalendar, profile: Profile,
                 reply_days: int) -> None:
        self.store = store
        self.calendar = calendar
        self.profile = profile
        self.reply_days = reply_days

    def run(self, today: date, now: datetime) -> Recomputed:
        """Tell about the years that became official, then record the years
        answered provisionally today. Safe to run repeatedly and concurrently.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: the database cannot be used.
        """
        years_table = CalendarYears(self.store)
        result = Recomputed()
        became = [y for y in years_table.waiting() if not self.calendar.is_provisional(y)]
        if became:
            result.years = became
            before = self.calendar.without_years(became)
            label = "、".join(map(str, became))
            self._requests(before, label, today, now, result)
            self._reports(before, label, now, result)
            self._participation(before, label, now, result)
            for year in became:
                years_table.mark_official(year, self.calendar.source(year), now)
            log.info("calendar %s now official: %d case(s) with moved dates, %d message(s) "
                     "queued", label, len(result.moved), result.queued)
        provisional = self.calendar.provisional_years_for(today - timedelta(days=WATCHED_DAYS),
                                                          2 * WATCHED_DAYS)
        if provisional:
            years_table.seen_provisional(provisional, now)
        return result

    def _add(self, message: OutboxMessage, now: datetime, result: Recomputed) -> None:
        result.queued += int(self.store.add_message(message, at=now))

    def _requests(self, before_cal: WorkCalendar, years: str, today: date, now: datetime,
                  result: Recomputed) -> None:
        before_proc = Procedure(self.profile, before_cal)
        proc = Procedure(self.profile, self.calendar)
        for summary in self.store.list_requests(states=OPEN, limit=100_000):
            req, _ = self.store.load(summary.number)
            moved = _moved(before_proc.deadlines(req, today), proc.deadlines(req, today))
            if not moved:
                continue
            result.moved.append(req.number)
            lines = [m.line() for _, m in moved]
            subject = "有条件开放申请"
            targets: list[tuple[str, str, list[str]]] = [
                ("department_reviewer", f"department:{req.department}", lines)]
            if req.application.email:
                targets.append(("applicant", f"applicant:{req.number}", lines))
            review = [m.line() for d, m in moved if d.what is PeriodKind.NORMATIVE_REVIEW]
            if review:
                targets.append(("authority_reviewer", AUTHORITY, review))
            by_party: dict[str, list[str]] = defaultdict(list)
            for d, m in moved:
                if d.what is PeriodKind.THIRD_PARTY and d.party:
                    by_party[d.party].append(m.line())
            for party, party_lines in by_party.items():
                targets.append(("third_party", f"third_party:{req.number}:{party}", party_lines))
            for role, recipient, text in targets:
                self._add(_message(req.number, years, role, recipient, subject, text,
                                   req.number), now, result)

    def _reports(self, before_cal: WorkCalendar, years: str, now: datetime,
                 result: Recomputed) -> None:
        before = Verification(self.profile, before_cal)
        after = Verification(self.profile, self.calendar)
        reports = ReportStore(self.store)
        for report in reports.unanswered():
            old, new = before.due(report), after.due(report)
            if old is None or new is None or old == new or not before.provisional(report):
                continue
            result.moved.append(report.number)
            lines = [Moved("答复", old, new).line()]
            name = report.kind.label
            self._add(_message(report.number, years, "department_reviewer",
                               f"department:{report.department}", name, lines, None), now, result)
            if reports.reporter_email(report.number):
                self._add(_message(report.number, years, "reporter",
                                   f"reporter:{report.number}", name, lines, None), now, result)

    def _participation(self, before_cal: WorkCalendar, years: str, now: datetime,
                       result: Recomputed) -> None:
        before = Participation(before_cal, self.reply_days)
        after = Participation(self.calendar, self.reply_days)
        for item, _ in ParticipationStore(self.store).for_review(None, done=0):
            if item.reply is not None:
                continue
            old, new = before.due(item), after.due(item)
            if old is None or new is None or old == new or not before.provisional(item):
                continue
            result.moved.append(item.number)
            role, recipient = ("department_reviewer", f"department:{item.department}") \
                if item.department else ("authority_reviewer", AUTHORITY)
            self._add(_message(item.number, years, role, recipient, item.kind.label,
                               [Moved("答复", old, new).line()], None), now, result)
