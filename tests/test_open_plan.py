"""The open plan (开放责任清单, 000 §29, 003 §31): validated by ``portal
check``, published as a page and tracked against what was opened."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from builder.check import run_check
from domain.catalogue.open_plan import (
    Opened,
    OpenPlan,
    PlanItem,
    PlanState,
    department_summary,
    track,
)
from tests.conftest import TODAY, run_build

PLAN_2024 = """year: 2024
items:
  - {department: jtj, dataset: jtj-0001, open_type: unconditional, due: 2024-03-31}
  - {department: rsj, title: 企业社保缴纳明细, open_type: conditional, due: 2024-01-05}
  - {department: jtj, title: 公交车辆实时到站信息, open_type: unconditional, due: 2024-06-30}
  - {department: gaj, dataset: gaj-0001, open_type: unconditional, due: 2024-12-31}
"""


def _write_plan(catalog: Path, year: int, text: str) -> None:
    (catalog / "plan").mkdir(exist_ok=True)
    (catalog / "plan" / f"{year}.yaml").write_text(text, encoding="utf-8")


def test_tracking_by_hand() -> None:
    plan = OpenPlan(2026, (
        PlanItem("a", "", "a-1", "unconditional", date(2026, 6, 30)),
        PlanItem("a", "停车场", "", "unconditional", date(2026, 6, 30)),
        PlanItem("a", "", "a-3", "unconditional", date(2026, 6, 30)),
        PlanItem("b", "", "b-1", "conditional", date(2026, 12, 31)),
        PlanItem("b", "", "b-2", "unconditional", date(2026, 3, 1)),
    ), "plan/2026.yaml")
    opened = [Opened("a-1", "a", "公交", "unconditional", date(2026, 6, 30)),
              Opened("a-2", "a", "停车场", "unconditional", date(2026, 7, 2)),
              # opened, but only on conditions: not what was planned
              Opened("a-3", "a", "充电桩", "conditional", date(2026, 1, 1))]
    rows = track(plan, opened, date(2026, 7, 15))
    assert [(r.state, r.on_time, r.label) for r in rows] == [
        (PlanState.DONE, True, "已开放"),
        (PlanState.DONE, False, "逾期开放"),
        (PlanState.LATE, False, "逾期未开放"),
        (PlanState.PENDING, False, "未到期"),
        (PlanState.LATE, False, "逾期未开放"),
    ]
    assert department_summary(rows) == {
        "a": {"planned": 3, "done": 2, "on_time": 1, "late": 1, "pending": 0},
        "b": {"planned": 2, "done": 0, "on_time": 0, "late": 1, "pending": 1},
    }


def test_check_reports_bad_plan_entries(catalog_copy: Path) -> None:
    _write_plan(catalog_copy, 2024, """year: 2024
items:
  - {department: nosuch, title: 某数据, open_type: unconditional, due: 2024-03-31}
  - {department: jtj, open_type: unconditional, due: 2024-03-31}
  - {department: jtj, title: 某数据, open_type: not_open, due: 2024-03-31}
  - {department: jtj, title: 某数据, open_type: unconditional, due: 2025-01-31}
  - {department: jtj, title: 好数据, open_type: unconditional, due: 2024-03-31}
  - {department: jtj, title: 好数据, open_type: unconditional, due: 2024-04-30}
""")
    _write_plan(catalog_copy, 2025, "year: 2024\nitems: []\n")
    report = run_check(catalog_copy, TODAY, validate=False)
    found = sorted((p.file, p.field) for p in report.problems if p.code == "plan-invalid")
    assert found == [("plan/2024.yaml", f"items[{i}]") for i in (0, 1, 2, 3, 5)] + [
        ("plan/2025.yaml", "year")]
    assert not report.ok
    assert report.datasets_with_errors == 0  # the plan is no dataset


def test_plan_page_tracks_what_the_build_published(tmp_path: Path, catalog_copy: Path) -> None:
    _write_plan(catalog_copy, 2024, PLAN_2024)
    assert "plan-invalid" not in {p.code for p in run_check(catalog_copy, TODAY,
                                                            validate=False).problems}
    site = tmp_path / "site"
    run_build(catalog_copy, site)
    page = (site / "plan" / "index.html").read_text("utf-8")
    assert "2024年开放计划" in page
    # jtj-0001 published 2024-03-01, due 2024-03-31: opened on time; linked.
    assert 'href="../datasets/jtj-0001/"' in page
    rows = page.split('<tr class="pt-plan-')[1:]
    states = [row.split('"')[0] for row in rows]
    assert states == ["done", "done", "late", "late"]
    assert "逾期开放" in rows[1] and "2024-01-10" in rows[1]  # due 2024-01-05
    # A not-open dataset is never opened, and never named or linked on the page.
    assert "户籍人口明细" not in page and "gaj-0001/" not in page
    assert "plan/" in (site / "sitemap.xml").read_text("utf-8")
