"""Reviewers: sign in, see their queue sorted by deadline, and act on a
request according to their role (002 §42, §44: separate duties, no
over-reach). A department reviewer or head sees and acts on their own
department's requests only; the auditor reads and acts on nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, TypeVar

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

from domain.periods.calendar import CalendarYearMissing
from domain.procedures.request_records import Actor, Request
from domain.procedures.request_states import (
    Action,
    DeliveryMethod,
    EventKind,
    ProcedureError,
    Role,
    State,
)
from domain.procedures.requests import Procedure
from search_api import service
from search_api.requests import refusals
from search_api.requests.grant_terms import TermsError, save_approval, terms_from_form
from search_api.store import RequestNotFound, StaleRequest, User, hash_token
from search_api.web import labels_zh, sessions
from search_api.web.auth import signed_in
from search_api.web.forms import form_day, form_text
from search_api.web.public_names import public_link
from search_api.web.ratelimit import check_attempts, failed_attempt
from search_api.web.security import new_secret

log = logging.getLogger(__name__)
bp = Blueprint("review", __name__, url_prefix="/review")
F = TypeVar("F", bound=Callable[..., Any])
OPEN_STATES = frozenset(s for s in State if s not in (
    State.REJECTED, State.NOT_PROCESSED, State.DENIED, State.DELIVERED, State.WITHDRAWN))
THIRD_PARTY_LINK_DAYS = 45  # covers 15 working days across the longest holidays


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
    check_attempts()
    username = request.form.get("username", "").strip()[:64]
    user = service.store().check_password(username, request.form.get("password", ""))
    if user is None or not user.active:
        failed_attempt()
        log.warning("failed reviewer sign-in for %r", username)
        flash("用户名或密码不正确。", "error")
        return render_template("review/login.html"), 403
    session.clear()
    sessions.rotate()  # a new id: one known before the sign-in opens nothing
    session["reviewer"] = user.username
    session["reviewer_epoch"] = user.session_epoch
    service.store().append_audit(actor=Actor(Role(user.role), user.username), action="sign_in",
                                 subject=f"user:{user.username}", detail={}, at=service.now())
    target = request.args.get("next", "")
    return redirect(target if target.startswith("/review") else url_for("review.queue"))


@bp.post("/logout")
def logout() -> Any:
    """End the session: its stored record is deleted, a copied cookie opens nothing."""
    sessions.end()
    return redirect(url_for("review.login"))


@bp.get("/")
@signed_in
def queue() -> Any:
    user: User = g.user
    department = user.department if user.role in (
        Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_HEAD) else None
    summaries = service.store().list_requests(department=department, states=OPEN_STATES)
    on, proc = service.today(), service.procedure()
    provisional = service.provisional_calendar_years()
    if provisional:
        log.warning("no holiday notice loaded for %s: deadlines there are provisional; "
                    "add datasets/calendars/<year>.json (portal calendar NOTICE.txt)",
                    ", ".join(map(str, provisional)))
    rows: list[dict[str, Any]] = []
    for summary in summaries:
        req, _ = service.store().load(summary.number)
        try:
            deadlines = proc.deadlines(req, on)
        except CalendarYearMissing:
            deadlines = []  # beyond the statutory computation (after 2100); the row stays
        running = [d for d in deadlines if d.due is not None]
        first = min(running, key=lambda d: d.due) if running else None  # type: ignore[arg-type,return-value]
        rows.append({"summary": summary, "deadline": first, "paused": not running and deadlines,
                     "actions": proc.allowed_actions(req, Role(user.role), on)})
    # Soonest deadline first; paused ones after, then decided-but-open ones.
    rows.sort(key=lambda r: (r["deadline"] is None, r["deadline"].due if r["deadline"] else on,
                             r["summary"].number))
    return render_template("review/queue.html", rows=rows, user=user, labels=labels_zh,
                           provisional_years=provisional)


@bp.get("/requests/<number>")
@signed_in
def detail(number: str) -> Any:
    req, version = _load_visible(number)
    on = service.today()
    proc = service.procedure()
    actions = proc.allowed_actions(req, Role(g.user.role), on)
    on_paper = {e.data.get("party") for e in req.events
                if e.kind is EventKind.THIRD_PARTY_ANSWERED and e.data.get("channel") == "paper"}
    return render_template("review/request.html", req=req, version=version, user=g.user,
                           labels=labels_zh, deadlines=proc.deadlines(req, on),
                           actions={str(a) for a in actions}, on=on, on_paper=on_paper,
                           veto=proc.third_party_veto, procedure_profile=proc.profile,
                           offered=req.application.offered or tuple(DeliveryMethod),
                           unanswered=[p for p in req.current_parties if p.answer is None])


class FormError(ValueError):
    """A reviewer's form value cannot be read; the message (Chinese) says which."""


@dataclass
class Form:
    """What one reviewer action reads: the request, who acts and when, the
    posted fields, and the third-party links a consultation creates."""

    proc: Procedure
    req: Request
    actor: Actor
    on: date
    links: list[tuple[str, str, str]] = field(default_factory=list)  # key, name, token

    def text(self, name: str) -> str:
        return form_text(name)

    def yes(self, name: str) -> bool:
        return self.text(name) == "yes"

    def days(self, name: str) -> int:
        value = self.text(name)
        if not value.isascii() or not value.isdigit():
            raise FormError("延长天数须为整数（工作日）。")
        return int(value)

    def day(self, name: str) -> date | None:
        return form_day(name, FormError)


