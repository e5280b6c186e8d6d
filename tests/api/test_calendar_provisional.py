"""A clock that never stops the service (issue #12), over HTTP: periods into
2027, for which no State Council notice is loaded, are answered with
provisional dates (no 503; "provisional": true; 暂定 on the pages), and when
a 2027 calendar file appears the service recomputes them at start and tells
each person concerned once.

The 2027 file here is a test file, not a guess at the real notice: it gives
4 and 5 January 2027 off, so every date counted through them moves by two
working days. Profile guizhou-regulation (003 §25: 15 WD for the provider
from the day the platform receives the application, no review period in
front); dates counted by hand, the day of receipt not counted:

- filed Mon 2026-12-28: provider due 2027-01-19 (12-29..31, [元旦 Fri 01-01
  off], 01-04..08, 01-11..15, 01-18..19); with the test file (01-04 and 01-05
  off) 2027-01-21 (12-29..31, 01-06..08, 01-11..15, 01-18..21); forwarding
  on 12-29 does not move it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from search_api import create_app
from search_api.store import OutboxMessage, Store
from tests.api.conftest import index_once
from tests.api.test_applicant_flow import ID_NUMBER, PHONE, application, csrf
from tests.api.test_review_flow import PASSWORD, Clock, act, sign_in
from tests.conftest import catalog_with_profile

TEST_2027 = {"year": 2027, "source": "测试用日历文件（非真实通知）",
             "holidays": ["2027-01-01", "2027-01-04", "2027-01-05"], "workdays": []}


@pytest.fixture
def calendars(tmp_path: Path) -> Path:
    folder = tmp_path / "calendars"
    folder.mkdir()
    return folder


@pytest.fixture
def config(app_config: dict[str, Any], calendars: Path, tmp_path: Path) -> dict[str, Any]:
    clock = Clock()
    clock.set("2026-12-28")
    catalog = catalog_with_profile(tmp_path / "catalog", "guizhou-regulation")
    config = {**app_config, "CATALOG_DIR": str(catalog), "CLOCK": lambda: clock.now,
              "CALENDAR_DIRS": str(calendars), "clock": clock}
    index_once(config)
    return config


def start(config: dict[str, Any]) -> Flask:
    """A service start (a new process) on the same database and folders."""
    return create_app(config)


@pytest.fixture
def app(config: dict[str, Any]) -> Iterator[Flask]:
    application = start(config)
    store = application.extensions["portal_store"]
    for name, role, department in [("authority", "authority_reviewer", None),
                                   ("rsj", "department_reviewer", "rsj")]:
        store.add_user(name, PASSWORD, role, department, at=config["clock"].now)
    yield application
    application.extensions["portal_engine"].close()


def _moved(store: Store) -> list[OutboxMessage]:
    return [m for m in store.pending_messages(limit=1000) if m.kind == "calendar.moved"]


def _status(app: Flask, number: str, code: str) -> dict[str, Any]:
    answer = app.test_client().get(f"/api/v1/requests/{number}", headers={"X-Access-Code": code})
    assert answer.status_code == 200, answer.get_json()
    return {d["what"]: d for d in answer.get_json()["deadlines"]}


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_provisional_into_2027_then_recomputed_when_the_year_file_appears(
        app: Flask, config: dict[str, Any], calendars: Path) -> None:
    client = app.test_client()
    filed = client.post("/api/v1/requests", json={
        "dataset_id": "rsj-0003", "applicant_type": "person", "applicant_name": "李明",
        "identity_number": ID_NUMBER, "phone": PHONE, "email": "liming@example.com",
        "purpose": "研究", "scope_of_use": "课题组", "period_of_use": "一年",
        "security_measures": "加密存储", "commitment_accepted": True})
    assert filed.status_code == 201, filed.get_json()  # not 503
    body = filed.get_json()
    number, code = body["number"], body["access_code"]
    assert [(d["what"], d["due"], d["provisional"]) for d in body["deadlines"]] == [
        ("provider_reply", "2027-01-19", True)]

    applicant = app.test_client()
    form = applicant.get("/apply/rsj-0003").get_data(as_text=True)
    receipt = applicant.post("/apply/rsj-0003", data=application(csrf(form)))
    assert receipt.status_code == 200
    assert "2027-01-19 前<span class=\"sv-provisional\"" in receipt.get_data(as_text=True)

    authority = sign_in(app, "authority")
    queue = authority.get("/review/").get_data(as_text=True)
    assert 'id="calendar-warning"' in queue and "2027" in queue and "暂定" in queue
    config["clock"].set("2026-12-29")
    act(authority, number, "forward")
    reply = _status(app, number, code)["provider_reply"]
    assert (reply["due"], reply["provisional"]) == ("2027-01-19", True)
    page = sign_in(app, "rsj").get(f"/review/requests/{number}").get_data(as_text=True)
    assert "2027-01-19" in page and "（暂定）" in page

    report = client.post("/api/v1/datasets/rsj-0003/reports", json={
        "kind": "data_error", "description": "第3行数值有误"})
    assert report.status_code == 201, report.get_json()
    assert report.get_json()["provisional"] is True

    store = app.extensions["portal_store"]
    assert _moved(store) == []
    # The notice is in: a test file for 2027 appears in the bureau's folder.
    (calendars / "2027.json").write_text(json.dumps(TEST_2027, ensure_ascii=False),
                                         encoding="utf-8")
    restarted = start(config)
    try:
        reply = _status(restarted, number, code)["provider_reply"]
        assert (reply["due"], reply["provisional"]) == ("2027-01-21", False)
        told = {m.recipient: m for m in _moved(store) if m.request_number == number}
        assert set(told) == {"department:rsj", f"applicant:{number}"}
        assert "2027-01-19（暂定）调整为 2027-01-21" in told[f"applicant:{number}"].body
        assert ID_NUMBER not in str([m.body for m in told.values()])
        # The report's department is told too (its reporter left no e-mail).
        assert any(m.recipient == "department:rsj" and m.request_number is None
                   for m in _moved(store))
        count = len(_moved(store))
        queue = sign_in(restarted, "authority").get("/review/").get_data(as_text=True)
        assert 'id="calendar-warning"' not in queue
    finally:
        restarted.extensions["portal_engine"].close()
    # Told once: another start (or another worker) queues nothing more.
    again = start(config)
    try:
        assert len(_moved(store)) == count
    finally:
        again.extensions["portal_engine"].close()
