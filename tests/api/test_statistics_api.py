"""Live statistics over HTTP on both databases (issue #5; 000 §50, 004 §43):
downloads counted when the service serves a published file (never a page,
a HEAD, a revalidation or a robot), the download and report statistics as
JSON and CSV, report receipts, answers and reminders through the outbox
without the reporter's data, and `portal downloads count` on a log."""

from __future__ import annotations

import re
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from portal.cli import main
from search_api.mail.mailer import send_pending
from search_api.reports.mail import remind_reports
from search_api.store.download_store import DownloadStore
from tests.api.test_applicant_flow import csrf
from tests.api.test_review_flow import app, clock, sign_in  # noqa: F401
from tests.browser import chromium

CSV = "/datasets/jtj-0001/bus-stops.csv"
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"}


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_served_downloads_are_counted_and_pages_are_not(app: Flask, clock: Any) -> None:  # noqa: F811
    clock.set("2026-11-23")
    client = app.test_client()

    def fetch(path: str, method: str = "GET", **headers: str) -> Any:
        # Read and close: the file answers hold the file open until closed.
        response = client.open(path, method=method, headers={**BROWSER, **headers})
        response.get_data()
        response.close()
        return response

    first = fetch(CSV)
    assert first.status_code == 200
    fetch(CSV)
    fetch("/datasets/jtj-0001/bus-stops.json")
    fetch("/datasets/jtj-0001/")  # the page
    fetch(CSV, method="HEAD")
    fetch(CSV, **{"User-Agent": "Googlebot/2.1"})
    etag = first.headers.get("ETag")
    assert etag
    assert fetch(CSV, **{"If-None-Match": etag}).status_code == 304  # no file sent
    answer = client.get("/api/v1/statistics/downloads").get_json()
    assert answer["total"] == 3
    [row] = answer["datasets"]
    assert row["id"] == "jtj-0001" and row["downloads"] == 3 and row["title"]
    assert row["files"] == {"bus-stops.csv": 2, "bus-stops.json": 1}
    assert answer["days"] == [{"day": "2026-11-23", "downloads": 3}]
    assert answer["from"] == "2025-11-24" and answer["to"] == "2026-11-23"


@pytest.mark.both_dbs  # a whole flow through the store on PostgreSQL too
def test_download_statistics_filters_csv_and_errors(app: Flask, clock: Any) -> None:  # noqa: F811
    store = app.extensions["portal_store"]
    DownloadStore(store).count({(date(2026, 1, 5), "jtj-0001", "bus-stops.csv"): 7,
                                (date(2026, 3, 1), "rsj-0003", "x.csv"): 2})
    clock.set("2026-11-23")
    client = app.test_client()
    march = client.get("/api/v1/statistics/downloads?from=2026-02-01").get_json()
    assert [d["id"] for d in march["datasets"]] == ["rsj-0003"]
    one = client.get("/api/v1/statistics/downloads?dataset=jtj-0001&top=1").get_json()
    assert one["total"] == 7
    table = client.get("/api/v1/statistics/downloads?format=csv")
    assert table.mimetype == "text/csv"
    text = table.get_data(as_text=True)
    assert text.startswith("\ufeff数据集标识,数据集名称,数源部门,文件,下载次数")
    assert "jtj-0001," in text and ",bus-stops.csv,7" in text
    for query, words in [("from=2026-13-01", "YYYY-MM-DD"), ("from=2026-05-01&to=2026-04-01",
                         "不能晚于"), ("top=0", "top"), ("top=x", "top"), ("format=xml", "format"),
                         ("colour=red", "colour")]:
        bad = client.get(f"/api/v1/statistics/downloads?{query}")
        body = bad.get_json()
        assert bad.status_code == 400 and body["ok"] is False and words in body["error"], query