def _start_consultation(f: Form) -> Request:
    names = [n.strip() for n in f.text("parties").splitlines() if n.strip()]
    start = len(f.req.third_parties)
    parties = [(f"p{start + i + 1}", name[:100]) for i, name in enumerate(names)]
    # Paper: the date on the receipt; empty: delivered electronically today
    # (the day of delivery counts as the day of receipt, bureau policy).
    updated = f.proc.start_consultation(f.req, actor=f.actor, on=f.on, parties=parties,
                                        received_on=f.day("received_on"))
    f.links.extend((key, name, new_secret()) for key, name in parties)
    return updated


# action → how its form's fields become the procedure call (002 §42: the
# procedure checks the role; a reviewer's page offers only allowed actions).
ACTIONS: Mapping[Action, Callable[[Form], Request]] = MappingProxyType({
    Action.FORWARD: lambda f: f.proc.forward(f.req, actor=f.actor, on=f.on),
    Action.REJECT: lambda f: f.proc.reject(f.req, actor=f.actor, on=f.on,
                                           reasons=f.text("reasons")),
    Action.REQUEST_EXPLANATION: lambda f: f.proc.request_explanation(
        f.req, actor=f.actor, on=f.on, question=f.text("question")),
    Action.JUDGE_EXPLANATION: lambda f: f.proc.judge_explanation(
        f.req, actor=f.actor, on=f.on, reasonable=f.yes("reasonable"),
        reasons=f.text("reasons")),
    Action.START_CONSULTATION: _start_consultation,
    # A third party's answer received on paper or by post (书面), dated the
    # day it was received (003 §25 periods; 002 §38 consent).
    Action.THIRD_PARTY_ANSWER: lambda f: f.proc.third_party_answer(
        f.req, actor=f.actor, key=f.text("party"), on=f.on, answer=f.text("answer"),
        reasons=f.text("reasons"), received_on=f.day("received_on") or f.on,
        reference=f.text("reference")),
    Action.CLOSE_CONSULTATION: lambda f: f.proc.close_consultation(f.req, actor=f.actor, on=f.on),
    Action.JUDGE_OBJECTION: lambda f: f.proc.judge_objection(
        f.req, actor=f.actor, key=f.text("party"), on=f.on, reasonable=f.yes("reasonable"),
        reasons=f.text("reasons")),
    Action.EXTEND: lambda f: f.proc.extend(f.req, actor=f.actor, on=f.on, days=f.days("days"),
                                           reason=f.text("reasons")),
    Action.APPROVE: lambda f: f.proc.approve(
        f.req, actor=f.actor, on=f.on, scope=f.text("scope"),
        delivery_method=f.text("delivery_method") or "download",
        public_interest_override=f.text("override") or None),
    Action.DENY: lambda f: f.proc.deny(f.req, actor=f.actor, on=f.on, reasons=f.text("reasons"),
                                       legal_basis=f.text("legal_basis")),
    Action.NOTIFY_THIRD_PARTY: lambda f: f.proc.notify_third_party(
        f.req, actor=f.actor, key=f.text("party"), on=f.on, reference=f.text("reference")),
    Action.DELIVER: lambda f: f.proc.deliver(f.req, actor=f.actor, on=f.on,
                                             reference=f.text("reference")),
})


@bp.post("/requests/<number>/<action>")
@signed_in
def act(number: str, action: str) -> Any:
    req, _ = _load_visible(number)
    user: User = g.user
    try:
        handler = ACTIONS[Action(action)]
    except (ValueError, KeyError):
        abort(404, description="没有这个办理操作。")
    form = Form(service.procedure(), req, Actor(Role(user.role), user.username), service.today())
    try:
        version = int(request.form.get("version", "-1"))
        # The grant terms of an approval by API or sandbox (#16), checked first.
        terms = terms_from_form(req, form.on) if action == Action.APPROVE else None
        updated = handler(form)
        now = service.now()
        expires = now + timedelta(days=THIRD_PARTY_LINK_DAYS)
        if terms is not None:
            # The grant commits with the approval: never one without the other.
            save_approval(updated, terms, expected_version=version, actor=form.actor, at=now)
        else:
            # The links commit with the consultation: never one without the other.
            service.store().save(updated, expected_version=version, actor=form.actor, at=now,
                                 third_party_links=[(hash_token(token), key, expires)
                                                    for key, _, token in form.links])
    except ProcedureError as exc:
        log.info("reviewer %s action %s on %s refused: %s", user.username, action, number, exc)
        if exc.status == 403:
            abort(403, description="您的角色无权执行此操作。")
        flash(f"操作未执行：{refusals.refusal(exc, service.procedure().profile.regulation)}",
              "error")
    except (FormError, TermsError) as exc:
        flash(f"操作未执行：{exc}", "error")
    except ValueError as exc:
        log.info("reviewer %s action %s on %s: unreadable form: %s", user.username, action,
                 number, exc)
        flash("操作未执行：请检查填写的内容后重试；如仍不成功，请刷新页面后重新操作。", "error")
    except StaleRequest:
        flash("该申请刚被其他人更新，请查看最新状态后重新操作。", "error")
    else:
        for _, name, token in form.links:
            # PUBLIC_SITE_URL, never the request's Host header (a client's choice).
            link = public_link(current_app.config, f"/consult/{token}") or f"/consult/{token}"
            flash(f"请将征求意见链接书面送达“{name}”（只显示这一次）：{link}", "info")
        flash("操作已完成。", "success")
    return redirect(url_for("review.detail", number=number))
