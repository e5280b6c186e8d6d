"""Storage of data error reports and catalogue corrections (issue #5),
beside the requests: same database, same audit chain, same outbox, same
personal-data sealing. A report and its audit record commit together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from domain.periods.workdays import Clock
from domain.procedures.reports import Answer, Finding, Report, ReportKind, Verification
from domain.procedures.request_codec import clock_from_dict, clock_to_dict
from search_api.store import audit
from search_api.store.errors import RequestNotFound, StaleRequest
from search_api.store.outbox_store import check_messages, insert_message
from search_api.store.records import OutboxMessage
from search_api.store.schema import reports
from search_api.store.store import Store


@dataclass(frozen=True)
class PublicAnswer:
    """What the dataset page shows: no reporter, no free text of the reporter."""

    number: str
    kind: str
    field: str
    received: date
    finding: str
    answer: str
    answered_on: date
    in_time: bool


@dataclass
class DepartmentCounts:
    department: str
    kind: str
    received: int = 0
    answered: int = 0
    answered_in_time: int = 0
    open: int = 0
    overdue: int = 0


EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class ReportStore:
    def __init__(self, store: Store):
        self.store = store

    def add(self, report: Report, *, reporter: Mapping[str, str], actor: str,
            at: datetime, messages: Sequence[OutboxMessage] = ()) -> None:
        """Store a new report with its audit record and ``messages``, in one
        transaction.

        Raises:
            PersonalDataRefused: a message holds a clear ID or mobile number.
        """
        assert report.clock is not None
        sealed = self.store._cipher.seal(report.number, dict(reporter))
        # The contact must not reach a message (the name is never put in one).
        check_messages(messages, {"contact": str(reporter.get("contact") or "")})
        with self.store.engine.begin() as conn:
            conn.execute(reports.insert().values(
                number=report.number, kind=report.kind.value, dataset_id=report.dataset_id,
                department=report.department, received=report.received, due=None,
                description=report.description, evidence=report.evidence,
                field=report.field[:200],
                row=report.row[:64], reporter=sealed, clock=clock_to_dict(report.clock),
                version=1, created_at=at, updated_at=at))
            audit.append(conn, at=at, actor_role="public", actor=actor, action="report.received",
                         subject=report.number,
                         detail={"kind": report.kind.value, "dataset": report.dataset_id})
            for message in messages:
                insert_message(conn, message, at)

    def load(self, number: str) -> tuple[Report, int]:
        with self.store._read() as conn:
            row = conn.execute(select(reports).where(reports.c.number == number)).one_or_none()
        if row is None:
            raise RequestNotFound(number)
        return _report(row), int(row.version)

    def save(self, report: Report, *, expected_version: int, actor_role: str, actor: str,
             action: str, at: datetime, messages: Sequence[OutboxMessage] = ()) -> int:
        """Store an extension or an answer (and ``messages``, in the same
        transaction); optimistic concurrency by version.

        Raises:
            StaleRequest: someone saved the report meanwhile.
        """
        values: dict[str, Any] = {"clock": clock_to_dict(report.clock) if report.clock else {},
                                  "version": expected_version + 1, "updated_at": at}
        if report.answer:
            values.update(finding=report.answer.finding.value, answer=report.answer.reasons,
                          answered_on=report.answer.on, answered_in_time=report.answer.in_time)
        with self.store.engine.begin() as conn:
            done = conn.execute(update(reports).where(
                reports.c.number == report.number,
                reports.c.version == expected_version).values(**values))
            if done.rowcount != 1:
                raise StaleRequest(report.number, expected_version, -1)
            audit.append(conn, at=at, actor_role=actor_role, actor=actor, action=action,
                         subject=report.number,
                         detail={"finding": values.get("finding"), "in_time": values.get(
                             "answered_in_time")})
            for message in messages:
                insert_message(conn, message, at)
        return expected_version + 1

    def for_department(self, department: str | None, *, limit: int = 500) -> list[Report]:
        query = select(reports).order_by(reports.c.received, reports.c.number).limit(limit)
        if department is not None:
            query = query.where(reports.c.department == department)
        with self.store._read() as conn:
            return [_report(row) for row in conn.execute(query)]

    def unanswered(self) -> list[Report]:
        """Every report still waiting for its answer, oldest first."""
        query = (select(reports).where(reports.c.finding.is_(None))
                 .order_by(reports.c.received, reports.c.number))
        with self.store._read() as conn:
            return [_report(row) for row in conn.execute(query)]

    def overdue_by_dataset(self, verification: Verification, today: date) -> dict[str, int]:
        """Unanswered reports past their deadline, per dataset (for the
        quality score the build shows on each dataset page)."""
        overdue: dict[str, int] = {}
        for report in self.unanswered():
            if verification.status(report, today) == "overdue":
                overdue[report.dataset_id] = overdue.get(report.dataset_id, 0) + 1
        return overdue

    def reporter_email(self, number: str) -> str | None:
        """The reporter's e-mail address, if the contact they left is one
        (read only by the mailer when sending)."""
        with self.store._read() as conn:
            sealed = conn.execute(select(reports.c.reporter).where(
                reports.c.number == number)).scalar_one_or_none()
        if sealed is None:
            return None
        contact = str(self.store._cipher.open(number, sealed).get("contact") or "").strip()
        return contact if EMAIL_RE.match(contact) else None

    def statistics(self, verification: Verification, today: date, *,
                   received_from: date | None = None,
                   received_to: date | None = None) -> list[DepartmentCounts]:
        """Per department and kind: received, answered, answered in time,
        open and overdue (the yearly evaluation counts them, 000 §50);
        optionally only reports received between the two dates (included)."""
        counts: dict[tuple[str, str], DepartmentCounts] = {}
        query = select(reports.c.number, reports.c.kind, reports.c.department,
                       reports.c.finding, reports.c.answered_in_time, reports.c.clock,
                       reports.c.received)
        if received_from is not None:
            query = query.where(reports.c.received >= received_from)
        if received_to is not None:
            query = query.where(reports.c.received <= received_to)
        with self.store._read() as conn:
            rows = list(conn.execute(query))
        for row in rows:
            key = (row.department, row.kind)
            entry = counts.setdefault(key, DepartmentCounts(row.department, row.kind))
            entry.received += 1
            if row.finding:
                entry.answered += 1
                entry.answered_in_time += int(bool(row.answered_in_time))
            else:
                entry.open += 1
                report = Report(row.number, ReportKind(row.kind), "", row.department,
                                row.received, "", clock=clock_from_dict(row.clock)
                                if row.clock else None)
                entry.overdue += int(verification.status(report, today) == "overdue")
        return [counts[k] for k in sorted(counts)]

    def public_answers(self, dataset_id: str) -> list[PublicAnswer]:
        query = (select(reports).where(reports.c.dataset_id == dataset_id,
                                       reports.c.finding.is_not(None))
                 .order_by(reports.c.answered_on.desc()))
        with self.store._read() as conn:
            return [PublicAnswer(row.number, row.kind, row.field, row.received, row.finding,
                                 row.answer, row.answered_on, bool(row.answered_in_time))
                    for row in conn.execute(query)]


def _report(row: Any) -> Report:
    answer = None
    if row.finding:
        answer = Answer(Finding(row.finding), row.answer or "", row.answered_on,
                        bool(row.answered_in_time))
    clock: Clock | None = clock_from_dict(row.clock) if row.clock else None
    return Report(number=row.number, kind=ReportKind(row.kind), dataset_id=row.dataset_id,
                  department=row.department, received=row.received,
                  description=row.description, field=row.field, row=row.row,
                  evidence=row.evidence or "", clock=clock,
                  answer=answer)
