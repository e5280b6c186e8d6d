"""Authorised operation (授权运营, 000 §34–36; issue #16) attacked over HTTP
as an outsider would: every reviewer action tried by everyone who must not
do it (signed out, no CSRF token, another department, a department head,
the auditor, the wrong step), the applicant's status behind guessed numbers
and codes, steps out of order, odd Unicode and huge inputs, and a term the
working-day calendar cannot count. Nothing answers 5xx; nothing refused
leaves a trace in the case or its audit records."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from domain.procedures.operation import Operations
from domain.procedures.operation_periods import periods_for
from search_api.operations.reminders import remind_operations
from search_api.store.schema import audit_log
from tests.api.reviewer_apps import (
    AUDITOR,
    AUTHORITY,
    JTJ,
    RSJ,
    Account,
    Clock,
    app_factory,
    sign_in,
)
from tests.api.test_applicant_flow import csrf
from tests.api.test_authorised_operation import CONTACT, CREDIT_CODE, FORM, PHONE, post

# The store paths these reach are tested on both databases by the store's
# own tests and test_authorised_operation.py.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

JTJ_HEAD: Account = ("jtj-head", "department_head", "jtj")


@pytest.fixture
def clock() -> Clock:
    return Clock("2026-09-30")


@pytest.fixture
def app(app_config: dict[str, Any], clock: Clock, tmp_path: Path) -> Iterator[Flask]:
    with app_factory(app_config, clock, tmp_path,
                     [AUTHORITY, JTJ, JTJ_HEAD, RSJ, AUDITOR]) as make:
        yield make("guizhou-measures")


def filed(app: Flask) -> tuple[str, str]:
    """A scenario application filed over JSON: (number, access code)."""
    answer = app.test_client().post("/api/v1/operations",
                                    json={**FORM, "datasets": ["jtj-0001", "jtj-0002"]})
    assert answer.status_code == 201, answer.get_json()
    assert answer.headers["Cache-Control"] == "no-store"  # it holds the access code
    body = answer.get_json()
    return body["number"], body["access_code"]


def state(app: Flask, number: str, code: str) -> str:
    answer = app.test_client().get(f"/api/v1/operations/{number}",
                                   headers={"X-Access-Code": code})
    return str(answer.get_json()["state"])


def audit_count(app: Flask, number: str) -> int:
    with app.extensions["portal_store"].engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.subject == number)).scalar_one())


def try_step(client: FlaskClient, number: str, action: str, *, token: bool = True,
             **fields: Any) -> int:
    """Post ``action`` on the reviewers' page as ``client``; the status."""
    page = client.get("/operations/apply").get_data(as_text=True)
    data = {**fields, **({"csrf_token": csrf(page)} if token else {})}
    return client.post(f"/review/operations/{number}/{action}", data=data).status_code


DECIDE = {"verdict": "authorise", "reasons": "场景符合要求。", "datasets": "jtj-0001",
          "start": "2026-11-02", "end": "2027-10-31"}
REVIEW = {"opinion": "pass", "reasons": "场景明确，数据可以提供。"}


def test_every_reviewer_action_is_refused_to_all_but_its_holder(app: Flask) -> None:
    number, code = filed(app)
    anonymous = app.test_client()
    jtj, head, rsj = sign_in(app, "jtj"), sign_in(app, "jtj-head"), sign_in(app, "rsj")
    auditor, authority = sign_in(app, "auditor"), sign_in(app, "authority")

    page = anonymous.get("/operations/apply").get_data(as_text=True)
    answer = anonymous.post(f"/review/operations/{number}/first_review",
                            data={**REVIEW, "csrf_token": csrf(page)})
    assert answer.status_code == 302 and "/review/login" in answer.headers["Location"]
    assert anonymous.get(f"/review/operations/{number}").status_code == 302
    assert try_step(jtj, number, "first_review", token=False, **REVIEW) == 400  # forged post
    assert try_step(rsj, number, "first_review", **REVIEW) == 403  # another department
    assert rsj.get(f"/review/operations/{number}").status_code == 403
    assert try_step(head, number, "first_review", **REVIEW) == 403  # reads, does not review
    assert try_step(auditor, number, "first_review", **REVIEW) == 403
    assert try_step(authority, number, "first_review", **REVIEW) == 403
    for action in ("decide", "feedback", "withdraw", "FIRST_REVIEW", "nothing"):
        assert try_step(jtj, number, action, **DECIDE) == 403, action
    assert state(app, number, code) == "filed" and audit_count(app, number) == 1

    post(jtj, f"/review/operations/{number}/first_review", **REVIEW)
    twice = post(jtj, f"/review/operations/{number}/first_review", opinion="fail",
                 reasons="重复提交的初审意见。")
    assert "操作未执行" in twice and 'data-state="first_reviewed"' in twice
    for client in (jtj, head, rsj, auditor, anonymous):
        assert try_step(client, number, "decide", **DECIDE) in (302, 403)
    assert try_step(authority, number, "decide", token=False, **DECIDE) == 400
    assert state(app, number, code) == "first_reviewed" and audit_count(app, number) == 2

    post(authority, f"/review/operations/{number}/decide", verdict="reject",
         reasons="场景不明确，驳回。")
    again = post(authority, f"/review/operations/{number}/decide", **DECIDE)
    assert "操作未执行" in again and 'data-state="rejected"' in again
    assert state(app, number, code) == "rejected" and audit_count(app, number) == 3
    assert "暂无授权运营" in anonymous.get("/operations/register").get_data(as_text=True)


