"""Sessions that end (issue #11): a copied session cookie opens nothing after
logout, a password change or a disabling; sign-in gives a new session id;
idle and absolute timeouts on an injected clock; cookie flags; CSRF still
holds. Each runs on SQLite and PostgreSQL (the ``database_url`` fixture),
and the replay tests with sessions in Redis as well."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from search_api import create_app
from search_api.store.schema import sessions
from tests.api.conftest import index_once
from tests.api.test_applicant_flow import csrf, file_request
from tests.api.test_review_flow import PASSWORD, sign_in
from tests.redis_helpers import redis_url_or_skip

pytestmark = pytest.mark.both_dbs  # sessions are kept in the store: both databases

COOKIE = "session"


class SessionClock:
    """The sessions' clock (``SESSION_CLOCK``), moved by the tests."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def session_clock() -> SessionClock:
    return SessionClock()


@pytest.fixture(params=["database", "redis"])
def where(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _make_app(config: dict[str, Any]) -> Flask:
    index_once(config)
    application = create_app(config)
    store = application.extensions["portal_store"]
    if store.get_user("rsj") is None:
        store.add_user("rsj", PASSWORD, "department_reviewer", "rsj",
                       at=datetime(2026, 11, 23, tzinfo=UTC))
    return application


@pytest.fixture
def app(app_config: dict[str, Any], session_clock: SessionClock) -> Iterator[Flask]:
    application = _make_app({**app_config, "SESSION_CLOCK": session_clock})
    yield application
    application.extensions["portal_engine"].close()


@pytest.fixture
def any_app(app_config: dict[str, Any], session_clock: SessionClock,
            where: str) -> Iterator[Flask]:
    """The app with sessions in the database, or in Redis (a fresh key prefix)."""
    config: dict[str, Any] = {**app_config, "SESSION_CLOCK": session_clock}
    if where == "redis":
        config.update(REDIS_URL=redis_url_or_skip(), REDIS_PREFIX=f"test-{uuid.uuid4().hex}:")
    application = _make_app(config)
    yield application
    application.extensions["portal_engine"].close()
    if where == "redis":
        client = application.extensions["portal_sessions"].client
        for key in client.scan_iter(f"{config['REDIS_PREFIX']}*"):
            client.delete(key)


def cookie(client: FlaskClient) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None, "no session cookie"
    return found.value


def replay(app: Flask, value: str) -> FlaskClient:
    """Another browser presenting a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    return thief


def opens_queue(client: FlaskClient) -> bool:
    answer = client.get("/review/")
    if answer.status_code == 302:
        assert "/review/login" in answer.headers["Location"]
        return False
    assert answer.status_code == 200
    return True


# --- reviewers -------------------------------------------------------------------------------


def test_copied_cookie_is_refused_after_logout(any_app: Flask) -> None:
    reviewer = sign_in(any_app, "rsj")
    copied = cookie(reviewer)
    assert opens_queue(replay(any_app, copied))  # a stolen cookie works while signed in
    page = reviewer.get("/review/").get_data(as_text=True)
    assert reviewer.post("/review/logout", data={"csrf_token": csrf(page)}).status_code == 302
    assert not opens_queue(replay(any_app, copied))
    assert not opens_queue(reviewer)


def test_copied_cookie_is_refused_after_a_password_change(any_app: Flask) -> None:
    reviewer = sign_in(any_app, "rsj")
    copied = cookie(reviewer)
    any_app.extensions["portal_store"].set_password("rsj", "a brand new password")
    assert not opens_queue(replay(any_app, copied))
    assert not opens_queue(reviewer)


def test_copied_cookie_is_refused_after_disabling_the_user(any_app: Flask) -> None:
    reviewer = sign_in(any_app, "rsj")
    copied = cookie(reviewer)
    any_app.extensions["portal_store"].set_user_active("rsj", False)
    assert not opens_queue(replay(any_app, copied))
    any_app.extensions["portal_store"].set_user_active("rsj", True)
    assert not opens_queue(replay(any_app, copied))  # enabling again does not revive it


def test_a_session_kept_elsewhere_is_refused_by_its_epoch(app: Flask) -> None:
    """Even if a session record survived a password change (e.g. in a store the
    change could not reach), the raised session epoch refuses it."""
    reviewer = sign_in(app, "rsj")
    copied = cookie(reviewer)
    backend = app.extensions["portal_sessions"]
    key = hashlib.sha256(copied.encode()).hexdigest()
    kept = backend.load(key)
    app.extensions["portal_store"].set_password("rsj", "a brand new password")
    backend.save(key, kept)  # put the old record back
    assert not opens_queue(replay(app, copied))


def test_sign_in_rotates_the_session_id(any_app: Flask) -> None:
    client = any_app.test_client()
    page = client.get("/review/login").get_data(as_text=True)
    before = cookie(client)  # the anonymous session holding the form's CSRF token
    answer = client.post("/review/login", data={"csrf_token": csrf(page), "username": "rsj",
                                                 "password": PASSWORD})
    assert answer.status_code == 302
    after = cookie(client)
    assert after != before
    assert opens_queue(client)
    assert not opens_queue(replay(any_app, before))  # a planted id is worth nothing


def test_only_the_hash_of_the_id_is_stored(app: Flask) -> None:
    reviewer = sign_in(app, "rsj")
    value = cookie(reviewer)
    store = app.extensions["portal_store"]
    with store.engine.connect() as conn:
        rows = conn.execute(select(sessions.c.id_hash, sessions.c.username)).all()
    assert (hashlib.sha256(value.encode()).hexdigest(), "rsj") in rows
    assert all(value not in row.id_hash for row in rows)
    assert len(value) >= 43  # 256 random bits


# --- applicants ------------------------------------------------------------------------------


def test_applicant_cookie_is_refused_after_logout(any_app: Flask) -> None:
    applicant = any_app.test_client()
    number, code = file_request(applicant)
    login = applicant.get("/requests/status").get_data(as_text=True)
    answer = applicant.post("/requests/status", data={
        "csrf_token": csrf(login), "number": number, "access_code": code})
    assert answer.status_code == 302
    copied = cookie(applicant)
    assert replay(any_app, copied).get(f"/requests/{number}").status_code == 200
    page = applicant.get(f"/requests/{number}").get_data(as_text=True)
    assert 'id="applicant-logout"' in page
    out = applicant.post("/requests/logout", data={"csrf_token": csrf(page)},
                         follow_redirects=True)
    assert "您已退出" in out.get_data(as_text=True)
    for client in (applicant, replay(any_app, copied)):
        again = client.get(f"/requests/{number}")
        assert again.status_code == 302 and "/requests/status" in again.headers["Location"]


def test_access_code_sign_in_rotates_the_session_id(app: Flask) -> None:
    filer = app.test_client()
    number, code = file_request(filer)
    applicant = app.test_client()  # another browser, signing in with the code
    login = applicant.get("/requests/status").get_data(as_text=True)
    before = cookie(applicant)
    applicant.post("/requests/status", data={
        "csrf_token": csrf(login), "number": number, "access_code": code})
    assert cookie(applicant) != before
    assert applicant.get(f"/requests/{number}").status_code == 200
    assert replay(app, before).get(f"/requests/{number}").status_code == 302


# --- timeouts --------------------------------------------------------------------------------


def test_idle_timeout(app_config: dict[str, Any], session_clock: SessionClock) -> None:
    application = _make_app({**app_config, "SESSION_CLOCK": session_clock,
                             "SESSION_IDLE_MINUTES": 30, "SESSION_MAX_HOURS": 12})
    try:
        reviewer = sign_in(application, "rsj")
        for _ in range(5):  # active: each request restarts the idle time
            session_clock.advance(minutes=29)
            assert opens_queue(reviewer)
        session_clock.advance(minutes=30)
        assert not opens_queue(reviewer)
    finally:
        application.extensions["portal_engine"].close()


def test_absolute_timeout(app_config: dict[str, Any], session_clock: SessionClock) -> None:
    application = _make_app({**app_config, "SESSION_CLOCK": session_clock,
                             "SESSION_IDLE_MINUTES": 30, "SESSION_MAX_HOURS": 2})
    try:
        reviewer = sign_in(application, "rsj")
        for _ in range(5):
            session_clock.advance(minutes=20)
            assert opens_queue(reviewer)
        session_clock.advance(minutes=20)  # 2 h after sign-in, however active
        assert not opens_queue(reviewer)
    finally:
        application.extensions["portal_engine"].close()


# --- cookie flags, CSRF ----------------------------------------------------------------------


def _set_cookie(app: Flask) -> str:
    answer = app.test_client().get("/review/login")
    headers = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")]
    assert len(headers) == 1, answer.headers
    return headers[0]


def test_cookie_flags_with_an_https_site(app: Flask) -> None:
    header = _set_cookie(app)  # PUBLIC_SITE_URL of the test config is https
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header
    assert "Expires" not in header  # a browser-session cookie; the server ends it


def test_no_secure_flag_with_an_http_site(app_config: dict[str, Any]) -> None:
    application = _make_app({**app_config, "PUBLIC_SITE_URL": "http://localhost:8000/"})
    try:
        header = _set_cookie(application)
        assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    finally:
        application.extensions["portal_engine"].close()


def test_csrf_still_refuses_a_forged_sign_in(app: Flask) -> None:
    client = app.test_client()
    client.get("/review/login")
    answer = client.post("/review/login", data={"csrf_token": "forged", "username": "rsj",
                                                 "password": PASSWORD})
    assert answer.status_code == 400
    assert not opens_queue(client)


def test_an_unknown_or_oversized_cookie_is_a_fresh_session(app: Flask) -> None:
    for value in ("x" * 43, "y" * 200, "\u00e9" * 43, "a b;c"):
        client = replay(app, value)
        assert not opens_queue(client)
        assert client.get("/review/login").status_code == 200
