"""Filing a data error report or catalogue correction over JSON (issue #6:
``POST /api/v1/datasets/<id>/reports``), on SQLite and on PostgreSQL: no
CSRF and no cookies; the same filing as the form (JC- number, audit record
``report.received``, the department's and the reporter's outbox messages,
the reporter sealed); refusals in the API's one error shape with a Chinese
message naming what to fix, and nothing stored for them; 404, 413, 429.

Deadlines as in test_report_flow.py: profile guizhou-regulation, 10
working days from the day after receipt (2026-09-30 → 2026-10-20 across
National Day)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from domain.procedures.reports import BUSINESS_NOT_REFUSED
from search_api.reports.api import DESCRIPTION_PROBLEM, KIND_PROBLEM, REPORTER_PROBLEM
from search_api.store import new_key
from search_api.store.schema import reports
from tests.api.test_applicant_flow import csrf
from tests.api.test_review_flow import app, clock, sign_in  # noqa: F401

ERROR_KEYS = {"ok", "error", "errors", "status"}
NAME, EMAIL = "王女士REPORTER", "reporter-mark@example.com"
URL = "/api/v1/datasets/jtj-0001/reports"
PERSONAL_KEY = new_key()


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # Sealed with a key, as in production: the reporter is not in the row.
    return {**app_config, "PERSONAL_DATA_KEY": PERSONAL_KEY}


def report(**changes: Any) -> dict[str, Any]:
    body = {"kind": "data_error", "field": "longitude", "row": "12",
            "description": "人民广场站经度应为121.4737", "evidence": "实地测量",
            "reporter_name": NAME, "reporter_contact": EMAIL}
    body.update(changes)
    return body


def assert_refused(answer: Any, status: int) -> dict[str, Any]:
    data: dict[str, Any] = answer.get_json()
    assert answer.status_code == status, data
    assert set(data) == ERROR_KEYS and data["ok"] is False and data["status"] == status
    assert data["error"] == data["errors"][0] and not data["error"].isascii(), data
    return data


def stored_outbox(app: Flask, number: str) -> list[Any]:  # noqa: F811
    store = app.extensions["portal_store"]
    return [m for m in store.pending_messages(limit=1000) if number in m.dedupe_key]


def test_filed_over_json_like_the_form_promises(app: Flask, clock: Any) -> None:  # noqa: F811
    clock.set("2026-09-30")
    client = app.test_client()  # no session, no CSRF token
    answer = client.post(URL, json=report())
    data = answer.get_json()
    assert answer.status_code == 201, data
    number = data["number"]
    assert number.startswith("JC-20260930-")
    assert data["ok"] is True and data["kind"] == "data_error" and data["kind_name"] == "数据纠错"
    assert (data["dataset_id"], data["department"]) == ("jtj-0001", "jtj")
    assert (data["received"], data["due"]) == ("2026-09-30", "2026-10-20")
    assert data["notice"] == BUSINESS_NOT_REFUSED and "不得以数据正在校核为由拒绝办理" in data["notice"]
    assert NAME not in str(data) and EMAIL not in str(data) and "人民广场站" not in str(data)

    stored, version = app.extensions["portal_reports"].load(number)
    assert (stored.kind, stored.dataset_id, stored.department, stored.field, stored.row,
            stored.description) == ("data_error", "jtj-0001", "jtj", "longitude", "12",
                                    "人民广场站经度应为121.4737")
    assert version == 1
    store = app.extensions["portal_store"]
    audit = store.audit_records(subject=number)
    assert [(a.action, a.actor_role) for a in audit] == [("report.received", "public")]
    assert store.verify_audit() == []
    messages = stored_outbox(app, number)
    assert sorted((m.kind, m.recipient) for m in messages) == [
        ("report.receipt", f"reporter:{number}"), ("report.received", "department:jtj")]
    assert BUSINESS_NOT_REFUSED in next(m.body for m in messages if m.kind == "report.receipt")
    for message in messages:
        assert NAME not in f"{message.subject}{message.body}{message.recipient}"
        assert EMAIL not in f"{message.subject}{message.body}{message.recipient}"
    # The reporter is sealed: not in the row, but the mailer can open it.
    with store.engine.connect() as conn:
        sealed = conn.execute(select(reports.c.reporter).where(
            reports.c.number == number)).scalar_one()
    assert NAME not in sealed and EMAIL not in sealed and "reporter-mark" not in sealed
    assert app.extensions["portal_reports"].reporter_email(number) == EMAIL

    # The department finds it in its queue, like a report from the form.
    assert number in sign_in(app, "jtj").get("/review/reports").get_data(as_text=True)
    assert number not in sign_in(app, "rsj").get("/review/reports").get_data(as_text=True)


def test_the_form_and_the_api_file_the_same_report(app: Flask, clock: Any) -> None:  # noqa: F811
    clock.set("2026-09-30")
    client = app.test_client()
    page = client.get("/report/jtj-0001").get_data(as_text=True)
    form = client.post("/report/jtj-0001", data={"csrf_token": csrf(page), **report()})
    assert form.status_code == 200 and "不得以数据正在校核为由拒绝办理" in form.get_data(as_text=True)
    api = client.post(URL, json=report())
    assert api.status_code == 201
    by_form, by_api = "JC-20260930-0001", api.get_json()["number"]
    assert by_api == "JC-20260930-0002" and by_form in form.get_data(as_text=True)
    loaded = {n: app.extensions["portal_reports"].load(n)[0] for n in (by_form, by_api)}
    assert replace(loaded[by_form], number=by_api) == loaded[by_api]
    store = app.extensions["portal_store"]

    def shape(number: str) -> list[tuple[str, ...]]:
        return sorted((m.kind, m.recipient_role, m.recipient.replace(number, "N"),
                       m.subject.replace(number, "N"), m.body.replace(number, "N"))
                      for m in stored_outbox(app, number))

    assert shape(by_form) == shape(by_api) and len(shape(by_api)) == 2
    audit = {n: [(a.action, a.actor_role, a.actor, a.detail) for a in
                 store.audit_records(subject=n)] for n in (by_form, by_api)}
    assert audit[by_form] == audit[by_api] and audit[by_api][0][0] == "report.received"
    assert app.extensions["portal_reports"].reporter_email(by_form) == EMAIL


def test_a_catalogue_correction_without_contact(app: Flask) -> None:  # noqa: F811
    answer = app.test_client().post("/api/v1/datasets/rsj-0003/reports", json={
        "kind": "catalogue_correction", "description": "更新频度应为每月"})
    data = answer.get_json()
    assert answer.status_code == 201, data
    assert data["kind_name"] == "目录更正申请" and data["department"] == "rsj" and data["due"]
    # No e-mail address: only the department is told.
    assert [m.kind for m in stored_outbox(app, data["number"])] == ["report.received"]


REFUSED: list[tuple[dict[str, Any], list[str]]] = [
    ({}, [KIND_PROBLEM, DESCRIPTION_PROBLEM]),
    (report(kind="wrong"), [KIND_PROBLEM]),
    (report(kind=" data_error"), [KIND_PROBLEM]),
    (report(description=" \u0000\t "), [DESCRIPTION_PROBLEM]),
    (report(field=12, row=None), ["field（字段）须为字符串。", "row（行号或记录）须为字符串。"]),
    (report(row="1" * 65), ["row（行号或记录）不超过 64 字，请缩短。"]),
    (report(reporter_contact="x" * 201), ["reporter_contact（联系方式）不超过 200 字，请缩短。"]),
    (report(description="长" * 2001), ["description（错误说明）不超过 2000 字，请缩短。"]),
]


@pytest.mark.parametrize(("body", "problems"), REFUSED,
                         ids=[f"refused-{i}" for i in range(len(REFUSED))])
def test_bad_bodies_are_refused_and_nothing_is_stored(
        app: Flask, body: dict[str, Any], problems: list[str]) -> None:  # noqa: F811
    client = app.test_client()
    assert assert_refused(client.post(URL, json=body), 400)["errors"] == problems
    # No receipt number was drawn: the next filing gets the first one of the day.
    filed = client.post(URL, json=report())
    assert filed.status_code == 201 and filed.get_json()["number"].endswith("-0001")


@pytest.mark.parametrize("data, content_type", [
    (b"not json", "application/json"), (b'["a", "list"]', "application/json"),
    (json.dumps(report()).encode(), "text/plain")])
def test_not_a_json_object(app: Flask, data: bytes, content_type: str) -> None:  # noqa: F811
    answer = app.test_client().post(URL, data=data, content_type=content_type)
    assert "JSON 对象" in assert_refused(answer, 400)["error"]


def test_unknown_dataset_and_big_body(app: Flask) -> None:  # noqa: F811
    client = app.test_client()
    missing = client.post("/api/v1/datasets/nosuch-0001/reports", json=report())
    assert "nosuch-0001" in assert_refused(missing, 404)["error"]
    big = client.post(URL, data=b"x" * (65 * 1024), content_type="application/json")
    assert "64 KB" in assert_refused(big, 413)["error"]
    assert app.extensions["portal_reports"].for_department(None) == []


def test_a_contact_that_the_messages_contain_is_refused_not_a_500(
        app: Flask) -> None:  # noqa: F811
    # The store refuses a message holding the reporter's contact; a contact
    # the notice's own text contains (here the dataset id) cannot be told
    # apart from it: a 400 naming the field, on both channels; nothing stored.
    client = app.test_client()
    answer = client.post(URL, json=report(reporter_contact="jtj-0001"))
    assert assert_refused(answer, 400)["errors"] == [REPORTER_PROBLEM]
    page = client.get("/report/jtj-0001").get_data(as_text=True)
    form = client.post("/report/jtj-0001", data={"csrf_token": csrf(page),
                                                 **report(reporter_contact="jtj-0001")})
    assert form.status_code == 400 and "无法区分" in form.get_data(as_text=True)
    assert app.extensions["portal_reports"].for_department(None) == []
    assert app.extensions["portal_store"].audit_records() == []


def test_rate_limited_like_other_public_writes(app: Flask) -> None:  # noqa: F811
    app.extensions["portal_limits"]["public_write"].limit = 2
    client = app.test_client()
    answers = [client.post(URL, json=report()) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert "频繁" in assert_refused(answers[2], 429)["error"]
    # The bucket is the one of every public write: a request is refused too.
    assert client.post("/api/v1/requests", json={}).status_code == 429


def test_over_a_real_http_connection(app: Flask, live_server: str) -> None:  # noqa: F811
    answer = requests.post(live_server + URL, json=report(), timeout=30)
    assert answer.status_code == 201, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    assert "Set-Cookie" not in answer.headers
    number = answer.json()["number"]
    assert app.extensions["portal_reports"].load(number)[0].description.startswith("人民广场站")
    wrong = requests.put(live_server + URL, json=report(), timeout=30)
    assert wrong.status_code == 405 and set(wrong.json()) == ERROR_KEYS
    # Unanswered reports are not public; the reporter's words never are.
    public = requests.get(live_server + URL, timeout=30).json()
    assert public["answers"] == [] and "人民广场站" not in json.dumps(public, ensure_ascii=False)


@pytest.mark.heavy  # among the longest of test-fast: started first (tests/conftest.py)
def test_fuzzed_bodies_on_a_real_dataset(app: Flask) -> None:  # noqa: F811
    """schemathesis on the filing with a dataset that exists (the suite's
    fuzzer, tests/hostile, mostly meets unknown ids and 404): no 5xx, every
    4xx in the error shape, every invalid body refused, valid ones filed."""
    from schemathesis import GenerationMode

    from tests.hostile.test_hostile_api import Fuzzer

    app.extensions["portal_limits"]["public_write"].limit = 10**6
    fuzzer = Fuzzer(app)
    operation = next(op for op in fuzzer.operations()
                     if op.path == "/api/v1/datasets/{dataset_id}/reports" and op.method == "post")
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        assert fuzzer.run(operation, mode, " (jtj-0001)",
                          path_parameters={"dataset_id": "jtj-0001"}) >= 50
    filed = app.extensions["portal_reports"].for_department("jtj")
    assert len(filed) >= 10, len(filed)
    assert app.extensions["portal_store"].verify_audit() == []
