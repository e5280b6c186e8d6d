"""Security headers on every kind of answer of the service: its own pages
(a CSP with a per-request nonce, never 'unsafe-inline'), the static site it
serves, downloads, JSON, error pages; HSTS and Secure cookies under https."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from search_api import create_app
from tests.api.conftest import close_app, index_once

STATIC_PAGES = ["/", "/catalog/", "/datasets/jtj-0001/", "/statistics/", "/404-nowhere"]
DOWNLOADS = ["/datasets/jtj-0001/bus-stops.csv", "/catalog.json"]
SERVICE_PAGES = ["/apply/rsj-0003", "/requests/status", "/register", "/review/login",
                 "/demands", "/report/jtj-0001", "/consult/"]
API = ["/api/v1/search?q=%E5%85%AC%E4%BA%A4", "/api/v1/statistics/downloads",
       "/api/v1/requests/nope"]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'portal.sqlite3'}"  # headers do not depend on the store


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    index_once(app_config)
    application = create_app(app_config)

    @application.get("/_nonce-probe")
    def _probe() -> str:
        return render_template_string(
            '<script nonce="{{ csp_nonce() }}">1</script><style nonce="{{ csp_nonce() }}">'
            "</style>")

    yield application
    close_app(application)


class _HttpsClient(FlaskClient):
    """Requests as they arrive over https (HSTS is sent on https answers only)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", "https://localhost")
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = _HttpsClient
    return app.test_client()


def _common(headers: Any) -> None:
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    policy = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors" in policy and headers["X-Frame-Options"] in ("DENY", "SAMEORIGIN")


def _no_inline_code(html: str, nonce: str | None) -> None:
    """Nothing the policy would block: no style attributes, no event-handler
    attributes, no inline script or style without the request's nonce."""
    assert not re.search(r"<[^>]+\sstyle=", html), re.findall(r"<[^>]+\sstyle=[^>]*>", html)[:3]
    assert not re.search(r"<[^>]+\son[a-z]+=", html)
    for attrs in re.findall(r"<(?:script|style)([^>]*)>", html):
        if "src=" in attrs or re.search(r'type="application/(?:ld\+)?json"', attrs):
            continue
        assert nonce and f'nonce="{nonce}"' in attrs, attrs


def test_service_pages_have_a_nonce_policy(client: Any) -> None:
    nonces = set()
    for path in SERVICE_PAGES:
        answer = client.get(path)
        assert answer.status_code in (200, 404), (path, answer.status_code)
        _common(answer.headers)
        policy = answer.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([A-Za-z0-9_-]+)'", policy)
        assert nonce, (path, policy)
        assert "frame-ancestors 'none'" in policy and answer.headers["X-Frame-Options"] == "DENY"
        _no_inline_code(answer.get_data(as_text=True), nonce.group(1))
        nonces.add(nonce.group(1))
    assert len(nonces) == len(SERVICE_PAGES)  # a fresh nonce per request


def test_templates_get_the_request_nonce(client: Any) -> None:
    answer = client.get("/_nonce-probe")
    nonce = re.search(r"'nonce-([^']+)'", answer.headers["Content-Security-Policy"]).group(1)  # type: ignore[union-attr]
    assert answer.get_data(as_text=True).count(f'nonce="{nonce}"') == 2


def test_static_pages_and_downloads(client: Any) -> None:
    for path in STATIC_PAGES + DOWNLOADS:
        answer = client.get(path)
        assert answer.status_code in (200, 404), (path, answer.status_code)
        _common(answer.headers)
        assert "script-src 'self';" in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
        body = answer.get_data(as_text=True)
        answer.close()  # a file answer holds its file open until closed
        if answer.mimetype == "text/html":
            _no_inline_code(body, None)


def test_api_answers_allow_nothing(client: Any) -> None:
    for path in API:
        answer = client.get(path)
        assert answer.mimetype == "application/json", path
        _common(answer.headers)
        assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_session_cookie_flags_under_https(client: Any) -> None:
    client.get("/requests/status")  # the CSRF token starts the session
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"


def test_no_hsts_or_secure_cookie_over_plain_http(app_config: dict[str, Any]) -> None:
    config = dict(app_config, PUBLIC_SITE_URL="http://127.0.0.1:8000/",
                  CLOCK=lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    application = create_app(config)
    try:
        client = application.test_client()
        answer = client.get("/requests/status")
        assert "Strict-Transport-Security" not in answer.headers
        assert not client.get_cookie("session").secure  # type: ignore[union-attr]
    finally:
        application.extensions["portal_engine"].close()


def test_pages_of_individual_cases_are_never_indexed(app: Flask) -> None:
    client = app.test_client()

    def robots(path: str) -> str | None:
        answer = client.get(path)
        answer.close()  # a static file's answer holds the file open
        return answer.headers.get("X-Robots-Tag")

    for path in ("/requests/status", "/review/login", "/consult/"):
        assert robots(path) == "noindex, nofollow", path
    for path in ("/demands", "/register", "/catalog.json", "/api/v1/search"):
        assert robots(path) is None, path
