"""Data error reports over HTTP (issue #5): the public reports, the receipt
names the deadline and that business is not refused during verification
(001 §26, 004 §17), the department answers, the answer is public without
the reporter's data; department isolation; a real-browser filing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.api.test_applicant_flow import csrf
from tests.api.test_review_flow import app, clock, sign_in  # noqa: F401
from tests.browser import chromium

REPORTER_CONTACT = "13912345678"


def file_report(app: Flask, dataset: str = "jtj-0001") -> str:  # noqa: F811
    client = app.test_client()
    page = client.get(f"/report/{dataset}").get_data(as_text=True)
    answer = client.post(f"/report/{dataset}", data={
        "csrf_token": csrf(page), "kind": "data_error", "field": "longitude", "row": "12",
        "description": "人民广场站经度应为121.4737", "reporter_name": "王女士",
        "reporter_contact": REPORTER_CONTACT})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html[:300]
    assert "不得以数据正在校核为由拒绝办理" in html
    return re.search(r'id="report-number">([^<]+)<', html).group(1)  # type: ignore[union-attr]


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_report_answered_and_published(app: Flask, clock: Any) -> None:  # noqa: F811
    clock.set("2026-09-30")
    number = file_report(app)
    assert number.startswith("JC-20260930-")
    public = app.test_client()
    assert public.get("/api/v1/datasets/jtj-0001/reports").get_json()["answers"] == []
    jtj = sign_in(app, "jtj")
    queue = jtj.get("/review/reports").get_data(as_text=True)
    # guizhou-regulation sets no verification period: the portal default of
    # 10 working days applies; across National Day 2026 → 2026-10-20.
    assert number in queue and "2026-10-20" in queue
    clock.set("2026-10-12")
    done = jtj.post(f"/review/reports/{number}/answer", data={
        "csrf_token": csrf(queue), "finding": "corrected", "reasons": "已按实测坐标更正"},
        follow_redirects=True).get_data(as_text=True)
    assert "操作已完成" in done
    answers = public.get("/api/v1/datasets/jtj-0001/reports").get_json()["answers"]
    assert [(a["finding_name"], a["answer"], a["in_time"]) for a in answers] == [
        ("已更正", "已按实测坐标更正", True)]
    text = str(answers)
    assert "王女士" not in text and REPORTER_CONTACT not in text and "人民广场站" not in text


def test_other_departments_cannot_answer(app: Flask, clock: Any) -> None:  # noqa: F811
    number = file_report(app)
    rsj = sign_in(app, "rsj")
    queue = rsj.get("/review/reports").get_data(as_text=True)
    assert number not in queue
    token = csrf(rsj.get("/review/").get_data(as_text=True))  # the queue's logout form
    refused = rsj.post(f"/review/reports/{number}/answer", data={
        "csrf_token": token, "finding": "confirmed", "reasons": "x"})
    assert refused.status_code == 403


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_filing_an_error_report_in_a_browser(live_server: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(live_server + "/datasets/jtj-0001/")
        page.get_by_role("link", name="报告数据错误").click()
        page.wait_for_selector("#description")
        page.fill("#field", "stop_name")
        page.fill("#description", "站点名称有错别字")
        page.click("button[type=submit]")
        page.wait_for_selector("#report-number")
        assert page.inner_text("#report-number").startswith("JC-")
        assert "不得以数据正在校核为由拒绝办理" in page.inner_text("#business-notice")
        page.goto(live_server + "/datasets/jtj-0001/")
        page.wait_for_selector("#pt-report-answers p, #pt-report-answers ul")
        assert "暂无纠错答复" in page.inner_text("#pt-report-answers")


def test_evidence_is_kept_for_the_department_and_never_public(app: Flask, clock: Any) -> None:  # noqa: F811
    # An accepted submission loses nothing: the evidence is stored with the
    # report, shown to the department's reviewers, and published nowhere.
    client = app.test_client()
    answer = client.post("/api/v1/datasets/jtj-0001/reports", json={
        "kind": "data_error", "field": "stop_name", "description": "站名有误",
        "evidence": "现场照片编号 P-2026-0917", "reporter_contact": "someone@example.org"})
    assert answer.status_code == 201, answer.get_json()
    number = answer.get_json()["number"]
    report, _ = app.extensions["portal_reports"].load(number)
    assert report.evidence == "现场照片编号 P-2026-0917"
    assert "P-2026-0917" in sign_in(app, "jtj").get("/review/reports").get_data(as_text=True)
    assert "P-2026-0917" not in client.get("/api/v1/datasets/jtj-0001/reports").get_data(
        as_text=True)


def test_a_short_contact_or_name_does_not_refuse_the_report(app: Flask) -> None:  # noqa: F811
    # "-" or a name like "数据" appear in the notices' own words: they are not
    # personal data leaking into a message.
    answer = app.test_client().post("/api/v1/datasets/jtj-0001/reports", json={
        "kind": "data_error", "description": "坐标有误", "reporter_name": "数据",
        "reporter_contact": "-"})
    assert answer.status_code == 201, answer.get_json()
