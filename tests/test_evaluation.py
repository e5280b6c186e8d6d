"""The yearly evaluation's pure figures (domain.catalogue.evaluation): merging the
catalogue's and the service's counts, rates, and the report's due date in
the deployment's own regulation (000 §50)."""

from __future__ import annotations

from datetime import date

from domain.catalogue.evaluation import as_of, due_date, due_text, merge


def test_merge_rates_and_total_by_hand() -> None:
    catalogue = {"a": {"datasets": 4, "scheduled": 4, "updates_on_time": 3, "updates_overdue": 1,
                       "plan_planned": 2, "plan_done": 1, "mean_quality": 80.0},
                 "b": {"datasets": 1, "scheduled": 0, "mean_quality": 50.0}}
    service = {"a": {"requests_received": 3, "requests_answered": 2,
                     "requests_answered_in_time": 1, "reports_received": 1, "reports_answered": 1,
                     "reports_answered_in_time": 1, "demands_received": 2,
                     "demands_answered": 1, "demands_answered_in_time": 0, "downloads": 7,
                     "api_calls": 12},
               "authority": {"demands_received": 1, "downloads": 0}}
    rows, total = merge(catalogue, service, {"b": "乙局", "a": "甲局"})
    assert [r["department_name"] for r in rows] == ["乙局", "甲局", "数据主管部门"]
    a = rows[1]
    assert (a["update_rate"], a["plan_rate"], a["request_rate"], a["reply_rate"]) == \
        (75.0, 50.0, 50.0, 50.0)  # 3/4, 1/2, 1/2 answered in time, (1+0)/(1+1)
    assert a["downloads"] == 7 and a["api_calls"] == 12
    assert rows[2]["api_calls"] == 0  # not given by the service: none counted
    assert rows[0]["update_rate"] is None  # nothing scheduled: no rate, not 0
    assert (total["datasets"], total["demands_received"], total["api_calls"]) == (5, 3, 12)
    assert total["mean_quality"] == 74.0  # (80×4 + 50×1) / 5


def test_due_date_and_text() -> None:
    assert due_date(2026) == date(2027, 2, 10)
    assert "《贵州省政务数据资源管理办法》第五十条" in due_text("guizhou-measures", 2026)
    assert "2027 年 2 月 10 日前" in due_text("guizhou-measures", 2026)
    assert "1 月下旬" in due_text("wanzhou", 2026)
    assert "本局规定" in due_text("foshan", 2026)
    assert as_of(2026, date(2026, 11, 23)) == date(2026, 11, 23)
    assert as_of(2025, date(2026, 11, 23)) == date(2025, 12, 31)
