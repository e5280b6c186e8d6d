"""The yearly evaluation of the departments' open-data work (000 §50: the
authority's yearly report, due before 10 February; 003 §38: the yearly
evaluation, its results circulated; 004 §43–44: departments evaluated
yearly).

Pure figures: the catalogue's side (datasets, the open plan, updates on
time, quality) from the catalogue as of a day, merged with the service's
side (requests, error reports, demands, downloads, API calls) counted by the service
and passed in as plain numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from domain.catalogue.freshness import Freshness, update_status
from domain.catalogue.model import Dataset, OpenType, Status
from domain.catalogue.open_plan import Opened, OpenPlan, department_summary, track
from domain.catalogue.quality import quality
from domain.catalogue.vocabulary import Vocabularies
from domain.procedures.roles import AUTHORITY

# 000 §50: 年度评估报告应于每年2月10日前上报.
DUE_MONTH, DUE_DAY = 2, 10

# Column key, Chinese heading; the order of the table, the CSV and the JSON.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("department", "部门代码"), ("department_name", "部门"),
    ("datasets", "开放数据集"), ("unconditional", "无条件开放"), ("conditional", "有条件开放"),
    ("plan_planned", "计划开放"), ("plan_done", "计划已开放"), ("plan_on_time", "按期开放"),
    ("plan_late", "逾期未开放"), ("plan_rate", "计划完成率(%)"),
    ("scheduled", "定期更新数据集"), ("updates_on_time", "按时更新"),
    ("updates_overdue", "更新逾期"), ("update_rate", "按时更新率(%)"),
    ("mean_quality", "平均质量分"),
    ("requests_received", "申请收到"), ("requests_answered", "申请已办结"),
    ("requests_answered_in_time", "申请按期办结"), ("request_rate", "申请按期办结率(%，占已办结)"),
    ("reports_received", "纠错收到"), ("reports_answered", "纠错已答复"),
    ("reports_answered_in_time", "纠错按期答复"),
    ("demands_received", "需求建议收到"), ("demands_answered", "需求建议已答复"),
    ("demands_answered_in_time", "需求建议按期答复"), ("reply_rate", "纠错与需求按期答复率(%，占已答复)"),
    ("downloads", "下载次数"), ("api_calls", "接口调用次数"),
)
NUMBERS = tuple(k for k, _ in COLUMNS if k not in ("department", "department_name")
                and not k.endswith("_rate") and k != "mean_quality")


# Where the deployment's own regulation sets the report's term (public text
# cites the regulation by name, never a file number).
_DUE_TEXT = {
    "guizhou-measures": "依照《贵州省政务数据资源管理办法》第五十条，{year}年度评估报告应于"
                        "{next} 年 2 月 10 日前上报省人民政府和省大数据发展领导小组。",
    "wanzhou": "依照《万州区政务数据资源管理办法》第四十四条，{year}年度政务数据资源管理情况"
               "年度报告应于 {next} 年 1 月下旬提交区人民政府。",
}


def due_text(profile: str, year: int) -> str:
    """The sentence saying when the report on ``year`` is due, in the
    deployment's regulation; bureau policy where it sets no term."""
    template = _DUE_TEXT.get(profile, "{year}年度评估报告按本局规定的时限上报（可参照省级规定于 "
                                      "{next} 年 2 月 10 日前完成）。")
    return template.format(year=year, next=year + 1)


def due_date(year: int) -> date:
    """The day before which the report on ``year`` is due (000 §50)."""
    return date(year + 1, DUE_MONTH, DUE_DAY)


def as_of(year: int, today: date) -> date:
    """The day the catalogue is judged on: the year's last day, or today
    while the year is still running."""
    return min(date(year, 12, 31), today)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def opened_datasets(datasets: Iterable[Dataset]) -> list[Opened]:
    """Published datasets as the open plan sees them (withdrawn ones no longer count)."""
    return [Opened(d.identifier, d.department, d.title, d.open_type.value, d.published)
            for d in datasets if d.is_published and d.status is not Status.WITHDRAWN]


