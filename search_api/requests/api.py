"""The applicants' and third parties' JSON API (no cookies, so no CSRF):

    POST /api/v1/requests                       file a request → number + access code
                                                (header Idempotency-Key: retries file once)
    GET  /api/v1/requests/<number>              status (header X-Access-Code)
    POST /api/v1/requests/<number>/<action>     answer | withdraw | report  {"text": ...}
    POST /api/v1/consultations/<token>          a third party's answer {"answer", "reasons"}

Errors use the API's one shape; messages are in Chinese.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, current_app, request

from domain.catalogue.model import OpenType, Status
from domain.procedures.request_records import Request
from domain.procedures.request_states import ProcedureError
from search_api import service
from search_api.requests import refusals
from search_api.requests.applications import (
    APPLICANT_ACTIONS,
    DONE,
    Idempotency,
    Refused,
    answer_consultation,
    applicant_act,
    clean_fields,
    file_application,
    open_consultation,
)
from search_api.store import StaleRequest, hash_token, idempotency
from search_api.web import labels_zh
from search_api.web.access_codes import code_opens
from search_api.web.errors import ApiError, json_object_body
from search_api.web.forms import Incomplete
from search_api.web.law_text import LawText
from search_api.web.ratelimit import (
    LimitReached,
    StoreHit,
    attempts_check,
    check_attempts,
    counted_in_store,
    failed_attempt,
    refuse,
)

log = logging.getLogger(__name__)
bp = Blueprint("requests_api", __name__, url_prefix="/api/v1")


def _with_code(number: str) -> tuple[Request, int]:
    """The request when the X-Access-Code header is its code (one read of
    the store). Only wrong codes count against the client's attempts
    (RATE_SECRET_ATTEMPTS).

    Raises:
        ApiError: (403) a wrong number or code. Aborts 429 when the client
            has used up its failed attempts.
    """
    store = service.store()
    check = attempts_check(store)  # in the same read as the request (issue #17)
    code = request.headers.get("X-Access-Code", "")
    try:
        found = store.load_if(number[:40], lambda stored: code_opens(
            stored, code, number=number, what="request"), check=check)
    except LimitReached as reached:
        refuse(reached)
        raise  # refuse() aborted
    if found is None:
        raise ApiError("申请编号或查询码（请求头 X-Access-Code）不正确。", status=403)
    return found


def status_body(req: Request) -> dict[str, Any]:
    on = service.today()
    law = LawText(service.procedure().profile)
    # The basis in Chinese, of the deployment's own regulation (or 本局规定):
    # applicants never get the internal codes.
    deadlines = [{"what": d.what, "name": labels_zh.PERIODS.get(d.what, d.what),
                  "due": d.due.isoformat() if d.due else None, "status": d.status,
                  "basis": law.basis(d.basis), "provisional": d.provisional}
                 for d in service.procedure().deadlines(req, on)]
    events = [{"on": e.on.isoformat(), "kind": e.kind, "name": labels_zh.EVENTS.get(e.kind, e.kind),
               "text": e.data.get("reasons") or e.data.get("reason") or e.data.get("question")
               or e.data.get("text") or ""}
              for e in req.events if e.kind != "third_party_answered"]
    decision = None
    if req.decision:
        decision = {"outcome": req.decision.outcome, "on": req.decision.on.isoformat(),
                    "reasons": req.decision.reasons, "legal_basis": req.decision.legal_basis,
                    "scope": req.decision.scope, "remedy_notice": req.decision.remedy_notice}
    return {"ok": True, "number": req.number, "dataset_id": req.application.dataset_id,
            "state": req.state, "state_name": labels_zh.STATES.get(req.state, req.state),
            "received": req.received.isoformat(), "deadlines": deadlines, "events": events,
            "decision": decision}


IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")  # visible ASCII, as the header allows


def _idempotency(body: Mapping[str, Any]) -> Idempotency | None:
    """The ``Idempotency-Key`` of this filing, hashed, or None when absent.

    Raises:
        ApiError: (400) the key is not 1-200 visible ASCII characters.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError("Idempotency-Key 须为 1 至 200 个可见 ASCII 字符，建议每份申请使用一个新的 "
                       "UUID；重试时发送同一个值。")
    return Idempotency(idempotency.key_hash(key), idempotency.body_hash(body),
                       lambda filed: {**status_body(filed.request),
                                      "access_code": filed.access_code})


