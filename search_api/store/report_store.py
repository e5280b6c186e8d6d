"""Storage of data error reports and catalogue corrections (issue #5),
beside the requests: same database, same audit chain, same outbox, same
personal-data sealing. A report and its audit record commit together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from domain.reports import Answer, Finding, Report, ReportKind
from domain.request_codec import clock_from_dict, clock_to_dict
from domain.workdays import Clock
from search_api.store import audit
from search_api.store.errors import RequestNotFound, StaleRequest
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


class ReportStore:
    def __init__(self, store: Store):
        self.store = store

    def add(self, report: Report, *, reporter: Mapping[str, str], actor: str,
            at: datetime) -> None:
        """Store a new report with its audit record, in one transaction."""
        assert report.clock is not None
        sealed = self.store._cipher.seal(report.number, dict(reporter))
        with self.store.engine.begin() as conn:
            conn.execute(reports.insert().values(
                number=report.number, kind=report.kind.value, dataset_id=report.dataset_id,
                department=report.department, received=report.received, due=None,
                description=report.description, field=report.field[:200],
                row=report.row[:64], reporter=sealed, clock=clock_to_dict(report.clock),
                version=1, created_at=at, updated_at=at))
            audit.append(conn, at=at, actor_role="public", actor=actor, action="report.received",
                         subject=report.number,
                         detail={"kind": report.kind.value, "dataset": report.dataset_id})

    def load(self, number: str) -> tuple[Report, int]:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(reports).where(reports.c.number == number)).one_or_none()
        if row is None:
            raise RequestNotFound(number)
        return _report(row), int(row.version)

    def save(self, report: Report, *, expected_version: int, actor_role: str, actor: str,
             action: str, at: datetime) -> int:
        """Store an extension or an answer; optimistic concurrency by version.

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
        return expected_version + 1

    def for_department(self, department: str | None, *, limit: int = 500) -> list[Report]:
        query = select(reports).order_by(reports.c.received, reports.c.number).limit(limit)
        if department is not None:
            query = query.where(reports.c.department == department)
        with self.store.engine.connect() as conn:
            return [_report(row) for row in conn.execute(query)]

    def public_answers(self, dataset_id: str) -> list[PublicAnswer]:
        query = (select(reports).where(reports.c.dataset_id == dataset_id,
                                       reports.c.finding.is_not(None))
                 .order_by(reports.c.answered_on.desc()))
        with self.store.engine.connect() as conn:
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
                  description=row.description, field=row.field, row=row.row, clock=clock,
                  answer=answer)
