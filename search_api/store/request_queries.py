"""Reading requests in bulk: the queues (no name, no contact, the identity
masked) and the register counts per dataset and per department
(000 §50, 004 §43).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, select

from domain.procedures.request_states import UNDECIDED, EventKind, Outcome, State
from search_api.store.core import StoreCore
from search_api.store.records import RegisterCounts, RequestSummary
from search_api.store.schema import request_events, requests


class RequestQueryPart(StoreCore):
    """Queues and register counts of requests."""

    def list_requests(self, *, department: str | None = None,
                      states: Collection[State] | None = None,
                      limit: int = 500) -> list[RequestSummary]:
        """Requests oldest first, for queues: no name, no contact, the identity masked."""
        r = requests.c
        query = select(r.number, r.dataset_id, r.department, r.state, r.received,
                       r.last_event_on, r.identity_kind, r.identity_masked, r.outcome,
                       r.decided_on, r.version)
        if department is not None:
            query = query.where(r.department == department)
        if states is not None:
            query = query.where(r.state.in_([State(s).value for s in states]))
        query = query.order_by(r.received, r.number).limit(limit)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [RequestSummary(
            number=row.number, dataset_id=row.dataset_id, department=row.department,
            state=State(row.state), received=row.received, last_event_on=row.last_event_on,
            identity_kind=row.identity_kind, identity_masked=row.identity_masked,
            outcome=Outcome(row.outcome) if row.outcome else None, decided_on=row.decided_on,
            version=row.version) for row in rows]

    def event_days(self, numbers: Collection[str], kind: EventKind) -> dict[str, list[date]]:
        """The days of every ``kind`` event of each request in ``numbers``,
        in event order (an empty list for a request without one): one query
        for a whole list page instead of loading each request."""
        e = request_events.c
        days: dict[str, list[date]] = {number: [] for number in numbers}
        if not days:
            return days
        query = (select(e.request_number, e.happened_on)
                 .where(e.kind == kind.value, e.request_number.in_(list(days)))
                 .order_by(e.request_number, e.seq))
        with self._read() as conn:
            for row in conn.execute(query):
                days[row.request_number].append(row.happened_on)
        return days

    def counts_by_dataset(self, *, received_from: date | None = None,
                          received_to: date | None = None) -> dict[str, RegisterCounts]:
        """Register counts per dataset, for requests received in the range (inclusive)."""
        return self._counts(requests.c.dataset_id, received_from, received_to)

    def counts_by_department(self, *, received_from: date | None = None,
                             received_to: date | None = None) -> dict[str, RegisterCounts]:
        """Register counts per providing department (000 §50, 004 §43)."""
        return self._counts(requests.c.department, received_from, received_to)

    def _counts(self, key: Any, received_from: date | None,
                received_to: date | None) -> dict[str, RegisterCounts]:
        r = requests.c

        def n(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        query = select(
            key, func.count(),
            n(r.state.in_([s.value for s in UNDECIDED])),
            n(r.outcome.is_not(None)),
            n(r.answered_in_time.is_(True)),
            n(r.outcome == Outcome.APPROVED.value),
            n(r.outcome == Outcome.DENIED.value),
            n(r.outcome == Outcome.REJECTED.value),
            n(r.outcome == Outcome.NOT_PROCESSED.value),
            n(r.state == State.WITHDRAWN.value),
        ).group_by(key).order_by(key)
        if received_from is not None:
            query = query.where(r.received >= received_from)
        if received_to is not None:
            query = query.where(r.received <= received_to)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return {row[0]: RegisterCounts(*(int(v) for v in row[1:])) for row in rows}
