"""Catalogue statistics for the yearly evaluation (000 §50, 004 §43–44):
datasets by department, theme and open type, update timeliness and quality,
as a page with charts and as CSV/JSON exports. Downloads, requests, error
reports and demands are counted by the service; the page fetches them live
(/api/v1/statistics/*, /api/v1/register).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from typing import Any

from builder.charts import Bar, Segment, stacked_bars
from builder.summaries import Listed
from domain.catalogue.model import OpenType
from domain.catalogue.vocabulary import Vocabularies

Records = Sequence[Listed]  # public records or their summaries
DEPARTMENT_COLUMNS = (
    ("department", "部门代码"), ("department_name", "部门"), ("datasets", "数据集"),
    ("unconditional", "无条件开放"), ("conditional", "有条件开放"),
    ("scheduled", "定期更新"), ("current", "按时"), ("due", "即将到期"), ("overdue", "逾期"),
    ("on_time_rate", "按时更新率(%)"), ("files_held", "有数据文件"),
    ("mean_quality", "平均质量分"),
)


def _row(code: str, name: str, mine: Records) -> dict[str, Any]:
    fresh = Counter(r.freshness.value for r in mine)
    scheduled = fresh["current"] + fresh["due"] + fresh["overdue"]
    return {
        "department": code, "department_name": name, "datasets": len(mine),
        "unconditional": sum(r.open_type is OpenType.UNCONDITIONAL for r in mine),
        "conditional": sum(r.open_type is OpenType.CONDITIONAL for r in mine),
        "scheduled": scheduled, "current": fresh["current"], "due": fresh["due"],
        "overdue": fresh["overdue"],
        "on_time_rate": round(100 * (scheduled - fresh["overdue"]) / scheduled, 1)
        if scheduled else None,
        "files_held": sum(r.files_held for r in mine),
        "mean_quality": round(sum(r.quality.score for r in mine) / len(mine), 1),
    }


def statistics(vocab: Vocabularies, records: Records, generated: str) -> dict[str, Any]:
    by_department: dict[str, list[Listed]] = {}
    for record in records:
        by_department.setdefault(record.department, []).append(record)
    departments = [_row(t.code, t.name, by_department[t.code])
                   for t in vocab.departments if t.code in by_department]
    themes = Counter(r.theme for r in records)
    return {
        "generated": generated,
        "total": _row("", "全部", list(records)) if records else None,
        "departments": departments,
        "themes": [{"theme": t.code, "theme_name": t.name, "datasets": themes[t.code]}
                   for t in vocab.themes if themes.get(t.code)],
        "open_types": dict(Counter(r.open_type.value for r in records)),
        "formats": dict(Counter(f for r in records for f in r.formats).most_common()),
    }


def departments_csv(stats: dict[str, Any]) -> str:
    """The department table as CSV with Chinese headers (UTF-8 with BOM, so
    that Excel opens it as it is)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _, title in DEPARTMENT_COLUMNS])
    rows = stats["departments"] + ([stats["total"]] if stats["total"] else [])
    for row in rows:
        writer.writerow(["" if row[key] is None else row[key] for key, _ in DEPARTMENT_COLUMNS])
    return "\ufeff" + out.getvalue()


def charts(stats: dict[str, Any]) -> dict[str, str]:
    """The statistics page's charts (inline SVG), from :func:`statistics`."""
    departments = [row for row in stats["departments"] if row["datasets"]]
    return {
        "departments": stacked_bars([
            Bar(row["department_name"], (
                Segment(row["unconditional"], "pt-c1", "无条件开放"),
                Segment(row["conditional"], "pt-c2", "有条件开放")))
            for row in departments], title="各部门开放数据集数量"),
        "freshness": stacked_bars([
            Bar(row["department_name"], (
                Segment(row["current"], "pt-c1", "按时更新"),
                Segment(row["due"], "pt-c3", "即将到期"),
                Segment(row["overdue"], "pt-c4", "更新逾期")))
            for row in departments if row["scheduled"]], title="各部门数据集更新情况"),
        "themes": stacked_bars([
            Bar(row["theme_name"], (Segment(row["datasets"], "pt-c1", "数据集"),))
            for row in stats["themes"] if row["datasets"]], title="各领域数据集数量"),
    }
