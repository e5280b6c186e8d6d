"""Storage of demands, suggestions and reuses, and the moderation of usage
reports (issue #5), beside the requests: same database, same audit chain,
same sealing of personal data. Every write and its audit record commit in
one transaction; concurrent reviewers are kept apart by a ``version``
(optimistic concurrency, :class:`StaleRequest` for the loser).

Usage reports are not copied: a ``use_reported`` event of a request without
a ``use_report_reviews`` row is pending moderation, and never public.

Reads go through the Store's read transactions (``Store._read``): on SQLite
a deferred ``BEGIN``, so public lists never wait for the write lock (writes
start with ``BEGIN IMMEDIATE``, see :mod:`search_api.store.engine`).

The submitter's name and contact are sealed (like applicants' data) and
opened only by :meth:`ParticipationStore.reveal_submitter`, which records
each opening in the audit log in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.procedures.participation import PUBLIC, Item, Kind, Status
from domain.procedures.request_codec import clock_to_dict
from search_api.store import audit
from search_api.store.errors import RequestNotFound, StaleRequest
from search_api.store.participation_queries import (
    WAITING,
    Counts,
    D,
    E,
    P,
    R,
    Statistics,
    U,
    audit_detail,
    counts_by_department,
    item_of_row,
    open_items_query,
    use_report_counts,
    use_report_of_row,
    use_report_query,
    use_report_status_in,
)
from search_api.store.schema import (
    check_row,
    participation,
    participation_datasets,
    use_report_reviews,
)
from search_api.store.store import Store


class ParticipationStore:
    def __init__(self, store: Store):
        self.store = store

    # --- demands, suggestions, reuses ---------------------------------------------------

    def add(self, item: Item, *, submitter: Mapping[str, str], at: datetime) -> None:
        """Store a new item (version 1), its datasets and its audit record."""
        row = {"number": item.number, "kind": item.kind.value, "status": item.status.value,
               "department": item.department, "received": item.received,
               "title": item.title, "text": item.text, "url": item.url,
               "submitter": self.store._cipher.seal(item.number, dict(submitter)),
               "clock": clock_to_dict(item.clock) if item.clock else None,
               "version": 1, "created_at": at, "updated_at": at}
        check_row(participation, row)
        with self.store.engine.begin() as conn:
            conn.execute(insert(participation).values(**row))
            if item.dataset_ids:
                conn.execute(insert(participation_datasets),
                             [{"number": item.number, "dataset_id": d} for d in item.dataset_ids])
            audit.append(conn, at=at, actor_role="public", actor="public",
                         action="participation.received", subject=item.number,
                         detail={"kind": item.kind.value, "department": item.department,
                                 "datasets": list(item.dataset_ids)})

    def load(self, number: str) -> tuple[Item, int]:
        """The item and its version. Raises RequestNotFound."""
        with self.store._read() as conn:
            row = conn.execute(select(participation).where(P.number == number)).one_or_none()
            if row is None:
                raise RequestNotFound(number)
            return item_of_row(row, self._datasets(conn, [number])), int(row.version)

    def save(self, item: Item, *, expected_version: int, actor_role: str, actor: str,
             action: str, at: datetime) -> int:
        """Store a moderation, routing or reply with its audit record.

        Raises:
            StaleRequest: someone saved the item since it was loaded.
        """
        values: dict[str, Any] = {
            "status": item.status.value, "department": item.department,
            "public_title": item.public_title or None, "public_text": item.public_text or None,
            "version": expected_version + 1, "updated_at": at}
        if item.moderation:
            values.update(moderated_by=item.moderation.by, moderated_on=item.moderation.on,
                          moderation_reason=item.moderation.reason or None)
        if item.reply:
            values.update(reply_text=item.reply.text, replied_by=item.reply.by,
                          replied_on=item.reply.on, replied_in_time=item.reply.in_time)
        check_row(participation, values)
        with self.store.engine.begin() as conn:
            done = conn.execute(update(participation).where(
                P.number == item.number, P.version == expected_version).values(**values))
            if done.rowcount != 1:
                raise StaleRequest(item.number, expected_version, -1)
            audit.append(conn, at=at, actor_role=actor_role, actor=actor, action=action,
                         subject=item.number, detail=audit_detail(item, action))
        return expected_version + 1

    def reveal_submitter(self, number: str, *, actor_role: str, actor: str,
                         at: datetime) -> dict[str, str]:
        """The submitter's name and contact (``""`` when not given), opened
        for a reviewer who may moderate the item, with an audit record
        (``participation.contact_viewed``: who, when, which item; never the
        name or contact) in the same transaction: no opening goes unrecorded.

        Raises:
            RequestNotFound: no such item.
            PersonalDataKeyError: sealed with another key (nothing recorded).
        """
        with self.store._write() as conn:
            row = conn.execute(select(P.submitter, P.kind, P.department)
                               .where(P.number == number)).one_or_none()
            if row is None:
                raise RequestNotFound(number)
            opened = self.store._cipher.open(number, row.submitter) if row.submitter \
                else {}
            submitter = {"name": opened.get("name", ""), "contact": opened.get("contact", "")}
            audit.append(conn, at=at, actor_role=actor_role, actor=actor,
                         action="participation.contact_viewed", subject=number,
                         detail={"kind": row.kind, "department": row.department,
                                 "fields": [k for k, v in submitter.items() if v]},
                         secrets=tuple(v for v in submitter.values() if v))
        return submitter

    def for_review(self, department: str | None, *,
                   done: int = 200) -> list[tuple[Item, int]]:
        """Items with their versions for a reviewer's page: every one still
        to moderate or answer (oldest first), then the ``done`` most recent
        others; all departments, or one.
        """
        scope = [] if department is None else [P.department == department]
        queries = [
            select(participation).where(P.status.in_(WAITING), *scope)
            .order_by(P.received, P.number).limit(5000),
            select(participation).where(P.status.not_in(WAITING), *scope)
            .order_by(P.received.desc(), P.number.desc()).limit(done)]
        found: list[tuple[Item, int]] = []
        with self.store._read(snapshot=True) as conn:
            for query in queries:
                rows = conn.execute(query).all()
                datasets = self._datasets(conn, [r.number for r in rows])
                found.extend((item_of_row(r, datasets), int(r.version)) for r in rows)
        return found

    def public(self, kind: Kind, *, limit: int = 500) -> list[Item]:
        """Moderated items of ``kind`` that may be shown, newest first."""
        return self._items(select(participation).where(
            P.kind == kind.value, P.status.in_([s.value for s in PUBLIC]))
            .order_by(P.received.desc(), P.number.desc()).limit(limit))

    def open_items(self) -> list[Item]:
        """Demands and suggestions still owed a reply (for overdue counts)."""
        return self._items(open_items_query())

    def reuses_of(self, dataset_id: str) -> list[Item]:
        """Published reuses naming ``dataset_id``, newest first."""
        return self._items(select(participation).join(
            participation_datasets, D.number == P.number).where(
            D.dataset_id == dataset_id, P.kind == Kind.REUSE.value,
            P.status == Status.PUBLISHED.value).order_by(P.received.desc(), P.number.desc()))

    def counts(self, *, received_from: date | None = None,
               received_to: date | None = None) -> dict[tuple[str | None, str], Counts]:
        """Counts per (department, kind); department None is the authority's.
        Optionally only items received between the two dates (included)."""
        with self.store._read() as conn:
            return counts_by_department(conn, received_from, received_to)

    def statistics(self) -> Statistics:
        """Counts, open items and usage-report counts in one snapshot."""
        with self.store._read(snapshot=True) as conn:
            return Statistics(counts=counts_by_department(conn, None, None),
                              open_items=self._select(conn, open_items_query()),
                              use_reports=use_report_counts(conn))

    def _items(self, query: Any) -> list[Item]:
        with self.store._read() as conn:
            return self._select(conn, query)

    def _select(self, conn: Connection, query: Any) -> list[Item]:
        rows = conn.execute(query).all()
        datasets = self._datasets(conn, [r.number for r in rows])
        return [item_of_row(r, datasets) for r in rows]

    @staticmethod
    def _datasets(conn: Connection, numbers: list[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for start in range(0, len(numbers), 500):
            for number, dataset in conn.execute(
                    select(D.number, D.dataset_id).where(D.number.in_(numbers[start:start + 500]))
                    .order_by(D.number, D.dataset_id)):
                found.setdefault(number, []).append(dataset)
        return {k: tuple(v) for k, v in found.items()}

    # --- usage reports (000 §36(四), 002 §36) --------------------------------------------

    def use_reports(self, department: str | None = None, *,
                    statuses: Iterable[Status] | None = None, limit: int | None = None,
                    newest_first: bool = False) -> list[tuple[Item, int]]:
        """Usage reports with their moderation version (0: never moderated),
        oldest first (or ``newest_first``); all, or one department's;
        optionally only ``statuses`` and at most ``limit`` (both in SQL)."""
        query = use_report_query(newest_first=newest_first)
        if department is not None:
            query = query.where(R.department == department)
        if statuses is not None:
            query = query.where(use_report_status_in(statuses))
        if limit is not None:
            query = query.limit(limit)
        with self.store._read() as conn:
            rows = conn.execute(query).all()
        return [(use_report_of_row(r), int(r.version or 0)) for r in rows]

    def use_reports_for_review(self, department: str | None, *,
                               done: int = 200) -> list[tuple[Item, int]]:
        """Usage reports for a reviewer's page, like :meth:`for_review`:
        every one still to moderate (oldest first), then the ``done`` most
        recently reported others; all departments, or one."""
        scope = [] if department is None else [R.department == department]
        pending = use_report_status_in([Status.PENDING])
        queries = [use_report_query().where(pending, *scope).limit(5000),
                   use_report_query(newest_first=True).where(~pending, *scope).limit(done)]
        found: list[tuple[Item, int]] = []
        with self.store._read(snapshot=True) as conn:
            for query in queries:
                found.extend((use_report_of_row(r), int(r.version or 0))
                             for r in conn.execute(query).all())
        return found

    def load_use_report(self, key: str) -> tuple[Item, int]:
        """The usage report ``<request number>.<seq>`` and its moderation
        version (0: never moderated). Raises RequestNotFound."""
        number, _, seq = key.rpartition(".")
        if not number or not seq.isdigit() or len(seq) > 9:
            raise RequestNotFound(key)
        with self.store._read() as conn:
            row = conn.execute(use_report_query().where(
                E.request_number == number, E.seq == int(seq))).one_or_none()
        if row is None:
            raise RequestNotFound(key)
        return use_report_of_row(row), int(row.version or 0)

    def save_use_report(self, item: Item, *, expected_version: int, actor_role: str,
                        actor: str, action: str, at: datetime) -> int:
        """Record the moderation of a usage report with its audit record.

        Raises:
            StaleRequest: someone moderated it since it was loaded.
        """
        number, _, seq = item.number.rpartition(".")
        assert item.moderation is not None
        values: dict[str, Any] = {
            "status": item.status.value, "public_text": item.public_text or None,
            "reason": item.moderation.reason or None, "moderated_by": item.moderation.by,
            "moderated_on": item.moderation.on, "version": expected_version + 1,
            "updated_at": at}
        check_row(use_report_reviews, values)
        try:
            with self.store.engine.begin() as conn:
                if expected_version == 0:
                    conn.execute(insert(use_report_reviews).values(
                        request_number=number, seq=int(seq), created_at=at, **values))
                elif conn.execute(update(use_report_reviews).where(
                        U.request_number == number, U.seq == int(seq),
                        U.version == expected_version).values(**values)).rowcount != 1:
                    raise StaleRequest(item.number, expected_version, -1)
                audit.append(conn, at=at, actor_role=actor_role, actor=actor, action=action,
                             subject=number, detail={"use_report": int(seq),
                                                     **audit_detail(item, action)})
        except IntegrityError:  # moderated by someone else first
            raise StaleRequest(item.number, expected_version, -1) from None
        return expected_version + 1

