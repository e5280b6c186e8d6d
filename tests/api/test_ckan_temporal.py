"""CKAN package dicts carry a dataset's temporal coverage in the extras
ckanext-dcat uses (temporal_start, temporal_end)."""

from __future__ import annotations

from flask.testing import FlaskClient


def _extras(client: FlaskClient, identifier: str) -> dict[str, str]:
    body = client.get(f"/api/3/action/package_show?id={identifier}").get_json()
    assert body["success"] is True
    return {e["key"]: e["value"] for e in body["result"]["extras"]}


def test_temporal_coverage_in_extras(client: FlaskClient) -> None:
    closed = _extras(client, "tjj-0001")
    assert (closed["temporal_start"], closed["temporal_end"]) == ("2016-01-01", "2025-12-31")
    still = _extras(client, "hbj-0001")
    assert (still["temporal_start"], still["temporal_end"]) == ("2025-11-23", "")
    assert "temporal_start" not in _extras(client, "jtj-0001")
