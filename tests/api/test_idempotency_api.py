"""POST /api/v1/requests with an Idempotency-Key: a client that retries
after a cut connection files once and gets the first receipt again; the
same key with another body is 422 in the error shape; keys live 24 hours
(issue #6). Both databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from search_api import create_app
from tests.api.conftest import index_once
from tests.api.test_requests_json_api import ERROR_KEYS, body


class Clock:
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    Clock.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    config = {**app_config, "CLOCK": lambda: Clock.now, "RATE_PUBLIC_WRITES": 1000}
    index_once(config)
    application = create_app(config)
    yield application
    application.extensions["portal_engine"].close()


def filed(app: Flask) -> int:
    return len(app.extensions["portal_store"].list_requests())


def test_a_retry_with_the_same_key_and_body_files_once(app: Flask, client: FlaskClient) -> None:
    key = {"Idempotency-Key": "0b6a7d5e-6c1f-4a53-9d1e-2f5e3c1b7a90"}
    first = client.post("/api/v1/requests", json=body(), headers=key)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert first.headers["Cache-Control"] == "no-store"  # the answer holds the access code
    # The same JSON object, keys in another order: the same body.
    retry = client.post("/api/v1/requests", json=dict(reversed(list(body().items()))),
                        headers=key)
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.headers["Cache-Control"] == "no-store"
    assert retry.get_json() == first.get_json()  # same number, same access code
    assert filed(app) == 1
    number, code = first.get_json()["number"], first.get_json()["access_code"]
    status = client.get(f"/api/v1/requests/{number}", headers={"X-Access-Code": code})
    assert status.status_code == 200
    # Without a key, a second post is a second request.
    assert client.post("/api/v1/requests", json=body()).status_code == 201
    assert filed(app) == 2


def test_the_same_key_with_another_body_is_refused(app: Flask, client: FlaskClient) -> None:
    key = {"Idempotency-Key": "k-1"}
    assert client.post("/api/v1/requests", json=body(), headers=key).status_code == 201
    other = client.post("/api/v1/requests", json=body(purpose="另一个用途"), headers=key)
    assert other.status_code == 422
    data = other.get_json()
    assert set(data) == ERROR_KEYS and data["status"] == 422
    assert "Idempotency-Key" in data["error"] and "新的 Idempotency-Key" in data["error"]
    assert filed(app) == 1


@pytest.mark.parametrize("bad", ["", "x" * 201, "含中文的键", "a b"])
def test_a_malformed_key_is_refused(app: Flask, client: FlaskClient, bad: str) -> None:
    answer = client.post("/api/v1/requests", json=body(),
                         headers={"Idempotency-Key": bad.encode().decode("latin-1")})
    assert answer.status_code == 400 and set(answer.get_json()) == ERROR_KEYS
    assert filed(app) == 0


def test_a_refused_application_keeps_no_key(app: Flask, client: FlaskClient) -> None:
    key = {"Idempotency-Key": "k-2"}
    assert client.post("/api/v1/requests", json=body(purpose=""), headers=key).status_code == 400
    assert client.post("/api/v1/requests", json=body(), headers=key).status_code == 201


def test_a_key_expires_after_24_hours(app: Flask, client: FlaskClient) -> None:
    key = {"Idempotency-Key": "k-3"}
    first = client.post("/api/v1/requests", json=body(), headers=key).get_json()
    Clock.now += timedelta(hours=23, minutes=59)
    assert client.post("/api/v1/requests", json=body(), headers=key).get_json() == first
    Clock.now += timedelta(minutes=1)
    later = client.post("/api/v1/requests", json=body(), headers=key)
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert later.get_json()["number"] != first["number"] and filed(app) == 2


def test_concurrent_retries_over_http_file_once(app: Flask, live_server: str) -> None:
    start = threading.Barrier(4)
    answers: list[requests.Response] = []

    def post() -> None:
        start.wait()
        answers.append(requests.post(f"{live_server}/api/v1/requests", json=body(),
                                     headers={"Idempotency-Key": "k-race"}, timeout=30))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["number"] for a in answers}) == 1
    assert len({a.json()["access_code"] for a in answers}) == 1
    assert filed(app) == 1
