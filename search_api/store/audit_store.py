"""The audit part of the store: records appended to the hash chain of
:mod:`search_api.store.audit` (sign-ins, downloads, publications), the
chain checked, its head and records read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from domain.procedures.request_records import Actor
from domain.procedures.request_states import Role
from search_api.store import audit
from search_api.store.core import StoreCore, aware
from search_api.store.records import AuditRecord
from search_api.store.schema import audit_log


class AuditPart(StoreCore):
    """Appending to and reading the audit chain."""

    def append_audit(self, *, actor: Actor, action: str, subject: str,
                     detail: Mapping[str, Any], at: datetime) -> int:
        """Append an audit record (e.g. a sign-in, a download, a configuration
        change); returns its sequence number. Clear ID, mobile and card numbers
        in ``detail`` are masked."""
        with self._write() as conn:
            return audit.append(conn, at=at, actor_role=actor.role.value, actor=actor.name,
                                action=action, subject=subject, detail=detail)

    def record_publication(self, events: Sequence[tuple[str, str, Mapping[str, Any]]], *,
                           actor: str, at: datetime) -> list[int]:
        """Append one audit record per ``(action, dataset id, detail)`` of a
        build, by the ``system`` role as ``actor``, all in one transaction;
        returns their sequence numbers."""
        aware(at)
        with self._write() as conn:
            return audit.append_many(conn, at=at, actor_role=Role.SYSTEM.value, actor=actor,
                                     events=events)

    def verify_audit(self) -> list[str]:
        """Problems of the audit chain in English (altered, deleted, reordered
        records); empty when intact."""
        with self._read(snapshot=True) as conn:
            return audit.verify(conn)

    def audit_head(self) -> tuple[int, str, int]:
        """``(head seq, head hash, last stored seq)`` of the audit chain."""
        with self._read(snapshot=True) as conn:
            return audit.head(conn)

    def audit_hashes(self, seqs: Iterable[int]) -> dict[int, str]:
        """The stored hash of each audit record of ``seqs`` that exists."""
        with self._read() as conn:
            return audit.hashes(conn, seqs)

    def audit_records(self, subject: str | None = None, *, limit: int = 1000) -> list[AuditRecord]:
        """Audit records, oldest first, all or those about ``subject``."""
        query = select(audit_log).order_by(audit_log.c.seq).limit(limit)
        if subject is not None:
            query = query.where(audit_log.c.subject == subject)
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [AuditRecord(seq=r.seq, at=r.at, actor_role=r.actor_role, actor=r.actor,
                            action=r.action, subject=r.subject, detail=r.detail,
                            prev_hash=r.prev_hash, hash=r.hash) for r in rows]

