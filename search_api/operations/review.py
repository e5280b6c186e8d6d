"""Reviewers' pages of authorised operation: the provider's first review
(000 §36(二)) and the authority's decision (000 §36(三)), with the running
period and its basis on every row, and feedback overdue marked (000 §36(四)).

Access is checked on the server: a department's reviewers see and act on
their own department's applications only; the authority and the auditor see
all; who may do what comes from
:data:`~domain.procedures.operation_states.OPERATION_FLOW`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from domain.procedures.identity import mask_contact
from domain.procedures.kit import ProcedureError
from domain.procedures.operation import OperationError
from domain.procedures.operation_application import split_list
from domain.procedures.operation_records import Authorisation, Operation
from domain.procedures.operation_states import OPERATION_FLOW, OpAction, Verdict
from domain.procedures.roles import Role
from search_api import service
from search_api.operations import present
from search_api.store import RequestNotFound, StaleRequest
from search_api.web.auth import signed_in
from search_api.web.forms import form_text

log = logging.getLogger(__name__)
bp = Blueprint("operation_review", __name__, url_prefix="/review/operations")
DEPARTMENT_ROLES = (Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD)
ALL_ROLES = (Role.AUTHORITY_REVIEWER, Role.AUDITOR)


def _scope_of_user() -> str | None:
    """The department whose cases the user sees (None: all).

    Aborts:
        403: a role that sees no scenario application.
    """
    if g.user.role in DEPARTMENT_ROLES:
        return str(g.user.department or "")
    if g.user.role in ALL_ROLES:
        return None
    abort(403, description="您的角色无权查看授权运营申请。")


def _load_visible(number: str) -> tuple[Operation, int]:
    department = _scope_of_user()
    try:
        case, version = service.operation_store().load(number)
    except RequestNotFound:
        abort(404, description="没有这个申请编号。")
    if department is not None and case.application.department != department:
        abort(403, description="您无权查看其他部门的授权运营申请。")
    return case, version


@bp.get("/")
@signed_in
def queue() -> Any:
    on, ops = service.today(), service.operations()
    cases = service.operation_store().for_review(_scope_of_user())
    rows: list[dict[str, Any]] = []
    for c in cases:
        periods = present.deadlines(c, on)
        actions = sorted(str(a) for a in ops.allowed_actions(c, g.user.role))
        rows.append({"case": c, "deadlines": periods, "actions": actions,
                     "feedback_overdue": ops.feedback_overdue(c, on),
                     "order": (not actions, _first_due(periods))})
    rows.sort(key=lambda r: r["order"])
    return render_template("operations/review_queue.html", rows=rows, user=g.user)


def _first_due(deadlines: list[dict[str, Any]]) -> str:
    return min((d["due"] for d in deadlines if d["due"]), default="9999-12-31")


@bp.get("/<number>")
@signed_in
def detail(number: str) -> Any:
    case, _ = _load_visible(number)
    on, ops = service.today(), service.operations()
    operator = case.application.operator
    log.info("reviewer %s opened scenario application %s", g.user.username, case.number)
    return render_template(
        "operations/review_detail.html", case=case, user=g.user,
        body=present.status_body(case), on=on,
        actions={str(a) for a in ops.allowed_actions(case, g.user.role)},
        contacts=[mask_contact(v) for v in (operator.phone, operator.email) if v],
        periods=present.period_lines())


@bp.post("/<number>/<action>")
@signed_in
def act(number: str, action: str) -> Any:
    """A reviewer's ``first_review`` or ``decide`` on a visible case.

    Aborts:
        404: no such case; 403: another department's case, or an action
            the user's role may not do (the transitions table).
    """
    case, version = _load_visible(number)
    if action not in {a.value for a in OpAction} \
            or not OPERATION_FLOW.may(OpAction(action), Role(g.user.role)):
        abort(403, description="您的角色无权执行此操作。")
    ops, on = service.operations(), service.today()
    try:
        if action == OpAction.FIRST_REVIEW:
            updated = ops.first_review(case, opinion=form_text("opinion", 16),
                                       reasons=form_text("reasons"), by=g.user.username, on=on)
        else:
            updated = ops.decide(case, verdict=form_text("verdict", 16),
                                 reasons=form_text("reasons"), by=g.user.username, on=on,
                                 scope=_scope_from_form())
        service.operation_store().save(updated, expected_version=version,
                                       actor_role=str(g.user.role), actor=g.user.username,
                                       action=f"operation.{action}", at=service.now())
    except ProcedureError as exc:
        flash(f"操作未执行：{present.refusal(exc)}", "error")
    except StaleRequest:
        flash("该申请刚被更新，请刷新后重试。", "error")
    else:
        flash("操作已完成。", "success")
    return redirect(url_for("operation_review.detail", number=case.number))


def _scope_from_form() -> Authorisation | None:
    """The scope the authority authorises (None for a rejection).

    Raises:
        OperationError: an authorisation whose term is not two dates.
    """
    if form_text("verdict", 16) != Verdict.AUTHORISE:
        return None
    datasets = tuple(d.strip()[:200] for d in request.form.getlist("datasets") if d.strip())
    try:
        start = date.fromisoformat(form_text("start", 10))
        end = date.fromisoformat(form_text("end", 10))
    except ValueError:
        raise OperationError("请填写授权期限的开始和结束日期（如 2027-01-01）。") from None
    return Authorisation(datasets, split_list(form_text("fields", 1000)), start, end)
