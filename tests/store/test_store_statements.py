"""The statements of a filing are compiled once and cost few round trips
(issue #17), on SQLite and PostgreSQL: after a first filing every statement
of the next ones comes from SQLAlchemy's compiled cache; the outbox rows and
(PostgreSQL) the audit records with the chain head go in one round trip
each, and on PostgreSQL the request's row, events and messages in one; a pooled PostgreSQL connection is pinged only after lying idle, and
a dead one is replaced before the write that takes it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.pool import NullPool

from search_api.store import Filing, Store, direct
from search_api.store import engine as store_engine
from search_api.store.outbox_store import insert_messages
from search_api.store.receipts import Wanted
from search_api.store.records import OutboxMessage
from search_api.store.schema import outbox
from tests.store.store_helpers import APPLICANT, T0, P, application, d

DAY = date(2026, 3, 2)


def build(number: str) -> Filing:
    return Filing(P.submit(application(), number=number, on=d(2), actor=APPLICANT),
                  "code-hash", None)


def executed(store: Store) -> list[tuple[str, Any]]:
    """(SQL, cache outcome) of every statement the store's engines run from now on."""
    seen: list[tuple[str, Any]] = []
    for engine in (store.engine, store._volatile):
        event.listen(engine, "after_cursor_execute",
                     lambda conn, cursor, sql, params, context, many: seen.append(
                         (sql, context.cache_hit if context.compiled is not None else None)))
    return seen


def test_a_filing_compiles_nothing_after_the_first(store: Store) -> None:
    seen = executed(store)  # listened to: every statement through SQLAlchemy
    store.file_request(DAY, build, actor=APPLICANT, at=T0)
    seen.clear()
    for _ in range(3):
        store.file_request(DAY, build, actor=APPLICANT, at=T0)
    compiled = [(sql, hit) for sql, hit in seen if hit is not None]
    assert compiled, seen
    missed = [sql for sql, outcome in compiled if outcome is not CacheStats.CACHE_HIT]
    assert missed == []
    assert store.verify_audit() == []


def test_unobserved_filings_and_reads_plan_nothing_after_the_first(store: Store) -> None:
    """Without listeners the hot statements go to the driver (search_api.store.direct),
    each planned once: later filings and status reads plan nothing."""
    first = store.file_request(DAY, build, actor=APPLICANT, at=T0)
    store.load_if(first.number, lambda stored: stored == "code-hash")
    plans = dict(direct._PLANS)
    for _ in range(3):
        filed = store.file_request(DAY, build, actor=APPLICANT, at=T0)
        assert store.load_if(filed.number, lambda stored: stored == "code-hash") is not None
    assert direct._PLANS == plans
    assert store.verify_audit() == []


def test_outbox_rows_and_audit_records_go_in_one_round_trip_each(store: Store) -> None:
    seen = executed(store)
    filed = store.file_request(DAY, build, actor=APPLICANT, at=T0)
    with store.engine.connect() as conn:
        messages = conn.execute(select(outbox.c.id)).all()
    assert len(messages) >= 1
    inserts = [sql for sql, _ in seen if "INSERT INTO" in sql and "audit_log" not in sql
               and "receipt_counters" not in sql]
    if store.backend == "postgresql":  # the request, its events and messages: one statement
        assert len(inserts) == 1
        assert all(f'INSERT INTO "{t}"' in inserts[0]
                   for t in ("requests", "request_events", "outbox"))
    else:
        assert sum(sql.startswith("INSERT INTO outbox") for sql in inserts) == 1
    appends = [sql for sql, _ in seen if "INSERT INTO audit_log" in sql]
    assert len(appends) == 1
    if store.backend == "postgresql":  # with the new chain head
        assert "UPDATE audit_head" in appends[0]
    assert [r.subject for r in store.audit_records()] == [filed.number] * len(filed.events)
    assert store.verify_audit() == []


def test_several_messages_are_one_insert_and_a_queued_key_is_left_out(store: Store) -> None:
    def message(key: str) -> OutboxMessage:
        return OutboxMessage(kind="notice", recipient_role="authority", recipient="authority",
                             subject="主题", body="正文", request_number=None, dedupe_key=key)

    seen = executed(store)
    with store.engine.begin() as conn:
        insert_messages(conn, [message("a"), message("b"), message("c")], T0)
    with store.engine.begin() as conn:
        insert_messages(conn, [message("b"), message("d")], T0)
    assert sum(sql.startswith("INSERT INTO outbox") for sql, _ in seen) == 2
    with store.engine.connect() as conn:
        keys = conn.execute(select(outbox.c.dedupe_key).order_by(outbox.c.id)).scalars().all()
    assert keys == ["a", "b", "c", "d"]


