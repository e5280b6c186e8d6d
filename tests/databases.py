"""Test databases, fast: the store's migration runs once per test process,
and each test gets a copy of the migrated database.

- SQLite: the migrated file is copied into the test's ``tmp_path``.
- PostgreSQL: each test still gets a schema of its own, created by replaying
  the statements that alembic ran when it migrated a first schema (recorded
  once per process), in one transaction: the same tables, triggers and rows,
  without alembic's start-up cost. Schemas are dropped at the end of the
  session (one round trip for many, not one per test).

An *empty* database (for tests of the migration itself) is still to be had:
``fresh_database_url(..., migrated=False)``.

PostgreSQL tests are skipped, with the reason, only when the server cannot be
reached; PORTAL_TEST_POSTGRES_URL overrides the default
``postgresql://postgres@127.0.0.1:5432/test``.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text

from search_api.store import migrate
from search_api.store.engine import make_engine, parse_url

BOTH_DBS = ["sqlite", "postgresql"]
PG_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

# Schemas made by this process, dropped at the end of the session.
_SCHEMAS: list[str] = []


@functools.cache
def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    engine = create_engine(parse_url(PG_URL), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"PostgreSQL at {PG_URL} is unreachable: {type(exc).__name__}: {exc}".strip()
    finally:
        engine.dispose()
    return None


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``schema`` as its search path and, in these throwaway
    databases, commits that do not wait for the server's disk
    (``synchronous_commit=off``: as atomic and as visible to the other
    sessions; only a crash of the server itself could lose the last ones)."""
    options = f"-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    return f"{url}{'&' if '?' in url else '?'}options={options}"


@functools.cache
def _admin() -> Engine:
    """One connection pool per process for creating and dropping schemas."""
    return create_engine(parse_url(PG_URL))


@functools.cache
def _sqlite_template() -> Path:
    """An SQLite file migrated to head (once per process)."""
    folder = Path(tempfile.mkdtemp(prefix="portal-test-template-"))
    target = folder / "portal.sqlite3"
    engine = make_engine(f"sqlite:///{target}")
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()  # the last connection checkpoints the WAL into the file
    # The writers' gate (search_api/store/write_gate.py) is an empty lock
    # file, not part of the database.
    leftovers = [p.name for p in folder.iterdir()
                 if p != target and p.name != f"{target.name}-gate"]
    assert not leftovers, f"the migrated template is not one file: {leftovers}"
    return target


Statement = tuple[str, Any]


@functools.cache
def _pg_migration() -> tuple[Statement, ...]:
    """The statements (with parameters) that alembic runs to migrate an empty
    PostgreSQL schema to head, minus its reads (version and catalogue lookups,
    the advisory lock): recorded once per process on a scratch schema."""
    schema = _new_schema("template")
    engine = make_engine(with_schema(PG_URL, schema))
    recorded: list[Statement] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any,
               context: Any, executemany: bool) -> None:
        recorded.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    writes = [(s.strip().rstrip(";"), p) for s, p in recorded
              if not s.lstrip().upper().startswith(("SELECT", "SHOW"))]
    assert any("alembic_version" in s for s, _ in writes), "alembic wrote no version"
    # Statements without parameters go to the server together (one round
    # trip for many), in their order.
    batched: list[Statement] = []
    for statement, parameters in writes:
        if not parameters and batched and not batched[-1][1]:
            batched[-1] = (f"{batched[-1][0]};\n{statement}", None)
        else:
            batched.append((statement, parameters or None))
    return tuple(batched)


def _new_schema(prefix: str) -> str:
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _admin().begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    _SCHEMAS.append(schema)
    return schema


def _migrated_schema(prefix: str) -> str:
    """A new schema holding what the migration makes (see :func:`_pg_migration`)."""
    statements = _pg_migration()
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _admin().begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
        for statement, parameters in statements:
            conn.exec_driver_sql(statement, parameters)
    _SCHEMAS.append(schema)
    return schema


def drop_schemas() -> None:
    """Drop the schemas this process made (a few per statement: one DROP of
    hundreds would need more locks than the server allows a transaction)."""
    if not _SCHEMAS:
        return
    while _SCHEMAS:
        batch, _SCHEMAS[:] = _SCHEMAS[:5], _SCHEMAS[5:]
        names = ", ".join(f'"{s}"' for s in batch)
        with _admin().begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {names} CASCADE"))
    _admin().dispose()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--all-dbs", action="store_true",
                     default=os.environ.get("PORTAL_TEST_ALL_DBS") == "1",
                     help="run every service test on SQLite and PostgreSQL, not only "
                          "those marked both_dbs (PORTAL_TEST_ALL_DBS=1)")


# The fixture that the hook below parametrises, by its file and name
# (tests/hostile imports it too; pytest may import a conftest under
# another module name).
SERVICE_DATABASE_FIXTURE = (Path(__file__).parent / "api" / "conftest.py", "database_url")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The service's ``database_url`` (tests/api/conftest.py) on SQLite only,
    unless the test is marked both_dbs (or --all-dbs is given). A test's own
    parametrisation of it, or another fixture of that name, is left alone."""
    if "database_url" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        if "database_url" in (names.split(",") if isinstance(names, str) else names):
            return
    definitions = metafunc._arg2fixturedefs.get("database_url", ())
    func = definitions[-1].func if definitions else None
    code = getattr(func, "__code__", None)
    if code is None or (Path(code.co_filename), code.co_name) != SERVICE_DATABASE_FIXTURE:
        return
    both = (metafunc.config.getoption("--all-dbs")
            or metafunc.definition.get_closest_marker("both_dbs") is not None)
    metafunc.parametrize("database_url", BOTH_DBS if both else ["sqlite"], indirect=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _SCHEMAS:
        drop_schemas()


@contextmanager
def fresh_database_url(backend: str, tmp_path: Path, prefix: str, *,
                       migrated: bool = False) -> Iterator[str]:
    """A database of its own: an SQLite file in ``tmp_path``, or a new
    PostgreSQL schema; empty, or with ``migrated`` at the head revision.
    Skips, saying why, when PostgreSQL is unreachable."""
    if backend == "sqlite":
        path = tmp_path / "portal.sqlite3"
        if migrated:
            shutil.copyfile(_sqlite_template(), path)
        yield f"sqlite:///{path}"
        return
    reason = postgres_unreachable()
    if reason is not None:
        print(reason)
        pytest.skip(reason)
    schema = _migrated_schema(prefix) if migrated else _new_schema(prefix)
    yield with_schema(PG_URL, schema)
