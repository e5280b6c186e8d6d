"""Public participation over JSON (issue #5; no cookies, so no CSRF), and
the filing both channels share, so the web form and the API cannot apply
different rules:

    POST /api/v1/demands | /suggestions | /reuses   file one → 201 receipt number
    GET  /api/v1/demands | /suggestions | /reuses   moderated items with the public reply
    GET  /api/v1/datasets/<id>/reuses               published reuses of a dataset
    GET  /api/v1/statistics/participation           counts per department (000 §50, 004 §43)

Only moderated text is ever answered: what the public wrote stays private
until a reviewer approves it (``domain.procedures.participation.PUBLIC``); submitters'
names and contacts are sealed and never answered.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, current_app

from domain.catalogue.public_record import PublicRecord
from domain.periods.calendar import CalendarYearMissing
from domain.procedures.participation import RECEIPT_PREFIX, Incomplete, Item, Kind
from domain.procedures.roles import AUTHORITY
from search_api import service
from search_api.web.errors import ApiError, json_object_body
from search_api.web.forms import clean_text
from search_api.web.public_names import department_names
from search_api.web.security import rate_limit

log = logging.getLogger(__name__)
bp = Blueprint("participation_api", __name__, url_prefix="/api/v1")
"""The most recent approved usage reports on the public register."""
FIELDS = ("title", "text", "department", "dataset_id", "url", "name", "contact")


def file_item(kind: Kind, raw: Mapping[str, Any], dataset_ids: list[str]) -> Item:
    """Validate and store a submission (committed when this returns); the
    receipt number is taken only once everything is valid.

    Raises:
        Incomplete: every problem, in Chinese, for the submitter.
        CalendarYearMissing: the reply period runs into an uncovered year.
    """
    # Not cut here: the domain refuses over-long fields, saying the limit.
    fields = {k: clean_text(raw.get(k), None) for k in FIELDS}
    problems: list[str] = []
    datasets: list[PublicRecord] = []
    for dataset_id in dict.fromkeys(d.strip()[:200] for d in dataset_ids if d.strip()):
        record = service.published(dataset_id)
        if record is None:
            problems.append(f"没有资源代码为“{dataset_id[:64]}”的公开数据集，请在数据目录中核对。")
        else:
            datasets.append(record)
    department: str | None = fields["department"] or None
    if department is not None and department not in department_names():
        problems.append("所选部门不在数据提供部门名录中；不清楚由哪个部门负责可不选，"
                        "由数据主管部门转办。")
    if kind is not Kind.DEMAND and datasets:
        # A suggestion or reuse about datasets of one department goes to it;
        # spanning several, the authority handles it.
        owners = {d.department for d in datasets}
        department = owners.pop() if len(owners) == 1 else None
    if kind is Kind.REUSE and not fields["contact"]:
        problems.append("请留下联系方式（不公开，仅用于审核时核实）。")
    if len(fields["name"]) > 100 or len(fields["contact"]) > 200:
        problems.append("称呼不超过 100 字，联系方式不超过 200 字。")
    ids = tuple(d.id for d in datasets)
    p, on = service.participation(), service.today()
    try:
        p.receive(kind=kind, number="pending", on=on, title=fields["title"], text=fields["text"],
                  department=department, dataset_ids=ids or tuple(dataset_ids), url=fields["url"])
    except Incomplete as exc:
        problems = [*exc.problems, *problems]
    if problems:
        raise Incomplete(problems)
    number = service.store().next_receipt_number(on, prefix=RECEIPT_PREFIX[kind])
    item = p.receive(kind=kind, number=number, on=on, title=fields["title"], text=fields["text"],
                     department=department, dataset_ids=ids, url=fields["url"])
    service.participation_store().add(item, submitter={"name": fields["name"],
                                                       "contact": fields["contact"]},
                                      at=service.now())
    log.info("participation %s (%s) received", number, kind.value)
    return item


def public_dict(item: Item) -> dict[str, Any]:
    """What anyone may see of a moderated item: never the submitter, never
    the text as filed.

    Raises:
        ValueError: the item is not public (a bug in the caller).
    """
    if not item.public:
        raise ValueError(f"{item.number} is {item.status.value}, not public")
    names = department_names()
    body: dict[str, Any] = {
        "number": item.number, "kind": item.kind.value, "kind_name": item.kind.label,
        "status": item.status.value, "status_name": item.status.label,
        "received": item.received.isoformat(), "title": item.public_title,
        "text": item.public_text, "department": item.department,
        "department_name": names.get(item.department or "", "数据主管部门"),
        "dataset_ids": list(item.dataset_ids)}
    if item.kind is Kind.REUSE:
        body["url"] = item.url
    if item.kind.answered_by_department:
        due = service.participation().due(item)
        body["due"] = due.isoformat() if due else None
        body["provisional"] = service.participation().provisional(item)
        body["reply"] = None if item.reply is None else {
            "outcome": item.reply.status.value, "outcome_name": item.reply.status.label,
            "text": item.reply.text, "on": item.reply.on.isoformat(),
            "in_time": item.reply.in_time}
    return body


def _body() -> dict[str, Any]:
    body = json_object_body()
    wrong = [k for k in FIELDS if k in body and not isinstance(body[k], str)]
    ids = body.get("dataset_ids", [])
    if not isinstance(ids, list) or not all(isinstance(d, str) for d in ids):
        wrong.append("dataset_ids")
    if wrong:
        raise ApiError(f"{'、'.join(wrong)} 的类型不对：文字字段须为字符串，"
                       "dataset_ids 须为字符串数组。")
    return body


def _submit(kind: Kind) -> Any:
    rate_limit(current_app, "public_write")
    body = _body()
    ids = [str(d) for d in body.get("dataset_ids", [])][:50]
    if body.get("dataset_id"):
        ids.append(str(body["dataset_id"]))
    try:
        item = file_item(kind, body, ids)
    except Incomplete as exc:
        raise ApiError(exc.problems[0], errors=list(exc.problems)) from None
    due = service.participation().due(item)
    return {"ok": True, "number": item.number, "kind": item.kind.value,
            "status": item.status.value, "status_name": item.status.label,
            "received": item.received.isoformat(), "due": due.isoformat() if due else None,
            "provisional": service.participation().provisional(item),
            "message": "已收到，经审核后公开（不公开您的称呼和联系方式）。"}, 201


def _list(kind: Kind) -> Any:
    items = service.participation_store().public(kind)
    return {"ok": True, "kind": kind.value, "items": [public_dict(i) for i in items]}


@bp.post("/demands")
def submit_demand() -> Any:
    return _submit(Kind.DEMAND)


@bp.post("/suggestions")
def submit_suggestion() -> Any:
    return _submit(Kind.SUGGESTION)


@bp.post("/reuses")
def submit_reuse() -> Any:
    return _submit(Kind.REUSE)


@bp.get("/demands")
def demands() -> Any:
    """Moderated demands with the departments' replies."""
    return _list(Kind.DEMAND)


