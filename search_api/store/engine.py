"""Engines for the two databases, set up for durability and concurrency.

SQLite (a file; several processes may open it):

- ``journal_mode=WAL``: readers never block the writer nor the writer them;
- ``synchronous=FULL``: a commit is on disk when it returns, even in WAL mode
  (``NORMAL`` for the engine of volatile writes, see :func:`make_engine`);
- ``busy_timeout`` 30 s: a writer waits for another instead of failing;
- ``foreign_keys=ON``;
- every write transaction starts with ``BEGIN IMMEDIATE``: it takes the write
  lock at the start, so two writers never both read and then fail to upgrade
  (SQLITE_BUSY with no retry); reads use a deferred ``BEGIN``;
- before that, a writer queues at the database's gate
  (:mod:`search_api.store.write_gate`): woken when it is free, instead of
  SQLite's sleep-and-retry that starves some writers under load.

PostgreSQL: the default READ COMMITTED with explicit row locks where a read
decides a write (see :mod:`search_api.store.store`); commits are durable
with the server's default ``synchronous_commit=on``. A pooled connection is
pinged when it is taken after lying idle for :data:`PING_AFTER_IDLE_S`
(a dead one is replaced before any statement is sent) and replaced after
:data:`PG_RECYCLE_S`; a busy worker's connections are not pinged at every
checkout (``pool_pre_ping`` made a round trip per transaction, issue #17).

Both: each engine keeps :data:`POOL_SIZE` connections for reuse (at least
a worker's threads).
"""

from __future__ import annotations

import importlib.util
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, exc, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from search_api.store import write_gate

BUSY_TIMEOUT_MS = 30_000
READ = {"sqlite_begin": "DEFERRED"}
"""Execution options of a read-only connection."""
PING_AFTER_IDLE_S = 2.0
"""PostgreSQL: a pooled connection idle for longer is pinged before use."""
PG_RECYCLE_S = 1800
"""PostgreSQL: a pooled connection older than this is closed and replaced."""
POOL_SIZE = 10
"""Connections each engine keeps open for reuse: at least a worker's threads
(8 as deployed). SQLAlchemy's default of 5 made every use beyond five at once
open a connection and close it afterwards: on PostgreSQL ≈ 10 new server
processes a second under load, each with cold caches (issue #17)."""
MAX_OVERFLOW = 5
"""Connections opened beyond :data:`POOL_SIZE` at once (closed when given
back): with it, the most at once stays SQLAlchemy's default (5 + 10)."""
_RETURNED = "portal_returned_at"


def parse_url(url: str | URL) -> URL:
    """``url`` as an SQLAlchemy URL; ``postgres://`` is read as ``postgresql://``.

    Raises:
        ValueError: neither SQLite nor PostgreSQL, or an in-memory SQLite database.
    """
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        if not u.database or u.database == ":memory:":
            raise ValueError("the store needs an SQLite file, e.g. sqlite:///var/portal.sqlite3 "
                             "(an in-memory database is not shared between connections)")
    elif backend != "postgresql":
        raise ValueError(f"unsupported database {backend!r}: use sqlite:///path or "
                         "postgresql://user@host/db")
    elif u.drivername == "postgresql":
        # SQLAlchemy 2.1 defaults to psycopg 3; the project ships psycopg2.
        for module, driver in (("psycopg2", "postgresql+psycopg2"), ("psycopg", "postgresql+psycopg")):
            if importlib.util.find_spec(module) is not None:
                return u.set(drivername=driver)
    return u


def make_engine(url: str | URL, *, durable: bool = True) -> Engine:
    """An engine for ``url``. On SQLite, ``durable=False`` makes one whose
    commits do not wait for the disk (``synchronous=NORMAL``: still atomic
    and consistent, and kept when the process is killed, but the last ones
    may be lost when the machine loses power); on PostgreSQL, one whose
    sessions have ``synchronous_commit=off`` (the same guarantees)."""
    u = parse_url(url)
    if u.get_backend_name() == "sqlite":
        assert u.database is not None
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000,
                                                "check_same_thread": False,
                                                "factory": write_gate.GatedConnection},
                               pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW,
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_connect if durable else _sqlite_connect_volatile)
        event.listen(engine, "connect", lambda dbapi_connection, record: write_gate.attach(
            dbapi_connection, str(u.database)))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # hide_parameters: a failed statement's values (sealed or not) never reach a log.
    engine = create_engine(u, pool_recycle=PG_RECYCLE_S, pool_size=POOL_SIZE,
                           max_overflow=MAX_OVERFLOW, hide_parameters=True)
    event.listen(engine, "checkin", _returned)
    event.listen(engine, "checkout", _ping_if_idle)
    if not durable:
        event.listen(engine, "connect", _pg_connect_volatile)
    return engine


def _returned(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_RETURNED] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
    """Ping a connection that lay idle in the pool for over
    :data:`PING_AFTER_IDLE_S` (a new or busy one is not pinged).

    Raises:
        sqlalchemy.exc.DisconnectionError: it is dead; the pool then drops
            it and checks out another (a fresh one when all are dead).
    """
    returned = record.info.get(_RETURNED)
    if returned is None or time.monotonic() - returned <= PING_AFTER_IDLE_S:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as error:  # any failure of the ping: a connection not to use
        raise exc.DisconnectionError(f"pooled connection is dead: {error.__class__.__name__}") \
            from error


def _pg_connect_volatile(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # A commit returns before its WAL record is flushed (still atomic, and
    # flushed before any later commit that waits for the disk).
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SET synchronous_commit TO off")
    finally:
        cursor.close()
    dbapi_connection.commit()  # a session setting, kept past this transaction


def _sqlite_connect(dbapi_connection: Any, record: ConnectionPoolEntry,
                    synchronous: str = "FULL") -> None:
    # Let the "begin" listener emit BEGIN itself (pysqlite's own is deferred).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _set_wal(cursor)
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _set_wal(cursor: Any) -> None:
    """Switch the database to WAL (a no-op once it is), trying again within
    the busy timeout while another connection writes.

    Raises:
        sqlite3.OperationalError: still locked after the busy timeout, or
            another failure.
    """
    # A fresh file (rollback journal) is switched by the first connection;
    # while another process holds a write transaction on it (gunicorn's
    # workers starting together, each migrating), SQLite answers "database is
    # locked" at once, without waiting in the busy handler: a worker failed
    # to boot (seen in bench.load, issue #17).
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_connect_volatile(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    _sqlite_connect(dbapi_connection, record, "NORMAL")


def _sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get("sqlite_begin", "IMMEDIATE") != "IMMEDIATE":
        conn.exec_driver_sql("BEGIN")
        return
    # A writer queues at the database's gate first (search_api.store.write_gate).
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, write_gate.GatedConnection):
        dbapi_connection.take_gate(BUSY_TIMEOUT_MS / 1000)
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if isinstance(dbapi_connection, write_gate.GatedConnection):
            dbapi_connection.drop_gate()
        raise


def pg_search_path(u: URL) -> list[str]:
    """The schemas of ``-csearch_path=...`` in the URL's ``options`` query, if any."""
    options = u.query.get("options", "")
    text = options if isinstance(options, str) else " ".join(options)
    for part in text.split():
        for prefix in ("-csearch_path=", "--search_path=", "-c search_path="):
            if part.startswith(prefix):
                return [s.strip().strip('"') for s in part[len(prefix):].split(",") if s.strip()]
    return []
