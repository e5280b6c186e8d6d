"""The data sandbox (issue #16; 002 §36 数据沙箱) over HTTP on SQLite and
PostgreSQL: a key approved for the sandbox of dsj-0001 runs read-only SQL
on the approved columns only; writes, other tables, unapproved columns,
slow and oversized queries are refused with a reason; where raw rows may
not leave, only aggregates come back and groups under the minimum are
suppressed; every query is audited. Expected figures are computed here
from the catalogue's CSV file, independently of the service."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.api.keyed_helpers import approved, bearer, clock, get_key, make_app  # noqa: F401
from tests.api.test_review_flow import Clock
from tests.conftest import REPO

# Keyed delivery, sandbox, supervision and governance are new store paths (#16):
# every test runs on SQLite and PostgreSQL.
pytestmark = pytest.mark.both_dbs

QUERY = "/api/v1/sandbox/query"
ROWS = list(csv.DictReader((REPO / "datasets" / "dsj-0001" / "data" /
                            "enterprise-utilities.csv").read_text(encoding="utf-8-sig")
                           .splitlines()))


@pytest.fixture
def app(app_config: dict[str, Any], clock: Clock, tmp_path: Path) -> Iterator[Flask]:  # noqa: F811
    yield from make_app(app_config, clock, tmp_path, SANDBOX_ROW_LIMIT=1000,
                        SANDBOX_TIMEOUT_MS=2000)  # generous: CI may be busy


def sandbox_key(app: Flask, **terms: str) -> tuple[str, str]:  # noqa: F811
    applicant, number, _ = approved(app, "dsj-0001", "dsj", "sandbox", **terms)
    return get_key(applicant, number), number


def ask(app: Flask, key: str, sql: str, **more: str) -> Any:  # noqa: F811
    return app.test_client().post(QUERY, json={"sql": sql, **more}, headers=bearer(key))


def test_raw_queries_on_the_approved_columns(app: Flask) -> None:  # noqa: F811
    key, number = sandbox_key(app)
    got = ask(app, key, "SELECT sector, count(*) AS n FROM enterprise_utilities "
                        "GROUP BY sector ORDER BY sector")
    assert got.status_code == 200, got.get_json()
    body = got.get_json()
    assert body["columns"] == ["sector", "n"]
    assert {s: n for s, n in body["rows"]} == Counter(r["sector"] for r in ROWS)
    total = ask(app, key, "SELECT sum(electricity_kwh) FROM enterprise_utilities "
                          "WHERE month = '2026-03'", format="csv")
    assert total.headers["Content-Type"] == "text/csv; charset=utf-8"
    expected = sum(int(r["electricity_kwh"]) for r in ROWS if r["month"] == "2026-03")
    assert total.get_data(as_text=True).splitlines()[1] == str(expected)
    listing = app.test_client().get("/api/v1/sandbox/tables", headers=bearer(key)).get_json()
    assert [c["name"] for c in listing["tables"][0]["columns"]] == [
        "credit_code", "sector", "month", "electricity_kwh", "water_t", "gas_m3"]
    store = app.extensions["portal_store"]
    queries = [json.loads(r.detail) for r in store.audit_records(number)
               if r.action == "sandbox_query"]
    assert [q["outcome"] for q in queries] == ["run", "run"]


@pytest.mark.parametrize(("sql", "reason"), [
    ("DELETE FROM enterprise_utilities", "只允许只读的 SELECT"),
    ("UPDATE enterprise_utilities SET water_t = 0", "只允许只读的 SELECT"),
    ("CREATE TABLE x (a)", "只允许只读的 SELECT"),
    ("ATTACH DATABASE '/tmp/x' AS y", "只允许只读的 SELECT"),
    ("PRAGMA table_info(enterprise_utilities)", "只允许只读的 SELECT"),
    ("SELECT 1; DROP TABLE enterprise_utilities", "每次只能执行一条"),
    ("SELECT * FROM social_insurance_payments", "没有获准查询的表"),
    ("SELECT * FROM sqlite_master", "没有获准查询的表"),
    ("SELECT name FROM enterprise_utilities", "没有这个数据项"),  # personal: not approved
    ("SELECT * FROM enterprise_utilities", "超过 1000 行"),
    ("SELECT count(*) FROM enterprise_utilities a, enterprise_utilities b, "
     "enterprise_utilities c", "秒仍未完成"),
    ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n",
     "只读查询"),
    ("SELECT load_extension('x')", "不支持函数"),
    ("SELEC 1", "无法解析"),
])
def test_refused_queries_say_why(app: Flask, sql: str, reason: str) -> None:  # noqa: F811
    key, number = sandbox_key(app)
    refused = ask(app, key, sql)
    body = refused.get_json()
    assert refused.status_code == 400 and body["ok"] is False, body
    assert reason in body["error"], body["error"]
    store = app.extensions["portal_store"]
    logged = [json.loads(r.detail) for r in store.audit_records(number)
              if r.action == "sandbox_query"]
    assert [q["outcome"] for q in logged] == ["refused"]


def test_no_raw_rows_only_aggregates_and_small_groups_suppressed(app: Flask) -> None:  # noqa: F811
    key, _ = sandbox_key(app, no_raw_rows="yes")
    raw = ask(app, key, "SELECT credit_code, month FROM enterprise_utilities LIMIT 5")
    assert raw.status_code == 400 and "原始明细不得带出" in raw.get_json()["error"]
    for sql in ("SELECT sector, group_concat(credit_code) FROM enterprise_utilities "
                "GROUP BY sector",
                "SELECT sector, n FROM (SELECT sector, count(*) AS n FROM enterprise_utilities "
                "GROUP BY sector)",
                # A raw column under the alias of a grouped one: SQLite groups by the
                # table's column, so this would list one enterprise per sector.
                "SELECT credit_code AS sector, count(*) FROM enterprise_utilities "
                "GROUP BY sector",
                # The largest or smallest value is one enterprise's own figure.
                "SELECT sector, max(electricity_kwh) FROM enterprise_utilities GROUP BY sector",
                "SELECT min(water_t) FROM enterprise_utilities",
                # An expression inside the aggregate picks one row out of a big group.
                "SELECT sum(iif(credit_code = '" + ROWS[0]["credit_code"] + "', water_t, 0)) "
                "FROM enterprise_utilities",
                "SELECT avg(CASE WHEN month = '2026-01' THEN water_t END) FROM enterprise_utilities"):
        refused = ask(app, key, sql)
        assert refused.status_code == 400, sql
        assert "原始明细不得带出" in refused.get_json()["error"], sql
    distinct = ask(app, key, "SELECT sector, count(DISTINCT credit_code) FROM enterprise_utilities "
                             "GROUP BY sector")
    assert distinct.status_code == 200, distinct.get_json()
    by_sector = ask(app, key, "SELECT sector, count(*) FROM enterprise_utilities "
                              "GROUP BY sector").get_json()
    sizes = Counter(r["sector"] for r in ROWS)
    assert {s: n for s, n in by_sector["rows"]} == {s: n for s, n in sizes.items() if n >= 10}
    assert by_sector["suppressed_groups"] == sum(1 for n in sizes.values() if n < 10)
    # Five months per enterprise: every group is under the minimum of 10.
    small = ask(app, key, "SELECT credit_code, sum(water_t) FROM enterprise_utilities "
                          "WHERE month >= '2026-06' GROUP BY credit_code").get_json()
    enterprises = {r["credit_code"] for r in ROWS}
    assert small["rows"] == [] and small["suppressed_groups"] == len(enterprises)
    one = ask(app, key, "SELECT sum(water_t) FROM enterprise_utilities "
                        f"WHERE credit_code = '{ROWS[0]['credit_code']}' AND month = '2026-01'")
    assert one.get_json()["rows"] == [] and one.get_json()["suppressed_groups"] == 1


def test_a_key_works_for_its_approved_method_only(app: Flask) -> None:  # noqa: F811
    key, _ = sandbox_key(app)
    rows = app.test_client().get("/api/v1/datasets/dsj-0001/resources/enterprise-utilities/rows",
                                 headers=bearer(key))
    assert rows.status_code == 403 and "数据沙箱" in rows.get_json()["error"]
    applicant, number, _ = approved(app, "dsj-0001", "dsj", "api")
    api_key = get_key(applicant, number)
    refused = ask(app, api_key, "SELECT count(*) FROM enterprise_utilities")
    assert refused.status_code == 403
    assert app.test_client().post(QUERY, json={"sql": "SELECT 1"}).status_code == 401
