"""The catalogue review queue (/review/catalogue/): the big-data authority
approves or rejects each proposed catalogue entry with its reasons before it
is published (000 §9, §40; 002 §35; 003 §9), and records each department's
yearly full review (003 §9).

Access control on the server for every action (002 §42, §44):
:func:`domain.catalogue.governance.allowed` — the authority decides; department
reviewers and heads see their own department's proposals only; the
auditor reads. Every form carries the CSRF token (``search_api.web.security``
checks it before any view runs); every decision is audited in the same
transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from domain.catalogue.governance import FIELD_LABELS, ChangeStatus, allowed, full_review_due
from domain.catalogue.model import OpenType
from search_api import service
from search_api.governance.store import CatalogueChanges, Change
from search_api.store import RequestNotFound, StaleRequest
from search_api.web.auth import signed_in
from search_api.web.forms import form_text
from search_api.web.public_names import department_names

log = logging.getLogger(__name__)
bp = Blueprint("catalogue_review", __name__, url_prefix="/review/catalogue")
REASON_MAX = 2000


def _changes() -> CatalogueChanges:
    return CatalogueChanges(service.store())


def _scope() -> str | None:
    """The department whose proposals the signed-in reviewer sees; None: all."""
    if g.user.role in ("department_reviewer", "department_head"):
        return str(g.user.department or "")
    return None


def _may(action: str, department: str) -> bool:
    return allowed(action, g.user.role, g.user.department, department)


def _departments() -> list[dict[str, Any]]:
    """The yearly full review per department (authority and auditor only)."""
    if _scope() is not None:
        return []
    last, today = _changes().last_full_reviews(), service.today()
    return [{"code": code, "name": name, "last": last.get(code),
             "due": full_review_due(last.get(code), today)}
            for code, name in sorted(department_names().items())]


@bp.get("/")
@signed_in
def queue() -> Any:
    """Pending proposals first (oldest first), then the latest decisions."""
    if g.user.role not in ("authority_reviewer", "department_reviewer", "department_head",
                           "auditor"):
        abort(403, description="您的角色无权查看目录审核。")
    rows = [{"change": c, "decide": _may("approve", c.department)
             and c.status is ChangeStatus.PENDING} for c in _changes().queue(_scope())]
    return render_template("review/catalogue.html", rows=rows, user=g.user,
                           names=department_names(), labels=FIELD_LABELS,
                           open_types={t.value: t.label for t in OpenType},
                           departments=_departments(), may_review=_may("full_review", ""),
                           today=service.today())


def _load(change_id: int) -> Change:
    if change_id > 2**31 - 1:  # beyond the column's range: no such change
        abort(404, description="没有这个编号的目录变更。")
    try:
        return _changes().load(change_id)
    except RequestNotFound:
        abort(404, description="没有这个编号的目录变更。")


@bp.post("/<int:change_id>/<action>")
@signed_in
def decide(change_id: int, action: str) -> Any:
    """Approve or reject one proposal (reasons required to reject)."""
    if action not in ("approve", "reject"):
        abort(404)
    change = _load(change_id)
    if not _may("view", change.department):
        log.warning("reviewer %s (%s) denied access to catalogue change %s",
                    g.user.username, g.user.role, change_id)
        abort(403, description="您无权查看其他部门的目录变更。")
    if not _may(action, change.department):
        log.warning("reviewer %s (%s) refused %s on catalogue change %s",
                    g.user.username, g.user.role, action, change_id)
        abort(403, description="目录变更由数据主管部门审核，您的角色无权执行此操作。")
    reason = form_text("reason", REASON_MAX)
    if action == "reject" and not reason:
        flash("不予通过须说明理由。", "error")
        return redirect(url_for("catalogue_review.queue"))
    raw_version = request.form.get("version", "")
    version = int(raw_version) if raw_version.isdigit() and len(raw_version) < 10 else 0
    try:
        _changes().decide(change_id, approve=action == "approve", reason=reason,
                          by=g.user.username, role=g.user.role, expected_version=version,
                          at=service.now())
    except StaleRequest:
        flash("该目录变更刚被处理或已被新提交替代，请查看最新状态。", "error")
    else:
        log.info("catalogue change %s %s by %s", change_id, action, g.user.username)
        flash("审核意见已记录。" + ("变更将在下次生成网站时发布。" if action == "approve" else ""),
              "success")
    return redirect(url_for("catalogue_review.queue"))


@bp.post("/full-review/<department>")
@signed_in
def full_review(department: str) -> Any:
    """Record this year's full review of a department's catalogue (003 §9)."""
    if not _may("full_review", department):
        log.warning("reviewer %s (%s) refused full review of %s", g.user.username,
                    g.user.role, department[:40])
        abort(403, description="目录全面维护由数据主管部门确认，您的角色无权执行此操作。")
    if department not in department_names():
        abort(404, description="没有这个部门。")
    _changes().record_full_review(department, on=service.today(), by=g.user.username,
                                  role=g.user.role, note=form_text("note", REASON_MAX),
                                  at=service.now())
    flash(f"已记录{department_names()[department]}本年度目录全面维护。", "success")
    return redirect(url_for("catalogue_review.queue"))
