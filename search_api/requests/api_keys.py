"""The applicant's key (on the status page, after signing in with the
access code) and the approval form's grant fields.

``POST /requests/<number>/api-key`` makes a new 256-bit key for an approved
request delivered by API or sandbox, stores its SHA-256 only, stops the
request's earlier key, and answers with a page that shows the key this one
time (``Cache-Control: no-store``); it never enters a URL, a log or the
session.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, render_template

from domain.procedures.data_grants import add_months, default_fields, refusal
from domain.procedures.request_records import Request
from domain.procedures.request_states import State
from search_api import service
from search_api.requests.grant_terms import KEYED_METHODS, dataset_schema
from search_api.store import hash_token
from search_api.web.access_codes import MY_REQUESTS as MINE
from search_api.web.access_codes import proved
from search_api.web.api_keys import keys
from search_api.web.ratelimit import rate_limit

log = logging.getLogger(__name__)
bp = Blueprint("keys", __name__)
KEY_PREFIX = "yhk_"  # lets secret scanners and people recognise a portal key


def new_key() -> str:
    """A new key: the prefix and 256 random bits (URL-safe base64)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def grant_form(req: Request, on: date) -> dict[str, Any]:
    """What the approval form needs for grant terms (``keyed``: whether the
    dataset offers API or sandbox, which take a field list)."""
    offered = {m.value for m in req.application.offered} or set(KEYED_METHODS)
    tables = dataset_schema(req.application.dataset_id)
    return {"tables": tables, "default": default_fields(tables), "valid_from": on,
            "valid_to": add_months(on, 12),
            "keyed": bool(offered & set(KEYED_METHODS))}


def key_status(req: Request) -> dict[str, Any] | None:
    """The status page's key section: the grant, the working key's label and
    why the grant does not serve data today (None: no grant)."""
    grant = keys().grant(req.number)
    if grant is None:
        return None
    current = keys().current_key(req.number)
    terms = grant.terms
    return {"grant": grant, "label": current[0] if current else None,
            "issued": current[1] if current else None,
            "refusal": refusal(grant.status, terms.valid_from, terms.valid_to, service.today()),
            "usage": sorted(keys().usage_by_day(req.number).items())[-7:]}


@bp.post("/requests/<number>/api-key")
def issue(number: str) -> Any:
    """Issue a new key of ``number`` and show it once.

    Aborts:
        403: the session has not signed in to the request with its access code.
        429: too many submissions from this client (public writes).
        400: the request has no grant by API or sandbox, or the grant does
            not serve data today (suspended, revoked, expired).
    """
    if not proved(MINE, number):
        abort(403, description="请先用申请编号和查询码登录。")
    rate_limit(current_app, "public_write")
    req, _ = service.store().load(number)
    grant = keys().grant(number)
    if grant is None or req.state not in (State.APPROVED, State.DELIVERED) \
            or grant.terms.method not in KEYED_METHODS:
        abort(400, description="该申请尚未获准以接口调用或数据沙箱方式提供数据。")
    why = refusal(grant.status, grant.terms.valid_from, grant.terms.valid_to, service.today())
    if why:
        abort(400, description=why)
    key = new_key()
    label = key[: len(KEY_PREFIX) + 6]
    keys().issue_key(number, hash_token(key), label, at=service.now())
    log.info("API key %s… issued for request %s", label, number)
    page = render_template("keys/key_once.html", req=req, grant=grant, key=key)
    return page, 200, {"Cache-Control": "no-store"}
