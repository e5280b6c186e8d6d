"""What the pages and the JSON API show of a scenario application, in one
place: the applicant's status (no other party's data), deadlines with their
basis in plain Chinese, and the public register (no personal data)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.procedures.kit import Deadline
from domain.procedures.operation_periods import lines
from domain.procedures.operation_records import Operation
from domain.procedures.roles import Role
from search_api import service
from search_api.store.operations import RegisterEntry
from search_api.web import public_names
from search_api.web.public_names import department_names

PERIOD_NAMES = {"first_review": "数据提供部门初审", "decision": "大数据主管部门审核决定",
                "feedback": "运营方反馈"}
STATUS_NAMES = {"running": "办理中", "due_soon": "即将到期", "overdue": "已超期",
                "paused": "暂停计时"}
RESPONSIBLE = {Role.DEPARTMENT_REVIEWER: "数据提供部门", Role.AUTHORITY_REVIEWER: "大数据主管部门",
               Role.APPLICANT: "运营方"}


def dataset_title(identifier: str) -> str:
    """The public title of a dataset, or its id when the index lacks it."""
    return public_names.dataset_title(service.engine(), identifier[:200]) or identifier


def deadline_body(d: Deadline[str, Role]) -> dict[str, Any]:
    """One running period: what, by when, whose, and on what basis (the
    article of the deployment's regulation, or 本局规定)."""
    return {"what": d.what, "name": PERIOD_NAMES.get(d.what, d.what),
            "due": d.due.isoformat() if d.due else None, "status": d.status,
            "status_name": STATUS_NAMES.get(d.status, d.status), "remaining": d.remaining,
            "responsible": RESPONSIBLE.get(d.responsible, str(d.responsible)),
            "basis": service.operations().periods.basis_zh(d.what),
            "provisional": d.provisional}


def deadlines(case: Operation, on: date) -> list[dict[str, Any]]:
    return [deadline_body(d) for d in service.operations().deadlines(case, on)]


def status_body(case: Operation) -> dict[str, Any]:
    """The applicant's view of ``case``: state, periods, opinions, the
    authorisation and the feedback made; the operator's own contacts are
    not repeated."""
    on, ops = service.today(), service.operations()
    a, review, decision = case.application, case.first_review, case.decision
    scope = case.authorisation
    due = ops.feedback_due(case)
    periods = deadlines(case, on)
    return {
        "ok": True, "number": case.number, "state": case.state.value,
        "state_name": case.state.label, "received": case.received.isoformat(),
        "scenario_title": a.scenario_title, "department": a.department,
        "department_name": department_names().get(a.department, a.department),
        "datasets": list(a.datasets), "deadlines": periods,
        "first_review": None if review is None else {
            "opinion": review.opinion.value, "opinion_name": review.opinion.label,
            "reasons": review.reasons, "on": review.on.isoformat(), "in_time": review.in_time},
        "decision": None if decision is None else {
            "verdict": decision.verdict.value, "verdict_name": decision.verdict.label,
            "reasons": decision.reasons, "on": decision.on.isoformat()},
        "authorisation": None if scope is None else {
            "datasets": list(scope.datasets), "fields": list(scope.fields),
            "start": scope.start.isoformat(), "end": scope.end.isoformat()},
        "feedback": [{"on": f.on.isoformat(), "in_time": f.in_time} for f in case.feedback],
        "feedback_due": due.isoformat() if due else None,
        # A date counted through a year without its notice is marked 暂定 wherever shown.
        "feedback_due_provisional": any(d["provisional"] for d in periods
                                        if d["what"] == "feedback"),
        "feedback_overdue": ops.feedback_overdue(case, on),
        "actions": sorted(str(x) for x in ops.allowed_actions(case, Role.APPLICANT)),
    }


def register_body(entry: RegisterEntry, on: date) -> dict[str, Any]:
    """One authorisation of the public register: the market entity's
    registered name, the scenario, the provider, the scope and the term."""
    return {"number": entry.number, "organisation": entry.organisation,
            "scenario_title": entry.scenario_title, "department": entry.department,
            "department_name": department_names().get(entry.department, entry.department),
            "datasets": [{"id": d, "title": dataset_title(d)} for d in entry.datasets],
            "fields": list(entry.fields), "start": entry.start.isoformat(),
            "end": entry.end.isoformat(), "decided_on": entry.decided_on.isoformat(),
            "in_force": entry.start <= on <= entry.end, "feedback_count": entry.feedback_count}


def period_lines() -> list[dict[str, Any]]:
    """The periods of the procedure with their basis, for the form and guide."""
    return [{"name": p.name, "days": p.days, "start": p.start, "basis": p.basis_zh}
            for p in lines(service.operations().periods)]


def refusal(exc: Exception) -> str:
    """A refused step in Chinese: the procedure's own Chinese message, or a
    plain sentence for the guard's refusals (whose messages are English)."""
    message = str(exc)
    if not message.isascii():
        return message
    code = getattr(exc, "code", "")
    if code == "role-not-allowed":
        return "您的角色无权执行此操作。"
    if code == "event-out-of-order":
        return "操作日期早于该申请的上一次办理日期，请核对系统日期。"
    return "该申请当前的办理状态不允许此操作，请刷新页面查看最新状态。"
