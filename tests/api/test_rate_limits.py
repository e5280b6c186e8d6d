"""Rate limits per deployment, not per worker (issue #12): two app instances
on the same database (or the same Redis) share their counters; reads with
the right access code never lock the applicant out, wrong codes do.
SQLite and PostgreSQL through the ``database_url`` fixture."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from search_api import create_app
from tests.api.conftest import index_once
from tests.api.test_applicant_flow import application, csrf, file_request
from tests.redis_helpers import redis_url_or_skip

pytestmark = pytest.mark.both_dbs  # counters shared through the store: both databases


@pytest.fixture(params=["database", "redis"])
def shared_config(request: pytest.FixtureRequest,
                  app_config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    config = {**app_config, "RATE_SECRET_ATTEMPTS": 4, "RATE_PUBLIC_WRITES": 3}
    prefix = f"test-{uuid.uuid4().hex}:"
    if request.param == "redis":
        config.update(REDIS_URL=redis_url_or_skip(), REDIS_PREFIX=prefix)
    index_once(config)
    yield config
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(config["REDIS_URL"])
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


@pytest.fixture
def two_workers(shared_config: dict[str, Any]) -> Iterator[tuple[Flask, Flask]]:
    """Two instances of the service on one database, like two gunicorn workers."""
    first, second = create_app(shared_config), create_app(shared_config)
    yield first, second
    for app in (first, second):
        app.extensions["portal_engine"].close()


def test_failed_attempts_are_counted_across_workers(two_workers: tuple[Flask, Flask]) -> None:
    first, second = two_workers
    statuses = []
    for app in (first, second, first, second, first, second):
        statuses.append(app.test_client().get(
            "/api/v1/requests/YH-20261123-0001", headers={"X-Access-Code": "guess"}).status_code)
    # 4 failures allowed per deployment; one worker alone would have allowed 3 + 3.
    assert statuses == [403, 403, 403, 403, 429, 429]


def test_public_writes_are_counted_across_workers(two_workers: tuple[Flask, Flask]) -> None:
    first, second = two_workers
    # One browser; its session is shared too (server-side), so the CSRF token holds on both.
    browser = first.test_client()
    token = csrf(browser.get("/apply/rsj-0003").get_data(as_text=True))
    cookie = browser.get_cookie("session")
    assert cookie is not None
    other = second.test_client()
    other.set_cookie("session", cookie.value)
    statuses = []
    for client in (browser, other, browser, other):
        statuses.append(client.post("/apply/rsj-0003", data=application(
            token, applicant_name="")).status_code)  # incomplete: refused, but counted
    assert statuses == [400, 400, 400, 429]


def test_right_access_code_never_locks_the_applicant_out(two_workers: tuple[Flask, Flask]
                                                         ) -> None:
    first, second = two_workers
    number, code = file_request(first.test_client())
    for app in (first, second) * 10:  # 20 reads over the API, limit 4
        answer = app.test_client().get(f"/api/v1/requests/{number}",
                                       headers={"X-Access-Code": code})
        assert answer.status_code == 200, answer.get_json()
    browser = first.test_client()
    login = csrf(browser.get("/requests/status").get_data(as_text=True))
    for _ in range(10):  # and 10 sign-ins on the page
        answer = browser.post("/requests/status", data={
            "csrf_token": login, "number": number, "access_code": code})
        assert answer.status_code == 302
    # Wrong codes still count, and then even the right one waits.
    wrong = [first.test_client().get(f"/api/v1/requests/{number}",
                                     headers={"X-Access-Code": "nope"}).status_code
             for _ in range(5)]
    assert wrong == [403, 403, 403, 403, 429]
    assert second.test_client().get(f"/api/v1/requests/{number}",
                                    headers={"X-Access-Code": code}).status_code == 429


def test_failed_reviewer_sign_ins_count_successful_ones_do_not(
        shared_config: dict[str, Any]) -> None:
    app = create_app(shared_config)
    try:
        app.extensions["portal_store"].add_user("rsj", "correct horse battery",
                                                "department_reviewer", "rsj",
                                                at=app.extensions["portal_clock"]())

        def sign_in(password: str) -> int:
            client = app.test_client()
            page = client.get("/review/login").get_data(as_text=True)
            return client.post("/review/login", data={
                "csrf_token": csrf(page), "username": "rsj", "password": password}).status_code

        assert [sign_in("correct horse battery") for _ in range(6)] == [302] * 6
        assert [sign_in("wrong") for _ in range(5)] == [403, 403, 403, 403, 429]
    finally:
        app.extensions["portal_engine"].close()
