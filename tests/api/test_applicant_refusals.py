"""Applicants are told in Chinese why the procedure refused their action —
on the request's page (a flash) and in the JSON API's error message — with
the request's state and when the action is possible, instead of a generic
"not possible in this state" (search_api.requests.refusals.applicant_refusal)."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from domain.procedures.request_states import (
    EventOutOfOrder,
    IllegalTransition,
    RoleNotAllowed,
    RuleViolation,
)
from search_api.requests.applications import APPLICANT_ACTIONS
from search_api.requests.refusals import (
    APPLICANT_TRANSITIONS,
    PROCEDURE,
    applicant_refusal,
    refusal,
)
from tests.api.test_applicant_flow import csrf, file_request
from tests.api.test_requests_json_api import ERROR_KEYS, body
from tests.api.test_review_flow import Clock, act, app, clock, file, sign_in  # noqa: F401

GENERIC = "下不能进行此操作"


def flashes(html: str) -> list[str]:
    return re.findall(r'class="sv-flash sv-error"[^>]*>([^<]+)<', html)


def post(client: FlaskClient, number: str, action: str, text: str = "",
         page: str | None = None) -> list[str]:
    """The applicant's action from ``page`` (by default loaded just before);
    the error flashes."""
    page = page or client.get(f"/requests/{number}").get_data(as_text=True)
    answer = client.post(f"/requests/{number}/{action}",
                         data={"csrf_token": csrf(page), "text": text}, follow_redirects=True)
    assert answer.status_code == 200
    return flashes(answer.get_data(as_text=True))


def test_each_applicant_action_has_its_sentence() -> None:
    assert set(APPLICANT_TRANSITIONS) == set(APPLICANT_ACTIONS)
    for action in APPLICANT_ACTIONS:
        text = applicant_refusal(IllegalTransition("cannot"), action, "已提供数据")
        assert "“已提供数据”" in text and not re.search(r"[A-Za-z]{3,}", text)


def test_other_refusals_use_the_shared_sentences() -> None:
    empty = RuleViolation("the report of use is empty", "000 §36(四)", code="use-report-empty")
    assert applicant_refusal(empty, "report", "已提供数据") == refusal(empty)
    assert refusal(empty).startswith("请填写数据使用情况和成果后再提交。（依据：《贵州省政务数据资源管理办法》")
    assert applicant_refusal(RoleNotAllowed("no"), "withdraw", "x") == PROCEDURE["role-not-allowed"]
    late = EventOutOfOrder("before the last event")
    assert applicant_refusal(late, "withdraw", "x") == PROCEDURE["event-out-of-order"]
    unknown = IllegalTransition("cannot")
    assert applicant_refusal(unknown, "other", "x") == PROCEDURE["illegal-transition"]
    third = RuleViolation("late", "003 §25", code="third-party-answer-late", party="p1",
                          on=date(2026, 10, 23), due=date(2026, 10, 22), period=15)
    assert applicant_refusal(third, "answer", "x") == refusal(third)


def test_the_page_says_why_an_action_is_refused(client: FlaskClient) -> None:
    number, _ = file_request(client)
    assert post(client, number, "report", "已形成研究报告") == [
        "操作未执行：本申请当前状态为“已受理，待审核转办”，还不能报告使用情况：数据提供之后才能报告。"]
    [answer] = post(client, number, "answer", "说明")
    assert "无需说明理由" in answer and "已受理，待审核转办" in answer
    older_tab = client.get(f"/requests/{number}").get_data(as_text=True)
    assert post(client, number, "withdraw") == []  # withdrawn
    [again] = post(client, number, "withdraw", page=older_tab)
    assert again == "操作未执行：本申请当前状态为“申请人已撤回”，不能撤回：只有在作出答复之前才能撤回申请。"
    assert GENERIC not in again


def test_the_api_says_why_an_action_is_refused(client: FlaskClient) -> None:
    filed = client.post("/api/v1/requests", json=body()).get_json()
    headers = {"X-Access-Code": filed["access_code"]}
    url = f"/api/v1/requests/{filed['number']}"
    early = client.post(f"{url}/report", json={"text": "已形成研究报告"}, headers=headers)
    data = early.get_json()
    assert early.status_code == 409 and set(data) == ERROR_KEYS and data["status"] == 409
    assert data["error"] == APPLICANT_TRANSITIONS["report"].format(state="已受理，待审核转办")
    assert data["errors"] == [data["error"]]
    assert client.post(f"{url}/withdraw", json={}, headers=headers).status_code == 200
    again = client.post(f"{url}/withdraw", json={}, headers=headers).get_json()
    assert "不能撤回" in again["error"] and "申请人已撤回" in again["error"]
    assert GENERIC not in again["error"]


def test_a_refusal_other_than_the_state_uses_the_shared_table(
        app: Flask, clock: Clock) -> None:  # noqa: F811
    applicant, number = file(app)
    clock.set("2026-09-23")
    act(sign_in(app, "authority"), number, "forward")
    clock.set("2026-09-22")  # the server's clock went back a day
    [refused] = post(applicant, number, "withdraw", "不再需要")
    assert refused == f"操作未执行：{PROCEDURE['event-out-of-order']}"
