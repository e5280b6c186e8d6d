"""Supervision of approved use (issue #16; 003 §32, §41; 004 §38) over HTTP
on SQLite and PostgreSQL: use reports on the schedule set at approval, with
reminders before and after each due date sent once each; the provider's
overdue list; suspension, resumption and revocation with reasons (the
applicant is told; keys and download links stop at once); the misuse
record the provider sees on a later request of the same applicant."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search_api.mail.use_reports import remind_use_reports
from search_api.store.schema import outbox
from search_api.web.api_keys import keys
from tests.api.keyed_helpers import app, approved, bearer, clock, get_key  # noqa: F401
from tests.api.test_applicant_flow import ID_NUMBER, csrf
from tests.api.test_download_delivery import file_path, get_link
from tests.api.test_review_flow import Clock, act, sign_in

# Keyed delivery, sandbox, supervision and governance are new store paths (#16):
# every test runs on SQLite and PostgreSQL.
pytestmark = pytest.mark.both_dbs

ROWS = "/api/v1/datasets/dsj-0001/resources/enterprise-utilities/rows"


def remind(app: Flask, clock: Clock) -> int:  # noqa: F811
    store = app.extensions["portal_store"]
    today = clock.now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    with app.app_context():
        return remind_use_reports(keys(), store, today, clock.now, days=7)


def messages(app: Flask, number: str) -> list[tuple[str, str]]:  # noqa: F811
    with app.extensions["portal_store"].engine.connect() as conn:
        return [(r.kind, r.recipient) for r in conn.execute(
            outbox.select().where(outbox.c.request_number == number).order_by(outbox.c.id))
            if r.kind.startswith(("use_report", "grant_"))]


def supervise(provider: FlaskClient, number: str, action: str, reason: str) -> int:
    page = provider.get("/review/uses").get_data(as_text=True)
    return provider.post(f"/review/uses/{number}/{action}",
                         data={"csrf_token": csrf(page), "reason": reason}).status_code


def test_reminders_before_and_after_each_due_date_are_sent_once(
        app: Flask, clock: Clock) -> None:  # noqa: F811
    applicant, number, provider = approved(app, "dsj-0001", "dsj", "api",
                                           valid_to="2027-09-20", report_months="3")
    act(provider, number, "deliver", reference="接口密钥")
    clock.set("2026-12-10")  # the first report is due 2026-12-21: not yet reminded
    assert remind(app, clock) == 0
    clock.set("2026-12-15")
    assert remind(app, clock) == 1 and remind(app, clock) == 0
    assert messages(app, number) == [("use_report.before", f"applicant:{number}")]
    clock.set("2026-12-28")  # seven days overdue: applicant and provider, once
    assert remind(app, clock) == 2 and remind(app, clock) == 0
    assert messages(app, number)[1:] == [("use_report.after", f"applicant:{number}"),
                                         ("use_report.overdue", "department:dsj")]
    overdue = provider.get("/review/uses").get_data(as_text=True)
    assert number in overdue and "2026-12-21" in re.sub(r"\s+", " ", overdue)
    # The applicant reports; the late date is answered, the next is not yet due.
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    applicant.post(f"/requests/{number}/report",
                   data={"csrf_token": csrf(status), "text": "完成企业用能分析报告一份"})
    clock.set("2027-01-05")
    assert remind(app, clock) == 0
    listing = provider.get("/review/uses").get_data(as_text=True)
    assert "sv-overdue" not in listing
    clock.set("2027-03-15")  # the second report (2027-03-21) is due soon
    assert remind(app, clock) == 1


def test_suspension_stops_links_at_once_and_is_told(app: Flask, clock: Clock) -> None:  # noqa: F811
    applicant, number, provider = approved(app, "rsj-0003", "rsj", "download")
    act(provider, number, "deliver", reference="下载")
    get_link(applicant, number)
    path = file_path(applicant, number)
    with applicant.get(path) as ok:
        assert ok.status_code == 200
    # Only the providing department acts; the auditor and another department do not.
    assert supervise(sign_in(app, "auditor"), number, "suspend", "核查") == 403
    assert supervise(sign_in(app, "dsj"), number, "suspend", "核查") == 403
    assert supervise(provider, number, "suspend", "") == 302  # refused: no reason
    assert keys_status(app, number) == "active"
    assert supervise(provider, number, "suspend", "涉嫌超出获批范围使用，暂停核查") == 302
    with applicant.get(path) as stopped:
        assert stopped.status_code == 403
        assert "暂停" in stopped.get_data(as_text=True)
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    assert "涉嫌超出获批范围使用" in status and "已暂停" in status
    assert supervise(provider, number, "resume", "核查完毕，未发现问题") == 302
    with applicant.get(path) as again:
        assert again.status_code == 200
    assert messages(app, number) == [("grant_suspend", f"applicant:{number}"),
                                     ("grant_resume", f"applicant:{number}")]
    # A form without its CSRF token is refused.
    assert provider.post(f"/review/uses/{number}/revoke",
                         data={"reason": "x"}).status_code == 400


def keys_status(app: Flask, number: str) -> str:  # noqa: F811
    with app.app_context():
        grant = keys().grant(number)
    assert grant is not None
    return grant.status.value


def test_revocation_stops_the_key_and_is_seen_on_later_requests(
        app: Flask, clock: Clock) -> None:  # noqa: F811
    applicant, number, provider = approved(app, "dsj-0001", "dsj", "api")
    key = get_key(applicant, number)
    client = app.test_client()
    assert client.get(ROWS, headers=bearer(key)).status_code == 200
    assert supervise(provider, number, "misuse", "在公开报告中点名评价单个企业") == 302
    assert supervise(provider, number, "revoke", "向第三方提供获批数据") == 302
    assert client.get(ROWS, headers=bearer(key)).status_code == 401
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    assert "获取接口密钥" not in status and "已撤销" in status
    refused = applicant.post(f"/requests/{number}/api-key", data={"csrf_token": csrf(status)})
    assert refused.status_code == 400
    assert supervise(provider, number, "resume", "x") == 302  # refused: revoked for good
    assert keys_status(app, number) == "revoked"
    # The same applicant (same identity) asks again: the provider sees the record.
    _, later, _ = approved_later(app)
    page = provider.get(f"/review/requests/{later}").get_data(as_text=True)
    assert "以往数据使用的违规和处理记录" in page
    assert "向第三方提供获批数据" in page and "在公开报告中点名评价单个企业" in page
    assert ID_NUMBER not in page
    # Not on the request it concerns, nor anywhere public.
    assert "以往数据使用" not in provider.get(f"/review/requests/{number}").get_data(as_text=True)
    with app.test_client().get("/") as home:
        assert "向第三方提供获批数据" not in home.get_data(as_text=True)


def approved_later(app: Flask) -> tuple[FlaskClient, str, FlaskClient]:  # noqa: F811
    from tests.api.keyed_helpers import file_for

    applicant = app.test_client()
    number = file_for(applicant, "dsj-0001", "sandbox")
    return applicant, number, sign_in(app, "dsj")
