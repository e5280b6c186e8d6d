"""The yearly evaluation report (000 §50, 003 §38, 004 §43–44) as files:
``report.html`` (printable, charts as inline SVG), ``report.csv`` (UTF-8
with BOM, for Excel), ``report.json``, and ``public.json`` — the version
published on the site's 年度评估 page. A PDF beside them when WeasyPrint
is installed (it renders without network access).

Pure rendering of figures computed elsewhere (:mod:`domain.catalogue.evaluation`,
the service's counts passed in by ``portal report yearly``).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from builder.charts import Bar, Segment, stacked_bars
from builder.render import render
from domain.catalogue.evaluation import COLUMNS, due_date, due_text

log = logging.getLogger(__name__)
Rows = Sequence[Mapping[str, Any]]
# Figures left out of the public page: the late plan items are named in the
# authority's report to the government, circulated publicly as counts only.
PUBLIC_KEYS = tuple(k for k, _ in COLUMNS)


def _cell(value: Any) -> Any:
    return "—" if value is None else value


def report_csv(rows: Rows, total: Mapping[str, Any]) -> str:
    """The department table with Chinese headings, UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _, title in COLUMNS])
    for row in [*rows, total]:
        writer.writerow(["" if row.get(k) is None else row[k] for k, _ in COLUMNS])
    return "\ufeff" + out.getvalue()


def charts(rows: Rows) -> dict[str, str]:
    """The report's charts (inline SVG)."""
    departments = [r for r in rows if r["department"] != "authority"]
    return {
        "datasets": stacked_bars([Bar(r["department_name"], (
            Segment(r["unconditional"], "pt-c1", "无条件开放"),
            Segment(r["conditional"], "pt-c2", "有条件开放"))) for r in departments
            if r["datasets"]], title="各部门开放数据集"),
        "plan": stacked_bars([Bar(r["department_name"], (
            Segment(r["plan_on_time"], "pt-c1", "按期开放"),
            Segment(r["plan_done"] - r["plan_on_time"], "pt-c3", "逾期开放"),
            Segment(r["plan_late"], "pt-c4", "逾期未开放"),
            Segment(r["plan_planned"] - r["plan_done"] - r["plan_late"], "pt-c2", "未到期")))
            for r in departments if r["plan_planned"]], title="开放计划完成情况"),
        "updates": stacked_bars([Bar(r["department_name"], (
            Segment(r["updates_on_time"], "pt-c1", "按时更新"),
            Segment(r["updates_overdue"], "pt-c4", "更新逾期"))) for r in departments
            if r["scheduled"]], title="数据更新及时情况"),
        "downloads": stacked_bars([Bar(r["department_name"], (
            Segment(r["downloads"], "pt-c1", "下载"),)) for r in rows if r["downloads"]],
            title="各部门数据下载次数", unit="次"),
    }


def document(year: int, generated: date, bureau: str, rows: Rows,
             total: Mapping[str, Any], late_items: Rows, profile: str = "") -> dict[str, Any]:
    """The report as JSON-ready data (``report.json``); ``profile`` the
    deployment's regulation (portal.yaml), which says when it is due."""
    return {"year": year, "generated": generated.isoformat(), "bureau": bureau,
            "due_before": due_date(year).isoformat(), "due_text": due_text(profile, year),
            "columns": dict(COLUMNS),
            "departments": list(rows), "total": dict(total), "late_plan_items": list(late_items)}


def public_document(report: Mapping[str, Any]) -> dict[str, Any]:
    """What the site publishes: the per-department figures and the total."""
    keep = {k: report[k] for k in ("year", "generated", "bureau", "columns")}
    return {**keep, "departments": [{k: r.get(k) for k in PUBLIC_KEYS}
                                    for r in report["departments"]],
            "total": {k: report["total"].get(k) for k in PUBLIC_KEYS}}


def report_html(report: Mapping[str, Any], portal_name: str) -> str:
    return render("yearly_report.html", report=report, portal_name=portal_name,
                  columns=COLUMNS, charts=charts(report["departments"]), cell=_cell)


def write_report(out_dir: Path, report: Mapping[str, Any], portal_name: str,
                 *, pdf: bool = True) -> list[Path]:
    """Write the report's files into ``out_dir``; returns their paths. The
    PDF is skipped (and logged) when WeasyPrint is not installed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = report_html(report, portal_name)
    files = {
        "report.html": html,
        "report.csv": report_csv(report["departments"], report["total"]),
        "report.json": json.dumps(report, ensure_ascii=False, indent=1),
        "public.json": json.dumps(public_document(report), ensure_ascii=False, indent=1),
    }
    written = []
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8")
        written.append(out_dir / name)
    if pdf:
        made = _pdf(html, out_dir / "report.pdf")
        if made:
            written.append(made)
    return written


def _pdf(html: str, target: Path) -> Path | None:
    try:
        from weasyprint import HTML  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        log.info("no PDF: WeasyPrint is not installed (report.html prints to PDF from a browser)")
        return None
    except OSError as exc:  # installed, but the Pango libraries it loads are missing
        log.warning("no PDF: WeasyPrint cannot load its libraries (%s); install Debian's "
                    "libpango-1.0-0 and libpangoft2-1.0-0, or print report.html from a browser",
                    str(exc)[:120])
        return None
    # Its progress messages are not the operator's business.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    # No base URL and a fetcher that refuses: everything is inline, nothing
    # is fetched from the network.
    HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(target)
    return target


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the report fetches nothing ({url[:60]})")
