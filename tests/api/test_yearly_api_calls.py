"""Keyed API use in the yearly report (#16; 000 §50, 004 §43–44), on SQLite
and PostgreSQL: calls with approved keys (API and sandbox) counted per
providing department and Beijing year, in ``portal report yearly`` (HTML,
CSV, JSON), its public page and /api/v1/statistics/yearly, checked by hand."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from builder.evaluation_page import evaluation_page
from portal.cli import main
from tests.api.keyed_helpers import app, approved, bearer, clock, get_key  # noqa: F401
from tests.api.test_review_flow import Clock

pytestmark = pytest.mark.both_dbs

ROWS = "/api/v1/datasets/dsj-0001/resources/enterprise-utilities/rows"
QUERY = "/api/v1/sandbox/query"


def _seed(app: Flask, clock: Clock) -> None:  # noqa: F811
    """Calls on the Beijing days of 2026 and 2027 (the clock starts on
    2026-09-21, 10:00 Beijing)."""
    client = app.test_client()
    applicant, number, _ = approved(app, "dsj-0001", "dsj", "api")
    key = get_key(applicant, number)
    for _ in range(2):  # 2026-09-21: 2 calls
        assert client.get(f"{ROWS}?limit=1", headers=bearer(key)).status_code == 200
    # 23:59 on 31 December in Beijing (15:59 UTC): still 2026.
    clock.now = datetime.fromisoformat("2026-12-31T15:59:00+00:00")
    assert client.get(f"{ROWS}?limit=1", headers=bearer(key)).status_code == 200
    # 00:00:30 on 1 January in Beijing — still 31 December in UTC: 2027.
    clock.now = datetime.fromisoformat("2026-12-31T16:00:30+00:00")
    assert client.get(f"{ROWS}?limit=1", headers=bearer(key)).status_code == 200
    # A sandbox key of the same department, one query on 2026-10-12.
    clock.set("2026-10-12")
    applicant, number, _ = approved(app, "dsj-0001", "dsj", "sandbox")
    sandbox = get_key(applicant, number)
    answer = client.post(QUERY, json={"sql": "SELECT count(*) AS n FROM enterprise_utilities"},
                         headers=bearer(sandbox))
    assert answer.status_code == 200, answer.get_json()
    # A refused call (an unknown key) is no use of the data: not counted.
    assert client.get(ROWS, headers=bearer("not-a-key")).status_code == 401
    clock.set("2027-01-05")


def test_api_calls_per_department_in_the_yearly_report(app: Flask, clock: Clock,  # noqa: F811
                                                       tmp_path: Path) -> None:
    _seed(app, clock)
    catalog = Path(app.config["CATALOG_DIR"])
    out = tmp_path / "report"
    result = CliRunner().invoke(main, [
        "report", "yearly", "--year", "2026", "--out", str(out), "--catalog", str(catalog),
        "--service-db", app.config["DATABASE_URL"], "--today", "2027-01-05", "--publish",
        "--no-pdf"])
    assert result.exit_code == 0, result.output

    # By hand: 2 + 1 API calls and 1 sandbox query in 2026, all of dsj's grants;
    # the call at 00:00:30 on 1 January (Beijing) belongs to 2027.
    data = json.loads((out / "report.json").read_text("utf-8"))
    rows = {r["department"]: r for r in data["departments"]}
    assert rows["dsj"]["api_calls"] == 4
    assert {code: r["api_calls"] for code, r in rows.items() if code != "dsj"} == \
        {code: 0 for code in rows if code != "dsj"}
    assert data["total"]["api_calls"] == 4
    table = (out / "report.csv").read_text("utf-8").lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(table)))
    column = lines[0].index("接口调用次数")
    by_code = {line[0]: line for line in lines[1:]}
    assert by_code["dsj"][column] == "4" and by_code[""][column] == "4"
    html = (out / "report.html").read_text("utf-8")
    assert "经批准的接口和数据沙箱调用 4 次" in html and "尚未计数" not in html
    assert "不含调用者的任何信息" in html

    # The public page: the same figure in the department's row.
    public = json.loads((catalog / "evaluation" / "2026.json").read_text("utf-8"))
    assert {r["department"]: r["api_calls"] for r in public["departments"]}["dsj"] == 4
    page = evaluation_page(catalog, "云河市大数据发展管理局")
    dsj_name = rows["dsj"]["department_name"]
    row = page[page.index(f"<td>{dsj_name}</td>"):]
    row = row[:row.index("</tr>")]
    assert row.endswith("<td>4</td>")  # the last column: 接口调用次数

    # The statistics API counts the same way, and 2027 has the one call after midnight.
    client = app.test_client()
    year = client.get("/api/v1/statistics/yearly?year=2026").get_json()
    assert {r["department"]: r["api_calls"] for r in year["departments"]}["dsj"] == 4
    assert year["total"]["api_calls"] == 4 and year["columns"]["api_calls"] == "接口调用次数"
    after = client.get("/api/v1/statistics/yearly?year=2027").get_json()
    assert after["total"]["api_calls"] == 1
