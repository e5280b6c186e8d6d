"""The provider's supervision of approved uses by API or sandbox (003 §32,
§41; 004 §38): ``/review/uses`` lists the grants a reviewer may see, with
their reports due and overdue; the providing department suspends, resumes or
revokes a use, or notes a misuse, each with a reason (CSRF and server-side
access control as on every reviewer action). The applicant is told by mail;
a suspended or revoked grant stops its key at once, and download links of
the request too (:func:`stopped`).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from domain.procedures.data_grants import GrantStatus, overdue, report_due_dates
from domain.procedures.request_records import Request
from domain.procedures.request_states import EventKind, Role
from search_api import service
from search_api.store import OutboxMessage, RequestNotFound, User
from search_api.store.grants import Grant, MisuseRecord
from search_api.web.api_keys import keys
from search_api.web.auth import signed_in
from search_api.web.forms import form_text

log = logging.getLogger(__name__)
bp = Blueprint("use_supervision", __name__, url_prefix="/review")
DEPARTMENT_ROLES = (Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD)
ACTIONS = {"suspend": GrantStatus.SUSPENDED, "resume": GrantStatus.ACTIVE,
           "revoke": GrantStatus.REVOKED, "misuse": None}
DONE = {"suspend": "已暂停", "resume": "已恢复", "revoke": "已撤销", "misuse": "已记录违规使用情况"}


def _department(user: User) -> str | None:
    return user.department if user.role in DEPARTMENT_ROLES else None


@bp.get("/uses")
@signed_in
def uses() -> Any:
    """The grants the reviewer may see, overdue reports first."""
    on = service.today()
    rows: list[dict[str, Any]] = []
    grants = keys().grants(_department(g.user))
    reported = service.store().event_days([x.number for x in grants], EventKind.USE_REPORTED)
    for grant in grants:
        dues = report_due_dates(grant.terms)
        late = overdue(dues, reported[grant.number], on)
        upcoming = [d for d in dues if d >= on]
        rows.append({"grant": grant, "late": late, "next": upcoming[0] if upcoming else None})
    rows.sort(key=lambda r: (not r["late"], str(r["grant"].number)))
    return render_template("keys/uses.html", rows=rows, user=g.user, on=on,
                           may_act=g.user.role in DEPARTMENT_ROLES)


def _applicant_message(grant: Grant, action: str, reason: str) -> OutboxMessage:
    what = {"suspend": "暂停", "resume": "恢复", "revoke": "撤销"}[action]
    body = (f"您的申请 {grant.number} 获批的数据使用（{grant.terms.dataset_id}）已被数据提供部门"
            f"{what}。\n理由：{reason}\n")
    if action != "resume":
        body += "接口密钥、数据沙箱和下载链接即时停止使用。如有异议，请与数据提供部门联系。\n"
    return OutboxMessage(kind=f"grant_{action}", recipient_role=Role.APPLICANT.value,
                         recipient=f"applicant:{grant.number}",
                         subject=f"数据使用已{what}：申请 {grant.number}", body=body,
                         request_number=grant.number)


@bp.post("/uses/<number>/<action>")
@signed_in
def act(number: str, action: str) -> Any:
    """Suspend, resume, revoke or note a misuse of the grant of ``number``.

    Aborts:
        404: unknown action or no grant; 403: not a reviewer of the
        providing department.
    """
    if action not in ACTIONS:
        abort(404, description="没有这个操作。")
    grant = keys().grant(number)
    if grant is None:
        abort(404, description="没有这个数据使用授权。")
    user: User = g.user
    if user.role not in DEPARTMENT_ROLES or user.department != grant.department:
        log.warning("reviewer %s (%s) denied %s of grant %s", user.username, user.role, action,
                    number)
        abort(403, description="只有数据提供部门可以暂停、撤销数据使用或记录违规。")
    reason = form_text("reason")
    if not reason:
        flash("操作未执行：请填写理由。", "error")
        return redirect(url_for("use_supervision.uses"))
    status = ACTIONS[action]
    if grant.status is GrantStatus.REVOKED:
        flash("操作未执行：该数据使用已撤销，不能再变更。", "error")
        return redirect(url_for("use_supervision.uses"))
    who = (user.role, user.username)
    if status is None:
        keys().add_misuse(number, reason, actor=who, at=service.now())
    else:
        keys().set_status(number, status, reason, actor=who, at=service.now(),
                          messages=[_applicant_message(grant, action, reason)])
    log.info("reviewer %s: %s grant of %s", user.username, action, number)
    flash(f"操作已完成：{DONE[action]}。", "success")
    return redirect(url_for("use_supervision.uses"))


def misuse_for(req: Request) -> list[MisuseRecord]:
    """What the misuse record holds on the applicant of ``req`` from their
    other requests, never shown publicly.

    The applicant is matched by identity (kind and number), read from each
    recorded request, not by a hash kept at approval: such a hash was keyed
    with SECRET_KEY, so a new key (a rotation, or ``portal serve``'s random
    key at each start) hid every earlier record. A request whose personal
    data was erased matches no one."""
    if request.blueprint not in ("review", "use_supervision"):
        return []
    store = service.store()
    mine = _identity(req)
    if mine is None:
        return []
    same: dict[str, bool] = {}
    found = []
    for record in keys().misuse_records():
        if record.number == req.number:
            continue
        if record.number not in same:
            try:
                same[record.number] = _identity(store.load(record.number)[0]) == mine
            except RequestNotFound:
                same[record.number] = False
        if same[record.number]:
            found.append(record)
    return found


def _identity(req: Request) -> tuple[str, str] | None:
    number = req.application.identity_number.strip().upper()
    return (str(req.application.identity_kind), number) if number else None
