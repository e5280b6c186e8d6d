"""The store on both databases: every test that takes ``store`` (or ``url``)
runs on SQLite (a file in tmp_path) and on PostgreSQL (a schema of its own).
A test that takes ``store`` starts from a copy of a migrated database; one
that takes only ``url`` gets an empty one (and migrates it itself).
See tests/databases.py for how, and for PORTAL_TEST_POSTGRES_URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from search_api.store import Store
from tests.databases import (  # noqa: F401  (re-exported: tests import them from here)
    PG_URL,
    fresh_database_url,
    postgres_unreachable,
    with_schema,
)
from tests.store.store_helpers import Clock

BACKENDS = ["sqlite", "postgresql"]

# Cheap argon2 parameters for tests; production uses argon2-cffi's defaults.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

# Fixtures that migrate the store anyway: a test that uses one of them gets
# its database migrated already (a copy, see tests/databases.py).
MIGRATING_FIXTURES = frozenset({"store", "app", "make_app"})


def wants_migrated(request: pytest.FixtureRequest) -> bool:
    """Whether the test will migrate its database through a fixture (then
    it is handed a migrated copy; otherwise an empty database)."""
    return not MIGRATING_FIXTURES.isdisjoint(request.fixturenames)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The test's own database: empty, or migrated when ``store`` will use it."""
    with fresh_database_url(backend, tmp_path, "store_test",
                            migrated=wants_migrated(request)) as database:
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
