"""The applicants' JSON API: file, follow with X-Access-Code, act; errors in
the API's one shape (issue #4: web pages plus the JSON API)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.test_applicant_flow import ID_NUMBER, PHONE

ERROR_KEYS = {"ok", "error", "errors", "status"}


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "dataset_id": "rsj-0003", "applicant_type": "person", "applicant_name": "李明",
        "identity_number": ID_NUMBER, "phone": PHONE, "purpose": "研究",
        "scope_of_use": "课题组", "period_of_use": "一年", "security_measures": "加密存储",
        "commitment_accepted": True}
    data.update(changes)
    return data


@pytest.mark.both_dbs  # a whole flow through the store on PostgreSQL too
def test_file_follow_and_withdraw_over_json(client: FlaskClient) -> None:
    filed = client.post("/api/v1/requests", json=body())
    assert filed.status_code == 201, filed.get_json()
    data = filed.get_json()
    number, code = data["number"], data["access_code"]
    assert data["state"] == "submitted" and data["deadlines"][0]["due"] == "2026-11-30"
    assert ID_NUMBER not in str(data) and PHONE not in str(data)
    status = client.get(f"/api/v1/requests/{number}", headers={"X-Access-Code": code})
    assert status.status_code == 200 and status.get_json()["state_name"] == "已受理，待审核转办"
    wrong = client.get(f"/api/v1/requests/{number}", headers={"X-Access-Code": "nope"})
    assert wrong.status_code == 403 and set(wrong.get_json()) == ERROR_KEYS
    withdrawn = client.post(f"/api/v1/requests/{number}/withdraw", json={"text": "不需要了"},
                            headers={"X-Access-Code": code})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["state"] == "withdrawn"
    again = client.post(f"/api/v1/requests/{number}/withdraw", json={},
                        headers={"X-Access-Code": code})
    assert again.status_code == 409 and set(again.get_json()) == ERROR_KEYS


def test_incomplete_application_lists_every_problem(client: FlaskClient) -> None:
    answer = client.post("/api/v1/requests", json=body(
        identity_number="110105194912310021", purpose="", commitment_accepted=False))
    data = answer.get_json()
    assert answer.status_code == 400 and set(data) == ERROR_KEYS
    assert len(data["errors"]) == 3
    assert "110105194912310021" not in str(data)


def test_bad_bodies(client: FlaskClient) -> None:
    for response in (client.post("/api/v1/requests", data="not json"),
                     client.post("/api/v1/requests", json=["a", "list"]),
                     client.post("/api/v1/requests", json=body(dataset_id="jtj-0001"))):
        assert response.status_code == 400 and set(response.get_json()) == ERROR_KEYS
