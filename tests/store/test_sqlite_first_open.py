"""A fresh SQLite database opened while another connection writes to it:
the switch to WAL waits for the writer instead of failing (two gunicorn
workers starting together on a new database, each migrating, made one fail
to boot with "database is locked")."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from search_api.store.engine import make_engine


def test_a_connection_opened_while_another_writes_a_fresh_file_waits_for_it(
        tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE t (x INTEGER)")
    writer.execute("BEGIN IMMEDIATE")  # a migration's write transaction, still open
    writer.execute("INSERT INTO t VALUES (1)")
    done = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    done.start()
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    finally:
        done.join()
        engine.dispose()
        writer.close()


def test_a_database_still_locked_after_the_busy_timeout_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from search_api.store import engine as engine_module

    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "held.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (x INTEGER)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    engine = make_engine(f"sqlite:///{path}")
    try:
        with pytest.raises(OperationalError, match="locked"), engine.connect():
            pass
    finally:
        engine.dispose()
        writer.close()
