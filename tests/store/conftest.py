"""The store on both databases: every test that takes ``store`` (or ``url``)
runs on SQLite (a file in tmp_path) and on PostgreSQL (a fresh schema per
test, dropped afterwards). PostgreSQL tests are skipped, with the reason,
only when the server cannot be reached; PORTAL_TEST_POSTGRES_URL overrides
the default ``postgresql://postgres@127.0.0.1:5432/test``.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from search_api.store import Store
from search_api.store.engine import parse_url
from tests.store.store_helpers import Clock

PG_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]

# Cheap argon2 parameters for tests; production uses argon2-cffi's defaults.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


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
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@contextmanager
def fresh_database_url(backend: str, tmp_path: Path, prefix: str) -> Iterator[str]:
    """An empty database: an SQLite file in ``tmp_path``, or a new PostgreSQL
    schema (dropped afterwards). Skips, saying why, when PostgreSQL is unreachable."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'portal.sqlite3'}"
        return
    reason = postgres_unreachable()
    if reason is not None:
        print(reason)
        pytest.skip(reason)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(parse_url(PG_URL))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield with_schema(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def url(backend: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database_url(backend, tmp_path, "store_test") as database:
        yield database


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    s = Store.open(url, password_hasher=FAST_HASHER)
    s.migrate()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()
