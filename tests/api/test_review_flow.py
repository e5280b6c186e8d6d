"""The whole request procedure over HTTP: reviewers by role, a third-party
objection that pauses the provider's clock across National Day 2026, a
public-interest override with the written notice, an extension, a late
third-party answer, a denial; and access control between departments.

Dates were counted by hand on the State Council's 2026 notice (Mid-Autumn
holiday 09-25; National Day 10-01..10-07; make-up working days 09-20 and
10-10), the day of receipt not counted; profile guizhou-regulation (003
§25: provider 15 + 15 WD from the day the platform receives the
application, no review period in front; third party 15 WD, bureau policy).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.reviewer_apps import (  # noqa: F401  (PASSWORD, sign_in: used by other tests)
    AUDITOR,
    AUTHORITY,
    JTJ,
    PASSWORD,
    RSJ,
    RSJ_HEAD,
    Clock,
    app_factory,
    sign_in,
)
from tests.api.test_applicant_flow import ID_NUMBER, PHONE, application, csrf
from tests.conftest import REPO


@pytest.fixture
def clock() -> Clock:
    return Clock("2026-09-21")  # a Monday


@pytest.fixture
def app(app_config: dict[str, Any], clock: Clock, tmp_path: Path) -> Iterator[Flask]:
    with app_factory(app_config, clock, tmp_path,
                     [AUTHORITY, RSJ, RSJ_HEAD, JTJ, AUDITOR]) as make:
        yield make("guizhou-regulation")


def act(client: FlaskClient, number: str, action: str, **fields: str) -> str:
    page = client.get(f"/review/requests/{number}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version, f"no action form on the page for {action}"
    answer = client.post(f"/review/requests/{number}/{action}", data={
        "csrf_token": csrf(page), "version": version.group(1), **fields},
        follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert "操作已完成" in html, re.findall(r'sv-flash[^>]*>([^<]+)', html)
    return html


def file(app: Flask) -> tuple[FlaskClient, str]:
    applicant = app.test_client()
    page = applicant.get("/apply/rsj-0003").get_data(as_text=True)
    html = applicant.post("/apply/rsj-0003", data=application(csrf(page))).get_data(as_text=True)
    number = re.search(r'id="receipt-number">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    return applicant, number


def provider_due(client: FlaskClient, number: str) -> str:
    page = client.get(f"/review/requests/{number}").get_data(as_text=True)
    row = re.search(r"数据提供部门答复</td><td>([^<]+)</td>", page)
    assert row, "no provider period on the page"
    return row.group(1)


@pytest.mark.both_dbs  # a whole flow through the store on PostgreSQL too
def test_objection_pause_override_extension_and_delivery(app: Flask, clock: Clock) -> None:
    applicant, number = file(app)
    authority = sign_in(app, "authority")
    # From receipt 09-21: 22-24(1-3), 25 off, 28-30(4-6), 10-01..07 off,
    # 08 09(7-8), 10 Sat make-up(9), 12-16(10-14), 19(15).
    assert provider_due(authority, number) == "2026-10-19"
    clock.set("2026-09-22")
    act(authority, number, "forward")  # the formal check does not move the end
    rsj = sign_in(app, "rsj")
    assert provider_due(rsj, number) == "2026-10-19"
    clock.set("2026-09-24")
    html = act(rsj, number, "start_consultation", parties="云河示例物业管理有限公司")
    token = re.search(r"/consult/([A-Za-z0-9_-]+)", html).group(1)  # type: ignore[union-attr]
    assert provider_due(rsj, number) == "暂停计时"

    third = app.test_client()
    letter = third.get(f"/consult/{token}", follow_redirects=True).get_data(as_text=True)
    assert "2026-10-22" in letter  # 15 WD from receipt of the consultation
    assert "李明" not in letter and ID_NUMBER not in letter and PHONE not in letter
    clock.set("2026-10-12")
    answered = third.post("/consult/", data={
        "csrf_token": csrf(letter), "answer": "object", "reasons": "涉及本公司经营信息"},
        follow_redirects=True).get_data(as_text=True)
    assert "您的意见已收到" in answered
    act(rsj, number, "close_consultation")
    # 3 used before the pause (09-22..24), 12 from 10-12: 13-16(1-4) 19-23(5-9) 26-28.
    assert provider_due(rsj, number) == "2026-10-28"

    clock.set("2026-10-13")
    head = sign_in(app, "rsj-head")
    act(head, number, "extend", days="5", reasons="数据量大，需脱敏处理")
    assert provider_due(rsj, number) == "2026-11-04"  # 10-29 30 11-02 03 04

    clock.set("2026-10-20")
    act(rsj, number, "approve", scope="2025年度参保单位汇总数据", delivery_method="download",
        override="用于全市社会保障政策评估，关系重大公共利益")
    act(rsj, number, "notify_third_party", party="p1", reference="云人社函〔2026〕12号")
    act(rsj, number, "deliver", reference="下载")
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    assert "已提供数据" in status and "数据量大，需脱敏处理" in status

    # The approved applicant downloads through a link limited to their session.
    listing = applicant.post(f"/requests/{number}/download-link",
                             data={"csrf_token": csrf(status)}, follow_redirects=True)
    link = re.search(rf'href="(/requests/{number}/files/)([^"]+)"',
                     listing.get_data(as_text=True))
    assert link, "no file on the download page"
    with applicant.get(link.group(1) + link.group(2)) as got:
        assert got.status_code == 200
        source = next((REPO / "datasets" / "rsj-0003" / "data").glob("*.csv")).read_bytes()
        assert got.get_data() == source
    with app.test_client().get(link.group(1) + link.group(2)) as stranger:
        assert stranger.status_code == 403
    clock.now += timedelta(hours=73)
    with applicant.get(link.group(1) + link.group(2)) as expired:
        assert expired.status_code == 410


def test_late_third_party_answer_and_denial(app: Flask, clock: Clock) -> None:
    applicant, number = file(app)
    clock.set("2026-09-22")
    act(sign_in(app, "authority"), number, "forward")
    rsj = sign_in(app, "rsj")
    clock.set("2026-09-24")
    html = act(rsj, number, "start_consultation", parties="某第三方")
    token = re.search(r"/consult/([A-Za-z0-9_-]+)", html).group(1)  # type: ignore[union-attr]
    clock.set("2026-10-23")  # one working day after the third party's period
    third = app.test_client()
    letter = third.get(f"/consult/{token}", follow_redirects=True).get_data(as_text=True)
    late = third.post("/consult/", data={
        "csrf_token": csrf(letter), "answer": "object", "reasons": "不同意"},
        follow_redirects=True).get_data(as_text=True)
    assert "已超过答复期限" in late
    act(rsj, number, "close_consultation")
    act(rsj, number, "deny", reasons="数据涉及商业秘密",
        legal_basis="《贵州省政府数据共享开放条例》第二十一条")
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    assert "不予开放" in status and "第二十一条" in status and "行政复议" in status


def test_reviewers_see_and_act_only_within_their_duties(app: Flask, clock: Clock) -> None:
    _, number = file(app)
    jtj = sign_in(app, "jtj")
    assert number not in jtj.get("/review/").get_data(as_text=True)
    assert jtj.get(f"/review/requests/{number}").status_code == 403
    rsj = sign_in(app, "rsj")
    page = rsj.get(f"/review/requests/{number}").get_data(as_text=True)
    assert 'data-action="forward"' not in page  # normative review is the authority's
    token = csrf(rsj.get("/review/").get_data(as_text=True))  # the queue's logout form
    refused = rsj.post(f"/review/requests/{number}/forward",
                       data={"csrf_token": token, "version": "1"})
    assert refused.status_code == 403
    auditor = sign_in(app, "auditor")
    audit_page = auditor.get(f"/review/requests/{number}").get_data(as_text=True)
    assert number in audit_page and "data-action=" not in audit_page
    assert app.test_client().get("/review/").status_code == 302  # not signed in


def test_wrong_password_is_refused_and_logged(app: Flask, caplog: Any) -> None:
    client = app.test_client()
    page = client.get("/review/login").get_data(as_text=True)
    answer = client.post("/review/login", data={"csrf_token": csrf(page), "username": "rsj",
                                                "password": "wrong"})
    assert answer.status_code == 403
    assert any("failed reviewer sign-in" in r.getMessage() for r in caplog.records)


def test_reviewers_are_warned_of_a_missing_calendar_year(app: Flask, clock: Clock) -> None:
    authority = sign_in(app, "authority")
    assert "calendar-warning" not in authority.get("/review/").get_data(as_text=True)
    clock.set("2026-11-23")  # requests filed now may run into 2027, not yet published
    warning = authority.get("/review/").get_data(as_text=True)
    assert 'id="calendar-warning"' in warning and "2027" in warning


def test_public_register_api(app: Flask) -> None:
    _, number = file(app)
    body = app.test_client().get("/api/v1/register").get_json()
    assert body["ok"] and body["by_department"]["rsj"]["received"] == 1
    assert body["by_dataset"]["rsj-0003"]["pending"] == 1
    assert ID_NUMBER not in str(body) and number not in str(body)


@pytest.mark.both_dbs  # a whole flow through the store on PostgreSQL too
def test_explanation_demand_answer_and_use_report(app: Flask, clock: Clock) -> None:
    applicant, number = file(app)
    clock.set("2026-09-22")
    act(sign_in(app, "authority"), number, "forward")
    rsj = sign_in(app, "rsj")
    act(rsj, number, "request_explanation", question="申请近十年全部明细，请说明必要性")
    # 003 §26 gives no pause: the provider's period runs on, under supervision.
    assert provider_due(rsj, number) == "2026-10-19"
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    assert "请说明必要性" in status and "待申请人说明理由" in status
    clock.set("2026-09-28")
    answered = applicant.post(f"/requests/{number}/answer", data={
        "csrf_token": csrf(status), "text": "课题需要十年趋势分析"}, follow_redirects=True)
    assert "说明已提交" in answered.get_data(as_text=True)
    act(rsj, number, "judge_explanation", reasonable="yes", reasons="理由合理")
    act(rsj, number, "approve", scope="近十年汇总数据", delivery_method="download")
    act(rsj, number, "deliver")
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    reported = applicant.post(f"/requests/{number}/report", data={
        "csrf_token": csrf(status), "text": "已形成研究报告一份"}, follow_redirects=True)
    html = reported.get_data(as_text=True)
    assert "使用情况已报告" in html and "已形成研究报告一份" in html
