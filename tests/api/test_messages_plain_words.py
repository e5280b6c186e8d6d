"""Messages name datasets and departments, link with absolute addresses from
PUBLIC_SITE_URL (never the request's Host), carry Date and Message-ID; the
applicant who gave an e-mail address gets a confirmation (issue 10)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from search_api.mail.mailer import send_pending
from tests.api.test_review_flow import Clock, act, app, clock, file, sign_in  # noqa: F401

SITE = "https://data.yunhe.example.gov.cn"


def test_confirmation_names_the_data_and_links_to_the_status_page(
        app: Flask, app_config: dict[str, Any], clock: Clock) -> None:  # noqa: F811
    _, number = file(app)
    store = app.extensions["portal_store"]
    by_recipient = {m.recipient: m for m in store.pending_messages()}
    confirmation = by_recipient[f"applicant:{number}"]
    assert confirmation.subject == f"申请已受理：受理编号 {number}"
    body = confirmation.body
    assert f"受理编号：{number}" in body and "规范性审核应于 2026-" in body
    assert "“医保定点医疗机构结算统计”（资源代码 rsj-0003）" in body
    assert "数据提供部门：云河市人力资源和社会保障局" in body
    assert f"{SITE}/requests/status" in body
    staff = by_recipient["authority"].body
    assert f"{SITE}/review/requests/{number}" in staff and "云河市人力资源和社会保障局" in staff
    send_pending(store, {**app_config, "AUTHORITY_EMAIL": "review@dsj.example"}, clock.now)
    log = Path(app_config["MAIL_LOG"]).read_text(encoding="utf-8")
    dates = re.findall(r"^Date: (.+)$", log, re.M)
    ids = re.findall(r"^Message-ID: (<[^>]+@[^>]+>)$", log, re.M)
    assert len(dates) == 2 and all(d.endswith("+0800") for d in dates), dates
    assert len(set(ids)) == 2, ids


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_the_consultation_link_uses_the_public_address_not_the_host_header(
        app: Flask) -> None:  # noqa: F811
    _, number = file(app)
    act(sign_in(app, "authority"), number, "forward")
    rsj = sign_in(app, "rsj")
    rsj.environ_base["HTTP_HOST"] = "evil.example"
    html = act(rsj, number, "start_consultation", parties="云河示例物业管理有限公司")
    links = re.findall(r"(https?://[^/\s<]+)/consult/[A-Z0-9]+", html)
    assert links and set(links) == {SITE}, links
    assert "evil.example" not in html


def test_error_report_messages_name_the_data_and_link(app: Flask) -> None:  # noqa: F811
    answer = app.test_client().post("/api/v1/datasets/jtj-0001/reports", json={
        "kind": "data_error", "description": "人民广场站经度有误",
        "reporter_name": "王芳", "reporter_contact": "wangfang@example.com"})
    assert answer.status_code == 201, answer.get_json()
    number = answer.get_json()["number"]
    store = app.extensions["portal_store"]
    by_recipient = {m.recipient: m for m in store.pending_messages()}
    department = by_recipient["department:jtj"].body
    assert "“公交站点信息”（资源代码 jtj-0001）" in department
    assert f"{SITE}/review/reports" in department
    receipt = by_recipient[f"reporter:{number}"].body
    assert "“公交站点信息”" in receipt and "云河市交通运输局" in receipt
    assert f"{SITE}/datasets/jtj-0001/" in receipt