def test_a_dead_idle_postgresql_connection_is_replaced_before_a_filing(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    if store.backend != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    store.file_request(DAY, build, actor=APPLICANT, at=T0)  # a connection in each pool
    pids = []
    for engine in (store.engine, store._volatile):
        with engine.connect() as conn:
            pids.append(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    killer = create_engine(store.url, poolclass=NullPool)  # not from the store's pools
    with killer.begin() as conn:
        for pid in pids:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    monkeypatch.setattr(store_engine, "PING_AFTER_IDLE_S", -1.0)  # every idle one counts as idle
    filed = store.file_request(DAY, build, actor=APPLICANT, at=T0)
    assert filed.number.endswith("-0002")
    assert len(store.list_requests()) == 2
    assert store.verify_audit() == []


def test_a_batch_that_fails_nowhere_sets_no_savepoint(store: Store) -> None:
    seen = executed(store)
    store.file_request(DAY, build, actor=APPLICANT, at=T0)
    assert not [sql for sql, _ in seen if "SAVEPOINT" in sql]
    assert len(store.list_requests()) == 1


def test_a_postgresql_read_holds_no_transaction(store: Store) -> None:
    """A plain read runs its statements without BEGIN and COMMIT (autocommit);
    a snapshot read stays one REPEATABLE READ transaction."""
    if store.backend != "postgresql":
        pytest.skip("an SQLite read is a snapshot transaction, in the process")
    from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INTRANS

    with store._read() as conn:
        conn.execute(text("SELECT 1")).scalar_one()
        assert conn.connection.dbapi_connection.get_transaction_status() \
            == TRANSACTION_STATUS_IDLE
    with store._read(snapshot=True) as conn:
        conn.execute(text("SELECT 1")).scalar_one()
        assert conn.connection.dbapi_connection.get_transaction_status() \
            == TRANSACTION_STATUS_INTRANS
    with store.engine.begin() as conn:  # a write after a read is a transaction again
        conn.execute(text("SELECT 1")).scalar_one()
        assert conn.connection.dbapi_connection.get_transaction_status() \
            == TRANSACTION_STATUS_INTRANS


def test_a_postgresql_filing_takes_its_number_with_its_count(store: Store) -> None:
    """The rate-limit hit's row lock and the receipt number: one statement;
    a count that refuses takes no number."""
    if store.backend != "postgresql":
        pytest.skip("SQLite takes the number in the filing's own transaction")
    from search_api.store.rate_store import StoreCounters

    counters = StoreCounters(store)

    def count(limit: int) -> Any:
        def hit(conn: Any, wanted: Wanted) -> str:
            taken = counters.hit_and_number_in(conn, "public_write", "client", 1e9, 3600,
                                               limit, wanted)
            if taken is None:
                raise LookupError("limit reached")
            return taken
        return hit

    seen = executed(store)
    filed = store.file_request(DAY, build, actor=APPLICANT, at=T0, count=count(5))
    numbers = [sql for sql, _ in seen if "receipt_counters" in sql]
    assert len(numbers) == 1 and "INSERT INTO rate_hits" in numbers[0]
    with pytest.raises(LookupError):
        store.file_request(DAY, build, actor=APPLICANT, at=T0, count=count(1))
    again = store.file_request(DAY, build, actor=APPLICANT, at=T0)  # no count: its own statement
    assert [filed.number, again.number] == ["YH-20260302-0001", "YH-20260302-0002"]
    assert counters.count("public_write", "client", 1e9, 3600) == 1


def test_a_status_read_with_its_attempts_check_is_one_statement(store: Store) -> None:
    """The client's count and the request: one round trip; the count is
    judged before the access code is compared, whether or not the request
    exists."""
    from search_api.store.rate_store import CountCheck, StoreCounters

    filed = store.file_request(DAY, build, actor=APPLICANT, at=T0)
    counters = StoreCounters(store)
    for _ in range(2):
        counters.hit("secret_attempt", "client", 1e9, 900)
    compared: list[str | None] = []

    def opens(stored: str | None) -> bool:
        compared.append(stored)
        return stored == "code-hash"

    def check(limit: int) -> CountCheck:
        def refuse(count: int) -> None:
            if count >= limit:
                raise LookupError(count)
        return CountCheck("secret_attempt", "client", 1e9 + 1, 900, refuse)

    seen = executed(store)
    found = store.load_if(filed.number, opens, check=check(3))
    assert found is not None and found[0] == filed and found[1] == 1
    statements = [sql for sql, _ in seen if sql != "BEGIN"]  # SQLite: a deferred BEGIN
    assert len(statements) == 1 and "rate_hits" in statements[0] and "requests" in statements[0]
    assert store.load_if("YH-20260302-9999", opens, check=check(3)) is None
    with pytest.raises(LookupError, match="2"):
        store.load_if(filed.number, opens, check=check(2))
    with pytest.raises(LookupError, match="2"):
        store.load_if("YH-20260302-9999", opens, check=check(2))
    assert compared == ["code-hash", None]
    late = CountCheck("secret_attempt", "client", 1e9 + 901, 900, check(1).refuse)
    assert store.load_if(filed.number, opens, check=late) is not None  # the window has passed
    nobody = CountCheck("secret_attempt", "other", 1e9, 900, check(1).refuse)
    assert store.load_if(filed.number, opens, check=nobody) is not None  # no row: no count


def test_a_worker_s_threads_at_once_reuse_their_connections(store: Store) -> None:
    """Eight threads (a worker's, as deployed) using each engine at once get
    pooled connections the second time: none is opened again (with five
    kept, three were opened and closed at every such moment, issue #17)."""
    threads = 8
    opened: list[object] = []
    for engine in (store.engine, store._volatile):
        event.listen(engine, "connect", lambda dbapi, record: opened.append(record))
    barrier = threading.Barrier(threads)

    def use(engine: Any) -> None:
        with engine.connect() as conn:
            conn.execution_options(**store_engine.READ)  # SQLite: no write lock
            conn.execute(text("SELECT 1")).scalar_one()
            barrier.wait(timeout=30)  # all eight held at once

    for engine in (store.engine, store._volatile):
        for _ in range(2):
            opened.clear()
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(use, [engine] * threads))
        assert opened == []  # the second time, all eight came from the pool
