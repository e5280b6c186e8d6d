"""Third parties answer a written consultation through a private link
(003 §25; 002 §38 under a consent profile): they see only what they need —
which data, for what use and scope, and their deadline — and agree or
object. A late answer is refused with the reason.

The link's token is a bearer secret, so it is used once per visit and then
kept out of URLs: ``GET /consult/<token>`` checks it, binds the session to
its hash and redirects to the token-free ``/consult/``, where the letter is
shown and answered. Later requests, their Referer headers and the
browser's history carry no token; the first request's access-log line is
redacted by :mod:`search_api.web.logredact`.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from domain.procedures.request_states import PeriodKind
from search_api import service
from search_api.requests.applications import (
    LINK_INVALID,
    Refused,
    answer_consultation,
    open_consultation,
)
from search_api.store import hash_token
from search_api.web import labels_zh, sessions
from search_api.web.ratelimit import check_attempts, failed_attempt

log = logging.getLogger(__name__)
bp = Blueprint("consult", __name__, url_prefix="/consult")
SESSION_KEY = "consult_link"  # the hash of the link's token, never the token
NO_LINK = "请使用数据提供部门书面送达的征求意见链接打开本页。链接已过期的，请联系该部门。"


@bp.get("/<token>")
def bind(token: str) -> Any:
    """Check the link, remember it in the session, and leave the token URL."""
    check_attempts()
    token_hash = hash_token(token)
    try:
        open_consultation(token_hash)
    except Refused as exc:
        failed_attempt()
        abort(exc.status, description=exc.message)
    session[SESSION_KEY] = token_hash
    sessions.rotate()  # binding a link is a sign-in: a new session id
    return redirect(url_for("consult.page"), code=303)


def _bound() -> str:
    token_hash = session.get(SESSION_KEY)
    if not isinstance(token_hash, str) or not token_hash:
        abort(404, description=NO_LINK)
    return token_hash


@bp.get("/")
def page() -> Any:
    try:
        consultation = open_consultation(_bound())
    except Refused:
        session.pop(SESSION_KEY, None)
        abort(404, description=LINK_INVALID)
    req, party = consultation.request, consultation.party
    proc, on = service.procedure(), service.today()
    due = next((d for d in proc.deadlines(req, on)
                if d.what == PeriodKind.THIRD_PARTY and d.party == party.key), None)
    dataset = service.published(req.application.dataset_id)
    return render_template("consult.html", req=req, party=party, due=due, dataset=dataset,
                           labels=labels_zh, profile=proc.profile, veto=proc.third_party_veto)


@bp.post("/")
def answer() -> Any:
    check_attempts()
    try:
        answer_consultation(open_consultation(_bound()), request.form.get("answer", ""),
                            request.form.get("reasons"))
    except Refused as exc:
        if exc.status == 404:
            failed_attempt()
            session.pop(SESSION_KEY, None)
            abort(404, description=exc.message)
        flash(exc.message, "error")
    else:
        flash("您的意见已收到，感谢答复。", "success")
    return redirect(url_for("consult.page"), code=303)
