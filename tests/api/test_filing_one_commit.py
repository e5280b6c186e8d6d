"""A filing over the API waits for the disk once (issue #17): one durable
commit holds the request, its key, messages and audit records; the
rate-limit count goes through the engine that does not wait for the disk
and still limits. Both databases."""

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


def test_a_filing_is_one_durable_commit_and_still_rate_limited(app: Flask,
                                                               client: FlaskClient) -> None:
    store = app.extensions["portal_store"]
    commits: list[str] = []
    event.listen(store.engine, "commit", lambda conn: commits.append("durable"))
    first = client.post("/api/v1/requests", json=body(), headers={"Idempotency-Key": "k-17"})
    assert first.status_code == 201, first.get_json()
    assert commits == ["durable", "durable"]  # the key's lookup (a read), then the filing
    number, code = first.get_json()["number"], first.get_json()["access_code"]
    assert client.get(f"/api/v1/requests/{number}",
                      headers={"X-Access-Code": code}).status_code == 200
    assert [r.subject for r in store.audit_records()] == [number]
    assert store.verify_audit() == []
    commits.clear()
    assert client.post("/api/v1/requests", json=body()).status_code == 201
    assert commits == ["durable"]
    assert client.post("/api/v1/requests", json=body()).status_code == 201
    refused = client.post("/api/v1/requests", json=body())  # the 4th within the hour
    assert refused.status_code == 429
    assert len(store.list_requests()) == 3
