"""The hash-chained audit log (003 §34): tampering with raw SQL is detected,
and no clear identity number or phone reaches the audit log or the outbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from domain.procedures.requests import Request
from search_api.store import Store
from search_api.store.audit import record_hash
from search_api.store.schema import audit_log
from tests.store.store_helpers import (
    APPLICANT,
    FULL_STEPS,
    ID_NUMBER,
    PHONE,
    REVIEWER,
    SYSTEM,
    P,
    d,
    submitted,
)
from tests.store.store_helpers import Clock as Tick


def five_records(store: Store, clock: Tick) -> None:
    for i in range(1, 6):
        store.append_audit(actor=SYSTEM, action="test.record", subject=f"s{i}",
                           detail={"i": i, "text": "审核"}, at=clock())
    assert store.verify_audit() == []


def unguarded(store: Store, backend: str) -> Any:
    """A transaction in which the append-only triggers are off, as an
    attacker with the database owner's rights could do."""
    conn = store.engine.connect()
    conn.begin()
    if backend == "sqlite":
        for table in ("audit_log", "request_events"):
            for what in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER {table}_no_{what}"))
    else:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    return conn


def tamper(store: Store, backend: str, *statements: str) -> list[str]:
    conn = unguarded(store, backend)
    try:
        for sql in statements:
            conn.execute(text(sql))
        conn.commit()
    finally:
        conn.close()
    return store.verify_audit()


def rehash(conn: Connection, seq: int) -> None:
    row = conn.execute(select(audit_log).where(audit_log.c.seq == seq)).one()
    digest = record_hash(at=row.at, actor_role=row.actor_role, actor=row.actor, action=row.action,
                         subject=row.subject, detail=row.detail, prev_hash=row.prev_hash)
    conn.execute(text("UPDATE audit_log SET hash = :h WHERE seq = :s"), {"h": digest, "s": seq})


def test_an_altered_record_is_detected(store: Store, clock: Tick, backend: str) -> None:
    five_records(store, clock)
    problems = tamper(store, backend,
                      "UPDATE audit_log SET detail = replace(detail, '审核', '通过') WHERE seq = 3")
    assert problems == ["record 3 was altered: its content does not match its hash"]


def test_an_altered_actor_is_detected(store: Store, clock: Tick, backend: str) -> None:
    five_records(store, clock)
    problems = tamper(store, backend, "UPDATE audit_log SET actor = 'someone' WHERE seq = 1")
    assert problems == ["record 1 was altered: its content does not match its hash"]


def test_an_altered_and_rehashed_record_is_detected(store: Store, clock: Tick,
                                                    backend: str) -> None:
    five_records(store, clock)
    conn = unguarded(store, backend)
    try:
        conn.execute(text("UPDATE audit_log SET subject = 'other' WHERE seq = 2"))
        rehash(conn, 2)
        conn.commit()
    finally:
        conn.close()
    assert store.verify_audit() == [
        "record 3 does not follow record 2 (prev_hash mismatch): a record before it was "
        "removed, replaced or re-hashed"]


def test_a_deleted_record_is_detected(store: Store, clock: Tick, backend: str) -> None:
    five_records(store, clock)
    problems = tamper(store, backend, "DELETE FROM audit_log WHERE seq = 3")
    assert problems == ["record 3 is missing: deleted from the audit log"]


def test_deleted_records_at_the_end_are_detected(store: Store, clock: Tick,
                                                 backend: str) -> None:
    five_records(store, clock)
    problems = tamper(store, backend, "DELETE FROM audit_log WHERE seq >= 4")
    assert problems == ["records 4 to 5 are missing: deleted from the end of the audit log"]


def test_reordered_records_are_detected(store: Store, clock: Tick, backend: str) -> None:
    five_records(store, clock)
    problems = tamper(store, backend,
                      "UPDATE audit_log SET seq = -2 WHERE seq = 2",
                      "UPDATE audit_log SET seq = 2 WHERE seq = 3",
                      "UPDATE audit_log SET seq = 3 WHERE seq = -2")
    assert problems == [
        "record 2 is out of order: it follows record 3, not record 1 (records reordered)",
        "record 3 is out of order: it follows record 1, not record 2 (records reordered)",
        "record 4 is out of order: it follows record 2, not record 3 (records reordered)",
    ]


def test_a_deletion_hidden_by_renumbering_is_detected(store: Store, clock: Tick,
                                                      backend: str) -> None:
    five_records(store, clock)
    problems = tamper(store, backend, "DELETE FROM audit_log WHERE seq = 3",
                      "UPDATE audit_log SET seq = 3 WHERE seq = 4",
                      "UPDATE audit_log SET seq = 4 WHERE seq = 5")
    assert problems == [
        "record 3 does not follow record 2 (prev_hash mismatch): a record before it was "
        "removed, replaced or re-hashed",
        "record 5 is missing: deleted from the end of the audit log",
    ]


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                                 "UPDATE request_events SET actor = 'x'",
                                 "DELETE FROM request_events"])
def test_append_only_tables_refuse_changes(store: Store, clock: Tick, sql: str) -> None:
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(sql))
    assert store.verify_audit() == []


def test_audit_detail_is_masked(store: Store, clock: Tick) -> None:
    store.append_audit(actor=SYSTEM, action="test.note", subject="x", at=clock(),
                       detail={"note": f"身份证{ID_NUMBER}，手机 {PHONE}", "n": [PHONE]})
    (record,) = store.audit_records()
    assert ID_NUMBER not in record.detail and PHONE not in record.detail
    assert "110*************2X" in record.detail and "138******78" in record.detail
    assert store.verify_audit() == []


# --- no clear identity number or phone in logs ------------------------------------------------


def all_text(store: Store, table: str) -> list[str]:
    with store.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table}")).all()
    return [str(value) for row in rows for value in row if value is not None]


def full_procedure_with_personal_data_in_free_text(store: Store, clock: Tick) -> Request:
    steps: list[Callable[[Request], Request]] = list(FULL_STEPS)
    # The applicant writes their phone number into the explanation.
    steps[2] = lambda r: P.answer_explanation(r, actor=APPLICANT, on=d(5),
                                              text=f"用于实时到站预测，请拨打{PHONE}联系")
    req = submitted()
    store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
    version = 1
    for step in steps:
        req = step(req)
        version = store.save(req, expected_version=version, actor=REVIEWER, at=clock())
    return req


def test_no_clear_identity_or_phone_in_audit_log_or_outbox(store: Store, clock: Tick) -> None:
    req = full_procedure_with_personal_data_in_free_text(store, clock)
    assert PHONE in str(req.events[3].data)  # it is in the request's own record...
    for table in ("audit_log", "outbox"):
        values = all_text(store, table)
        assert values, table
        for value in values:  # ...but in no column of the logs
            assert ID_NUMBER not in value and PHONE not in value, (table, value)
    # Events carry the masked identity only.
    assert not any(ID_NUMBER in v for v in all_text(store, "request_events"))
    assert len(store.audit_records()) == len(req.events)
    assert store.verify_audit() == []