def catalogue_year(datasets: Iterable[Dataset], vocab: Vocabularies, plan: OpenPlan | None,
                   day: date) -> dict[str, dict[str, Any]]:
    """Per department: published datasets (opened by ``day``), the plan's
    progress, updates on time and the mean quality score as of ``day``."""
    everything = [d for d in datasets if d.published is None or d.published <= day]
    listed = [d for d in everything if d.is_published and d.status is Status.ACTIVE]
    rows: dict[str, dict[str, Any]] = {}
    scores: dict[str, list[int]] = {}

    def row(code: str) -> dict[str, Any]:
        return rows.setdefault(code, {"department": code, **{k: 0 for k in NUMBERS}})

    for d in listed:
        entry = row(d.department)
        entry["datasets"] += 1
        entry["unconditional" if d.open_type is OpenType.UNCONDITIONAL else "conditional"] += 1
        freshness = update_status(d, vocab, day).freshness
        if freshness is not Freshness.UNSCHEDULED:
            entry["scheduled"] += 1
            entry["updates_overdue"] += freshness is Freshness.OVERDUE
            entry["updates_on_time"] += freshness is not Freshness.OVERDUE
        scores.setdefault(d.department, []).append(quality(d, vocab, day).score)
    if plan is not None:
        opened = opened_datasets(everything)  # a lapsed (invalid) dataset was opened
        for code, counts in department_summary(track(plan, opened, day)).items():
            entry = row(code)
            entry.update(plan_planned=counts["planned"], plan_done=counts["done"],
                         plan_on_time=counts["on_time"], plan_late=counts["late"])
    for code, values in scores.items():
        rows[code]["mean_quality"] = round(sum(values) / len(values), 1)
    return rows


def merge(catalogue: Mapping[str, Mapping[str, Any]], service: Mapping[str, Mapping[str, Any]],
          names: Mapping[str, str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per department (vocabulary order, then others, the
    authority last) with every column of :data:`COLUMNS`, and the total row.
    A number the service does not give for a department is 0."""
    codes = [c for c in names if c in catalogue or c in service]
    codes += sorted(c for c in {*catalogue, *service} if c not in codes and c != AUTHORITY)
    if AUTHORITY in service or AUTHORITY in catalogue:
        codes.append(AUTHORITY)
    rows = []
    for code in codes:
        row: dict[str, Any] = {"department": code, "department_name": (
            "数据主管部门" if code == AUTHORITY else names.get(code, code))}
        for key in NUMBERS:
            row[key] = service.get(code, {}).get(key, catalogue.get(code, {}).get(key, 0))
        row["mean_quality"] = catalogue.get(code, {}).get("mean_quality")
        rows.append(_with_rates(row))
    total: dict[str, Any] = {"department": "", "department_name": "合计"}
    for key in NUMBERS:
        values = [r[key] for r in rows if r[key] is not None]
        total[key] = sum(values) if values else None
    qualities = [(r["mean_quality"], r["datasets"]) for r in rows if r["mean_quality"] is not None]
    weight = sum(n for _, n in qualities)
    total["mean_quality"] = round(sum(q * n for q, n in qualities) / weight, 1) if weight else None
    return rows, _with_rates(total)


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    row["plan_rate"] = _rate(row["plan_done"], row["plan_planned"])
    row["update_rate"] = _rate(row["updates_on_time"], row["scheduled"])
    # Shares of what was answered: an item still open at the year's end may
    # well be within its period.
    row["request_rate"] = _rate(row["requests_answered_in_time"], row["requests_answered"])
    row["reply_rate"] = _rate(row["reports_answered_in_time"] + row["demands_answered_in_time"],
                              row["reports_answered"] + row["demands_answered"])
    return row
