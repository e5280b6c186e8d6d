"""Behind nginx the service learns the client's scheme and address from the
trusted proxy's X-Forwarded-Proto and X-Forwarded-For (TRUSTED_PROXIES, one
ProxyFix), and from nobody else: HSTS, Secure cookies and absolute URLs made
with url_for follow https only when a trusted proxy says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request, url_for

from search_api import create_app

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'portal.sqlite3'}"  # the scheme does not depend on the store


def _app(app_config: dict[str, Any], proxies: int) -> Flask:
    # A plain-http PUBLIC_SITE_URL: only the request's scheme can make cookies Secure.
    application = create_app(dict(app_config, TRUSTED_PROXIES=proxies,
                                  PUBLIC_SITE_URL="http://data.yunhe.example.gov.cn/"))

    @application.get("/_scheme-probe")
    def _probe() -> dict[str, str]:
        return {"url": url_for("_probe", _external=True), "client": str(request.remote_addr)}

    return application


@pytest.fixture
def apps(app_config: dict[str, Any]) -> Iterator[dict[int, Flask]]:
    made = {proxies: _app(app_config, proxies) for proxies in (0, 1)}
    yield made
    for application in made.values():
        application.extensions["portal_engine"].close()


def _visit(application: Flask, headers: dict[str, str]) -> tuple[Any, Any, Any]:
    client = application.test_client()
    page = client.get("/requests/status", headers=headers)  # starts a session (CSRF token)
    probe = client.get("/_scheme-probe", headers=headers).get_json()
    return page, client.get_cookie("session"), probe


def test_a_trusted_proxy_tells_https_and_the_client(apps: dict[int, Flask]) -> None:
    page, cookie, probe = _visit(apps[1], FORWARDED)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert cookie is not None and cookie.secure
    assert probe["url"] == "https://localhost/_scheme-probe"
    assert probe["client"] == "203.0.113.7"


def test_the_proxy_over_plain_http_is_believed_too(apps: dict[int, Flask]) -> None:
    page, cookie, probe = _visit(apps[1], {"X-Forwarded-Proto": "http",
                                           "X-Forwarded-For": "203.0.113.7"})
    assert "Strict-Transport-Security" not in page.headers
    assert cookie is not None and not cookie.secure
    assert probe["url"].startswith("http://")


def test_a_clients_own_headers_are_ignored_without_trusted_proxies(
        apps: dict[int, Flask]) -> None:
    page, cookie, probe = _visit(apps[0], FORWARDED)
    assert "Strict-Transport-Security" not in page.headers
    assert cookie is not None and not cookie.secure
    assert probe["url"] == "http://localhost/_scheme-probe"
    assert probe["client"] == "127.0.0.1"


def test_a_spoofed_value_before_the_proxys_own_is_ignored(apps: dict[int, Flask]) -> None:
    """A proxy that appends (as nginx does for X-Forwarded-For) leaves the
    client's value first: only the last, the trusted proxy's, counts."""
    page, cookie, probe = _visit(apps[1], {"X-Forwarded-Proto": "https, http",
                                           "X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    assert "Strict-Transport-Security" not in page.headers
    assert not cookie.secure
    assert probe["url"].startswith("http://") and probe["client"] == "203.0.113.7"
