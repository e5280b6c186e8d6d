"""Live statistics for the yearly evaluation (000 §50, 004 §43–44, 003 §38):
downloads per dataset and day, and the handling of data error reports and
catalogue corrections per department. JSON, and CSV for spreadsheets.

The static statistics page counts the catalogue at build time and fetches
these for what only the service knows. Nothing here names a person.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, make_response, request

from domain.procedures.reports import ReportKind
from domain.procedures.roles import AUTHORITY
from search_api import service
from search_api.store.download_store import DownloadStore
from search_api.store.yearly_counts import service_year
from search_api.web.errors import ApiError

bp = Blueprint("statistics", __name__)
TOP_MAX = 1000
_PARAMS = {"from", "to", "dataset", "top", "format"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DIGITS = re.compile(r"^\d{1,7}(\.0*)?$")  # "5.0" is a whole number too
# Dates a statistics query may name: the default window reaches a year back
# from ``to``, which must stay a date (0001-01-01 minus a year is none).
FIRST_DAY = date(1900, 1, 1)


def _date(name: str) -> date | None:
    if name not in request.args:
        return None
    raw = request.args[name]
    try:
        if not _DATE.match(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise ApiError(f"参数 {name} 应为日期，写作 YYYY-MM-DD，例如 2026-01-01。") from None
    if day < FIRST_DAY:
        raise ApiError(f"参数 {name} 不能早于 {FIRST_DAY.isoformat()}。")
    return day


def _check_params(allowed: set[str] = _PARAMS) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise ApiError(f"不支持的参数：{', '.join(unknown)}。可用参数："
                       f"{', '.join(sorted(allowed))}。")
    if request.args.get("format", "json") not in ("json", "csv"):
        raise ApiError("参数 format 只能是 json 或 csv。")


def _cached(view: Callable[[], Any]) -> Callable[[], Any]:
    """Keep each answer (by its full query) for STATISTICS_CACHE_SECONDS:
    the figures change slowly, and a public endpoint that sums a year of
    counters must not be an easy way to keep the server busy."""

    @wraps(view)
    def cached() -> Any:
        seconds = int(current_app.config.get("STATISTICS_CACHE_SECONDS") or 0)
        if seconds <= 0:
            return view()
        store: dict[str, tuple[float, bytes, int, str, dict[str, str]]] = \
            current_app.extensions.setdefault("portal_statistics_cache", {})
        key, now = request.full_path, time.monotonic()
        hit = store.get(key)
        if hit is None or hit[0] < now:
            response = make_response(view())
            if response.status_code != 200:
                return response
            if len(store) > 256:  # bounded: old answers go first
                for old in sorted(store, key=lambda k: store[k][0])[:128]:
                    del store[old]
            hit = store[key] = (now + seconds, response.get_data(), response.status_code,
                                response.mimetype or "application/json",
                                {k: v for k, v in response.headers.items()
                                                    if k == "Content-Disposition"})
        _, body, status, mimetype, headers = hit
        return Response(body, status=status, mimetype=mimetype, headers=headers)

    return cached


def _flush_downloads() -> None:
    # Downloads this process served and has not written yet (DownloadBuffer).
    buffer = current_app.extensions.get("portal_download_buffer")
    if buffer is not None:
        buffer.flush()


def _csv(rows: list[list[Any]], filename: str) -> Response:
    buffer = io.StringIO()
    # BOM: Excel opens UTF-8 CSV as Chinese text only with it.
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/api/v1/statistics/downloads")
@_cached
def downloads() -> Any:
    """Downloads between ``from`` and ``to`` (default: the last 365 days up to
    today), per dataset (most downloaded first, ``top`` of them), per file
    and per day; ``dataset`` narrows to one dataset."""
    _check_params()
    today = service.today()
    end = _date("to") or today
    start = _date("from") or end - timedelta(days=364)
    if start > end:
        raise ApiError("参数 from 不能晚于 to。")
    raw_top = request.args.get("top", "100")
    top = int(raw_top.split(".")[0]) if _DIGITS.match(raw_top) else 0
    if not 1 <= top <= TOP_MAX:
        raise ApiError(f"参数 top 应为 1 到 {TOP_MAX} 之间的整数。")
    dataset = request.args.get("dataset", "").strip()[:200] or None
    _flush_downloads()
    totals = DownloadStore(service.store()).totals(start=start, end=end, dataset_id=dataset,
                                                   top=top)
    files: dict[str, dict[str, int]] = {}
    for (ident, file), n in sorted(totals.by_file.items()):
        files.setdefault(ident, {})[file] = n
    datasets: list[dict[str, Any]] = []
    for ident, count in totals.by_dataset.items():  # most downloaded first
        record = service.published(ident)  # None: no longer published
        datasets.append({
            "id": ident, "title": record.title if record else "",
            "department": record.department if record else "",
            "department_name": record.department_name if record else "",
            "downloads": count, "files": files.get(ident, {})})
    if request.args.get("format") == "csv":
        rows: list[list[Any]] = [["数据集标识", "数据集名称", "数源部门", "文件", "下载次数"]]
        for item in datasets:
            for file, n in item["files"].items():
                rows.append([item["id"], item["title"], item["department_name"], file, n])
        return _csv(rows, f"downloads-{start}-{end}.csv")
    return {"ok": True, "from": start.isoformat(), "to": end.isoformat(),
            "total": totals.total, "datasets": datasets,
            "days": [{"day": d.isoformat(), "downloads": n}
                     for d, n in sorted(totals.by_day.items())]}


@bp.get("/api/v1/statistics/reports")
@_cached
def reports() -> Any:
    """Error reports and catalogue corrections per department: received,
    answered, answered in time, still open, overdue (as of today)."""
    _check_params({"format"})
    counts = service.reports().statistics(service.verification(), service.today())
    rows = [{"department": c.department, "kind": c.kind, "kind_name": ReportKind(c.kind).label,
             "received": c.received, "answered": c.answered,
             "answered_in_time": c.answered_in_time, "open": c.open, "overdue": c.overdue}
            for c in counts]
    if request.args.get("format") == "csv":
        table: list[list[Any]] = [["部门代码", "类别", "收到", "已答复", "按期答复", "办理中", "已超期"]]
        table += [[r["department"], r["kind_name"], r["received"], r["answered"],
                   r["answered_in_time"], r["open"], r["overdue"]] for r in rows]
        return _csv(table, "reports.csv")
    return {"ok": True, "as_of": service.today().isoformat(), "departments": rows}


YEARLY_COLUMNS = (
    ("department", "部门代码"), ("department_name", "部门"),
    ("requests_received", "申请收到"), ("requests_answered", "申请已办结"),
    ("requests_answered_in_time", "申请按期办结"), ("requests_approved", "申请同意开放"),
    ("requests_denied", "申请不予开放"),
    ("reports_received", "纠错收到"), ("reports_answered", "纠错已答复"),
    ("reports_answered_in_time", "纠错按期答复"),
    ("demands_received", "需求建议收到"), ("demands_answered", "需求建议已答复"),
    ("demands_answered_in_time", "需求建议按期答复"),
    ("downloads", "下载次数"), ("api_calls", "接口调用次数"),
)


@bp.get("/api/v1/statistics/yearly")
@_cached
def yearly() -> Any:
    """One row per department for the yearly open-data report (000 §50,
    004 §43–44, 003 §38): requests, error reports, demands and suggestions
    received in ``year`` and how they were answered, the year's downloads
    of the department's datasets and the keyed API and sandbox calls of its
    grants. JSON, or CSV with ``format=csv``."""
    unknown = sorted(set(request.args) - {"year", "format"})
    if unknown:
        raise ApiError(f"不支持的参数：{', '.join(unknown)}。可用参数：format, year。")
    if request.args.get("format", "json") not in ("json", "csv"):
        raise ApiError("参数 format 只能是 json 或 csv。")
    today = service.today()
    raw = request.args.get("year", str(today.year))
    if not re.fullmatch(r"20\d\d", raw):
        raise ApiError(f"参数 year 应为四位年份，例如 {today.year}。")
    year = int(raw)
    _flush_downloads()

    def department_of(ident: str) -> str | None:
        record = service.published(ident)  # a dataset no longer published: not attributed
        return None if record is None else record.department

    rows = service_year(service.store(), service.verification(), year, today, department_of)
    names = current_app.extensions["portal_labels"].get().get("department", {})
    ordered = [rows[k] for k in sorted(rows)]
    for entry in ordered:
        entry["department_name"] = "数据主管部门" if entry["department"] == AUTHORITY \
            else names.get(entry["department"], entry["department"])
    total = {"department": "", "department_name": "合计", **{
        k: sum(e[k] for e in ordered) for k, _ in YEARLY_COLUMNS
        if k not in ("department", "department_name")}}
    if request.args.get("format") == "csv":
        table = [[title for _, title in YEARLY_COLUMNS]]
        table += [[e[k] for k, _ in YEARLY_COLUMNS] for e in [*ordered, total]]
        return _csv(table, f"open-data-{year}.csv")
    return {"ok": True, "year": year, "as_of": today.isoformat(),
            "columns": dict(YEARLY_COLUMNS), "departments": ordered, "total": total}
