"""A filing over the API waits for the disk once (issue #17): one durable
commit holds the request, its key, messages and audit records, and on
SQLite its rate-limit count too (on PostgreSQL the count goes with the
receipt number, through the engine that does not wait for the disk): no
transaction of the count's own; it still limits, and every submission
counts once whatever its answer. Both databases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from search_api import create_app
from tests.api.conftest import index_once
from tests.api.test_requests_json_api import body


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    config = {**app_config, "RATE_PUBLIC_WRITES": 3}
    index_once(config)
    application = create_app(config)
    yield application
    application.extensions["portal_engine"].close()


@pytest.mark.both_dbs
def test_a_filing_is_one_durable_commit_and_still_rate_limited(app: Flask,
                                                               client: FlaskClient) -> None:
    store = app.extensions["portal_store"]
    commits: list[str] = []
    event.listen(store.engine, "commit", lambda conn: commits.append("durable"))
    event.listen(store._volatile, "commit", lambda conn: commits.append("volatile"))
    app.extensions["portal_limits"]["public_write"].purge()  # its first, once a window
    commits.clear()
    first = client.post("/api/v1/requests", json=body(), headers={"Idempotency-Key": "k-17"})
    assert first.status_code == 201, first.get_json()
    # The key's lookup (a read), then the filing with its count and number.
    assert commits == ["durable", "durable"]
    number, code = first.get_json()["number"], first.get_json()["access_code"]
    assert client.get(f"/api/v1/requests/{number}",
                      headers={"X-Access-Code": code}).status_code == 200
    assert [r.subject for r in store.audit_records()] == [number]
    assert store.verify_audit() == []
    commits.clear()
    assert client.post("/api/v1/requests", json=body()).status_code == 201
    assert commits == ["durable"]  # the count and the number in the filing's transaction
    assert client.post("/api/v1/requests", json=body()).status_code == 201
    refused = client.post("/api/v1/requests", json=body())  # the 4th within the hour
    assert refused.status_code == 429
    assert len(store.list_requests()) == 3


@pytest.mark.both_dbs
def test_every_submission_counts_once_whatever_its_answer(app: Flask,
                                                          client: FlaskClient) -> None:
    """Refused bodies and replays count as they did when the count came
    first; a client over the limit gets 429 whatever it sends."""
    store = app.extensions["portal_store"]
    assert client.post("/api/v1/requests", json=body(dataset_id="nope")).status_code == 400
    filed = client.post("/api/v1/requests", json=body(), headers={"Idempotency-Key": "k-1"})
    assert filed.status_code == 201
    again = client.post("/api/v1/requests", json=body(), headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    # Three counted: the 400, the filing and the replay (not twice, not never).
    assert client.post("/api/v1/requests", json=body(dataset_id="nope")).status_code == 429
    assert client.post("/api/v1/requests", data="not json",
                       content_type="application/json").status_code == 429
    assert client.post("/api/v1/requests", json=body()).status_code == 429
    assert len(store.list_requests()) == 1
    assert store.verify_audit() == []


@pytest.mark.both_dbs
def test_a_status_answer_is_one_read_with_its_attempts_check(app: Flask,
                                                            client: FlaskClient) -> None:
    """The client's failed attempts are counted in the read of the request
    (one transaction, issue #17), and still refuse once used up."""
    store = app.extensions["portal_store"]
    filed = client.post("/api/v1/requests", json=body()).get_json()
    begins: list[str] = []
    event.listen(store.engine, "begin", lambda conn: begins.append("begin"))
    answer = client.get(f"/api/v1/requests/{filed['number']}",
                        headers={"X-Access-Code": filed["access_code"]})
    assert answer.status_code == 200 and answer.get_json()["number"] == filed["number"]
    assert begins == ["begin"]
    app.extensions["portal_limits"]["secret_attempt"].limit = 2
    wrong = [client.get(f"/api/v1/requests/{filed['number']}",
                        headers={"X-Access-Code": "nope"}).status_code for _ in range(3)]
    assert wrong == [403, 403, 429]
    assert client.get(f"/api/v1/requests/{filed['number']}",
                      headers={"X-Access-Code": filed["access_code"]}).status_code == 429
