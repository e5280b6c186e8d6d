"""Authorised operation over HTTP (授权运营, 000 §34–36; issue #16), on
SQLite and PostgreSQL: a market entity files a scenario application (form
with CSRF, and JSON), the provider's first review runs 10 working days on
the profile's calendar, the authority decides with reasons and a scope and
term, the operator reports back and is marked overdue when late; the public
register names the organisation and never a person; reviewers act only
within their duties."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from domain.procedures.operation import Operations
from domain.procedures.operation_periods import periods_for
from search_api.mail.mailer import send_pending
from search_api.operations.reminders import remind_operations
from search_api.store.operations import OperationStore
from search_api.store.schema import audit_log, operations
from tests.api.reviewer_apps import AUDITOR, AUTHORITY, JTJ, RSJ, Clock, app_factory, sign_in
from tests.api.test_applicant_flow import csrf

# A new store module (operations): every test runs on SQLite and PostgreSQL.
pytestmark = pytest.mark.both_dbs

CREDIT_CODE = "91350100M000100Y43"
PHONE = "13912345678"
CONTACT = "张晓明"
FORM = {"scenario_title": "公交到站预测服务", "datasets": "jtj-0001\njtj-0002",
        "scenario": "利用公交站点和线路数据开发面向市民的到站时间预测服务。",
        "fields": "站点名称、经度、纬度",
        "purpose": "为出行应用提供实时到站预测，服务市民出行。",
        "security_measures": "数据存放在境内机房，按最小权限访问，日志留存六个月。",
        "organisation": "云河智行科技有限公司", "credit_code": CREDIT_CODE,
        "contact_name": CONTACT, "phone": PHONE, "email": "ops@example.com"}
FIRST_REVIEW_CITED = "《贵州省政务数据资源管理办法》第三十六条第（二）项"


@pytest.fixture
def clock() -> Clock:
    return Clock("2026-09-30")  # a Wednesday before the National Day holiday


@pytest.fixture
def make(app_config: dict[str, Any], clock: Clock, tmp_path: Path) -> Iterator[Any]:
    with app_factory(app_config, clock, tmp_path, [AUTHORITY, JTJ, RSJ, AUDITOR]) as factory:
        yield factory


@pytest.fixture
def app(make: Any) -> Flask:
    return make("guizhou-measures")


def file(app: Flask, **changes: str) -> tuple[FlaskClient, str, str]:
    """File the form as a market entity: (its client, number, receipt page)."""
    applicant = app.test_client()
    page = applicant.get("/operations/apply").get_data(as_text=True)
    answer = applicant.post("/operations/apply",
                            data={**FORM, **changes, "csrf_token": csrf(page)})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html[:500]
    number = re.search(r'id="receipt-number">([^<]+)<', html)
    assert number
    return applicant, number.group(1), html


def post(client: FlaskClient, path: str, **fields: Any) -> str:
    page = client.get(path.rsplit("/", 1)[0]).get_data(as_text=True)
    answer = client.post(path, data={**fields, "csrf_token": csrf(page)})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client.get(answer.headers["Location"]).get_data(as_text=True)


def test_filing_first_review_decision_and_feedback(app: Flask, clock: Clock,
                                                   caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    applicant, number, receipt = file(app)
    assert number.startswith("YY-20260930-")
    assert re.search(r'id="access-code">[2-9A-Z]{26}<', receipt)
    # 10 working days from 30 Sep (not counted), across the National Day
    # holiday and its make-up Saturday 10 Oct: 20 Oct (000 §36(二)).
    assert '<span class="sv-due">2026-10-20</span>' in receipt and FIRST_REVIEW_CITED in receipt

    jtj, rsj, authority = sign_in(app, "jtj"), sign_in(app, "rsj"), sign_in(app, "authority")
    assert number in jtj.get("/review/operations/").get_data(as_text=True)
    assert number not in rsj.get("/review/operations/").get_data(as_text=True)
    assert rsj.get(f"/review/operations/{number}").status_code == 403
    detail = authority.get(f"/review/operations/{number}").get_data(as_text=True)
    assert "提交初审意见" not in detail  # the authority waits for the provider
    refused = authority.post(f"/review/operations/{number}/first_review",
                             data={"csrf_token": csrf(detail), "opinion": "pass",
                                   "reasons": "数据可以提供"})
    assert refused.status_code == 403

    clock.set("2026-10-21")  # one day late
    page = post(jtj, f"/review/operations/{number}/first_review", opinion="pass",
                reasons="场景明确，数据可以提供。")
    assert "初审通过" in page and "超期" in page
    assert 'data-state="first_reviewed"' in page
    # The authority's period is bureau policy modelled on 000 §36(三).
    assert "本局规定（参照《贵州省政务数据资源管理办法》第三十六条第（三）项）" in page

    page = post(authority, f"/review/operations/{number}/decide", verdict="authorise",
                reasons="场景符合要求，安全措施可行。", datasets="jtj-0001",
                fields="站点名称", start="2026-11-02", end="2027-10-31")
    assert 'data-state="authorised"' in page and "2026-11-02 至 2027-10-31" in page

    register = app.test_client().get("/operations/register").get_data(as_text=True)
    assert "云河智行科技有限公司" in register and "公交到站预测服务" in register
    for secret in (CONTACT, PHONE, CREDIT_CODE, "ops@example.com"):
        assert secret not in register
    api = app.test_client().get("/api/v1/operations/register").get_json()
    [entry] = api["authorisations"]
    assert entry["organisation"] == "云河智行科技有限公司" and entry["fields"] == ["站点名称"]
    assert [d["id"] for d in entry["datasets"]] == ["jtj-0001"]
    assert CONTACT not in str(api) and CREDIT_CODE not in str(api)

    # Feedback every 60 working days from the start of the term (bureau policy):
    status = applicant.get(f"/operations/{number}").get_data(as_text=True)
    due = re.search(r"下次反馈请于 (\S+) 前提交", status)
    assert due, status
    clock.set("2027-03-01")
    status = applicant.get(f"/operations/{number}").get_data(as_text=True)
    assert 'id="feedback-overdue"' in status
    queue = authority.get("/review/operations/").get_data(as_text=True)
    assert "data-feedback-overdue" in queue
    status = post(applicant, f"/operations/{number}/feedback",
                  quality="数据完整，个别站点坐标有偏差。", use="仅用于到站预测，未向第三方提供。",
                  effects="服务上线三个月，日均使用两万人次。")
    assert "反馈已提交" in status and "（逾期）" in status
    assert 'id="feedback-overdue"' not in status

    with app.extensions["portal_store"].engine.connect() as conn:
        stored = conn.execute(select(operations.c.personal, operations.c.snapshot)).one()
        audit = " ".join(str(r) for r in conn.execute(select(audit_log.c.detail)))
    assert CREDIT_CODE not in str(stored.snapshot) and CONTACT not in str(stored.snapshot)
    assert PHONE not in audit and CREDIT_CODE not in audit
    assert all(PHONE not in r.getMessage() and CREDIT_CODE not in r.getMessage()
               for r in caplog.records)


def test_refused_first_review_and_rejection_with_reasons(app: Flask, clock: Clock) -> None:
    applicant, number, _ = file(app)
    jtj, authority = sign_in(app, "jtj"), sign_in(app, "authority")
    page = jtj.get(f"/review/operations/{number}").get_data(as_text=True)
    answer = jtj.post(f"/review/operations/{number}/first_review",
                      data={"csrf_token": csrf(page), "opinion": "fail", "reasons": ""})
    assert "请填写不予通过的依据或理由" in jtj.get(answer.headers["Location"]).get_data(as_text=True)
    post(jtj, f"/review/operations/{number}/first_review", opinion="fail",
         reasons="所需字段涉及个人信息，依法不予提供。")
    page = post(authority, f"/review/operations/{number}/decide", verdict="authorise",
                reasons="同意授权运营。", datasets="jtj-0003", start="2026-11-02", end="2027-10-31")
    assert "授权范围不能超出申请的数据集" in page
    page = post(authority, f"/review/operations/{number}/decide", verdict="reject",
                reasons="同意初审意见：涉及个人信息。")
    assert 'data-state="rejected"' in page
    status = applicant.get(f"/operations/{number}").get_data(as_text=True)
    assert "初审不予通过" in status and "驳回申请" in status and "涉及个人信息" in status
    assert "撤回申请" not in status
    assert "暂无授权运营" in app.test_client().get("/operations/register").get_data(as_text=True)


def test_form_refuses_missing_contents_and_needs_csrf(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/operations/apply").get_data(as_text=True)
    assert FIRST_REVIEW_CITED in page
    assert client.post("/operations/apply", data=FORM).status_code == 400  # no CSRF token
    answer = client.post("/operations/apply", data={
        **FORM, "csrf_token": csrf(page), "security_measures": "", "credit_code": "123",
        "datasets": "jtj-0001\nrsj-0001"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "请说明数据安全保护措施" in html and "统一社会信用代码" in html
    assert "按部门分别申请" in html
    assert PHONE not in html  # personal data is never echoed back


def test_json_api_files_reads_and_withdraws(app: Flask) -> None:
    client = app.test_client()
    bad = client.post("/api/v1/operations", json={"scenario_title": 1})
    assert bad.status_code == 400 and bad.get_json()["ok"] is False
    incomplete = client.post("/api/v1/operations", json={"scenario_title": "x"}).get_json()
    assert incomplete["status"] == 400 and len(incomplete["errors"]) > 3
    body = {**FORM, "datasets": ["jtj-0001"]}
    filed = client.post("/api/v1/operations", json=body)
    assert filed.status_code == 201, filed.get_json()
    receipt = filed.get_json()
    number, code = receipt["number"], receipt["access_code"]
    [period] = receipt["deadlines"]
    assert period["due"] == "2026-10-20" and period["basis"] == FIRST_REVIEW_CITED
    assert CREDIT_CODE not in str(receipt) and PHONE not in str(receipt)
    wrong = client.get(f"/api/v1/operations/{number}", headers={"X-Access-Code": "X" * 26})
    assert wrong.status_code == 403 and set(wrong.get_json()) == {"ok", "error", "errors",
                                                                  "status"}
    status = client.get(f"/api/v1/operations/{number}", headers={"X-Access-Code": code})
    assert status.get_json()["actions"] == ["withdraw"]
    done = client.post(f"/api/v1/operations/{number}/withdraw", json={},
                       headers={"X-Access-Code": code}).get_json()
    assert done["state"] == "withdrawn" and done["deadlines"] == []
    again = client.post(f"/api/v1/operations/{number}/feedback", json={"quality": "x"},
                        headers={"X-Access-Code": code})
    assert again.status_code == 409 and again.get_json()["error"].isascii() is False


def test_other_profiles_say_the_periods_are_bureau_policy(make: Any) -> None:
    app = make("guizhou-regulation")
    page = app.test_client().get("/operations/apply").get_data(as_text=True)
    assert "贵州省政务数据资源管理办法" not in page
    rows = re.findall(r"<tr><td>[^<]+</td><td>\d+</td><td>[^<]+</td><td>([^<]+)</td></tr>", page)
    assert rows == ["本局规定"] * 3


def test_auditor_reads_but_acts_on_nothing(app: Flask) -> None:
    _, number, _ = file(app)
    auditor = sign_in(app, "auditor")
    page = auditor.get(f"/review/operations/{number}").get_data(as_text=True)
    assert "提交初审意见" not in page
    answer = auditor.post(f"/review/operations/{number}/first_review",
                          data={"csrf_token": csrf(page), "opinion": "pass", "reasons": "可以"})
    assert answer.status_code == 403


def test_reminders_are_queued_once_and_reach_the_operator(app: Flask, clock: Clock,
                                                          app_config: dict[str, Any]) -> None:
    _, number, _ = file(app)
    store = app.extensions["portal_store"]
    services = app.extensions["portal_services"]
    ops = Operations(periods_for(services.profile), services.calendar)
    assert remind_operations(store, ops, date(2026, 10, 9), clock.now) == 0  # running
    assert remind_operations(store, ops, date(2026, 10, 19), clock.now) == 1  # due soon
    assert remind_operations(store, ops, date(2026, 10, 21), clock.now) == 2  # + authority
    assert remind_operations(store, ops, date(2026, 10, 21), clock.now) == 0  # once only
    jtj, authority = sign_in(app, "jtj"), sign_in(app, "authority")
    clock.set("2026-10-21")
    post(jtj, f"/review/operations/{number}/first_review", opinion="pass",
         reasons="场景明确，数据可以提供。")
    post(authority, f"/review/operations/{number}/decide", verdict="authorise",
         reasons="场景符合要求。", datasets="jtj-0001", start="2026-10-22", end="2027-10-31")
    case, _ = OperationStore(store).load(number)
    due = ops.feedback_due(case)
    assert due is not None
    late = date.fromordinal(due.toordinal() + 1)
    assert remind_operations(store, ops, late, clock.now) == 3  # operator, provider, authority
    messages = [m for m in store.pending_messages() if m.kind.startswith("operation.")]
    assert all(PHONE not in m.body and CONTACT not in m.body and CREDIT_CODE not in m.body
               for m in messages)
    send_pending(store, {**app_config, "AUTHORITY_EMAIL": "review@dsj.example"}, clock.now)
    log = Path(app_config["MAIL_LOG"]).read_text(encoding="utf-8")
    assert f"to o***@example.com [operation.feedback.overdue]\nSubject: 运营反馈已逾期：授权运营 " \
           f"{number}" in log


def test_status_needs_the_access_code_and_feedback_over_json(app: Flask) -> None:
    client = app.test_client()
    receipt = client.post("/api/v1/operations",
                          json={**FORM, "datasets": ["jtj-0001"]}).get_json()
    number, code = receipt["number"], receipt["access_code"]
    stranger = app.test_client()
    assert stranger.get(f"/operations/{number}").status_code == 302
    page = stranger.get("/operations/status").get_data(as_text=True)
    wrong = stranger.post("/operations/status", data={"csrf_token": csrf(page),
                                                      "number": number, "access_code": "X"})
    assert wrong.status_code == 403
    right = stranger.post("/operations/status", data={"csrf_token": csrf(page),
                                                      "number": number, "access_code": code})
    assert right.status_code == 302
    assert 'data-state="filed"' in stranger.get(f"/operations/{number}").get_data(as_text=True)

    post(sign_in(app, "jtj"), f"/review/operations/{number}/first_review", opinion="pass",
         reasons="场景明确，数据可以提供。")
    post(sign_in(app, "authority"), f"/review/operations/{number}/decide", verdict="authorise",
         reasons="场景符合要求。", datasets="jtj-0001", start="2026-09-30", end="2027-10-31")
    headers = {"X-Access-Code": code}
    thin = client.post(f"/api/v1/operations/{number}/feedback", headers=headers,
                       json={"quality": "好", "use": "好", "effects": "好"})
    assert thin.status_code == 422 and "数据质量情况" in thin.get_json()["error"]
    done = client.post(f"/api/v1/operations/{number}/feedback", headers=headers, json={
        "quality": "数据完整，个别站点坐标有偏差。", "use": "仅用于到站预测，未向第三方提供。",
        "effects": "服务上线一周，日均使用两千人次。"}).get_json()
    assert done["state"] == "authorised"
    assert done["feedback"] == [{"on": "2026-09-30", "in_time": True}]
    assert done["message"] == "反馈已提交。"
