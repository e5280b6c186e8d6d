"""The yearly evaluation report (000 §50, due before 10 February; 003 §38;
004 §43–44) built by ``portal report yearly`` from a seeded year on SQLite
and PostgreSQL, its figures checked by hand against the sample catalogue
(datasets/, plan/2026.yaml) and what the test filed."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from builder.evaluation_page import evaluation_page
from portal.cli import main
from search_api.store.download_store import DownloadStore
from tests.api.test_applicant_flow import csrf, file_request
from tests.api.test_participation_flow import file_form
from tests.api.test_review_flow import app, clock, sign_in  # noqa: F401
from tests.api.test_statistics_api import file_report

# Keyed delivery, sandbox, supervision and governance are new store paths (#16):
# every test runs on SQLite and PostgreSQL.
pytestmark = pytest.mark.both_dbs


def _seed(app: Flask, clock: Any) -> None:  # noqa: F811
    store = app.extensions["portal_store"]
    clock.set("2025-12-30")
    file_report(app, "old@example.org")  # last year: not in the 2026 report
    clock.set("2026-09-30")
    file_request(app.test_client())  # rsj-0003: received, not answered
    answered = file_report(app, "a@example.org")
    file_form(app, "demands", title="公交车辆实时位置", department="jtj", text="需要")
    DownloadStore(store).count({(date(2026, 3, 1), "jtj-0001", "bus-stops.csv"): 5,
                                (date(2026, 4, 2), "jyj-0001", "schools.csv"): 2,
                                (date(2025, 3, 1), "jtj-0001", "bus-stops.csv"): 9})
    clock.set("2026-10-12")  # within the 10 working days (due 2026-10-20)
    jtj = sign_in(app, "jtj")
    queue = jtj.get("/review/reports").get_data(as_text=True)
    assert jtj.post(f"/review/reports/{answered}/answer", data={
        "csrf_token": csrf(queue), "finding": "corrected", "reasons": "已更正站名"},
    ).status_code == 302


@pytest.mark.heavy  # among the longest of test-fast: started first (tests/conftest.py)
def test_yearly_report_from_a_seeded_year(app: Flask, clock: Any,  # noqa: F811
                                          tmp_path: Path) -> None:
    _seed(app, clock)
    catalog = Path(app.config["CATALOG_DIR"])
    out = tmp_path / "report"
    result = CliRunner().invoke(main, [
        "report", "yearly", "--year", "2026", "--out", str(out), "--catalog", str(catalog),
        "--service-db", app.config["DATABASE_URL"], "--today", "2026-11-23", "--publish"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text("utf-8"))
    assert data["due_before"] == "2027-02-10"
    rows = {r["department"]: r for r in data["departments"]}

    # By hand, as of 2026-11-23 (the year still running). 市交通局: jtj-0001..0004
    # unconditional and jtj-0006 conditional (jtj-0005 withdrawn); jtj-0004 is
    # monthly and last updated 2026-06-30: overdue; the others are current.
    # Its one plan item (公交车辆实时到站信息, due 2026-06-30) was never opened.
    jtj = rows["jtj"]
    assert (jtj["datasets"], jtj["unconditional"], jtj["conditional"]) == (5, 4, 1)
    assert (jtj["scheduled"], jtj["updates_on_time"], jtj["updates_overdue"],
            jtj["update_rate"]) == (5, 4, 1, 80.0)
    assert (jtj["plan_planned"], jtj["plan_done"], jtj["plan_late"], jtj["plan_rate"]) == \
        (1, 0, 1, 0.0)
    # One error report (answered in time), one demand (not answered), 5 downloads in 2026.
    assert (jtj["reports_received"], jtj["reports_answered"],
            jtj["reports_answered_in_time"]) == (1, 1, 1)
    assert (jtj["demands_received"], jtj["demands_answered"], jtj["reply_rate"]) == \
        (1, 0, 100.0)
    assert jtj["downloads"] == 5 and jtj["api_calls"] == 0  # no keyed calls seeded
    # 市教育局: jyj-0001/0002 open; jyj-0003 (published 2026-05-20, invalid since)
    # fulfilled its plan item due 2026-05-31 on time.
    jyj = rows["jyj"]
    assert (jyj["datasets"], jyj["plan_planned"], jyj["plan_done"], jyj["plan_on_time"],
            jyj["plan_rate"], jyj["downloads"]) == (2, 1, 1, 1, 100.0, 2)
    rsj = rows["rsj"]
    assert (rsj["requests_received"], rsj["requests_answered"], rsj["request_rate"]) == \
        (1, 0, None)
    total = data["total"]
    assert (total["plan_planned"], total["plan_done"], total["plan_late"]) == (5, 1, 2)
    assert (total["reports_received"], total["downloads"]) == (1, 7)  # 2025 not counted
    assert [i["title"] for i in data["late_plan_items"]] == ["公交车辆实时到站信息",
                                                             "重点排污单位自行监测数据"]

    html = (out / "report.html").read_text("utf-8")
    assert "2026年度公共数据开放工作评估报告" in html
    # guizhou-regulation sets no term for it: bureau policy, the 10 February of 000 §50 as a guide.
    assert "按本局规定的时限上报" in html and "2027 年 2 月 10 日前" in html
    assert "@media print" in html and "<svg" in html and "<script" not in html
    table = (out / "report.csv").read_text("utf-8")
    assert table.startswith("\ufeff部门代码,部门,开放数据集")
    csv_rows = {r[0]: r for r in csv.reader(io.StringIO(table.lstrip("\ufeff")))}
    assert csv_rows["jtj"][2:5] == ["5", "4", "1"] and csv_rows[""][1] == "合计"
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")

    # The public version: published by the next build as the 年度评估 page.
    public = json.loads((catalog / "evaluation" / "2026.json").read_text("utf-8"))
    assert "late_plan_items" not in public
    page = evaluation_page(catalog, "云河市大数据发展管理局")
    assert "2026年度评估结果" in page and "云河市交通运输局" in page
    assert "公交车辆实时到站信息" not in page
