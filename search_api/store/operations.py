"""Storage of scenario applications for authorised operation (授权运营,
000 §34–36; issue #16), beside the requests: the same database, audit chain
and personal-data sealing. A case and its audit record commit together; a
save is refused when someone saved the case meanwhile (``version``).

The snapshot holds no personal data (:mod:`domain.procedures.operation_codec`);
the operator's credit code and contacts are sealed with the store's cipher
under the case number. The public register reads only columns and the
snapshot's public parts: never the sealed part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from domain.procedures.operation_codec import decode, encode
from domain.procedures.operation_records import Operation
from domain.procedures.operation_states import OpState
from search_api.store import audit
from search_api.store.errors import RequestNotFound, StaleRequest
from search_api.store.operation_tables import operations
from search_api.store.schema import check_row
from search_api.store.store import Store


@dataclass(frozen=True)
class RegisterEntry:
    """One authorisation as the public register shows it: no person, no
    contact, no credit code; the organisation is the market entity."""

    number: str
    organisation: str
    scenario_title: str
    department: str
    datasets: tuple[str, ...]
    fields: tuple[str, ...]
    start: date
    end: date
    decided_on: date
    feedback_count: int


class OperationStore:
    """Scenario applications in ``store``'s database."""

    def __init__(self, store: Store):
        self.store = store

    def _columns(self, case: Operation) -> dict[str, Any]:
        snapshot, personal = encode(case)
        scope = case.authorisation
        values: dict[str, Any] = {
            "state": case.state.value, "department": case.application.department,
            "organisation": case.application.operator.organisation,
            "authorised_from": scope.start if scope else None,
            "authorised_to": scope.end if scope else None, "snapshot": snapshot,
            "personal": self.store._cipher.seal(case.number, personal)}
        check_row(operations, {k: v for k, v in values.items() if k != "personal"})
        return values

    def _secrets(self, case: Operation) -> tuple[str, ...]:
        op = case.application.operator
        return tuple(v for v in (op.credit_code, op.phone, op.email, op.contact_name) if v)

    def add(self, case: Operation, *, access_code_hash: str, at: datetime) -> None:
        """Store a new case (version 1) and its audit record, in one transaction.

        Raises:
            ValueError: a value too long for its column, or a NUL character.
        """
        values = {**self._columns(case), "number": case.number, "received": case.received,
                  "access_code_hash": access_code_hash, "version": 1, "created_at": at,
                  "updated_at": at}
        with self.store.engine.begin() as conn:
            conn.execute(operations.insert().values(**values))
            audit.append(conn, at=at, actor_role="applicant", actor="public",
                         action="operation.filed", subject=case.number,
                         detail={"department": case.application.department,
                                 "datasets": list(case.application.datasets)},
                         secrets=self._secrets(case))

    def load(self, number: str) -> tuple[Operation, int]:
        """The case ``number`` with its personal data opened, and its version.

        Raises:
            RequestNotFound: no such case.
            PersonalDataKeyError: the personal part does not open with the key.
        """
        with self.store._read() as conn:
            row = conn.execute(select(operations).where(
                operations.c.number == number[:64])).one_or_none()
        if row is None:
            raise RequestNotFound(number[:64])
        personal = self.store._cipher.open(row.number, row.personal)
        return decode(row.snapshot, personal), int(row.version)

    def save(self, case: Operation, *, expected_version: int, actor_role: str, actor: str,
             action: str, at: datetime) -> int:
        """Store a step of ``case`` and its audit record; the new version.

        Raises:
            StaleRequest: someone saved the case meanwhile.
        """
        values = {**self._columns(case), "version": expected_version + 1, "updated_at": at}
        with self.store.engine.begin() as conn:
            done = conn.execute(update(operations).where(
                operations.c.number == case.number,
                operations.c.version == expected_version).values(**values))
            if done.rowcount != 1:
                raise StaleRequest(case.number, expected_version, -1)
            audit.append(conn, at=at, actor_role=actor_role, actor=actor, action=action,
                         subject=case.number, detail={"state": case.state.value},
                         secrets=self._secrets(case))
        return expected_version + 1

    def access_code_hash(self, number: str) -> str | None:
        with self.store._read() as conn:
            value = conn.execute(select(operations.c.access_code_hash).where(
                operations.c.number == number[:64])).scalar_one_or_none()
        return str(value) if value is not None else None

    def operator_email(self, number: str) -> str | None:
        """The operator's e-mail address, if one was given (read only by the
        mailer when sending)."""
        with self.store._read() as conn:
            sealed = conn.execute(select(operations.c.personal).where(
                operations.c.number == number[:64])).scalar_one_or_none()
        if sealed is None:
            return None
        return self.store._cipher.open(number[:64], sealed).get("email") or None

    def for_review(self, department: str | None, *, limit: int = 500) -> list[Operation]:
        """Cases of ``department`` (every department with None), oldest first,
        with their personal data left sealed (reviewers' lists show none)."""
        query = (select(operations.c.snapshot)
                 .order_by(operations.c.received, operations.c.number).limit(limit))
        if department is not None:
            query = query.where(operations.c.department == department)
        with self.store._read() as conn:
            return [decode(row.snapshot, {}) for row in conn.execute(query)]

    def register(self) -> list[RegisterEntry]:
        """Every authorisation, newest term first: the public register."""
        query = (select(operations.c.snapshot, operations.c.organisation)
                 .where(operations.c.state == OpState.AUTHORISED.value)
                 .order_by(operations.c.authorised_from.desc(), operations.c.number))
        with self.store._read() as conn:
            rows = list(conn.execute(query))
        out = []
        for row in rows:
            case = decode(row.snapshot, {})
            scope, decision = case.authorisation, case.decision
            assert scope is not None and decision is not None
            out.append(RegisterEntry(
                case.number, row.organisation, case.application.scenario_title,
                case.application.department, scope.datasets, scope.fields, scope.start,
                scope.end, decision.on, len(case.feedback)))
        return out
