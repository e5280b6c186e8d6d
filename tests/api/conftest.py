"""The service on the sample catalogue: built once, indexed once per test
process into a real SQLite search database (embedded engine) that each test
app gets a copy of, with a store database of its own (a migrated copy, see
tests/databases.py).

SQLite and PostgreSQL: a test that takes ``database_url`` (through ``app``
or ``client``) runs on SQLite; it runs on PostgreSQL as well when marked
``both_dbs`` (the slice that keeps every store path of the service running on
PostgreSQL), or in every case with ``--all-dbs`` (PORTAL_TEST_ALL_DBS=1).
The store's own tests (tests/store) always run on both.

Reviewers' passwords are hashed with cheap argon2 parameters here, as in the
store's tests (``cheap_passwords``): the parameters are not what these tests
check, and argon2-cffi's defaults (64 MiB, three passes) made each reviewer
added or signed in cost a fifth of a second of CPU. That a store opened
without parameters uses argon2-cffi's defaults is checked in tests/store.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from search_api import create_app
from search_api.indexing import index_catalog
from search_api.store import core as store_core
from search_api.store.passwords import Passwords
from tests.conftest import REPO
from tests.store.conftest import FAST_HASHER, fresh_database_url, wants_migrated


class _CheapPasswords(Passwords):
    """Real argon2id, with the store tests' cheap parameters unless given others."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        super().__init__(hasher or FAST_HASHER)


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every store this test opens in this process (the app's, the CLI's)
    hashes reviewers' passwords with FAST_HASHER (see the module docstring)."""
    monkeypatch.setattr(store_core, "Passwords", _CheapPasswords)


@pytest.fixture(scope="session")
def sample_site_for_api(built_sample: Path) -> Path:
    """The sample site the service serves (built once per run, read-only)."""
    return built_sample


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The request store on SQLite (and on PostgreSQL, see the module's
    docstring; tests/databases.py parametrises it): a database of its own,
    migrated already when the app will migrate it."""
    backend = getattr(request, "param", None)
    if backend is None:
        # A test meant for both databases that is not parametrised would
        # silently run on SQLite alone: say so instead.
        if request.node.get_closest_marker("both_dbs") is not None \
                or request.config.getoption("--all-dbs", default=False):
            pytest.fail("database_url is not parametrised for a both_dbs test "
                        "(tests/databases.py's hook did not apply)")
        backend = "sqlite"
    with fresh_database_url(backend, tmp_path, "api_test",
                            migrated=wants_migrated(request)) as database:
        yield database


@pytest.fixture
def app_config(sample_site_for_api: Path, tmp_path: Path, database_url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SITE_DIR": str(sample_site_for_api),
        "CATALOG_JSON": str(sample_site_for_api / "catalog.json"),
        "SEARCH_DB": str(tmp_path / "search.sqlite3"),
        "LABELS_FILE": str(tmp_path / "labels.json"),
        "PUBLIC_SITE_URL": "https://data.yunhe.example.gov.cn/",
        "DATABASE_URL": database_url,
        "CATALOG_DIR": str(REPO / "datasets"),
        "MAIL_LOG": str(tmp_path / "mail.log"),
        # The clock is a true boundary: tests fix it (Monday 2026-11-23, 10:00 Beijing).
        "CLOCK": lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
    }


# Search indexes made in this process, by what they depend on.
_INDEXES: dict[tuple[str, ...], Path] = {}


def _index_key(config: Mapping[str, Any]) -> tuple[str, ...] | None:
    """What a search index depends on, or None when it cannot be copied (a
    Meilisearch server, or a search database already there)."""
    catalog = Path(str(config["CATALOG_JSON"]))
    if config.get("MEILI_URL") or not catalog.is_file() or Path(config["SEARCH_DB"]).exists():
        return None
    return (str(catalog), str(catalog.stat().st_mtime_ns), str(config.get("SYNONYMS_FILE") or ""))


def index_once(config: Mapping[str, Any]) -> None:
    """``index_catalog(config)``, done once per process for each catalogue
    and copied after that: the search database and the labels file."""
    key = _index_key(config)
    if key is None:
        index_catalog(config)
        return
    if key not in _INDEXES:
        folder = Path(tempfile.mkdtemp(prefix="portal-test-index-"))
        index_catalog({**config, "SEARCH_DB": str(folder / "search.sqlite3"),
                       "LABELS_FILE": str(folder / "labels.json")})
        _INDEXES[key] = folder
    folder = _INDEXES[key]
    search_db = Path(config["SEARCH_DB"])
    for file in folder.iterdir():  # the database, and its WAL if one is left
        if file.name.startswith("search.sqlite3"):
            shutil.copyfile(file, search_db.with_name(search_db.name + file.name[14:]))
    shutil.copyfile(folder / "labels.json", config["LABELS_FILE"])


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    index_once(app_config)
    application = create_app(app_config)
    yield application
    close_app(application)


def close_app(application: Flask) -> None:
    """Close what a test app holds open: its download counter's writer
    thread (it would outlive the test's database) and the search engine."""
    buffer = application.extensions.get("portal_download_buffer")
    if buffer is not None:
        buffer.close()
    application.extensions["portal_engine"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on a real HTTP server on loopback (for real HTTP clients).

    PUBLIC_SITE_URL is https, so the session cookie is Secure (issue 14);
    this server speaks plain http, where clients would drop such a cookie."""
    app.config["SESSION_COOKIE_SECURE"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
