"""Data error reports and catalogue corrections (issue #5; 000 §25,
001 §26, 002 §30, 004 §17, §30): the public reports on a dataset; the
providing department answers within the profile's period (one extension by
the head); the answer — never the reporter or their words — is public.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from domain.catalogue.public_record import PublicRecord
from domain.periods.workdays import ClockStateError, ExtensionAlreadyUsed, ExtensionNotAllowed
from domain.procedures.reports import REPORT_FLOW, Finding, ReportAction, ReportError
from domain.procedures.request_states import Role
from search_api import service
from search_api.reports import api as report_api
from search_api.reports import mail as report_mail
from search_api.store import RequestNotFound, StaleRequest
from search_api.web.auth import signed_in
from search_api.web.forms import Incomplete, clean_text, form_text
from search_api.web.security import rate_limit

log = logging.getLogger(__name__)
bp = Blueprint("reports", __name__)


def _dataset(dataset_id: str) -> PublicRecord:
    record = report_api.find_dataset(dataset_id)
    if record is None:
        abort(404, description="没有这个公开数据集。")
    return record


@bp.get("/report/<dataset_id>")
def form(dataset_id: str) -> Any:
    return render_template("report_form.html", dataset=_dataset(dataset_id), errors=[],
                           values={}, notice=service.verification().notice)


@bp.post("/report/<dataset_id>")
def submit(dataset_id: str) -> Any:
    """File a report from the form (CSRF-checked); the receipt page, or the
    form again with the problems (400). The filing is
    :func:`search_api.reports.api.file_report`, shared with the JSON API."""
    dataset = _dataset(dataset_id)
    rate_limit(current_app, "public_write")
    raw = {k: request.form.get(k, "") for k in report_api.LIMITS}
    try:
        filed = report_api.file_report(dataset, raw)
    except Incomplete as exc:
        values = {k: clean_text(v, report_api.LIMITS[k]) for k, v in raw.items()}
        return render_template("report_form.html", dataset=dataset, values=values,
                               errors=exc.problems, notice=service.verification().notice), 400
    return render_template("report_receipt.html", report=filed.report, dataset=dataset,
                           due=filed.due, notice=service.verification().notice,
                           provisional=service.verification().provisional(filed.report))


@bp.get("/api/v1/datasets/<dataset_id>/reports")
def public_answers(dataset_id: str) -> Any:
    """Answered reports of a dataset: findings and reasons, no reporter data."""
    answers = service.reports().public_answers(dataset_id[:200])
    return {"ok": True, "dataset_id": dataset_id[:200], "answers": [
        {"number": a.number, "kind": a.kind, "field": a.field, "received": a.received.isoformat(),
         "finding": a.finding, "finding_name": Finding(a.finding).label, "answer": a.answer,
         "answered_on": a.answered_on.isoformat(), "in_time": a.in_time} for a in answers]}


def _visible(department: str) -> bool:
    if g.user.role in (Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD):
        return bool(department == g.user.department)
    return g.user.role in (Role.AUTHORITY_REVIEWER, Role.AUDITOR)


@bp.get("/review/reports")
@signed_in
def queue() -> Any:
    department = g.user.department if g.user.role in (
        Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD) else None
    items = service.reports().for_department(department)
    on, v = service.today(), service.verification()
    rows = [{"report": r, "due": v.due(r), "status": v.status(r, on),
             "provisional": v.provisional(r)} for r in items]
    rows.sort(key=lambda x: (x["status"] == "answered", x["due"] or on))
    return render_template("review/reports.html", rows=rows, user=g.user)


@bp.post("/review/reports/<number>/<action>")
@signed_in
def act(number: str, action: str) -> Any:
    try:
        report, version = service.reports().load(number)
    except RequestNotFound:
        abort(404, description="没有这个纠错编号。")
    if not _visible(report.department):
        abort(403, description="您无权处理其他部门的纠错。")
    role, on, v = g.user.role, service.today(), service.verification()
    if action not in REPORT_FLOW.table or not REPORT_FLOW.may(ReportAction(action), Role(role)):
        abort(403, description="您的角色无权执行此操作。")
    try:
        if action == ReportAction.ANSWER:
            updated = v.answer(report, finding=form_text("finding"), reasons=form_text("reasons"),
                               on=on, basis=form_text("basis"))
        else:
            updated = v.extend(report, days=int(form_text("days") or "0"),
                               approved_by=g.user.username, on=on)
        names = service.store().names
        messages = [m for m in (report_mail.answered_message(updated, names),
                                report_mail.catalogue_change_message(updated, names)) if m]
        service.reports().save(updated, expected_version=version, actor_role=role,
                               actor=g.user.username, action=f"report.{action}",
                               at=service.now(), messages=messages)
    except (ReportError, ExtensionAlreadyUsed, ExtensionNotAllowed, ClockStateError,
            ValueError) as exc:
        flash(f"操作未执行：{exc}", "error")
    except StaleRequest:
        flash("该纠错刚被更新，请刷新后重试。", "error")
    else:
        flash("操作已完成。", "success")
    return redirect(url_for("reports.queue"))
