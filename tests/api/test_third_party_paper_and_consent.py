"""Reviewers over HTTP: a third party's answer received on paper (003 §25
periods, audited), refusals in Chinese with the article, and the Foshan
profile's consent rule (002 §38) on the third party's letter and the
decision.

Dates: a consultation received on Thu 2026-09-24 runs 15 working days to
2026-10-22 (Mid-Autumn 09-25, National Day 10-01..10-07, make-up working
day 10-10; the day of receipt not counted), as in test_review_flow.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.reviewer_apps import (  # noqa: F401  (PASSWORD, sign_in: used by other tests)
    AUTHORITY,
    PASSWORD,
    RSJ,
    Clock,
    app_factory,
    sign_in,
)
from tests.api.test_applicant_flow import application, csrf

ASCII_WORDS = re.compile(r"[A-Za-z]{4,}")  # an English word in a message meant for people


@pytest.fixture
def clock() -> Clock:
    return Clock("2026-09-21")


@pytest.fixture
def make_app(app_config: dict[str, Any], clock: Clock,
             tmp_path: Path) -> Iterator[Callable[[str], Flask]]:
    with app_factory(app_config, clock, tmp_path, [AUTHORITY, RSJ],
                     RATE_SECRET_ATTEMPTS=1000) as make:
        yield make


def post(client: FlaskClient, number: str, action: str, **fields: str) -> tuple[str, list[str]]:
    """Post a reviewer's form; the page after it and its flash messages."""
    page = client.get(f"/review/requests/{number}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version, "no action form on the page"
    html = client.post(f"/review/requests/{number}/{action}", data={
        "csrf_token": csrf(page), "version": version.group(1), **fields},
        follow_redirects=True).get_data(as_text=True)
    return html, re.findall(r"sv-flash[^>]*>([^<]+)", html)


def consulting(app: Flask, clock: Clock) -> tuple[FlaskClient, str, str]:
    """A request filed 09-21, forwarded 09-22, in consultation from 09-24
    with one third party; the reviewer's client, the number and the token."""
    applicant = app.test_client()
    page = applicant.get("/apply/rsj-0003").get_data(as_text=True)
    html = applicant.post("/apply/rsj-0003", data=application(csrf(page))).get_data(as_text=True)
    number = re.search(r'id="receipt-number">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    clock.set("2026-09-22")
    post(sign_in(app, "authority"), number, "forward")
    rsj = sign_in(app, "rsj")
    clock.set("2026-09-24")
    html, _ = post(rsj, number, "start_consultation", parties="云河示例物业管理有限公司")
    token = re.search(r"/consult/([A-Za-z0-9_-]+)", html).group(1)  # type: ignore[union-attr]
    return rsj, number, token


@pytest.mark.both_dbs  # a whole flow through the store on PostgreSQL too
def test_a_paper_answer_received_in_time_is_recorded_late_and_audited(
        make_app: Callable[[str], Flask], clock: Clock) -> None:
    app = make_app("guizhou-regulation")
    rsj, number, _ = consulting(app, clock)
    clock.set("2026-10-26")  # after the period: the letter came on 10-20
    page = rsj.get(f"/review/requests/{number}").get_data(as_text=True)
    assert 'data-action="third_party_answer"' in page and 'max="2026-10-26"' in page
    html, flashes = post(rsj, number, "third_party_answer", party="p1", answer="object",
                         received_on="2026-10-20", reasons="来函称涉及本公司经营信息",
                         reference="收文〔2026〕88号")
    assert flashes == ["操作已完成。"], flashes
    assert "（2026-10-20，书面）" in html and "来函称涉及本公司经营信息" in html

    store = app.extensions["portal_store"]
    record = [r for r in store.audit_records(number) if r.action == "request.third_party_answered"]
    assert len(record) == 1
    detail = json.loads(record[0].detail)
    assert (record[0].actor_role, record[0].actor) == ("department_reviewer", "rsj")
    assert detail["on"] == "2026-10-26" and detail["data"]["channel"] == "paper"
    assert detail["data"]["received_on"] == "2026-10-20"
    assert detail["data"]["reference"] == "收文〔2026〕88号"
    # The consultation ended when the letter came: paused 09-24 → 10-20.
    html, flashes = post(rsj, number, "close_consultation")
    assert flashes == ["操作已完成。"]
    # 15 WD from receipt 09-21 (003 §25): 3 used (09-22..24) before the pause,
    # 12 after 10-20: 10-21..23(1-3) 26..30(4-8) 11-02..05(9-12).
    assert re.search(r"数据提供部门答复</td><td>2026-11-05<", html)


@pytest.mark.parametrize(("received", "expected"), [
    ("2026-10-23", "已超过答复期限：期限（15 个工作日）已于 2026-10-22 届满"),
    ("2026-09-23", "早于征求意见书送达之日 2026-09-24"),
    ("2026-10-27", "收到答复的日期 2026-10-27 晚于今天"),
    ("10/20/2026", "日期格式不正确"),
    ("20261020", "日期格式不正确"),  # fromisoformat would read it; no reviewer means it
])
def test_paper_answer_dates_are_checked_in_chinese(
        make_app: Callable[[str], Flask], clock: Clock, received: str, expected: str) -> None:
    app = make_app("guizhou-regulation")
    rsj, number, _ = consulting(app, clock)
    clock.set("2026-10-26")
    _, flashes = post(rsj, number, "third_party_answer", party="p1", answer="agree",
                      received_on=received)
    assert len(flashes) == 1 and flashes[0].startswith("操作未执行："), flashes
    assert expected in flashes[0], flashes
    # The third party's 15 days are the pre-revision text of 003, bureau
    # policy now: no article of the current text is cited for them.
    assert "第二十五条" not in flashes[0]
    assert not ASCII_WORDS.search(flashes[0]), flashes


def test_reviewer_refusals_are_chinese_and_say_what_to_do(
        make_app: Callable[[str], Flask], clock: Clock) -> None:
    app = make_app("guizhou-regulation")
    rsj, number, _ = consulting(app, clock)
    cases = [
        (("close_consultation", {}), "第三方 p1 在 2026-10-22 前仍可答复"),
        (("third_party_answer", {"party": "p9", "answer": "agree"}), "第三方“p9”不在本次征求意见"),
        (("third_party_answer", {"party": "p1", "answer": "object"}), "不同意开放须说明理由"),
        (("deny", {"reasons": "涉及商业秘密"}), "不予开放须提供法律依据"),
    ]
    for (action, fields), expected in cases:
        _, flashes = post(rsj, number, action, **fields)
        assert len(flashes) == 1 and expected in flashes[0], (action, flashes)
        assert not ASCII_WORDS.search(flashes[0]), flashes


def test_foshan_third_party_consent_cannot_be_overridden(
        make_app: Callable[[str], Flask], clock: Clock) -> None:
    app = make_app("foshan")
    rsj, number, token = consulting(app, clock)
    third = app.test_client()
    letter = third.get(f"/consult/{token}", follow_redirects=True).get_data(as_text=True)
    assert "第三十八条" in letter and "您不同意开放的，不得提供" in letter
    assert "第二十五条" not in letter
    clock.set("2026-10-12")
    # 002 §38 asks for no grounds: a bare objection is recorded.
    answered = third.post("/consult/", data={"csrf_token": csrf(letter), "answer": "object"},
                          follow_redirects=True).get_data(as_text=True)
    assert "您的意见已收到" in answered
    post(rsj, number, "close_consultation")
    page = rsj.get(f"/review/requests/{number}").get_data(as_text=True)
    assert 'data-action="approve"' not in page and 'data-action="judge_objection"' not in page
    assert 'data-action="deny"' in page
    # Posted anyway, with a public-interest reason: refused, citing 002 §38.
    html = rsj.post(f"/review/requests/{number}/approve", data={
        "csrf_token": csrf(page), "version": re.search(  # type: ignore[union-attr]
            r'name="version" value="(\d+)"', page).group(1),
        "scope": "汇总数据", "delivery_method": "download", "override": "关系重大公共利益"},
        follow_redirects=True).get_data(as_text=True)
    flashes = re.findall(r"sv-flash[^>]*>([^<]+)", html)
    assert len(flashes) == 1 and "第三方 p1 未同意开放" in flashes[0], flashes
    assert "《佛山市政务数据资源管理办法（试行）》第三十八条" in flashes[0]
    assert "同意开放，待提供数据" not in html


def test_third_party_answers_through_the_json_api_with_the_same_rules(
        make_app: Callable[[str], Flask], clock: Clock) -> None:
    app = make_app("guizhou-regulation")
    _, _, token = consulting(app, clock)
    api = app.test_client()
    missing = api.post(f"/api/v1/consultations/{token}", json={"answer": "object"})
    assert missing.status_code == 409 and "不同意开放须说明理由" in missing.get_json()["error"]
    assert api.post(f"/api/v1/consultations/{token}", json={"answer": "maybe"}).status_code == 400
    assert api.post("/api/v1/consultations/not-a-token", json={"answer": "agree"}
                    ).status_code == 404
    done = api.post(f"/api/v1/consultations/{token}", json={"answer": "agree"})
    assert done.status_code == 200 and done.get_json() == {"ok": True, "message": "意见已收到。"}
    again = api.post(f"/api/v1/consultations/{token}", json={"answer": "agree"})
    assert again.status_code == 409 and "答复只记录一次" in again.get_json()["error"]
    # The web page shows the answer given over the API.
    page = app.test_client().get(f"/consult/{token}", follow_redirects=True)
    assert 'id="answered"' in page.get_data(as_text=True)


def test_the_consultation_page_needs_the_link(make_app: Callable[[str], Flask]) -> None:
    app = make_app("guizhou-regulation")
    client = app.test_client()
    assert client.get("/consult/").status_code == 404
    assert client.get("/consult/not-a-token").status_code == 404
