"""The SQL of the participation store and its rows read back: the counts of
the public statistics (000 §50, 004 §43), the queries of open items and of
usage reports (a ``use_reported`` event with or without its review row),
the audit detail of a moderation, and the domain items of rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, and_, case, func, select

from domain.procedures.participation import REPLIES, Item, Kind, Moderation, Reply, Status
from domain.procedures.request_codec import clock_from_dict
from domain.procedures.request_states import EventKind
from search_api.store.schema import (
    participation,
    participation_datasets,
    request_events,
    requests,
    use_report_reviews,
)

P, D, U, E, R = (participation.c, participation_datasets.c, use_report_reviews.c,
                 request_events.c, requests.c)


@dataclass(frozen=True)
class Counts:
    """Per department and kind (000 §50, 004 §43: public statistics)."""

    received: int
    pending: int  # awaiting moderation
    rejected: int  # refused in moderation (never public)
    answered: int
    answered_in_time: int
    published: int  # reuses shown on the showcase


@dataclass(frozen=True)
class UseReportCounts:
    """Usage reports received, awaiting moderation and published."""

    received: int
    pending: int
    published: int


@dataclass(frozen=True)
class Statistics:
    """What the public statistics need, read in one snapshot, so an item
    filed meanwhile is in all of it or in none (000 §50, 004 §43)."""

    counts: dict[tuple[str | None, str], Counts]
    open_items: list[Item]  # demands and suggestions still owed a reply
    use_reports: UseReportCounts


WAITING = (Status.PENDING.value, Status.ACCEPTED.value, Status.IN_PROGRESS.value)
"""Statuses of items still to moderate or answer."""




def open_items_query() -> Select[Any]:
    """Demands and suggestions still to moderate or answer."""
    return select(participation).where(
        P.kind.in_([Kind.DEMAND.value, Kind.SUGGESTION.value]), P.status.in_(WAITING))


def count_where(condition: Any) -> Any:
    """How many rows meet ``condition`` (0 when none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def counts_by_department(conn: Connection, received_from: date | None,
                         received_to: date | None) -> dict[tuple[str | None, str], Counts]:
    """Counts per (department, kind), optionally of items received between the dates."""
    query = select(P.department, P.kind, func.count(),
                   count_where(P.status == Status.PENDING.value), count_where(P.status == Status.REJECTED.value),
                   count_where(P.replied_on.is_not(None)), count_where(P.replied_in_time.is_(True)),
                   count_where(P.status == Status.PUBLISHED.value)).group_by(P.department, P.kind)
    if received_from is not None:
        query = query.where(P.received >= received_from)
    if received_to is not None:
        query = query.where(P.received <= received_to)
    return {(row[0], row[1]): Counts(*(int(v) for v in row[2:]))
            for row in conn.execute(query)}


def use_report_counts(conn: Connection) -> UseReportCounts:
    """Usage reports received, awaiting moderation and published."""
    row = conn.execute(
        select(func.count(), count_where(use_report_status_in([Status.PENDING])),
               count_where(U.status == Status.PUBLISHED.value))
        .select_from(request_events)
        .outerjoin(use_report_reviews, and_(U.request_number == E.request_number,
                                            U.seq == E.seq))
        .where(E.kind == EventKind.USE_REPORTED.value)).one()
    return UseReportCounts(*(int(v) for v in row))


def use_report_status_in(statuses: Iterable[Status]) -> Any:
    """A usage report without a review row is pending (never moderated)."""
    values = [Status(s).value for s in statuses]
    if Status.PENDING.value in values:
        return U.status.in_(values) | U.status.is_(None)
    return U.status.in_(values)


def use_report_query(*, newest_first: bool = False) -> Select[Any]:
    """Every usage report with its request and its review row, if any."""
    order = (E.happened_on.desc(), E.request_number.desc(), E.seq.desc()) if newest_first \
        else (E.happened_on, E.request_number, E.seq)
    return (select(E.request_number, E.seq, E.happened_on, E.data, R.department, R.dataset_id,
                   U.status, U.public_text, U.reason, U.moderated_by, U.moderated_on, U.version)
            .join(requests, R.number == E.request_number)
            .outerjoin(use_report_reviews, and_(U.request_number == E.request_number,
                                                U.seq == E.seq))
            .where(E.kind == EventKind.USE_REPORTED.value)
            .order_by(*order))


def audit_detail(item: Item, action: str = "") -> dict[str, Any]:
    """The audit detail of a moderation or reply: never the submitter's data."""
    detail: dict[str, Any] = {"status": item.status.value, "department": item.department}
    if action.endswith(".approve") and item.public_title:
        detail["public_title"] = item.public_title  # what was made public; never the contact
    if item.moderation and item.moderation.reason:
        detail["reason"] = item.moderation.reason
    if item.reply:
        detail["in_time"] = item.reply.in_time
    return detail


def item_of_row(row: Any, datasets: Mapping[str, tuple[str, ...]]) -> Item:
    """The item of a ``participation`` row and its datasets."""
    status = Status(row.status)
    moderation = reply = None
    if row.moderated_by:
        moderation = Moderation(status not in (Status.REJECTED, Status.WITHDRAWN),
                                row.moderated_by, row.moderated_on, row.moderation_reason or "")
    if row.replied_on is not None and status in REPLIES:
        reply = Reply(status, row.reply_text or "", row.replied_by or "", row.replied_on,
                      bool(row.replied_in_time))
    return Item(number=row.number, kind=Kind(row.kind), received=row.received,
                title=row.title, text=row.text, department=row.department,
                dataset_ids=datasets.get(row.number, ()), url=row.url, status=status,
                public_title=row.public_title or "", public_text=row.public_text or "",
                clock=clock_from_dict(row.clock) if row.clock else None,
                moderation=moderation, reply=reply)


def use_report_of_row(row: Any) -> Item:
    """The usage report of a :func:`use_report_query` row (pending when never moderated)."""
    status = Status(row.status) if row.status else Status.PENDING
    moderation = None
    if row.moderated_by:
        moderation = Moderation(status is Status.PUBLISHED, row.moderated_by,
                                row.moderated_on, row.reason or "")
    data = row.data if isinstance(row.data, dict) else {}
    return Item(number=f"{row.request_number}.{row.seq}", kind=Kind.USE_REPORT,
                received=row.happened_on, title="", text=str(data.get("text", "")),
                department=row.department, dataset_ids=(row.dataset_id,), status=status,
                public_text=row.public_text or "", moderation=moderation)
