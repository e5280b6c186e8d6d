"""Proposed catalogue entries and yearly full reviews in the store (tables
``catalogue_changes`` and ``catalogue_reviews``).

Each decision is one transaction with its audit record (003 §34). A new
proposal of a dataset replaces its earlier pending one (status
``superseded``): the authority always reviews the entry as it is now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from domain.catalogue.governance import ChangeKind, ChangeStatus, classify
from search_api.store import RequestNotFound, StaleRequest, Store, audit
from search_api.store.core import aware
from search_api.store.schema import catalogue_changes, catalogue_reviews


@dataclass(frozen=True)
class Change:
    id: int
    dataset_id: str
    department: str
    entry_hash: str
    entry: dict[str, Any]
    kind: ChangeKind
    changed: list[str]
    status: ChangeStatus
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    version: int


def _change(row: Any) -> Change:
    return Change(id=row.id, dataset_id=row.dataset_id, department=row.department,
                  entry_hash=row.entry_hash, entry=dict(row.entry), kind=ChangeKind(row.kind),
                  changed=list(row.changed), status=ChangeStatus(row.status),
                  proposed_by=row.proposed_by, proposed_at=row.proposed_at,
                  decided_by=row.decided_by, decided_at=row.decided_at, reason=row.reason,
                  version=row.version)


class CatalogueChanges:
    """The governance tables of ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- proposals ----------------------------------------------------------------------

    def _last_approved_row(self, conn: Connection,
                           dataset_id: str) -> tuple[str | None, dict[str, Any] | None]:
        """The hash and the entry the authority approved last for the dataset."""
        c = catalogue_changes.c
        row = conn.execute(select(c.entry_hash, c.entry).where(
            c.dataset_id == dataset_id, c.status == ChangeStatus.APPROVED.value)
            .order_by(c.decided_at.desc(), c.id.desc()).limit(1)).one_or_none()
        return (None, None) if row is None else (str(row.entry_hash), dict(row.entry))

    def propose(self, entries: Iterable[tuple[str, Mapping[str, Any]]], *, by: str,
                at: datetime) -> list[Change]:
        """File each ``(entry hash, catalogue entry)`` that is neither pending
        nor the dataset's latest approved entry, in one transaction; returns
        the new proposals. A dataset's earlier pending proposal is superseded
        (also when the catalogue went back to its approved entry).

        Raises:
            ValueError: ``at`` is naive.
        """
        aware(at)
        c = catalogue_changes.c
        filed: list[int] = []
        with self.store._write() as conn:
            for digest, entry in entries:
                dataset_id = str(entry["identifier"])
                pending = conn.execute(select(c.id).where(
                    c.dataset_id == dataset_id, c.entry_hash == digest,
                    c.status == ChangeStatus.PENDING.value)).first()
                if pending is not None:
                    continue
                approved_hash, approved_entry = self._last_approved_row(conn, dataset_id)
                # Pending proposals of the dataset give way: to this entry, or
                # to the approved one the catalogue went back to.
                conn.execute(update(catalogue_changes).where(
                    c.dataset_id == dataset_id, c.status == ChangeStatus.PENDING.value)
                    .values(status=ChangeStatus.SUPERSEDED.value, version=c.version + 1))
                # Only the latest approval counts: an entry approved long ago
                # and replaced since is filed again (approved_entries).
                if digest == approved_hash:
                    continue
                kind, changed = classify(approved_entry, entry)
                new_id = conn.execute(insert(catalogue_changes).values(
                    dataset_id=dataset_id, department=str(entry["department"]),
                    entry_hash=digest, entry=dict(entry), kind=kind.value, changed=changed,
                    status=ChangeStatus.PENDING.value, proposed_by=by, proposed_at=at,
                    version=1).returning(c.id)).scalar_one()
                audit.append(conn, at=at, actor_role="system", actor=by,
                             action="catalogue.proposed", subject=dataset_id,
                             detail={"change": new_id, "kind": kind.value, "hash": digest,
                                     "changed": changed})
                filed.append(new_id)
            rows = conn.execute(select(catalogue_changes).where(c.id.in_(filed))
                                .order_by(c.id)).all() if filed else []
        return [_change(r) for r in rows]

    def decide(self, change_id: int, *, approve: bool, reason: str, by: str, role: str,
               expected_version: int, at: datetime) -> Change:
        """Approve or reject a pending proposal, with the reason, audited.

        Raises:
            RequestNotFound: no such proposal.
            StaleRequest: it changed since it was shown (or is no longer pending).
        """
        aware(at)
        c = catalogue_changes.c
        status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
        with self.store._write() as conn:
            row = conn.execute(select(catalogue_changes).where(c.id == change_id)).one_or_none()
            if row is None:
                raise RequestNotFound(f"no catalogue change {change_id}")
            done = conn.execute(update(catalogue_changes).where(
                c.id == change_id, c.version == expected_version,
                c.status == ChangeStatus.PENDING.value).values(
                status=status.value, decided_by=by, decided_at=at, reason=reason,
                version=c.version + 1))
            if done.rowcount != 1:
                raise StaleRequest(f"catalogue change {change_id}", expected_version, row.version)
            audit.append(conn, at=at, actor_role=role, actor=by,
                         action=f"catalogue.{status.value}", subject=row.dataset_id,
                         detail={"change": change_id, "hash": row.entry_hash,
                                 "reason": reason})
            updated = conn.execute(select(catalogue_changes).where(c.id == change_id)).one()
        return _change(updated)

    def load(self, change_id: int) -> Change:
        """Raises: RequestNotFound: no such proposal."""
        with self.store._read() as conn:
            row = conn.execute(select(catalogue_changes).where(
                catalogue_changes.c.id == change_id)).one_or_none()
        if row is None:
            raise RequestNotFound(f"no catalogue change {change_id}")
        return _change(row)

    def queue(self, department: str | None = None, *, recent: int = 100) -> list[Change]:
        """Pending proposals (oldest first), then the ``recent`` latest decided
        ones; of ``department`` only when given."""
        c = catalogue_changes.c
        scope = [c.department == department] if department is not None else []
        with self.store._read() as conn:
            pending = conn.execute(select(catalogue_changes).where(
                c.status == ChangeStatus.PENDING.value, *scope).order_by(c.id)).all()
            done = conn.execute(select(catalogue_changes).where(
                c.status != ChangeStatus.PENDING.value, *scope)
                .order_by(c.id.desc()).limit(recent)).all()
        return [_change(r) for r in [*pending, *done]]

    def approved_entries(self) -> dict[str, str]:
        """Per dataset, the entry hash the authority approved last: what
        ``portal build`` may publish under ``catalogue_review: true`` (an
        entry approved once and replaced since needs approving again)."""
        c = catalogue_changes.c
        found: dict[str, str] = {}
        with self.store._read() as conn:
            for dataset_id, digest in conn.execute(select(c.dataset_id, c.entry_hash).where(
                    c.status == ChangeStatus.APPROVED.value).order_by(c.decided_at, c.id)):
                found[str(dataset_id)] = str(digest)
        return found

    def pending_count(self) -> dict[str, int]:
        """Pending proposals per department."""
        c = catalogue_changes.c
        with self.store._read() as conn:
            rows = conn.execute(select(c.department, func.count()).where(
                c.status == ChangeStatus.PENDING.value).group_by(c.department)).all()
        return {str(d): int(n) for d, n in rows}

    # --- yearly full review (003 §9) ------------------------------------------------------

    def record_full_review(self, department: str, *, on: date, by: str, role: str,
                           note: str, at: datetime) -> None:
        """Record the year's full review of ``department``'s catalogue
        (again in the same year: the later date counts), audited."""
        aware(at)
        r = catalogue_reviews.c
        with self.store._write() as conn:
            exists = conn.execute(select(r.year).where(
                r.department == department, r.year == on.year)).first()
            values = {"reviewed_on": on, "reviewed_by": by, "note": note or None}
            if exists:
                conn.execute(update(catalogue_reviews).where(
                    r.department == department, r.year == on.year).values(**values))
            else:
                conn.execute(insert(catalogue_reviews).values(
                    department=department, year=on.year, **values))
            audit.append(conn, at=at, actor_role=role, actor=by,
                         action="catalogue.full_review", subject=f"department:{department}",
                         detail={"on": on.isoformat(), "note": note})

    def last_full_reviews(self) -> dict[str, date]:
        """Per department, the date of its latest full review."""
        r = catalogue_reviews.c
        with self.store._read() as conn:
            rows = conn.execute(select(r.department, func.max(r.reviewed_on))
                                .group_by(r.department)).all()
        return {str(d): on for d, on in rows}
