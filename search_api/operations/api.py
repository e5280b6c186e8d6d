"""Authorised operation over JSON (no cookies, so no CSRF):

    POST /api/v1/operations                    file a scenario application → number + access code
    GET  /api/v1/operations/register           the public register of authorisations
    GET  /api/v1/operations/<number>           status (header X-Access-Code)
    POST /api/v1/operations/<number>/<action>  feedback {"quality", "use", "effects"} | withdraw

Errors use the API's one shape; messages are in Chinese.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, request

from domain.procedures.kit import ProcedureError
from domain.procedures.operation_application import ApplicationIncomplete
from domain.procedures.operation_records import Operation
from search_api import service
from search_api.operations import filing, present
from search_api.store import RequestNotFound, StaleRequest
from search_api.web.access_codes import code_opens
from search_api.web.errors import ApiError, json_object_body
from search_api.web.ratelimit import check_attempts
from search_api.web.security import rate_limit

log = logging.getLogger(__name__)
bp = Blueprint("operations_api", __name__, url_prefix="/api/v1/operations")
ACTIONS = {"feedback": "反馈已提交。", "withdraw": "申请已撤回。"}
FEEDBACK_FIELDS = ("quality", "use", "effects")


def _strings(body: dict[str, Any], names: tuple[str, ...]) -> None:
    """Raises ApiError (400) naming each field that is present but not a string."""
    wrong = [f"{name} 须为字符串。" for name in names
             if name in body and not isinstance(body[name], str)]
    if wrong:
        raise ApiError(wrong[0], errors=wrong)


@bp.post("")
def file() -> Any:
    """File a scenario application; 201 with the status and the access code
    (shown this once).

    Raises:
        ApiError: 429 too many public writes; 413 a body over 64 KB; 400 a
            bad body or missing contents (every problem in ``errors``).
    """
    rate_limit(current_app, "public_write")
    body = json_object_body()
    if isinstance(body.get("datasets"), list):
        if not all(isinstance(d, str) for d in body["datasets"]):
            raise ApiError("datasets 须为资源代码（字符串）的列表。")
        body = {**body, "datasets": "\n".join(body["datasets"])}
    _strings(body, filing.FIELDS)
    try:
        filed = filing.file_operation(filing.clean_values(body))
    except ApplicationIncomplete as exc:
        raise ApiError(exc.problems[0], errors=exc.problems) from None
    return ({**present.status_body(filed.case), "access_code": filed.access_code}, 201,
            {"Cache-Control": "no-store"})  # the access code, shown once, is kept by no cache


@bp.get("/register")
def register() -> Any:
    """Every authorisation: market entity, scenario, provider, scope, term;
    no natural person's data."""
    on = service.today()
    return {"ok": True, "authorisations": [
        present.register_body(e, on) for e in service.operation_store().register()]}


def _with_code(number: str) -> tuple[Operation, int]:
    """The case ``number`` if the X-Access-Code header opens it.

    Raises:
        ApiError: 429 too many failed codes; 403 a wrong code or number.
    """
    check_attempts()
    code = request.headers.get("X-Access-Code", "")[:64]
    store = service.operation_store()
    if not code_opens(store.access_code_hash(number[:64].upper()), code, number=number,
                      what="scenario application"):
        raise ApiError("申请编号或查询码（请求头 X-Access-Code）不正确。", status=403)
    try:
        return store.load(number[:64].upper())
    except RequestNotFound:  # pragma: no cover - the code matched a stored case
        raise ApiError("没有这个申请编号。", status=404) from None


@bp.get("/<number>")
def status(number: str) -> Any:
    case, _ = _with_code(number)
    return present.status_body(case)


@bp.post("/<number>/<action>")
def act(number: str, action: str) -> Any:
    """The operator's ``feedback`` (000 §36(四)) or ``withdraw``.

    Raises:
        ApiError: 404 an unknown action; 403 a wrong access code; 400 a bad
            body; 409 the procedure refused (in Chinese) or the case
            changed meanwhile; 422 feedback without its contents.
    """
    if action not in ACTIONS:
        raise ApiError(f"不支持的操作“{action[:20]}”，可用：{'、'.join(ACTIONS)}。", status=404)
    case, version = _with_code(number)
    rate_limit(current_app, "public_write")
    body = json_object_body()
    _strings(body, FEEDBACK_FIELDS)
    ops, on = service.operations(), service.today()
    try:
        if action == "feedback":
            updated = ops.feedback(case, on=on, **{k: str(body.get(k) or "")[:2000]
                                                   for k in FEEDBACK_FIELDS})
        else:
            updated = ops.withdraw(case, on=on)
        service.operation_store().save(updated, expected_version=version,
                                       actor_role="applicant", actor="applicant",
                                       action=f"operation.{action}", at=service.now())
    except ProcedureError as exc:
        status = 422 if exc.code == "operation-refused" else 409
        raise ApiError(present.refusal(exc), status=status) from None
    except StaleRequest:
        raise ApiError("申请刚刚被更新，请获取最新状态后重试。", status=409) from None
    return {**present.status_body(updated), "message": ACTIONS[action]}