def test_status_numbers_and_codes_cannot_be_guessed(app: Flask, caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    number, code = filed(app)
    guesser = app.test_client()
    api = [guesser.get(f"/api/v1/operations/{n}", headers={"X-Access-Code": c})
           for n, c in ((number, "A" * 26), ("YY-20260930-0002", code), (number, ""))]
    assert {a.status_code for a in api} == {403}
    assert len({a.get_data() for a in api}) == 1  # an existing number answers alike
    page = guesser.get("/operations/status").get_data(as_text=True)
    pages = [guesser.post("/operations/status", data={
        "csrf_token": csrf(page), "number": n, "access_code": "A" * 26})
        for n in (number, "YY-20260930-0002")]
    typed = guesser.post("/operations/status", data={  # the credit code, by mistake
        "csrf_token": csrf(page), "number": CREDIT_CODE, "access_code": "A" * 26})
    assert [p.status_code for p in (*pages, typed)] == [403, 403, 403]
    assert not any(CREDIT_CODE in r.getMessage() for r in caplog.records)
    wrong = [r.getMessage() for r in caplog.records if "wrong access code" in r.getMessage()]
    assert any(number in m for m in wrong) and any("not a receipt number" in m for m in wrong)
    assert all("申请编号或查询码不正确" in p.get_data(as_text=True) for p in pages)
    assert guesser.get(f"/operations/{number}").status_code == 302  # still not opened

    limit = int(app.config["RATE_SECRET_ATTEMPTS"])
    answers = [guesser.get(f"/api/v1/operations/{number}",
                           headers={"X-Access-Code": f"B{i}"}).status_code
               for i in range(limit)]
    assert answers[-1] == 429
    # Once blocked, even the right code opens nothing: guessing cannot go on.
    assert guesser.get(f"/api/v1/operations/{number}",
                       headers={"X-Access-Code": code}).status_code == 429
    blocked = guesser.post("/operations/status", data={
        "csrf_token": csrf(page), "number": number, "access_code": code})
    assert blocked.status_code == 429
    elsewhere = app.test_client().get(f"/api/v1/operations/{number}",
                                      headers={"X-Access-Code": code},
                                      environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 200  # the applicant, from their own address


def test_the_applicant_sees_no_personal_data_and_steps_keep_their_order(
        app: Flask, clock: Clock) -> None:
    number, code = filed(app)
    client, headers = app.test_client(), {"X-Access-Code": code}
    thin = {"quality": "数据完整准确，更新及时。", "use": "仅用于到站预测服务开发。",
            "effects": "服务上线，日均使用两千人次。"}
    early = client.post(f"/api/v1/operations/{number}/feedback", headers=headers, json=thin)
    assert early.status_code == 409  # no feedback before an authorisation
    opened = app.test_client()
    page = opened.get("/operations/status").get_data(as_text=True)
    opened.post("/operations/status", data={"csrf_token": csrf(page), "number": number,
                                            "access_code": code})
    status = opened.get(f"/operations/{number}").get_data(as_text=True)
    body = str(client.get(f"/api/v1/operations/{number}", headers=headers).get_json())
    for secret in (CONTACT, PHONE, CREDIT_CODE, "ops@example.com"):
        assert secret not in status and secret not in body

    post(sign_in(app, "jtj"), f"/review/operations/{number}/first_review", **REVIEW)
    post(sign_in(app, "authority"), f"/review/operations/{number}/decide",
         **{**DECIDE, "start": "2026-10-08", "end": "2026-12-31"})
    withdraw = client.post(f"/api/v1/operations/{number}/withdraw", headers=headers, json={})
    assert withdraw.status_code == 409  # too late once decided
    clock.set("2027-01-05")  # after the term: the last report is still taken
    final = client.post(f"/api/v1/operations/{number}/feedback", headers=headers, json=thin)
    assert final.status_code == 200 and final.get_json()["feedback_due"] is None
    [entry] = app.test_client().get("/api/v1/operations/register").get_json()["authorisations"]
    assert entry["in_force"] is False and entry["feedback_count"] == 1


ODD = "\u202e\u200b\u200d\ufeff\u0301𠀀👩‍👩‍👧"  # override, zero widths, BOM, combining, CJK ext. B, ZWJ


FILINGS: list[tuple[dict[str, Any], int]] = [
    ({**FORM, "datasets": ["jtj-0001"], "organisation": ODD + "科技有限公司",
      "scenario_title": ODD * 5 + "服务"}, 201),
    ({**FORM, "datasets": ["jtj-0001"], "credit_code": "９１３５０１００Ｍ０００１００Ｙ４３"}, 201),
    # Repeats count once (the list was cut at 2000 characters, in the middle
    # of an id, which was then refused as unknown: "没有这些公开数据集：jt").
    ({**FORM, "datasets": ["jtj-0001"] * 3000}, 201),
    ({**FORM, "datasets": [f"x-{i}" for i in range(1500)]}, 400),
    ({**FORM, "datasets": {"jtj-0001": 1}}, 400),
    ({**FORM, "datasets": [["jtj-0001"]]}, 400),
    ({**FORM, "datasets": ["jtj-0001"], "fields": "、" * 900}, 201),  # no field at all
    ({**FORM, "datasets": ["jtj-0001"], "fields": "字段," * 400}, 400),
    ({**FORM, "datasets": ["jtj-0001"], "scenario": "长" * 60_000}, 413),
    ({**FORM, "datasets": ["jtj-0001"], "organisation": None, "email": 7}, 400),
]
BROKEN = [
    b'{"scenario_title": "\\ud800"}',  # a lone surrogate
    b'{"scenario_title": "\\ufdd0"}',  # a non-character
    b"[" * 5000 + b"]" * 5000,
    b'{"scenario_title": "\xc0\xae"}',  # not UTF-8
]


def test_odd_huge_and_broken_filings_are_answered_never_5xx(app: Flask) -> None:
    client = app.test_client()
    for n, (body, expected) in enumerate(FILINGS):
        # Each from its own address: the public-write limit is not what is tested.
        answer = client.post("/api/v1/operations", json=body,
                             environ_base={"REMOTE_ADDR": f"192.0.2.{n + 10}"})
        assert answer.status_code == expected, (n, answer.get_json())
    for n, raw in enumerate(BROKEN):
        answer = client.post("/api/v1/operations", data=raw, content_type="application/json",
                             environ_base={"REMOTE_ADDR": f"198.51.100.{n + 10}"})
        assert answer.status_code == 400 and answer.get_json()["ok"] is False, raw[:40]


def test_odd_form_posts_by_reviewers_never_5xx(app: Flask) -> None:
    number, code = filed(app)
    jtj, authority = sign_in(app, "jtj"), sign_in(app, "authority")
    assert try_step(jtj, number, "first_review", opinion=ODD, reasons=ODD * 400) == 302
    post(jtj, f"/review/operations/{number}/first_review", opinion="pass",
         reasons=ODD + "场景明确。")
    for start, end in (("２０２６-11-02", "2027-10-31"), ("2026-02-30", "2027-10-31"),
                       ("", ""), ("9" * 5000, "x")):
        assert try_step(authority, number, "decide", **{**DECIDE, "start": start,
                                                        "end": end}) == 302
    assert try_step(authority, number, "decide", **{**DECIDE, "verdict": ODD}) == 302
    assert state(app, number, code) == "first_reviewed"


def test_a_term_the_calendar_cannot_count_is_refused_and_pages_stay_up(
        app: Flask, clock: Clock) -> None:
    # Accepted, a term from December 2100 made the applicant's status page,
    # every reviewer's queue and the reminder job answer 503 for good.
    number, code = filed(app)
    jtj, authority = sign_in(app, "jtj"), sign_in(app, "authority")
    post(jtj, f"/review/operations/{number}/first_review", **REVIEW)
    page = post(authority, f"/review/operations/{number}/decide",
                **{**DECIDE, "start": "2100-12-01", "end": "2101-12-31"})
    assert "过远，无法计算运营反馈期限" in page and 'data-state="first_reviewed"' in page
    assert authority.get("/review/operations/").status_code == 200
    assert jtj.get("/review/operations/").status_code == 200
    assert app.test_client().get(f"/api/v1/operations/{number}",
                                 headers={"X-Access-Code": code}).status_code == 200
    services = app.extensions["portal_services"]
    ops = Operations(periods_for(services.profile), services.calendar)
    remind_operations(app.extensions["portal_store"], ops, date(2026, 10, 30), clock.now)


def test_a_filing_before_new_year_counts_into_the_provisional_2027(app: Flask,
                                                                   clock: Clock) -> None:
    # 10 working days from 24 Dec 2026 (not counted), over New Year's Day:
    # 8 Jan 2027, on a year without its State Council notice: 暂定.
    clock.set("2026-12-24")
    receipt = app.test_client().post("/api/v1/operations",
                                     json={**FORM, "datasets": ["jtj-0001"]}).get_json()
    [period] = receipt["deadlines"]
    assert period["due"] == "2027-01-08" and period["provisional"] is True
    applicant = app.test_client()
    page = applicant.get("/operations/apply").get_data(as_text=True)
    html = applicant.post("/operations/apply", data={**FORM, "csrf_token": csrf(page)}
                          ).get_data(as_text=True)
    assert '<span class="sv-due">2027-01-08</span> 前<span class="sv-provisional"' in html
