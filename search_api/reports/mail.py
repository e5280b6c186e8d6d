"""Messages about data error reports and catalogue corrections (issue #5):
the department is told of a new report, the reporter (if they left an
e-mail address) gets the receipt and later the answer, and `portal remind`
pushes due-soon and overdue reports to the department and its head
(000 §43, 002 §44 — the same supervision as for requests).

No message holds the reporter's name or address: they are addressed as
``reporter:<number>`` and the mailer reads the sealed contact when sending.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.procedures.reports import (
    BUSINESS_NOT_REFUSED,
    Finding,
    Report,
    ReportKind,
    Verification,
)
from domain.procedures.roles import AUTHORITY
from search_api.store import OutboxMessage
from search_api.store.notify import CodesOnly, Names
from search_api.store.report_store import ReportStore
from search_api.web import labels_zh


def _kind_name(report: Report) -> str:
    return report.kind.label


def _dataset(report: Report, names: Names) -> str:
    """The dataset by its title, its code beside it (the code alone when the
    catalogue is not at hand)."""
    title = names.dataset(report.dataset_id)
    return f"“{title}”（资源代码 {report.dataset_id}）" if title else \
        f"资源代码 {report.dataset_id}"


def _department(report: Report, names: Names) -> str:
    return names.department(report.department) or report.department


def _where(names: Names, path: str, label: str) -> str:
    link = names.link(path)
    return f"{label}：{link}" if link else ""


def received_messages(report: Report, due: date | None, *, reporter_has_email: bool,
                      provisional: bool = False, notice: str = BUSINESS_NOT_REFUSED,
                      names: Names | None = None) -> list[OutboxMessage]:
    """The department's notice of a new report and, when the reporter gave an
    e-mail address, their receipt (with the 001 §26 / 004 §17 sentence); a
    ``provisional`` due date is marked 暂定. ``names`` puts dataset titles,
    department names and absolute links in place of codes."""
    names = names or CodesOnly()
    name = _kind_name(report)
    dataset = _dataset(report, names)
    deadline = labels_zh.due_text(due, provisional) if due else "（见回执）"
    messages = [OutboxMessage(
        kind="report.received", recipient_role="department_reviewer",
        recipient=f"department:{report.department}",
        subject=f"【{name}】{report.number} 待核实",
        body=(f"数据资源{dataset}收到{name} {report.number}，"
              f"请在 {deadline} 前核实并答复。"
              + (_where(names, "/review/reports", "办理页面") or "（审核人员页面：/review/reports）")),
        dedupe_key=f"report:{report.number}:received:department")]
    if reporter_has_email:
        messages.append(OutboxMessage(
            kind="report.receipt", recipient_role="reporter",
            recipient=f"reporter:{report.number}",
            subject=f"您的{name}已受理：{report.number}",
            body=(f"您对数据资源{dataset}提交的{name}已受理，编号 {report.number}。"
                  f"数据提供部门（{_department(report, names)}）将在 {deadline} 前核实并答复，"
                  f"答复将在该数据资源页面公开（不公开您的姓名和联系方式）。{notice}"
                  + _where(names, f"/datasets/{report.dataset_id}/", "\n数据资源页面")),
            dedupe_key=f"report:{report.number}:received:reporter"))
    return messages


def catalogue_change_message(report: Report,
                             names: Names | None = None) -> OutboxMessage | None:
    """An accepted catalogue correction, forwarded to the (district) big-data
    bureau as a catalogue change to make (004 §30 向区大数据发展局申请更新
    政务数据资源目录); None for anything else."""
    if (report.kind is not ReportKind.CATALOGUE_CORRECTION or report.answer is None
            or report.answer.finding is not Finding.CORRECTED):
        return None
    names = names or CodesOnly()
    return OutboxMessage(
        kind="report.catalogue_change", recipient_role="authority_reviewer",
        recipient=AUTHORITY,
        subject=f"【目录更新】{report.number} 数据资源 {report.dataset_id} 的目录需更正",
        body=(f"数据提供部门 {_department(report, names)} 同意目录更正申请 {report.number}"
              f"（数据资源{_dataset(report, names)}），请审核并更新政务数据资源目录。\n"
              f"更正内容：{report.answer.reasons}"),
        dedupe_key=f"report:{report.number}:catalogue_change")


def answered_message(report: Report, names: Names | None = None) -> OutboxMessage | None:
    """The reporter's notice that the department answered."""
    if report.answer is None:
        return None
    names = names or CodesOnly()
    return OutboxMessage(
        kind="report.answered", recipient_role="reporter", recipient=f"reporter:{report.number}",
        subject=f"您的{_kind_name(report)} {report.number} 已答复",
        body=(f"数源部门已于 {report.answer.on.isoformat()} 答复：{report.answer.finding.label}。"
              f"理由：{report.answer.reasons}\n答复已在数据资源{_dataset(report, names)}的页面公开。"
              + _where(names, f"/datasets/{report.dataset_id}/", "\n数据资源页面")),
        dedupe_key=f"report:{report.number}:answered:reporter")


def remind_reports(reports: ReportStore, verification: Verification, today: date,
                   now: datetime) -> int:
    """Queue one reminder per due-soon or overdue unanswered report to the
    department (and, once overdue, its head); safe to run repeatedly: the
    dedupe key holds the status and the due date, so each is sent once."""
    queued = 0
    names = reports.store.names or CodesOnly()
    for report in reports.unanswered():
        status = verification.status(report, today)
        due = verification.due(report)
        if status not in ("due_soon", "overdue") or due is None:
            continue
        state = labels_zh.DEADLINE_STATUS[status]
        targets = [("department_reviewer", f"department:{report.department}")]
        if status == "overdue":
            targets.append(("department_head", f"department_head:{report.department}"))
        for role, address in targets:
            queued += int(reports.store.add_message(OutboxMessage(
                kind=f"reminder.{status}", recipient_role=role, recipient=address,
                subject=f"【督办】{_kind_name(report)} {report.number} 答复{state}",
                body=(f"{_kind_name(report)} {report.number}（数据资源{_dataset(report, names)}）"
                      f"的答复期限为 {labels_zh.due_text(due, verification.provisional(report))}，目前{state}。请及时核实并答复。"
                      + _where(names, "/review/reports", "办理页面")),
                dedupe_key=f"remind:{report.number}:{status}:{due}:{role}"), at=now))
    return queued
