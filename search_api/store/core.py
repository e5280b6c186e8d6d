"""What every part of the :class:`~search_api.store.store.Store` stands on:
its engines, its transactions, its cipher and password hasher, opening,
closing, migrating and backing up the database.

Every public method of the store that writes is one transaction (``_write``),
committed (and on disk) when it returns; ``volatile_write`` is the exception
for state that may lose its last changes (rate-limit counters). Timestamps
come from the caller (``at``, ``now``): the store never reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Self

from argon2 import PasswordHasher
from sqlalchemy import URL, Connection, Engine

from search_api.store import audit, backup, migrate, notify
from search_api.store.engine import READ, make_engine, parse_url
from search_api.store.group_commit import GroupCommit
from search_api.store.passwords import Passwords
from search_api.store.personal import PersonalCipher

DEFAULT_URL = "sqlite:///var/portal.sqlite3"


def aware(at: datetime, name: str = "at") -> datetime:
    """``at`` itself when it carries a time zone.

    Raises:
        ValueError: ``at`` is naive (the store keeps UTC instants only).
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime (UTC), got {at!r}")
    return at


def dialect_insert(conn: Connection, table: Any) -> Any:
    """An INSERT of ``table`` with ``on_conflict_do_*`` for ``conn``'s database."""
    return insert_for(conn.dialect.name, table)


def insert_for(dialect: str, table: Any) -> Any:
    """An INSERT of ``table`` with ``on_conflict_do_*`` for the database
    named ``dialect`` (``postgresql``; anything else is SQLite's)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


class StoreCore:
    """The engines, transactions, personal-data cipher and password hasher of
    a store; every part of :class:`~search_api.store.store.Store` subclasses it."""

    def __init__(self, engine: Engine, url: URL, cipher: PersonalCipher,
                 passwords: Passwords) -> None:
        self._engine = engine
        # The engine of volatile writes (no connection until one is used).
        self._volatile = make_engine(url, durable=False)
        self.url = url
        self._cipher = cipher
        self._passwords = passwords
        # How messages name datasets and link to pages; the service sets it
        # (search_api.service.install), other users keep the codes.
        self.names: notify.Names | None = None
        # The writer of filings in this process (one fsync per batch, issue #17).
        self.group_commit = GroupCommit(self._write, finish=audit.append_prepared)

    @classmethod
    def open(cls, url: str = DEFAULT_URL, *, personal_key: str | None = None,
             password_hasher: PasswordHasher | None = None) -> Self:
        u = parse_url(url)
        return cls(make_engine(u), u, PersonalCipher(personal_key), Passwords(password_hasher))

    @property
    def backend(self) -> Literal["sqlite", "postgresql"]:
        return "sqlite" if self.url.get_backend_name() == "sqlite" else "postgresql"

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()
        self._volatile.dispose()

    def after_fork(self) -> None:
        """Call in a child process (e.g. gunicorn's ``post_fork`` with
        ``--preload``): drops the connections inherited from the parent
        without closing them under the parent's feet."""
        self._engine.dispose(close=False)
        self._volatile.dispose(close=False)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> None:
        """Upgrade the schema to the latest revision (alembic ``upgrade head``);
        a no-op when it is there; safe when several processes start at once."""
        migrate.upgrade(self._engine)

    # --- transactions --------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A durable write transaction: committed (on disk) when the block
        ends, rolled back when it raises."""
        with self._engine.begin() as conn:
            yield conn

    @contextmanager
    def volatile_write(self) -> Iterator[Connection]:
        """A write transaction whose commit does not wait for the disk, for
        state that may lose its last changes when the machine (not the
        process) fails: rate-limit counters. Nothing acknowledged to a user
        may be written here. Atomic and consistent like any transaction, and
        ordered with the durable ones: a later durable commit carries it to
        disk. A second engine: SQLite with ``synchronous=NORMAL`` (WAL mode),
        PostgreSQL with ``synchronous_commit=off``. Saves an fsync per public
        write (issue #17)."""
        with self._volatile.begin() as conn:
            yield conn

    @contextmanager
    def _read(self, *, snapshot: bool = False) -> Iterator[Connection]:
        """A read transaction; with ``snapshot``, every statement in it sees
        the same data (PostgreSQL REPEATABLE READ; an SQLite read
        transaction is a snapshot already). PostgreSQL without ``snapshot``:
        no transaction (autocommit), each statement sees what was committed
        when it began, as in a READ COMMITTED transaction, without the BEGIN
        and COMMIT round trips (two of a status read's four, issue #17)."""
        with self._engine.connect() as conn:
            conn.execution_options(**READ)
            if self.backend != "postgresql":
                with conn.begin():
                    yield conn
                return
            if snapshot:
                conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
                return
            # psycopg2's own switch, not SQLAlchemy's AUTOCOMMIT isolation level:
            # that one costs a round trip (SET default_transaction_isolation)
            # when the connection goes back to the pool.
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.autocommit = True
            try:
                with conn.begin():  # neither BEGIN nor COMMIT is sent
                    yield conn
            finally:
                if not raw.closed:
                    raw.autocommit = False

    # --- backup ----------------------------------------------------------------------------

    def backup(self, target: Path) -> None:
        """A consistent backup to ``target`` while the service runs (SQLite:
        online backup API; PostgreSQL: ``pg_dump --format=custom``).

        Raises:
            BackupError: pg_dump missing or failing; the backup failed its check.
        """
        if self.backend == "sqlite":
            backup.sqlite_backup(self._engine, Path(target))
        else:
            backup.pg_backup(self.url, Path(target))

    @classmethod
    def restore(cls, url: str, source: Path) -> None:
        """Replace the database at ``url`` with the backup ``source``; for a
        stopped service. Open and :meth:`migrate` afterwards as usual.

        Raises:
            BackupError: no such file, not a backup, pg_restore missing or failing.
        """
        u = parse_url(url)
        if u.get_backend_name() == "sqlite":
            assert u.database is not None
            backup.sqlite_restore(u.database, Path(source))
        else:
            backup.pg_restore(u, Path(source))
