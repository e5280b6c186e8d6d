"""Usage reports of approved applicants (000 §36(四), 002 §36): the report
stays an event of its request; its text reaches the public register only
after moderation, personal data edited out (000 §47), without the applicant
or the request number; on SQLite and PostgreSQL (issue #5)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from domain.procedures.participation import Status
from search_api.store import StaleRequest
from tests.api.test_applicant_flow import PHONE, csrf
from tests.api.test_participation_flow import everything_public, moderate
from tests.api.test_review_flow import act, app, clock, file, sign_in  # noqa: F401

REPORT = "已开发参保结构分析模型，详询13987654321"


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_usage_report_is_public_only_after_moderation(app: Flask, clock: Any) -> None:  # noqa: F811
    applicant, number = file(app)
    clock.set("2026-09-22")
    act(sign_in(app, "authority"), number, "forward")
    rsj = sign_in(app, "rsj")
    act(rsj, number, "approve", scope="2025年汇总数据", delivery_method="download")
    act(rsj, number, "deliver")
    clock.set("2026-10-12")
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    reported = applicant.post(f"/requests/{number}/report", data={
        "csrf_token": csrf(status), "text": REPORT}, follow_redirects=True)
    assert "使用情况已报告" in reported.get_data(as_text=True)
    assert "参保结构分析模型" not in everything_public(app)

    # The report is attached to the request: event seq of the use_reported event.
    seq = len(app.extensions["portal_store"].events(number))
    key = f"{number}.{seq}"
    jtj = sign_in(app, "jtj")
    assert key not in jtj.get("/review/moderation/").get_data(as_text=True)
    page = rsj.get("/review/moderation/").get_data(as_text=True)
    assert key in page and "含个人信息 139******21" in page
    refused = moderate(rsj, key, "approve", expect="操作未执行")  # the mobile number
    assert "请在公开文本中删去后再通过" in refused
    moderate(rsj, key, "approve", public_text="已开发参保结构分析模型")

    register = app.test_client().get("/api/v1/register").get_json()
    assert register["use_reports"] == [{
        "dataset_id": "rsj-0003", "department": "rsj", "department_name": "云河市人力资源和社会保障局",
        "reported_on": "2026-10-12", "text": "已开发参保结构分析模型"}]
    public = everything_public(app)
    assert "已开发参保结构分析模型" in public
    for secret in ("13987654321", "李明", PHONE, number):
        assert secret not in public
    stats = app.test_client().get("/api/v1/statistics/participation").get_json()
    assert stats["totals"]["use_report"] == {"received": 1, "pending_moderation": 0,
                                             "published": 1}
    store = app.extensions["portal_store"]
    assert store.audit_records(number)[-1].action == "use_report.approve"
    assert store.verify_audit() == []


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_two_reviewers_cannot_both_moderate_a_usage_report_first(
        app: Flask, clock: Any) -> None:  # noqa: F811
    applicant, number = file(app)
    clock.set("2026-09-22")
    act(sign_in(app, "authority"), number, "forward")
    rsj = sign_in(app, "rsj")
    act(rsj, number, "approve", scope="2025年汇总数据", delivery_method="download")
    act(rsj, number, "deliver")
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    applicant.post(f"/requests/{number}/report", data={"csrf_token": csrf(status),
                                                       "text": "论文已发表"})
    participation = app.extensions["portal_participation"]
    store = app.extensions["portal_participation_store"]
    (item, version), = store.use_reports()
    assert version == 0 and item.status.value == "pending" and item.text == "论文已发表"
    # The moderation page: every pending report, then only the ``done`` most recent others.
    assert [i.number for i, _ in store.use_reports_for_review("rsj", done=0)] == [item.number]
    assert store.use_reports_for_review("jtj") == []
    now = clock.now
    store.save_use_report(participation.approve(item, by="rsj", on=now.date()),
                          expected_version=0, actor_role="department_reviewer", actor="rsj",
                          action="use_report.approve", at=now)
    # A second first decision (a race): refused, the first one stands.
    with pytest.raises(StaleRequest):
        store.save_use_report(participation.reject(item, by="authority", on=now.date(),
                                                   reason="重复"),
                              expected_version=0, actor_role="authority_reviewer",
                              actor="authority", action="use_report.reject", at=now)
    assert [i.status.value for i, _ in store.use_reports()] == ["published"]
    assert store.use_reports_for_review(None, done=0) == []
    assert [i.status for i, _ in store.use_reports_for_review(None, done=1)] == [
        Status.PUBLISHED]
    assert store.use_reports(statuses=[Status.PENDING]) == []
    assert len(store.use_reports(statuses=[Status.PUBLISHED, Status.PENDING], limit=1)) == 1


def test_usage_report_approval_refuses_every_writing(app: Flask, clock: Any) -> None:  # noqa: F811
    """Issue 11: the reviewer's public text is read by the one normalised
    detector; a sample of the corpus's writings is refused one by one."""
    from tests.pii_corpus import positives

    applicant, number = file(app)
    clock.set("2026-09-22")
    act(sign_in(app, "authority"), number, "forward")
    rsj = sign_in(app, "rsj")
    act(rsj, number, "approve", scope="2025年汇总数据", delivery_method="download")
    act(rsj, number, "deliver")
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    applicant.post(f"/requests/{number}/report", data={
        "csrf_token": csrf(status), "text": "模型已上线，联系人 440306\u3000198503124519"})
    key = f"{number}.{len(app.extensions['portal_store'].events(number))}"
    assert "操作未执行" in moderate(rsj, key, "approve", expect="请在公开文本中删去后再通过")
    for writing in positives()[::13]:
        moderate(rsj, key, "approve", expect="请在公开文本中删去后再通过",
                 public_text=f"成果说明：{writing.text}")
    assert app.test_client().get("/api/v1/register").get_json()["use_reports"] == []
    moderate(rsj, key, "approve", public_text="模型已上线")
    assert [u["text"] for u in app.test_client().get("/api/v1/register").get_json()[
        "use_reports"]] == ["模型已上线"]
