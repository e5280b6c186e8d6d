"""``POST /api/v1/sandbox/query`` with ``Authorization: Bearer <key>`` and a
JSON body ``{"sql": "SELECT …", "format": "json"|"csv"}``.

The key must be approved for the sandbox (:func:`search_api.web.api_keys.authorise`:
401/403/429 as there; each query counts against the daily quota). Refused
queries answer 400 with the reason in Chinese. Every query, run or refused,
is in the audit log: its SHA-256 and text (clear identifiers masked by the
audit log), the outcome and the number of rows, never a result.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify

from domain.procedures.request_records import Actor
from domain.procedures.request_states import Role
from search_api import service
from search_api.sandbox.guard import QueryRefused
from search_api.sandbox.runner import Answer, Limits, approved_tables, run, sandbox_file
from search_api.store.grants import Grant
from search_api.tables.store import RowStoreError, Table
from search_api.web.api_keys import authorise, keyed_rows
from search_api.web.csv_answer import csv_response
from search_api.web.errors import ApiError, json_object_body

bp = Blueprint("sandbox", __name__)


def _limits() -> Limits:
    config = current_app.config
    return Limits(rows=int(config["SANDBOX_ROW_LIMIT"]),
                  timeout_ms=int(config["SANDBOX_TIMEOUT_MS"]),
                  min_group=int(config["SANDBOX_MIN_GROUP"]))


def _audit(grant: Grant, sql: str, outcome: str, rows: int, suppressed: int) -> None:
    service.store().append_audit(
        actor=Actor(Role.APPLICANT, f"applicant:{grant.number}"), action="sandbox_query",
        subject=grant.number, detail={
            "sql_sha256": hashlib.sha256(sql.encode()).hexdigest(), "sql": sql[:2000],
            "outcome": outcome, "rows": rows, "suppressed": suppressed}, at=service.now())


def _tables(grant: Grant) -> dict[str, tuple[Table, list[str]]]:
    try:
        return approved_tables(keyed_rows(), grant.terms.dataset_id, grant.terms.fields)
    except RowStoreError as exc:
        current_app.logger.error("sandbox unavailable: %s", exc)
        raise ApiError("数据沙箱暂时不可用，请稍后再试。", 503) from None


@bp.get("/api/v1/sandbox/tables")
def tables() -> Any:
    """The tables and columns the key may query (this call counts too)."""
    grant, _ = authorise("sandbox")
    return jsonify({"ok": True, "dataset": grant.terms.dataset_id,
                    "aggregate_only": not grant.terms.raw_rows,
                    "min_group": _limits().min_group if not grant.terms.raw_rows else None,
                    "row_limit": _limits().rows, "tables": [
                        {"name": name, "title": table.title, "rows": table.rows,
                         "columns": [{"name": f.name, "type": f.type, "title": f.title}
                                     for f in table.fields if f.name in columns]}
                        for name, (table, columns) in _tables(grant).items()]})


def _query(grant: Grant, sql: str) -> Answer:
    tables = _tables(grant)
    try:
        path = sandbox_file(Path(current_app.config["SANDBOX_DIR"]), keyed_rows(),
                            grant.terms.dataset_id, tables)
    except RowStoreError as exc:
        current_app.logger.error("sandbox unavailable: %s", exc)
        raise ApiError("数据沙箱暂时不可用，请稍后再试。", 503) from None
    columns = {name: frozenset(cols) for name, (_t, cols) in tables.items()}
    return run(path, sql, columns, aggregate_only=not grant.terms.raw_rows, limits=_limits())


@bp.post("/api/v1/sandbox/query")
def query() -> Any:
    grant, _ = authorise("sandbox")
    body = json_object_body()
    sql = body.get("sql")
    if not isinstance(sql, str):
        raise ApiError("请求体须包含 sql 字段（一条 SELECT 查询语句的文本）。")
    fmt = str(body.get("format") or "json").lower()
    if fmt not in ("json", "csv"):
        raise ApiError("format 只能是 json 或 csv。")
    try:
        answer = _query(grant, sql)
    except QueryRefused as exc:
        _audit(grant, sql, "refused", 0, 0)
        raise ApiError(str(exc), 400) from None
    _audit(grant, sql, "run", len(answer.rows), answer.suppressed)
    if fmt == "csv":
        response = csv_response(answer.columns, answer.rows)
        response.headers["X-Suppressed-Groups"] = str(answer.suppressed)
        return response
    return jsonify({"ok": True, "columns": answer.columns, "rows": answer.rows,
                    "count": len(answer.rows), "suppressed_groups": answer.suppressed,
                    "aggregate_only": not grant.terms.raw_rows})
