"""Applicants: file a conditional-open request, follow it, answer a demand
for explanation, withdraw, report use (003 §24–26, 002 §36, 000 §36(四)).

An applicant proves a request is theirs with the receipt number and the
private access code shown once at filing; the (server-side) session then
remembers it, under a new session id, until the applicant signs out
(``POST /requests/logout``) or the session times out.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from domain.catalogue.model import OpenType, Status
from domain.catalogue.public_record import PublicRecord
from domain.procedures.identity import mask_identity
from domain.procedures.request_records import Request
from domain.procedures.request_states import ProcedureError, Role
from search_api import service
from search_api.requests import refusals
from search_api.requests.applications import (
    APPLICANT_ACTIONS,
    DONE,
    applicant_act,
    clean_fields,
    file_application,
    offered_methods,
)
from search_api.store import StaleRequest
from search_api.web import labels_zh
from search_api.web.access_codes import MY_REQUESTS as MINE
from search_api.web.access_codes import own_case, remember, sign_in_page, sign_out
from search_api.web.forms import Incomplete, form_text
from search_api.web.security import rate_limit

log = logging.getLogger(__name__)
bp = Blueprint("requests", __name__)


def _conditional_dataset(dataset_id: str) -> PublicRecord:
    record = service.published(dataset_id)
    if record is None or record.open_type is not OpenType.CONDITIONAL \
            or record.status is not Status.ACTIVE:
        abort(404, description="没有这个正在开放的有条件开放数据集；无条件开放数据可直接下载，"
                               "无需申请。")
    return record


@bp.get("/apply/<dataset_id>")
def apply_form(dataset_id: str) -> Any:
    dataset = _conditional_dataset(dataset_id)
    return render_template("apply.html", dataset=dataset, form={}, offered=offered_methods(dataset),
                           errors=[], commitment=labels_zh.COMMITMENT)


@bp.post("/apply/<dataset_id>")
def apply_submit(dataset_id: str) -> Any:
    dataset = _conditional_dataset(dataset_id)
    rate_limit(current_app, "public_write")
    form = clean_fields(request.form)
    try:
        filed = file_application(form, dataset, commitment=request.form.get("commitment") == "yes")
    except Incomplete as exc:
        form.pop("identity_number")  # never echoed back into a page
        return render_template("apply.html", dataset=dataset, form=form, errors=exc.problems,
                               offered=offered_methods(dataset),
                               commitment=labels_zh.COMMITMENT), 400
    remember(MINE, filed.request.number)
    deadlines = service.procedure().deadlines(filed.request, service.today())
    # The access code is shown once: no cache may keep the page.
    return render_template("receipt.html", req=filed.request, dataset=dataset,
                           access_code=filed.access_code, deadlines=deadlines,
                           labels=labels_zh), 200, {"Cache-Control": "no-store"}


def _own(number: str) -> tuple[Request, int]:
    return own_case(MINE, number, service.store().load, "requests.status_login")


@bp.route("/requests/status", methods=["GET", "POST"])
def status_login() -> Any:
    return sign_in_page(heading="申请进度查询", kind=MINE, what="request",
                        code_hash=service.store().access_code_hash,
                        status_endpoint="requests.status")


@bp.post("/requests/logout")
def logout() -> Any:
    """Sign out: this session no longer sees any request (a copied cookie neither)."""
    return sign_out("requests.status_login")


@bp.get("/requests/<number>")
def status(number: str) -> Any:
    req, _ = _own(number)
    on = service.today()
    actions = service.procedure().allowed_actions(req, Role.APPLICANT, on)
    return render_template("status.html", req=req, labels=labels_zh, on=on,
                           deadlines=service.procedure().deadlines(req, on),
                           actions={str(a) for a in actions},
                           identity=mask_identity(req.application.identity_kind,
                                                  req.application.identity_number))


@bp.post("/requests/<number>/<action>")
def act(number: str, action: str) -> Any:
    """The applicant's ``answer``, ``withdraw`` or ``report`` on their own
    request, then back to its page with a flash: done, or why not in Chinese
    (missing text; a refusal of the procedure through
    :func:`search_api.requests.refusals.applicant_refusal`; a concurrent update).

    Aborts:
        404: an unknown action or request number; 429: too many submissions.
    """
    req, version = _own(number)
    if action not in APPLICANT_ACTIONS:
        abort(404)
    rate_limit(current_app, "public_write")
    try:
        applicant_act(req, version, action, form_text("text"))
    except Incomplete as exc:
        flash(exc.problems[0], "error")
    except ProcedureError as exc:
        log.info("applicant action %s on %s refused (%s): %s", action, number, exc.code, exc)
        state = labels_zh.STATES.get(req.state, req.state)
        flash(f"操作未执行：{refusals.applicant_refusal(exc, action, state, service.procedure().profile.regulation)}", "error")
    except StaleRequest:
        flash("申请刚刚被更新，请查看最新状态后再操作。", "error")
    else:
        flash(DONE[action], "success")
    return redirect(url_for("requests.status", number=number))
