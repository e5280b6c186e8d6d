"""The service on the sample catalogue: built once, indexed per test app
into a real SQLite search database (embedded engine)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from search_api import create_app
from search_api.indexing import index_catalog
from tests.conftest import REPO, run_build
from tests.store.conftest import fresh_database_url


@pytest.fixture(scope="session")
def sample_site_for_api(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("api-sample") / "site"
    run_build(REPO / "datasets", out)
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The request store on SQLite and on PostgreSQL (a fresh schema per test)."""
    with fresh_database_url(request.param, tmp_path, "api_test") as database:
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


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    index_catalog(app_config)
    application = create_app(app_config)
    yield application
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
