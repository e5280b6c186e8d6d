"""SQLite's writers queue at a gate (search_api/store/write_gate.py): a
write transaction holds it from BEGIN IMMEDIATE to its end, for the threads
of the process and (a flock) for other processes; reads do not take it."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from search_api.store import write_gate
from search_api.store.engine import READ, make_engine


def held_by_someone(path: str) -> bool:
    """Whether another open file description holds the gate's flock (as another process would)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.fixture
def database(tmp_path: Path) -> str:
    return str(tmp_path / "gate.sqlite3")


def test_a_write_transaction_holds_the_gate_until_it_ends(database: str) -> None:
    durable, volatile = make_engine(f"sqlite:///{database}"), \
        make_engine(f"sqlite:///{database}", durable=False)
    gate = write_gate.gate_for(database)
    try:
        with durable.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            assert held_by_someone(gate.path)
        assert not held_by_someone(gate.path)
        with durable.connect() as conn:
            conn.execution_options(**READ)
            conn.execute(text("SELECT count(*) FROM t")).scalar_one()
            assert not held_by_someone(gate.path)  # a read does not queue
        with pytest.raises(RuntimeError), durable.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            raise RuntimeError("rolled back")
        assert not held_by_someone(gate.path)
        order: list[str] = []
        with durable.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
            # Another engine's writer (the rate-limit counters') waits at the gate...
            other = threading.Thread(target=lambda: _write(volatile, order))
            other.start()
            time.sleep(0.2)
            order.append("first committed")
        other.join(10)
        # ... and goes on as soon as the first one ended.
        assert order == ["first committed", "second wrote"]
        with durable.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 2
    finally:
        durable.dispose()
        volatile.dispose()


def _write(engine: object, order: list[str]) -> None:
    with engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text("INSERT INTO t VALUES (3)"))
        order.append("second wrote")


def test_the_gate_is_per_database_and_per_process(tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.sqlite3"), str(tmp_path / "b.sqlite3")
    assert write_gate.gate_for(a) is write_gate.gate_for(a)
    assert write_gate.gate_for(a) is not write_gate.gate_for(b)
    assert write_gate.gate_for(a).path != write_gate.gate_for(b).path


def test_a_gate_held_by_another_process_fails_after_the_timeout(database: str) -> None:
    """A flock held elsewhere (a process stopped inside a write transaction)
    fails the waiter with a clear error after its timeout instead of stalling
    it; once released, the gate is taken within a few milliseconds."""
    gate = write_gate.gate_for(database)
    holder = os.open(gate.path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        started = time.monotonic()
        with pytest.raises(write_gate.GateTimeout, match="held the write gate"):
            gate.acquire(0.3)
        assert 0.3 <= time.monotonic() - started < 2
        # The thread lock was given back: a waiter gets the gate once the holder lets go.
        threading.Timer(0.2, lambda: fcntl.flock(holder, fcntl.LOCK_UN)).start()
        started = time.monotonic()
        assert gate.acquire(5)
        assert 0.15 < time.monotonic() - started < 0.5
        assert held_by_someone(gate.path)
        gate.release()
        assert not held_by_someone(gate.path)
    finally:
        os.close(holder)