def _replay(key: Idempotency) -> Any:
    """The first answer to this key, when it lives (24 h); None otherwise.

    Raises:
        ApiError: (422) the key came first with another body.
    """
    earlier = service.store().idempotent_replay(key.key_hash, service.now())
    if earlier is None:
        return None
    if earlier.body_hash != key.body_hash:
        log.info("idempotency key reused with another body (request %s)", earlier.request_number)
        raise ApiError("该 Idempotency-Key 已用于另一份申请内容。重试时请发送与首次完全相同的内容；"
                       "新的申请请使用新的 Idempotency-Key。", status=422)
    log.info("idempotent replay of request %s", earlier.request_number)
    return earlier.response, 201, {"Idempotent-Replayed": "true", "Cache-Control": "no-store"}


@bp.post("/requests")
def file_request() -> Any:
    # The rate-limit hit is counted in the filing's own transaction when it
    # can (no transaction of its own, issue #17); every submission counts.
    with counted_in_store(current_app, "public_write", service.store()) as hit:
        return _file(hit)


def _file(hit: StoreHit | None) -> Any:
    """The answer to a filing; ``hit.kept`` once it is stored (see
    :func:`search_api.web.ratelimit.counted_in_store`)."""
    body = json_object_body()
    key = _idempotency(body)
    if key is not None and (replayed := _replay(key)) is not None:
        return replayed
    dataset = service.published(str(body.get("dataset_id") or "")[:64])
    if dataset is None or dataset.open_type is not OpenType.CONDITIONAL \
            or dataset.status is not Status.ACTIVE:
        raise ApiError("dataset_id 须为正在开放的有条件开放数据集的资源代码；"
                       "无条件开放数据可直接下载。")
    try:
        filed = file_application(clean_fields(body), dataset,
                                 commitment=body.get("commitment_accepted") is True,
                                 idempotency=key, count=hit)
    except Incomplete as exc:
        raise ApiError(exc.problems[0], errors=exc.problems) from None
    except idempotency.IdempotencyKeyTaken:
        # A concurrent retry with the same key filed first: answer as it did.
        assert key is not None
        replayed = _replay(key)
        if replayed is None:  # pragma: no cover - expired within the same second
            raise ApiError("请求正在处理，请稍后用同一 Idempotency-Key 重试。", status=409) from None
        return replayed
    if hit is not None:
        hit.kept = True
    # The access code is in the answer: no cache may keep it.
    return ({**status_body(filed.request), "access_code": filed.access_code}, 201,
            {"Cache-Control": "no-store"})


@bp.get("/requests/<number>")
def request_status(number: str) -> Any:
    req, _ = _with_code(number)
    return status_body(req)


@bp.post("/requests/<number>/<action>")
def request_action(number: str, action: str) -> Any:
    """The applicant's ``answer``, ``withdraw`` or ``report``; the request's
    new status with a ``message`` on success.

    Raises:
        ApiError: 404 an unknown action; 403 a wrong access code; 400 a bad
            body or missing text; 409 the procedure refused (the message from
            :func:`search_api.requests.refusals.applicant_refusal`) or the request
            changed meanwhile; 413 a body over 64 KB.
    """
    if action not in APPLICANT_ACTIONS:
        raise ApiError(f"不支持的操作“{action[:20]}”，可用：{'、'.join(APPLICANT_ACTIONS)}。",
                       status=404)
    req, version = _with_code(number)
    body = json_object_body()
    try:
        updated = applicant_act(req, version, action, str(body.get("text") or "")[:2000])
    except Incomplete as exc:
        raise ApiError(exc.problems[0], errors=exc.problems) from None
    except ProcedureError as exc:
        log.info("applicant action %s on %s refused over the API (%s): %s", action, number,
                 exc.code, exc)
        state = labels_zh.STATES.get(req.state, req.state)
        raise ApiError(refusals.applicant_refusal(
            exc, action, state, service.procedure().profile.regulation), status=409) from None
    except StaleRequest:
        raise ApiError("申请刚刚被更新，请获取最新状态后重试。", status=409) from None
    return {**status_body(updated), "message": DONE[action]}


@bp.post("/consultations/<token>")
def consultation_answer(token: str) -> Any:
    check_attempts()
    token_hash = hash_token(token)
    try:
        consultation = open_consultation(token_hash)  # an unknown link: 404 before the body
    except Refused as exc:
        failed_attempt()
        raise ApiError(exc.message, status=exc.status) from None
    try:
        body = json_object_body()
        answer_consultation(consultation, body.get("answer"), body.get("reasons"))
    except Refused as exc:
        raise ApiError(exc.message, status=exc.status) from None
    return {"ok": True, "message": "意见已收到。"}
