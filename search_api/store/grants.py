"""Storage of grants, API keys, their use and the misuse record, beside the
requests (same database, same audit chain; tables in
:mod:`search_api.store.grant_tables`).

Every change and its audit record commit in one transaction. A key's use is
counted per minute; the day's sum is its quota, checked and counted under a
row lock of the key (PostgreSQL; SQLite write transactions are serial), so
concurrent calls never pass the quota. Accesses are audited in batches:
when a key's first call of a new minute is counted, its earlier minutes go
to the audit log as one record each (``portal remind`` flushes the rest).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update

from domain.procedures.data_grants import GrantStatus, GrantTerms
from domain.procedures.request_records import Actor, Request
from search_api.store import OutboxMessage, Store, audit
from search_api.store.grant_tables import api_keys, grants, key_usage, misuse_records
from search_api.store.outbox_store import check_messages, insert_message
from search_api.store.request_rows import AuditEvent

CHINA = ZoneInfo("Asia/Shanghai")
G, K, U, M = grants.c, api_keys.c, key_usage.c, misuse_records.c


@dataclass(frozen=True)
class Grant:
    """An approved use (see :class:`domain.procedures.data_grants.GrantTerms`) and where it stands."""

    number: str
    department: str
    terms: GrantTerms
    status: GrantStatus
    status_reason: str
    applicant_seal: str


@dataclass(frozen=True)
class KeyInfo:
    """A key as stored: its grant, display label and whether it was revoked."""

    grant: Grant
    label: str
    revoked: bool


@dataclass(frozen=True)
class MisuseRecord:
    number: str
    kind: str
    reason: str
    recorded_by: str
    recorded_at: datetime


def _grant(row: Any) -> Grant:
    terms = GrantTerms(dataset_id=row.dataset_id, method=row.method,
                       fields={t: tuple(f) for t, f in dict(row.fields).items()},
                       valid_from=row.valid_from, valid_to=row.valid_to,
                       raw_rows=bool(row.raw_rows), report_every_months=row.report_every_months)
    return Grant(row.request_number, row.department, terms, GrantStatus(row.status),
                 row.status_reason or "", row.applicant_seal)


def _put_grant(conn: Connection, number: str, department: str, terms: GrantTerms, seal: str,
               at: datetime) -> AuditEvent:
    """Insert or replace the grant row of ``number`` in ``conn``'s
    transaction; returns its audit record (``grant_terms``)."""
    values: dict[str, Any] = dict(
        dataset_id=terms.dataset_id, department=department, method=terms.method,
        fields={t: list(f) for t, f in terms.fields.items()}, valid_from=terms.valid_from,
        valid_to=terms.valid_to, raw_rows=terms.raw_rows,
        report_every_months=terms.report_every_months, status=GrantStatus.ACTIVE.value,
        status_reason=None, applicant_seal=seal, updated_at=at)
    done = conn.execute(update(grants).where(G.request_number == number).values(**values))
    if done.rowcount == 0:
        conn.execute(insert(grants).values(request_number=number, created_at=at, **values))
    return ("grant_terms", number, {
        "dataset": terms.dataset_id, "method": terms.method, "fields": values["fields"],
        "valid_from": str(terms.valid_from), "valid_to": str(terms.valid_to),
        "raw_rows": terms.raw_rows, "report_every_months": terms.report_every_months})


def day_start(on: date) -> datetime:
    """The UTC instant a Beijing day begins (quotas count Beijing days)."""
    return datetime.combine(on, time(0), CHINA).astimezone(UTC)


# The statements of every keyed call, built once (SQLAlchemy then reuses
# their compiled form without rebuilding the expressions per call).
_KEY_FOR_CALL = (select(grants, K.label, K.revoked_at)
                 .join(api_keys, K.request_number == G.request_number)
                 .where(K.key_hash == bindparam("the_key")).with_for_update(of=api_keys))
_USED_TODAY = (select(func.coalesce(func.sum(U.hits), 0)).where(and_(
    U.key_hash == bindparam("the_key"), U.minute >= bindparam("day_from", type_=U.minute.type),
    U.minute < bindparam("day_to", type_=U.minute.type))).scalar_subquery())
_COUNT_CALL = (update(key_usage).where(and_(
    U.key_hash == bindparam("the_key"), U.minute == bindparam("the_minute"),
    _USED_TODAY < bindparam("quota"))).values(hits=U.hits + 1))


class KeyStore:
    """Grants, keys, usage and misuse on a :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._serial = threading.Lock()  # see use_key

    # -- grants ---------------------------------------------------------------

    def add_grant(self, number: str, department: str, terms: GrantTerms, seal: str, *,
                  actor: tuple[str, str], at: datetime) -> None:
        """Record the terms approved for request ``number`` (replacing terms of
        an earlier approval of it), with an audit record. An approval being
        saved records them with :meth:`save_approval` instead.

        Raises:
            IntegrityError: no such request, or terms the table refuses.
        """
        with self.store._write() as conn:
            action, subject, detail = _put_grant(conn, number, department, terms, seal, at)
            audit.append(conn, at=at, actor_role=actor[0], actor=actor[1], action=action,
                         subject=subject, detail=detail)

    def save_approval(self, req: Request, terms: GrantTerms, seal: str, *,
                      expected_version: int, actor: Actor, at: datetime) -> int:
        """Save the approval ``req`` (see :meth:`Store.save`) and record its
        grant ``terms`` in the same transaction: when either fails, neither
        is stored (the request stays as it was loaded). Returns the new version.

        Raises:
            what :meth:`Store.save` raises; IntegrityError or ValueError: the
                grants table refuses the terms (nothing is stored).
        """
        return self.store.save(req, expected_version=expected_version, actor=actor, at=at,
                               also=lambda conn: [_put_grant(
                                   conn, req.number, req.application.department, terms,
                                   seal, at)])

    def grant(self, number: str) -> Grant | None:
        with self.store._read() as conn:
            row = conn.execute(select(grants).where(G.request_number == number)).first()
        return _grant(row) if row else None

    def grants(self, department: str | None = None) -> list[Grant]:
        """Every grant (of ``department``), oldest request first."""
        query = select(grants).order_by(G.request_number)
        if department is not None:
            query = query.where(G.department == department)
        with self.store._read() as conn:
            return [_grant(r) for r in conn.execute(query)]

    def set_status(self, number: str, status: GrantStatus, reason: str, *,
                   actor: tuple[str, str], at: datetime,
                   messages: Sequence[OutboxMessage] = ()) -> None:
        """Suspend, resume or revoke the grant of ``number``, with the reason
        in the misuse record and the audit log, and ``messages`` queued in the
        same transaction; revoking also revokes its keys.

        Raises:
            LookupError: no grant for ``number``.
            PersonalDataRefused: a message holds a clear ID or mobile number.
        """
        check_messages(messages)
        kind = {GrantStatus.ACTIVE: "resumed", GrantStatus.SUSPENDED: "suspended",
                GrantStatus.REVOKED: "revoked"}[status]
        with self.store._write() as conn:
            row = conn.execute(select(G.applicant_seal).where(G.request_number == number)
                               .with_for_update()).first()
            if row is None:
                raise LookupError(f"no grant for request {number}")
            conn.execute(update(grants).where(G.request_number == number).values(
                status=status.value, status_reason=reason, updated_at=at))
            if status is GrantStatus.REVOKED:
                conn.execute(update(api_keys).where(and_(K.request_number == number,
                                                         K.revoked_at.is_(None)))
                             .values(revoked_at=at))
            self._misuse(conn, row.applicant_seal, number, kind, reason, actor[1], at)
            audit.append(conn, at=at, actor_role=actor[0], actor=actor[1],
                         action=f"grant_{kind}", subject=number, detail={"reason": reason})
            for message in messages:
                insert_message(conn, message, at)

    def add_misuse(self, number: str, reason: str, *, actor: tuple[str, str],
                   at: datetime) -> None:
        """Note a misuse of the data of ``number`` (kept for later requests of
        the same applicant)."""
        with self.store._write() as conn:
            seal = conn.execute(select(G.applicant_seal).where(G.request_number == number)
                                ).scalar_one()
            self._misuse(conn, seal, number, "misuse", reason, actor[1], at)
            audit.append(conn, at=at, actor_role=actor[0], actor=actor[1], action="misuse_noted",
                         subject=number, detail={"reason": reason})

    @staticmethod
    def _misuse(conn: Connection, seal: str, number: str, kind: str, reason: str, by: str,
                at: datetime) -> None:
        conn.execute(insert(misuse_records).values(
            applicant_seal=seal, request_number=number, kind=kind, reason=reason,
            recorded_by=by, recorded_at=at))

    def misuse_records(self) -> list[MisuseRecord]:
        """Every misuse record (misuse noted, grant suspended or revoked),
        oldest first. Few by nature: a department notes them by hand."""
        with self.store._read() as conn:
            rows = conn.execute(select(misuse_records).order_by(M.id)).all()
        return [MisuseRecord(r.request_number, r.kind, r.reason, r.recorded_by, r.recorded_at)
                for r in rows]

    # -- keys -----------------------------------------------------------------

    def issue_key(self, number: str, key_hash: str, label: str, *, at: datetime) -> None:
        """Store a new key of ``number`` (its hash only); earlier keys of the
        request stop working."""
        with self.store._write() as conn:
            conn.execute(update(api_keys).where(and_(K.request_number == number,
                                                     K.revoked_at.is_(None)))
                         .values(revoked_at=at))
            conn.execute(insert(api_keys).values(key_hash=key_hash, request_number=number,
                                                 label=label, created_at=at))
            audit.append(conn, at=at, actor_role="applicant", actor=f"applicant:{number}",
                         action="api_key_issued", subject=number, detail={"label": label})

    def key(self, key_hash: str) -> KeyInfo | None:
        with self.store._read() as conn:
            row = conn.execute(select(grants, K.label, K.revoked_at)
                               .join(api_keys, K.request_number == G.request_number)
                               .where(K.key_hash == key_hash)).first()
        return KeyInfo(_grant(row), row.label, row.revoked_at is not None) if row else None

    def current_key(self, number: str) -> tuple[str, datetime] | None:
        """Label and issue time of the working key of ``number``."""
        with self.store._read() as conn:
            row = conn.execute(select(K.label, K.created_at).where(and_(
                K.request_number == number, K.revoked_at.is_(None)))).first()
        return (row.label, row.created_at) if row else None

    def count_use(self, key_hash: str, at: datetime, on: date, quota: int) -> int | None:
        """Count one call of the key at ``at`` unless the Beijing day ``on``
        used ``quota`` calls already; the calls used today with this one, or
        None (refused, not counted). Audits the key's earlier minutes when
        this is the first call of a new minute."""
        minute = at.astimezone(UTC).replace(second=0, microsecond=0)
        with self.store._write() as conn:
            number = conn.execute(select(K.request_number).where(K.key_hash == key_hash)
                                  .with_for_update()).scalar_one()
            used = conn.execute(select(func.coalesce(func.sum(U.hits), 0)).where(and_(
                U.key_hash == key_hash, U.minute >= day_start(on),
                U.minute < day_start(on + timedelta(days=1))))).scalar_one()
            if int(used) >= quota:
                return None
            done = conn.execute(update(key_usage).where(and_(U.key_hash == key_hash,
                                                             U.minute == minute))
                                .values(hits=U.hits + 1))
            if done.rowcount == 0:
                conn.execute(insert(key_usage).values(key_hash=key_hash, minute=minute, hits=1,
                                                      audited=False))
                self._audit_minutes(conn, key_hash, number, before=minute, at=at)
            return int(used) + 1

    def use_key(self, key_hash: str, at: datetime, on: date, quota: int,
                admit: Callable[[KeyInfo], None]) -> tuple[KeyInfo, bool] | None:
        """The key ``key_hash`` and whether this call at ``at`` was counted
        (False: the Beijing day ``on`` used ``quota`` calls already); None
        for an unknown key. ``admit`` sees the key and its grant first and
        raises to refuse the call, which is then not counted.

        Most calls take one transaction: the key and its grant read under a
        row lock of the key (PostgreSQL; SQLite write transactions are
        serial), and one statement that adds the call to the key's current
        minute if the day's sum is under the quota. That transaction does
        not wait for the disk (:meth:`Store.volatile_write`): a machine that
        loses power may forget the last calls counted, never more than that,
        and a killed process forgets none. The first call of a minute, and a
        call over the quota, go on to :meth:`count_use`, whose transaction
        is durable and writes the audit records of the earlier minutes.

        Raises:
            whatever ``admit`` raises (nothing is counted).
        """
        minute = at.astimezone(UTC).replace(second=0, microsecond=0)
        # SQLite: this process's threads queue on a lock of their own rather
        # than on the database's, whose busy handler sleeps (1, 2, 5, 10 ms...)
        # between tries; PostgreSQL queues them on the key's row lock.
        serial = self._serial if self.store.backend == "sqlite" else nullcontext()
        with serial, self.store.volatile_write() as conn:
            row = conn.execute(_KEY_FOR_CALL, {"the_key": key_hash}).first()
            if row is None:
                return None
            info = KeyInfo(_grant(row), row.label, row.revoked_at is not None)
            admit(info)
            done = conn.execute(_COUNT_CALL, {
                "the_key": key_hash, "the_minute": minute, "day_from": day_start(on),
                "day_to": day_start(on + timedelta(days=1)), "quota": quota})
            if done.rowcount == 1:
                return info, True
        return info, self.count_use(key_hash, at, on, quota) is not None

    @staticmethod
    def _audit_minutes(conn: Connection, key_hash: str, number: str, *, before: datetime,
                       at: datetime) -> int:
        """One audit record per finished minute of the key not audited yet."""
        rows = conn.execute(select(U.minute, U.hits).where(and_(
            U.key_hash == key_hash, U.audited.is_(False), U.minute < before))
            .order_by(U.minute)).all()
        for row in rows:
            audit.append(conn, at=at, actor_role="applicant", actor=f"applicant:{number}",
                         action="api_access", subject=number,
                         detail={"minute": row.minute.isoformat(), "calls": row.hits})
        if rows:
            conn.execute(update(key_usage).where(and_(U.key_hash == key_hash,
                                                      U.audited.is_(False), U.minute < before))
                         .values(audited=True))
        return len(rows)

    def flush_audit(self, at: datetime) -> int:
        """Audit every key's finished minutes not audited yet (``portal remind``)."""
        minute = at.astimezone(UTC).replace(second=0, microsecond=0)
        with self.store._write() as conn:
            keys = conn.execute(select(U.key_hash, K.request_number).distinct()
                                .join(api_keys, K.key_hash == U.key_hash)
                                .where(and_(U.audited.is_(False), U.minute < minute))).all()
            return sum(self._audit_minutes(conn, k, n, before=minute, at=at)
                       for k, n in keys)

    def usage_by_day(self, number: str) -> dict[date, int]:
        """Calls per Beijing day of every key of ``number`` (no person, no address)."""
        with self.store._read() as conn:
            rows = conn.execute(select(U.minute, U.hits).join(
                api_keys, K.key_hash == U.key_hash).where(K.request_number == number)).all()
        out: dict[date, int] = {}
        for row in rows:
            day = row.minute.astimezone(CHINA).date()
            out[day] = out.get(day, 0) + row.hits
        return out

    def calls_by_department(self, start: date, end: date) -> dict[str, int]:
        """Keyed calls (API and sandbox) per providing department on the
        Beijing days ``start`` to ``end`` (inclusive), from the per-minute
        counts: no key, no request, no person. Departments without calls
        are left out."""
        query = (select(G.department, func.sum(U.hits))
                 .select_from(key_usage.join(api_keys, K.key_hash == U.key_hash)
                              .join(grants, G.request_number == K.request_number))
                 .where(U.minute >= day_start(start),
                        U.minute < day_start(end + timedelta(days=1)))
                 .group_by(G.department))
        with self.store._read() as conn:
            return {row[0]: int(row[1]) for row in conn.execute(query)}
