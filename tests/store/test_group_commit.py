"""Group commit of filings (issue #17, search_api/store/group_commit.py) on
SQLite and PostgreSQL: the filings waiting for the writer are written in
one transaction, each all or nothing, and none is answered before the
transaction that holds it is committed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from search_api.store import Filing, Store
from search_api.store.idempotency import IdempotencyKey, IdempotencyKeyTaken, key_hash
from search_api.store.schema import outbox, requests
from tests.store.conftest import FAST_HASHER
from tests.store.store_helpers import APPLICANT, T0, P, application, d, together

DAY = date(2026, 3, 2)


def build(number: str) -> Filing:
    return Filing(P.submit(application(), number=number, on=d(2), actor=APPLICANT), "hash")


def file(store: Store, make: Callable[[str], Filing] = build) -> Any:
    """A filing's request, or the exception it raised."""
    try:
        return store.file_request(DAY, make, actor=APPLICANT, at=T0)
    except Exception as error:  # the caller looks at it
        return error


def queued(store: Store, calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` (each from a thread of its own, each waiting for the
    writer) while the writer is held, so that they all wait and go in one
    batch; their results (value or exception) in order of ``calls``."""
    release, held = threading.Event(), threading.Event()

    def hold(conn: Any) -> None:
        held.set()
        release.wait(10)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            results[i] = call()
        except Exception as error:  # the caller looks at it
            results[i] = error

    holder = threading.Thread(target=store.group_commit.run, args=(hold,))
    holder.start()
    assert held.wait(10)
    results: list[Any] = [None] * len(calls)
    threads = []
    for i, call in enumerate(calls):
        # One at a time, so that the batch's order is the order of ``calls``.
        threads.append(threading.Thread(target=run, args=(i, call)))
        threads[-1].start()
        deadline = time.monotonic() + 10
        while store.group_commit.waiting < i + 1 and time.monotonic() < deadline:
            time.sleep(0.001)
    assert store.group_commit.waiting == len(calls)
    release.set()
    for t in [holder, *threads]:
        t.join(10)
    return results


def in_one_batch(store: Store, makes: list[Callable[[str], Filing]]) -> list[Any]:
    """One filing per ``makes``, all in one batch (:func:`queued`)."""
    return queued(store, [lambda make=make: file(store, make) for make in makes])


def test_waiting_filings_go_in_one_transaction_in_order(store: Store) -> None:
    sizes: list[int] = []
    store.group_commit.on_commit = sizes.append
    filed = in_one_batch(store, [build] * 6)
    assert sizes == [1, 6]  # the held job alone, then the six together
    assert [r.number for r in filed] == [f"YH-20260302-{i:04d}" for i in range(1, 7)]
    assert [s.number for s in store.list_requests()] == [r.number for r in filed]
    records = store.audit_records()
    assert [r.subject for r in records] == [r.number for r in filed for _ in r.events]
    assert store.verify_audit() == []


def test_a_failing_filing_does_not_sink_its_batch(store: Store) -> None:
    key = IdempotencyKey(key_hash("same"), "body", {"ok": True})

    def keyed(number: str) -> Filing:
        return Filing(build(number).request, "hash", key)

    def broken(number: str) -> Filing:
        raise RuntimeError("the answer could not be made")

    results = in_one_batch(store, [build, keyed, broken, keyed, build])
    assert isinstance(results[2], RuntimeError)
    assert isinstance(results[3], IdempotencyKeyTaken)  # the same key twice in one batch
    kept = [results[i].number for i in (0, 1, 4)]
    # The failed ones' numbers were rolled back with them: no gaps.
    assert kept == ["YH-20260302-0001", "YH-20260302-0002", "YH-20260302-0003"]
    assert [s.number for s in store.list_requests()] == kept
    assert {r.subject for r in store.audit_records()} == set(kept)
    assert store.verify_audit() == []


def test_a_database_error_in_a_job_is_rolled_back_alone(store: Store) -> None:
    """On PostgreSQL an error aborts the transaction: the savepoint saves the rest."""
    def failing(conn: Any) -> None:
        conn.execute(insert(requests).values(number="YH-x"))  # NOT NULL columns missing

    error, filed = queued(store, [lambda: store.group_commit.run(failing), lambda: file(store)])
    assert isinstance(error, Exception) and filed.number == "YH-20260302-0001"
    assert [s.number for s in store.list_requests()] == ["YH-20260302-0001"]
    assert store.verify_audit() == []


def test_a_failed_commit_answers_every_filing_of_the_batch_with_its_error(store: Store) -> None:
    if store.backend != "sqlite":
        pytest.skip("PostgreSQL checks these foreign keys at once, not at the commit")

    def poison(conn: Any) -> None:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        conn.execute(insert(outbox).values(
            created_at=T0, kind="x", recipient_role="authority", recipient="a", subject="s",
            body="b", request_number="YH-missing", status="pending", attempts=0))

    error, filed = queued(store, [lambda: store.group_commit.run(poison), lambda: file(store)])
    assert isinstance(error, Exception) and isinstance(filed, Exception)
    assert "FOREIGN KEY" in str(filed)
    assert store.list_requests() == []
    assert file(store).number == "YH-20260302-0001"  # the writer goes on
    assert store.verify_audit() == []


def test_concurrent_filings_are_durable_distinct_and_answered_after_their_commit(
        url: str) -> None:
    """Sixteen threads over two stores (two workers' pools): every number is
    distinct and stored, the chain intact, and at every commit another
    connection already sees every request answered before it."""
    stores = [Store.open(url, password_hasher=FAST_HASHER) for _ in range(2)]
    observer = Store.open(url, password_hasher=FAST_HASHER)
    try:
        stores[0].migrate()
        answered: list[str] = []
        lock = threading.Lock()
        late: list[str] = []

        def committed(size: int) -> None:
            # Everything answered so far must be visible to another connection.
            with lock:
                told = list(answered)
            with observer.engine.connect() as conn:
                stored = set(conn.execute(select(requests.c.number)).scalars())
            late.extend(n for n in told if n not in stored)

        for s in stores:
            s.group_commit.on_commit = committed

        def work(i: int) -> list[str]:
            numbers = []
            for _ in range(10):
                number = stores[i % 2].file_request(DAY, build, actor=APPLICANT, at=T0).number
                with lock:
                    answered.append(number)
                numbers.append(number)
            return numbers

        batches = together(16, work)
        numbers = sorted(n for batch in batches for n in batch)
        assert numbers == [f"YH-20260302-{i:04d}" for i in range(1, 161)]
        assert late == []
        with observer.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM requests")).scalar_one() == 160
        assert observer.verify_audit() == []
        written = sum(s.group_commit.jobs for s in stores)
        assert written == 160
    finally:
        for s in [*stores, observer]:
            s.close()


class Interrupted(Exception):
    pass


def test_an_interrupted_waiter_neither_stops_the_writes_nor_is_written(store: Store) -> None:
    """A caller interrupted while it waits (here the main thread by a
    signal, as Ctrl-C or a worker's exit would) withdraws its filing, and
    the next one is still written: the lead is not handed to nobody."""
    import signal

    release, held = threading.Event(), threading.Event()

    def hold(conn: Any) -> None:
        held.set()
        release.wait(10)

    holder = threading.Thread(target=store.group_commit.run, args=(hold,))
    holder.start()
    assert held.wait(10)
    after: list[Any] = []

    def file_after_the_main_thread() -> None:
        deadline = time.monotonic() + 10
        while store.group_commit.waiting < 1 and time.monotonic() < deadline:
            time.sleep(0.001)
        after.append(file(store))

    other = threading.Thread(target=file_after_the_main_thread)
    other.start()

    def interrupt(signum: int, frame: Any) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    threading.Timer(0.6, release.set).start()
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(Interrupted):
            store.file_request(DAY, build, actor=APPLICANT, at=T0)  # waits behind the holder
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    other.join(10)
    holder.join(10)
    assert not other.is_alive(), "the filing behind the interrupted one was never written"
    assert [r.number for r in store.list_requests()] == [after[0].number]
    assert store.verify_audit() == []
