"""Moderation and replies (issue #5): reviewers approve or reject what the
public wrote (demands, suggestions, reuses, usage reports) before any of it
is public, route demands, and answer them.

Access control as on the other reviewer pages (002 §42, §44): the data
authority moderates everything; a department reviewer moderates and answers
their own department's items; a department head and the auditor only read
(:func:`domain.procedures.participation.allowed`). Every action is one transaction with
its hash-chained audit record (003 §34); every form carries the CSRF token.

The submitter's name and contact (collected 仅用于审核时核实) appear only
in the answer to the reveal button (POST, CSRF) of a reviewer who may
moderate the item; each reveal is audited (``participation.contact_viewed``)
and the answer is not cached. Neither is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from domain.procedures.participation import (
    CONTACT_ACTION,
    MODERATION_ACTIONS,
    REPLIES,
    Item,
    Kind,
    ParticipationError,
    Status,
    allowed,
    pii_in,
)
from search_api import service
from search_api.store import PersonalDataKeyError, RequestNotFound, StaleRequest
from search_api.web.auth import signed_in
from search_api.web.forms import form_text
from search_api.web.public_names import department_names

log = logging.getLogger(__name__)
bp = Blueprint("moderation", __name__, url_prefix="/review/moderation")
ACTIONS = (*MODERATION_ACTIONS, "route", "start", "answer")


def _scope() -> str | None:
    """The department whose items the signed-in reviewer sees; None: all."""
    if g.user.role in ("department_reviewer", "department_head"):
        return str(g.user.department or "")
    return None


def _may(action: str, item: Item) -> bool:
    return allowed(action, g.user.role, g.user.department, item)


def _page(revealed: dict[str, dict[str, str]] | None = None) -> str:
    """The queue: pending moderation first, then items owed a reply, then
    the most recent others; ``revealed`` the submitter of one item (only in
    the answer to its reveal button)."""
    store, p, today = service.participation_store(), service.participation(), service.today()
    rows: list[dict[str, Any]] = []
    for item, version in [*store.for_review(_scope()), *store.use_reports_for_review(_scope())]:
        rows.append({"item": item, "version": version, "due": p.due(item),
                     "provisional": p.provisional(item),
                     "timing": p.timing(item, today),
                     "actions": [a for a in ACTIONS if _may(a, item)],
                     "contact": _may(CONTACT_ACTION, item),
                     # Only what may still be approved needs the scan.
                     "pii": pii_in(f"{item.title}\n{item.text}", item.url)
                     if item.status is Status.PENDING else []})
    order = {Status.PENDING: 0, Status.ACCEPTED: 1, Status.IN_PROGRESS: 1}
    rows.sort(key=lambda r: (order.get(r["item"].status, 2), r["item"].received,
                             r["item"].number))
    return render_template("review/moderation.html", rows=rows, user=g.user,
                           departments=sorted(department_names().items()),
                           names=department_names(), replies=REPLIES, Status=Status,
                           revealed=revealed or {})


@bp.get("/")
@signed_in
def queue() -> Any:
    """Pending moderation first, then items owed a reply, then the rest."""
    return _page()


@bp.post("/<number>/contact")
@signed_in
def contact(number: str) -> Any:
    """Show the submitter's name and contact to a reviewer who may moderate
    the item, recording the reveal in the audit log first (000 §47: used
    only to verify the submission)."""
    item, _ = _load(number[:80])
    _require(CONTACT_ACTION, item, "只有负责审核该内容的审核人员可以查看提交人联系方式。")
    try:
        submitter = service.participation_store().reveal_submitter(
            item.number, actor_role=g.user.role, actor=g.user.username, at=service.now())
    except PersonalDataKeyError as exc:
        log.error("submitter of %s unreadable: %s", item.number, exc)
        flash("提交人信息无法解密（个人信息密钥配置有误），请联系系统管理员。", "error")
        return redirect(url_for("moderation.queue"))
    log.info("submitter of %s shown to %s (audited)", item.number, g.user.username)
    response = make_response(_page({item.number: submitter}))
    response.headers["Cache-Control"] = "no-store"
    return response


def _require(action: str, item: Item, refusal: str) -> None:
    """403 (logged) unless the signed-in reviewer may see ``item`` and do
    ``action`` on it; ``refusal`` tells them why not."""
    if not _may("view", item):
        log.warning("reviewer %s (%s) denied access to %s", g.user.username, g.user.role,
                    item.number)
        abort(403, description="您无权查看其他部门的内容。")
    if not _may(action, item):
        log.warning("reviewer %s (%s) refused %s on %s", g.user.username, g.user.role,
                    action, item.number)
        abort(403, description=refusal)


def _load(number: str) -> tuple[Item, int]:
    try:
        if "." in number:
            return service.participation_store().load_use_report(number)
        return service.participation_store().load(number)
    except RequestNotFound:
        abort(404, description="没有这个编号的待审内容。")


@bp.post("/<number>/<action>")
@signed_in
def act(number: str, action: str) -> Any:
    if action not in ACTIONS:
        abort(404)
    item, version = _load(number[:80])
    _require(action, item, "您的角色无权执行此操作。")
    if request.form.get("version", "") != str(version):
        flash("该内容刚被其他审核人员处理，请查看最新状态。", "error")
        return redirect(url_for("moderation.queue"))
    p, on, by = service.participation(), service.today(), g.user.username
    try:
        if action == "approve":
            updated = p.approve(item, by=by, on=on,
                                public_title=request.form.get("public_title") and form_text(
                                    "public_title"),
                                public_text=request.form.get("public_text") and form_text(
                                    "public_text"))
        elif action in ("reject", "withdraw"):
            updated = getattr(p, action)(item, by=by, on=on, reason=form_text("reason"))
        elif action == "route":
            department = form_text("department")
            if department not in department_names():
                raise ParticipationError("department", "请从名录中选择承办部门。")
            updated = p.route(item, department=department)
        elif action == "start":
            updated = p.start(item)
        else:
            updated = p.answer(item, status=form_text("outcome"), text=form_text("reply"), by=by, on=on)
        save = service.participation_store().save_use_report if item.kind is Kind.USE_REPORT \
            else service.participation_store().save
        prefix = "use_report" if item.kind is Kind.USE_REPORT else "participation"
        save(updated, expected_version=version, actor_role=g.user.role, actor=by,
             action=f"{prefix}.{action}", at=service.now())
    except ParticipationError as exc:
        log.info("moderation %s on %s refused: %s", action, item.number, exc.code)
        flash(f"操作未执行：{exc}", "error")
    except StaleRequest:
        flash("该内容刚被其他审核人员处理，请查看最新状态。", "error")
    else:
        log.info("moderation %s on %s by %s", action, item.number, by)
        flash("操作已完成。", "success")
    return redirect(url_for("moderation.queue"))
