"""Reminders of authorised operation, queued by ``portal remind`` (overdue
supervision, 000 §43, applied to the periods of 000 §36): the provider when
its first review is due soon or overdue, the authority for its decision, and
the operator before and after its feedback report falls due (the provider
and the authority are told once it is overdue).

Each message is queued once per period, due date and stage (dedupe keys),
so the job may run as often as wanted. None holds a person's name or
contact: the operator is addressed as ``operator:<number>``, which the
mailer resolves to the sealed e-mail address when sending.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.procedures.kit import Deadline
from domain.procedures.operation import Operations
from domain.procedures.operation_records import Operation
from domain.procedures.roles import AUTHORITY, Role
from search_api.store import OutboxMessage, Store
from search_api.store.operations import OperationStore

_WHAT = {"first_review": "初审", "decision": "审核决定", "feedback": "运营反馈"}


def _message(case: Operation, d: Deadline[str, Role], recipient: str, role: str,
             late: bool) -> OutboxMessage:
    due = d.due.isoformat() if d.due else ""
    what = _WHAT[d.what]
    title = case.application.scenario_title
    if d.what == "feedback" and recipient.startswith("operator:"):
        subject = (f"运营反馈已逾期：授权运营 {case.number}" if late
                   else f"请于 {due} 前提交运营反馈：授权运营 {case.number}")
        body = (f"您获得授权运营的“{title}”（{case.number}）应于 {due} 前通过平台反馈数据质量、"
                "使用情况和应用成效。请用申请编号和查询码登录授权运营申请进度页面提交。")
    else:
        subject = (f"【督办】授权运营 {case.number} 的{what}已超期" if late
                   else f"授权运营 {case.number} 的{what}将于 {due} 到期")
        body = (f"授权运营申请“{title}”（{case.number}）的{what}应于 {due} 前完成。"
                "请在“授权运营”审核页面办理。")
    stage = "overdue" if late else "due_soon"
    return OutboxMessage(kind=f"operation.{d.what}.{stage}", recipient_role=role,
                         recipient=recipient, subject=subject, body=body,
                         dedupe_key=f"operation:{case.number}:{d.what}:{due}:{stage}:"
                                    f"{recipient}")


def _recipients(case: Operation, d: Deadline[str, Role], late: bool) -> list[tuple[str, str]]:
    department = case.application.department
    if d.what == "first_review":
        out = [(f"department:{department}", "department_reviewer")]
        return out + ([(AUTHORITY, "authority_reviewer")] if late else [])
    if d.what == "decision":
        return [(AUTHORITY, "authority_reviewer")]
    out = [(f"operator:{case.number}", "applicant")]
    if late:
        out += [(f"department:{department}", "department_reviewer"),
                (AUTHORITY, "authority_reviewer")]
    return out


def remind_operations(store: Store, ops: Operations, today: date, now: datetime) -> int:
    """Queue the reminders owed on ``today``; returns how many were new.

    Raises:
        CalendarYearMissing: a period runs into a year without a calendar.
    """
    queued = 0
    for case in OperationStore(store).for_review(None, done=0):
        for d in ops.deadlines(case, today):
            if d.status not in ("due_soon", "overdue"):
                continue
            late = d.status == "overdue"
            for recipient, role in _recipients(case, d, late):
                queued += int(store.add_message(_message(case, d, recipient, role, late),
                                                at=now))
    return queued