@bp.get("/suggestions")
def suggestions() -> Any:
    """Moderated suggestions with the departments' replies."""
    return _list(Kind.SUGGESTION)


@bp.get("/reuses")
def reuses() -> Any:
    """The showcase: published reuses."""
    return _list(Kind.REUSE)


@bp.get("/datasets/<dataset_id>/reuses")
def dataset_reuses(dataset_id: str) -> Any:
    """Published reuses of a dataset, for its page (fetched by portal.js)."""
    items = service.participation_store().reuses_of(dataset_id[:200])
    return {"ok": True, "dataset_id": dataset_id[:200],
            "reuses": [public_dict(i) for i in items]}


@bp.get("/statistics/participation")
def statistics() -> Any:
    """Demands and suggestions received, answered, answered in time and
    overdue per department; reuses and usage reports received and published."""
    p, today = service.participation(), service.today()
    # One snapshot: an item filed meanwhile is counted everywhere or nowhere.
    snapshot = service.participation_store().statistics()
    names = department_names()
    by_department: dict[str, dict[str, Any]] = {}
    totals: dict[str, dict[str, int]] = {
        k.value: dict.fromkeys(_COUNTS[k.answered_by_department], 0)
        for k in (Kind.DEMAND, Kind.SUGGESTION, Kind.REUSE)}

    def entry(department: str | None, kind: str) -> dict[str, int]:
        key = department or AUTHORITY
        found = by_department.setdefault(key, {"name": names.get(key, "数据主管部门")})
        counts: dict[str, int] = found.setdefault(kind, dict.fromkeys(_COUNTS[True], 0))
        return counts

    for (department, kind), c in snapshot.counts.items():
        answered = Kind(kind).answered_by_department
        counts = {"received": c.received, "pending_moderation": c.pending,
                  "rejected_in_moderation": c.rejected, "answered": c.answered,
                  "answered_in_time": c.answered_in_time, "overdue": 0, "published": c.published}
        counts = {k: counts[k] for k in _COUNTS[answered]}
        for key, value in counts.items():
            totals[kind][key] += value
        if answered:
            entry(department, kind).update(counts)
    try:
        for item in snapshot.open_items:
            if p.timing(item, today) == "overdue":
                entry(item.department, item.kind.value)["overdue"] += 1
                totals[item.kind.value]["overdue"] += 1
    except CalendarYearMissing as exc:  # the counts stay; overdue ones are not known
        log.error("overdue counts need a calendar for %s", exc.year)
    uses = snapshot.use_reports
    totals["use_report"] = {"received": uses.received, "pending_moderation": uses.pending,
                            "published": uses.published}
    return {"ok": True, "reply_days": p.reply_days,
            "reply_period_basis": "平台规定（法规未规定开放需求和意见建议的答复期限），按工作日计算",
            "by_department": dict(sorted(by_department.items())), "totals": totals}


_COUNTS = {True: ("received", "pending_moderation", "rejected_in_moderation", "answered",
                  "answered_in_time", "overdue"),
           False: ("received", "pending_moderation", "rejected_in_moderation", "published")}
