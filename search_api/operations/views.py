"""The public pages of authorised operation (000 §36): the filing form
(CSRF, rate limit) and its receipt, the applicant's status page behind the
receipt number and access code, the operator's feedback (000 §36(四)) and
withdrawal, and the public register of authorisations.

The session remembers the cases an applicant proved are theirs
(``my_operations``), under a new session id, as requests' pages do.
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

from domain.procedures.kit import ProcedureError
from domain.procedures.operation_application import ApplicationIncomplete
from domain.procedures.operation_records import Operation
from search_api import service
from search_api.operations import filing, present
from search_api.store import StaleRequest
from search_api.web.access_codes import MY_OPERATIONS as MINE
from search_api.web.access_codes import own_case, remember, sign_in_page, sign_out
from search_api.web.forms import form_text
from search_api.web.security import rate_limit

log = logging.getLogger(__name__)
bp = Blueprint("operations", __name__, url_prefix="/operations")
NO_STORE = {"Cache-Control": "no-store"}
APPLICANT_DONE = {"feedback": "反馈已提交，感谢您及时报告数据使用情况。",
                  "withdraw": "申请已撤回。"}


def _form(values: dict[str, str], errors: list[str], status: int = 200) -> Any:
    return render_template("operations/apply.html", values=values, errors=errors,
                           periods=present.period_lines()), status


@bp.get("/apply")
def apply_form() -> Any:
    return _form({"datasets": request.args.get("datasets", "")[:200]}, [])


@bp.post("/apply")
def apply_submit() -> Any:
    rate_limit(current_app, "public_write")
    values = filing.clean_values(request.form)
    try:
        filed = filing.file_operation(values)
    except ApplicationIncomplete as exc:
        for secret in ("credit_code", "phone", "email", "contact_name"):
            values.pop(secret, None)  # personal data is never echoed into a page
        return _form(values, exc.problems, 400)
    remember(MINE, filed.case.number)
    page = render_template("operations/receipt.html", case=filed.case,
                           access_code=filed.access_code,
                           deadlines=present.deadlines(filed.case, service.today()))
    return page, 200, NO_STORE  # the access code, shown once, is kept by no cache


def _own(number: str) -> tuple[Operation, int]:
    return own_case(MINE, number, service.operation_store().load, "operations.status_login")


@bp.route("/status", methods=["GET", "POST"])
def status_login() -> Any:
    return sign_in_page(heading="授权运营申请进度查询", kind=MINE, what="scenario application",
                        code_hash=service.operation_store().access_code_hash,
                        status_endpoint="operations.status")


@bp.post("/logout")
def logout() -> Any:
    """Sign out: this session no longer sees any application."""
    return sign_out("operations.status_login")


@bp.get("/register")
def register() -> Any:
    """The public register of authorisations: no natural person's data."""
    on = service.today()
    entries = [present.register_body(e, on) for e in service.operation_store().register()]
    return render_template("operations/register.html", entries=entries,
                           periods=present.period_lines())


@bp.get("/<number>")
def status(number: str) -> Any:
    case, _ = _own(number)
    return render_template("operations/status.html", case=case,
                           body=present.status_body(case))


@bp.post("/<number>/<action>")
def act(number: str, action: str) -> Any:
    """The applicant's ``feedback`` or ``withdraw``, then back to the status
    page with what happened, or why not, in Chinese.

    Aborts:
        404: an unknown action or case; 429: too many submissions.
    """
    if action not in APPLICANT_DONE:
        abort(404)
    case, version = _own(number)
    rate_limit(current_app, "public_write")
    ops, on = service.operations(), service.today()
    try:
        if action == "feedback":
            updated = ops.feedback(case, quality=form_text("quality"), use=form_text("use"),
                                   effects=form_text("effects"), on=on)
        else:
            updated = ops.withdraw(case, on=on)
        service.operation_store().save(updated, expected_version=version,
                                       actor_role="applicant", actor="applicant",
                                       action=f"operation.{action}", at=service.now())
    except ProcedureError as exc:
        flash(f"未能提交：{present.refusal(exc)}", "error")
    except StaleRequest:
        flash("申请刚刚被更新，请刷新后重试。", "error")
    else:
        flash(APPLICANT_DONE[action], "success")
    return redirect(url_for("operations.status", number=number))
