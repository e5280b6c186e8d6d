"""Reminders of the use reports of approved uses (003 §32, §41; 004 §38:
approved users report on their use regularly and accept supervision),
queued by ``portal remind``: the applicant is reminded before each report
falls due (the schedule set at approval,
:func:`domain.procedures.data_grants.report_due_dates`), and once it is overdue the
applicant and the providing department are told. Each message is queued
once (dedupe keys); none holds the applicant's name or contacts (the
applicant's address is resolved when sending). Revoked uses are left out.
The same run audits the API keys' finished minutes not yet in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.procedures.data_grants import GrantStatus, Reminder, reminders, report_due_dates
from domain.procedures.request_states import EventKind
from search_api.store import OutboxMessage, RequestNotFound, Store
from search_api.store.grants import Grant, KeyStore


def _messages(grant: Grant, reminder: Reminder) -> list[OutboxMessage]:
    due = reminder.due.isoformat()
    last = reminder.due == grant.terms.valid_to
    what = "期满使用情况报告" if last else "使用情况报告"
    to_applicant = OutboxMessage(
        kind=f"use_report.{reminder.when}", recipient_role="applicant",
        recipient=f"applicant:{grant.number}", request_number=grant.number,
        subject=(f"请于 {due} 前提交{what}：申请 {grant.number}" if reminder.when == "before"
                 else f"{what}已逾期：申请 {grant.number}"),
        body=(f"您的申请 {grant.number} 获批使用的数据（{grant.terms.dataset_id}）应于 {due} "
              f"提交{what}（数据用途、使用范围、成果和数据安全情况）。请登录申请进度页面，"
              "在“报告数据使用情况”中提交。"
              + ("" if reminder.when == "before" else
                 "报告已逾期，数据提供部门已收到通知，可依法暂停或撤销数据使用。")),
        dedupe_key=f"use-report:{grant.number}:{reminder.key}:applicant")
    if reminder.when == "before":
        return [to_applicant]
    to_provider = OutboxMessage(
        kind="use_report.overdue", recipient_role="department_reviewer",
        recipient=f"department:{grant.department}", request_number=grant.number,
        subject=f"【督办】申请 {grant.number} 的{what}已逾期",
        body=(f"申请 {grant.number}（{grant.terms.dataset_id}）的{what}应于 {due} 提交，"
              "至今未收到。请在“数据使用监管”页面跟进，必要时暂停或撤销数据使用。"),
        dedupe_key=f"use-report:{grant.number}:{reminder.key}:department")
    return [to_applicant, to_provider]


def remind_use_reports(keys: KeyStore, store: Store, today: date, now: datetime, *,
                       days: int) -> int:
    """Queue the use-report reminders owed on ``today`` (``days`` before and
    after each due date); returns how many were new."""
    queued = 0
    for grant in keys.grants():
        if grant.status is GrantStatus.REVOKED:
            continue
        try:
            req, _ = store.load(grant.number)
        except RequestNotFound:  # pragma: no cover - grants reference requests
            continue
        reported = [e.on for e in req.events if e.kind is EventKind.USE_REPORTED]
        for reminder in reminders(report_due_dates(grant.terms), reported, today,
                                  days_before=days, days_after=days):
            for message in _messages(grant, reminder):
                queued += int(store.add_message(message, at=now))
    keys.flush_audit(now)
    return queued