def file_report(app: Flask, contact: str) -> str:  # noqa: F811
    client = app.test_client()
    page = client.get("/report/jtj-0001").get_data(as_text=True)
    answer = client.post("/report/jtj-0001", data={
        "csrf_token": csrf(page), "kind": "data_error", "field": "stop_name", "row": "3",
        "description": "站名错别字", "reporter_name": "李先生", "reporter_contact": contact})
    assert answer.status_code == 200
    return re.search(r'id="report-number">([^<]+)<',  # type: ignore[union-attr]
                     answer.get_data(as_text=True)).group(1)


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_report_messages_reminders_and_statistics(app: Flask, clock: Any,  # noqa: F811
                                                  tmp_path: Path) -> None:
    store = app.extensions["portal_store"]
    clock.set("2026-09-30")
    by_mail = file_report(app, "li.reporter@example.org")
    by_phone = file_report(app, "13912345678")
    messages = store.pending_messages()
    kinds = sorted((m.kind, m.recipient) for m in messages)
    assert kinds == sorted([("report.received", "department:jtj"),
                            ("report.received", "department:jtj"),
                            ("report.receipt", f"reporter:{by_mail}")])
    assert f"reporter:{by_phone}" not in {m.recipient for m in messages}  # a phone: no e-mail
    outbox_text = " ".join(f"{m.recipient} {m.subject} {m.body}" for m in messages)
    assert "李先生" not in outbox_text and "li.reporter" not in outbox_text
    assert "13912345678" not in outbox_text and "不得以数据正在校核为由拒绝办理" in outbox_text
    config = {**app.config, "MAIL_LOG": str(tmp_path / "mail.log")}
    sent = send_pending(store, config, clock.now)
    assert sent.sent == 3  # two notices to the department's address, one receipt
    log = (tmp_path / "mail.log").read_text(encoding="utf-8")
    assert "li.reporter@example.org" not in log and by_mail in log

    # guizhou-regulation: 10 working days from 09-30 → due 2026-10-20 (National Day).
    reports, verification = app.extensions["portal_reports"], app.extensions["portal_verification"]
    assert remind_reports(reports, verification, date(2026, 10, 16), clock.now) == 2  # due soon
    assert remind_reports(reports, verification, date(2026, 10, 16), clock.now) == 0  # once
    assert remind_reports(reports, verification, date(2026, 10, 21), clock.now) == 4  # overdue
    overdue = [m for m in store.pending_messages() if m.kind == "reminder.overdue"]
    assert {m.recipient for m in overdue} == {"department:jtj", "department_head:jtj"}

    clock.set("2026-10-12")
    jtj = sign_in(app, "jtj")
    queue = jtj.get("/review/reports").get_data(as_text=True)
    jtj.post(f"/review/reports/{by_mail}/answer", data={
        "csrf_token": csrf(queue), "finding": "corrected", "reasons": "已更正站名"})
    answered = [m for m in store.pending_messages() if m.kind == "report.answered"]
    assert [m.recipient for m in answered] == [f"reporter:{by_mail}"]
    assert "已更正站名" in answered[0].body

    clock.set("2026-10-21")
    stats = app.test_client().get("/api/v1/statistics/reports").get_json()
    assert stats["as_of"] == "2026-10-21"
    assert stats["departments"] == [{
        "department": "jtj", "kind": "data_error", "kind_name": "数据纠错", "received": 2,
        "answered": 1, "answered_in_time": 1, "open": 1, "overdue": 1}]
    table = app.test_client().get("/api/v1/statistics/reports?format=csv").get_data(as_text=True)
    assert "jtj,数据纠错,2,1,1,1,1" in table


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_counts_an_access_log(app: Flask, database_url: str, tmp_path: Path,  # noqa: F811
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "access.log"
    log.write_text("".join(
        f'203.0.113.{i} - - [23/Nov/2026:10:00:0{i} +0800] "GET /opendata{CSV} HTTP/1.1" 200 9 '
        '"-" "Mozilla/5.0"\n' for i in range(3)), encoding="utf-8")
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    runner = CliRunner()
    done = runner.invoke(main, ["downloads", "count", "--prefix", "/opendata/", str(log)])
    assert done.exit_code == 0, done.output
    assert "3 download(s) counted" in done.output
    again = runner.invoke(main, ["downloads", "count", "--prefix", "/opendata/", str(log)])
    assert "0 download(s) counted" in again.output
    bad = runner.invoke(main, ["downloads", "count", "--prefix", "opendata", str(log)])
    assert bad.exit_code == 2 and "/opendata/" in bad.output
    totals = DownloadStore(app.extensions["portal_store"]).totals()
    assert totals.by_file == {("jtj-0001", "bus-stops.csv"): 3}


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_statistics_page_shows_live_counts_and_says_when_it_cannot(live_server: str,
                                                                   clock: Any) -> None:  # noqa: F811
    clock.set("2026-11-23")
    request = urllib.request.Request(live_server + CSV, headers=BROWSER)
    with urllib.request.urlopen(request) as answer:  # a real download over HTTP
        assert answer.status == 200 and answer.read()
    with chromium() as browser:
        page = browser.new_page()
        page.goto(live_server + "/statistics/")
        page.wait_for_selector("#pt-downloads-total")
        assert page.inner_text("#pt-downloads-total").startswith("共 1 次")
        link = page.locator("#pt-live-stats table a").first
        assert link.get_attribute("href") == "../datasets/jtj-0001/"
        assert page.locator("#pt-live-stats svg.pt-chart rect").count() == 1
        assert page.locator("svg.pt-chart").count() == 4  # three drawn at build time
        offline = browser.new_page()
        offline.route("**/api/v1/statistics/**", lambda route: route.abort())
        offline.goto(live_server + "/statistics/")
        offline.wait_for_selector("#pt-live-stats .pt-muted >> text=暂时无法访问")
        assert offline.locator("svg.pt-chart").count() == 3  # the catalogue charts stay


@pytest.mark.both_dbs  # a whole flow through the store on PostgreSQL too
def test_participation_notices_and_reminders_queued_once(app: Flask, clock: Any) -> None:  # noqa: F811
    # `portal remind` tells moderators of new items and pushes replies that
    # are due soon or overdue (000 §43): once each, without the filer's data.
    from domain.procedures.participation import Participation
    from search_api.participation.mail import remind_participation
    from tests.api.test_participation_flow import file_form

    clock.set("2026-09-30")
    demand = file_form(app, "demands", title="公交车辆实时位置", department="jtj",
                       text="需要公交位置", name="赵女士", contact="zhao@example.org")
    unrouted = file_form(app, "suggestions", title="增加接口", text="希望提供接口",
                         name="钱先生", contact="13800001111")
    store = app.extensions["portal_store"]
    items = app.extensions["portal_participation_store"]
    rules: Participation = app.extensions["portal_participation"]

    def remind(day: str) -> int:
        return remind_participation(items, rules, store, date.fromisoformat(day), clock.now)

    assert remind("2026-09-30") == 2  # one notice per new item
    assert remind("2026-09-30") == 0
    notices = {(m.recipient, m.subject) for m in store.pending_messages()}
    assert notices == {("department:jtj", f"【开放需求】{demand} 待审核"),
                       ("authority", f"【意见建议】{unrouted} 待审核")}
    # 15 working days from 09-30 across National Day (10-10 a make-up day) → 2026-10-27.
    assert rules.due(items.load(demand)[0]).isoformat() == "2026-10-27"  # type: ignore[union-attr]
    assert remind("2026-10-26") == 2  # due soon, both
    before = {m.id for m in store.pending_messages()}
    # Overdue, both; the department's also to its head (like reports), the
    # authority's (no department) to the authority only.
    assert remind("2026-10-28") == 3
    overdue = {(m.recipient_role, m.recipient) for m in store.pending_messages()
               if m.id not in before}
    assert overdue == {("department_reviewer", "department:jtj"),
                       ("department_head", "department_head:jtj"),
                       ("authority_reviewer", "authority")}
    assert remind("2026-10-29") == 0
    text = " ".join(f"{m.subject} {m.body}" for m in store.pending_messages())
    for secret in ("赵女士", "zhao@", "钱先生", "13800001111", "需要公交位置", "希望提供接口"):
        assert secret not in text
    # Staff pages by absolute address from PUBLIC_SITE_URL.
    assert all("https://data.yunhe.example.gov.cn/review/moderation/" in m.body
               for m in store.pending_messages())


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_build_counts_overdue_reports_in_the_quality_score(app: Flask, clock: Any,  # noqa: F811
                                                           database_url: str,
                                                           tmp_path: Path) -> None:
    # A report filed 09-30 is due 10-20 (10 working days across National Day):
    # built on 10-21 with the service database, jtj-0001 fails the criterion.
    from tests.conftest import MINIMAL

    clock.set("2026-09-30")
    file_report(app, "someone@example.org")
    runner = CliRunner()

    def criterion(day: str) -> str:
        out = tmp_path / f"site-{day}"
        done = runner.invoke(main, ["build", str(MINIMAL), "--out", str(out), "--quiet",
                                    "--today", day, "--service-db", database_url])
        assert done.exit_code == 0, done.output
        html = (out / "datasets" / "jtj-0001" / "index.html").read_text(encoding="utf-8")
        found = re.search(r'<li class="pt-quality-(\w+)">[^<]*没有逾期未答复的数据纠错', html)
        assert found, "criterion missing from the page"
        return found.group(1)

    assert criterion("2026-10-20") == "pass"
    assert criterion("2026-10-21") == "fail"


@pytest.mark.both_dbs  # a whole flow through the store on PostgreSQL too
def test_yearly_report_per_department(app: Flask, clock: Any) -> None:  # noqa: F811
    # 000 §50, 004 §43–44: one row per department, the year's figures only.
    from tests.api.test_applicant_flow import file_request
    from tests.api.test_participation_flow import file_form

    store = app.extensions["portal_store"]
    clock.set("2025-12-30")
    file_report(app, "old@example.org")  # last year: not counted in 2026
    clock.set("2026-09-30")
    file_request(app.test_client())  # rsj-0003
    file_report(app, "a@example.org")
    file_form(app, "demands", title="公交车辆实时位置", department="jtj", text="需要")
    DownloadStore(store).count({(date(2026, 3, 1), "jtj-0001", "bus-stops.csv"): 5,
                                (date(2025, 3, 1), "jtj-0001", "bus-stops.csv"): 9})
    clock.set("2026-11-23")
    answer = app.test_client().get("/api/v1/statistics/yearly?year=2026").get_json()
    rows = {r["department"]: r for r in answer["departments"]}
    assert rows["rsj"]["requests_received"] == 1 and rows["rsj"]["requests_answered"] == 0
    jtj = rows["jtj"]
    assert (jtj["reports_received"], jtj["demands_received"], jtj["downloads"]) == (1, 1, 5)
    assert answer["total"]["reports_received"] == 1 and answer["total"]["downloads"] == 5
    assert answer["columns"]["downloads"] == "下载次数"
    last = app.test_client().get("/api/v1/statistics/yearly?year=2025").get_json()
    assert last["total"]["reports_received"] == 1 and last["total"]["downloads"] == 9
    table = app.test_client().get("/api/v1/statistics/yearly?year=2026&format=csv")
    text = table.get_data(as_text=True)
    assert text.startswith("\ufeff部门代码,部门,申请收到") and "\r\n,合计," in text
    for query in ("year=26", "year=x", "year=1999", "month=1", "format=xml"):
        bad = app.test_client().get(f"/api/v1/statistics/yearly?{query}")
        assert bad.status_code == 400 and bad.get_json()["ok"] is False, query


def test_statistics_answers_are_kept_for_a_while(app: Flask) -> None:  # noqa: F811
    # STATISTICS_CACHE_SECONDS: a repeated query is answered from memory.
    store = app.extensions["portal_store"]
    client = app.test_client()
    DownloadStore(store).count({(date(2026, 3, 1), "jtj-0001", "bus-stops.csv"): 1})
    query = "/api/v1/statistics/downloads?from=2026-01-01&to=2026-12-31"
    assert client.get(query).get_json()["total"] == 1
    DownloadStore(store).count({(date(2026, 3, 1), "jtj-0001", "bus-stops.csv"): 1})
    assert client.get(query).get_json()["total"] == 1  # kept
    app.config["STATISTICS_CACHE_SECONDS"] = 0
    assert client.get(query).get_json()["total"] == 2
