"""Reviewers: sign in, see their queue sorted by deadline, and act on a
request according to their role (002 §42, §44: separate duties, no
over-reach). A department reviewer or head sees and acts on their own
department's requests only; the auditor reads and acts on nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from domain.calendar import CalendarYearMissing
from domain.request_records import Actor, Request
from domain.request_states import Action, ProcedureError, Role, State
from search_api import labels_zh, service
from search_api.applications import clean_text
from search_api.security import new_secret, rate_limit
from search_api.store import RequestNotFound, StaleRequest, User, hash_token

log = logging.getLogger(__name__)
bp = Blueprint("review", __name__, url_prefix="/review")
F = TypeVar("F", bound=Callable[..., Any])
OPEN_STATES = frozenset(s for s in State if s not in (
    State.REJECTED, State.NOT_PROCESSED, State.DENIED, State.DELIVERED, State.WITHDRAWN))
THIRD_PARTY_LINK_DAYS = 45  # covers 15 working days across the longest holidays
TEXT_MAX = 2000


def signed_in(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        username = session.get("reviewer")
        user = service.store().get_user(username) if username else None
        if user is None or not user.active:
            session.pop("reviewer", None)
            return redirect(url_for("review.login", next=request.path))
        g.user = user
        return view(*args, **kwargs)
    return cast(F, wrapper)


def _may_see(user: User, req: Request) -> bool:
    """Department roles see their department only (002 §44)."""
    if user.role in (Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD):
        return req.application.department == user.department
    return user.role in (Role.AUTHORITY_REVIEWER, Role.AUDITOR)


def _load_visible(number: str) -> tuple[Request, int]:
    try:
        req, version = service.store().load(number)
    except RequestNotFound:
        abort(404, description="没有这个申请编号。")
    if not _may_see(g.user, req):
        log.warning("reviewer %s (%s, %s) denied access to request %s of %s", g.user.username,
                    g.user.role, g.user.department, number, req.application.department)
        abort(403, description="您无权查看其他部门的申请。")
    return req, version


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("review/login.html")
    rate_limit(current_app, "secret_attempt")
    username = request.form.get("username", "").strip()[:64]
    user = service.store().check_password(username, request.form.get("password", ""))
    if user is None or not user.active:
        log.warning("failed reviewer sign-in for %r", username)
        flash("用户名或密码不正确。", "error")
        return render_template("review/login.html"), 403
    session.clear()
    session["reviewer"] = user.username
    service.store().append_audit(actor=Actor(Role(user.role), user.username), action="sign_in",
                                 subject=f"user:{user.username}", detail={}, at=service.now())
    target = request.args.get("next", "")
    return redirect(target if target.startswith("/review") else url_for("review.queue"))


@bp.post("/logout")
def logout() -> Any:
    session.pop("reviewer", None)
    return redirect(url_for("review.login"))


@bp.get("/")
@signed_in
def queue() -> Any:
    user: User = g.user
    department = user.department if user.role in (
        Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD) else None
    summaries = service.store().list_requests(department=department, states=OPEN_STATES)
    on, proc = service.today(), service.procedure()
    missing = service.missing_calendar_years()
    if missing:
        log.warning("no working-day calendar for %s: add datasets/calendars/<year>.json",
                    ", ".join(map(str, missing)))
    rows: list[dict[str, Any]] = []
    for summary in summaries:
        req, _ = service.store().load(summary.number)
        try:
            deadlines = proc.deadlines(req, on)
        except CalendarYearMissing:
            deadlines = []  # the warning above names the year; the row stays visible
        running = [d for d in deadlines if d.due is not None]
        first = min(running, key=lambda d: d.due) if running else None  # type: ignore[arg-type,return-value]
        rows.append({"summary": summary, "deadline": first, "paused": not running and deadlines,
                     "actions": proc.allowed_actions(req, Role(user.role), on)})
    # Soonest deadline first; paused ones after, then decided-but-open ones.
    rows.sort(key=lambda r: (r["deadline"] is None, r["deadline"].due if r["deadline"] else on,
                             r["summary"].number))
    return render_template("review/queue.html", rows=rows, user=user, labels=labels_zh,
                           missing_years=missing)


@bp.get("/requests/<number>")
@signed_in
def detail(number: str) -> Any:
    req, version = _load_visible(number)
    on = service.today()
    actions = service.procedure().allowed_actions(req, Role(g.user.role), on)
    return render_template("review/request.html", req=req, version=version, user=g.user,
                           labels=labels_zh, deadlines=service.procedure().deadlines(req, on),
                           actions={str(a) for a in actions})


def _text(name: str) -> str:
    return clean_text(request.form.get(name), TEXT_MAX)


@bp.post("/requests/<number>/<action>")
@signed_in
def act(number: str, action: str) -> Any:
    req, _ = _load_visible(number)
    user: User = g.user
    actor = Actor(Role(user.role), user.username)
    proc, on = service.procedure(), service.today()
    try:
        version = int(request.form.get("version", "-1"))
        new_links: list[tuple[str, str, str]] = []
        if action == Action.FORWARD:
            updated = proc.forward(req, actor=actor, on=on)
        elif action == Action.REJECT:
            updated = proc.reject(req, actor=actor, on=on, reasons=_text("reasons"))
        elif action == Action.REQUEST_EXPLANATION:
            updated = proc.request_explanation(req, actor=actor, on=on, question=_text("question"))
        elif action == Action.JUDGE_EXPLANATION:
            updated = proc.judge_explanation(req, actor=actor, on=on,
                                             reasonable=_text("reasonable") == "yes",
                                             reasons=_text("reasons"))
        elif action == Action.START_CONSULTATION:
            names = [n.strip() for n in _text("parties").splitlines() if n.strip()]
            start = len(req.third_parties)
            parties = [(f"p{start + i + 1}", name[:100]) for i, name in enumerate(names)]
            updated = proc.start_consultation(req, actor=actor, on=on, parties=parties)
            for key, name in parties:
                token = new_secret()
                new_links.append((key, name, token))
        elif action == Action.CLOSE_CONSULTATION:
            updated = proc.close_consultation(req, actor=actor, on=on)
        elif action == Action.JUDGE_OBJECTION:
            updated = proc.judge_objection(req, actor=actor, key=_text("party"), on=on,
                                           reasonable=_text("reasonable") == "yes",
                                           reasons=_text("reasons"))
        elif action == Action.EXTEND:
            days = int(_text("days") or "0")
            updated = proc.extend(req, actor=actor, on=on, days=days, reason=_text("reasons"))
        elif action == Action.APPROVE:
            updated = proc.approve(req, actor=actor, on=on, scope=_text("scope"),
                                   delivery_method=_text("delivery_method") or "download",
                                   public_interest_override=_text("override") or None)
        elif action == Action.DENY:
            updated = proc.deny(req, actor=actor, on=on, reasons=_text("reasons"),
                                legal_basis=_text("legal_basis"))
        elif action == Action.NOTIFY_THIRD_PARTY:
            updated = proc.notify_third_party(req, actor=actor, key=_text("party"), on=on,
                                              reference=_text("reference"))
        elif action == Action.DELIVER:
            updated = proc.deliver(req, actor=actor, on=on, reference=_text("reference"))
        else:
            abort(404)
        now = service.now()
        expires = now + timedelta(days=THIRD_PARTY_LINK_DAYS)
        # The links commit with the consultation: never one without the other.
        service.store().save(updated, expected_version=version, actor=actor, at=now,
                             third_party_links=[(hash_token(token), key, expires)
                                                for key, _, token in new_links])
        for _, name, token in new_links:
            flash(f"请将征求意见链接书面送达“{name}”（只显示这一次）："
                  f"{request.host_url}consult/{token}", "info")
    except ValueError as exc:
        if isinstance(exc, ProcedureError):
            log.info("reviewer %s action %s on %s refused: %s", user.username, action, number, exc)
            status = getattr(exc, "status", 400)
            flash(f"操作未执行：{_explain(exc)}", "error")
            if status == 403:
                abort(403, description="您的角色无权执行此操作。")
        else:
            flash("操作未执行：请检查填写的内容（天数须为整数）。", "error")
    except StaleRequest:
        flash("该申请刚被其他人更新，请查看最新状态后重新操作。", "error")
    else:
        flash("操作已完成。", "success")
    return redirect(url_for("review.detail", number=number))


def _explain(exc: ProcedureError) -> str:
    """The domain's English reason, with its article, for the reviewer."""
    article = getattr(exc, "article", "")
    return f"{exc}" + (f"（{article}）" if article and article not in str(exc) else "")
