"""Third parties answer a written consultation through a private link
(003 §25): they see only what they need — which data, for what use and
scope, and their deadline — and agree or object with reasons. A late
answer is refused with the reason.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from domain.request_records import Actor, Request, ThirdParty
from domain.request_states import PeriodKind, ProcedureError, Role
from search_api import labels_zh, service
from search_api.applications import clean_text
from search_api.security import rate_limit
from search_api.store import StaleRequest, hash_token

log = logging.getLogger(__name__)
bp = Blueprint("consult", __name__, url_prefix="/consult")


def refusal_message(exc: ProcedureError) -> str:
    """Why a third party's answer was refused, in Chinese (the domain's
    messages are English for operators)."""
    text = str(exc)
    if "逾期" in text:
        return "已超过答复期限，答复未被接受；数据提供部门将依法决定是否开放（第二十五条）。"
    if "already answered" in text:
        return "您已经答复过，答复只记录一次。"
    if "grounds" in text:
        return "不同意开放须说明理由。"
    return "答复未被接受：该征求意见已结束。"


def _open(token: str) -> tuple[Request, int, ThirdParty]:
    if request.method == "POST":
        rate_limit(current_app, "secret_attempt")
    link = service.store().find_link("third_party", hash_token(token), service.now())
    if link is None or link.party_key is None:
        log.warning("unknown or expired third-party link used")
        abort(404, description="征求意见链接无效或已过期。如有疑问，请联系发出征求意见书的数据提供部门。")
    req, version = service.store().load(link.request_number)
    party = next((p for p in req.third_parties if p.key == link.party_key), None)
    if party is None:
        abort(404, description="征求意见链接无效。")
    return req, version, party


@bp.get("/<token>")
def page(token: str) -> Any:
    req, _, party = _open(token)
    on = service.today()
    due = next((d for d in service.procedure().deadlines(req, on)
                if d.what == PeriodKind.THIRD_PARTY and d.party == party.key), None)
    dataset = service.engine().get(req.application.dataset_id) or {}
    return render_template("consult.html", req=req, party=party, due=due, dataset=dataset,
                           token=token, labels=labels_zh)


@bp.post("/<token>")
def answer(token: str) -> Any:
    req, version, party = _open(token)
    choice = request.form.get("answer", "")
    reasons = clean_text(request.form.get("reasons"))
    if choice not in ("agree", "object"):
        flash("请选择同意或不同意开放。", "error")
        return redirect(url_for("consult.page", token=token))
    try:
        updated = service.procedure().third_party_answer(
            req, actor=Actor(Role.THIRD_PARTY, party.name), key=party.key, on=service.today(),
            answer=choice, reasons=reasons)
        service.store().save(updated, expected_version=version,
                             actor=Actor(Role.THIRD_PARTY, party.name), at=service.now())
    except ProcedureError as exc:
        log.info("third-party answer on %s refused: %s", req.number, exc)
        flash(refusal_message(exc), "error")
    except StaleRequest:
        flash("申请刚被更新，请重新提交。", "error")
    else:
        flash("您的意见已收到，感谢答复。", "success")
    return redirect(url_for("consult.page", token=token))
