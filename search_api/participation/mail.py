"""Messages about demands, suggestions and reuses (issue #5), queued by
`portal remind`: a notice to whoever moderates a new item (the department
it concerns, else the data authority), and reminders when a reply is due
soon or overdue (000 §43, 002 §44 — the same supervision as for requests
and error reports: once overdue, a department's item is also pushed to the
department head). Each message is queued once (dedupe keys); none holds
the submitter's name, contact or words, only the receipt number and kind.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.procedures.participation import Item, Kind, Participation, Status
from domain.procedures.roles import AUTHORITY
from search_api.store import OutboxMessage, Store
from search_api.store.notify import CodesOnly
from search_api.store.participation_store import ParticipationStore
from search_api.web import labels_zh


def _to(item: Item) -> tuple[str, str]:
    if item.department:
        return "department_reviewer", f"department:{item.department}"
    return "authority_reviewer", AUTHORITY


def remind_participation(items: ParticipationStore, rules: Participation, store: Store,
                         today: date, now: datetime) -> int:
    """Queue the notices and reminders owed today (an overdue reply of a
    department also to its head); returns how many were new."""
    queued = 0
    names = store.names or CodesOnly()
    # Staff pages by absolute address from PUBLIC_SITE_URL (never a request's Host).
    page = names.link("/review/moderation/")
    for item, _ in items.for_review(None, done=0):
        if item.kind == Kind.USE_REPORT:
            continue
        role, address = _to(item)
        if item.status == Status.PENDING:
            queued += int(store.add_message(OutboxMessage(
                kind="participation.received", recipient_role=role, recipient=address,
                subject=f"【{item.kind.label}】{item.number} 待审核",
                body=(f"收到{item.kind.label} {item.number}（{item.received.isoformat()}），"
                      f"请审核后决定是否公开（审核人员页面：{page or '/review/moderation/'}）。"
                      "审核通过前，提交内容不会公开。"),
                dedupe_key=f"participation:{item.number}:received:{address}"), at=now))
        timing = rules.timing(item, today)
        due = rules.due(item)
        if timing not in ("due_soon", "overdue") or due is None:
            continue
        state = labels_zh.DEADLINE_STATUS[timing]
        targets = [(role, address)]
        if timing == "overdue" and item.department:
            targets.append(("department_head", f"department_head:{item.department}"))
        for to_role, to_address in targets:
            queued += int(store.add_message(OutboxMessage(
                kind=f"reminder.{timing}", recipient_role=to_role, recipient=to_address,
                subject=f"【督办】{item.kind.label} {item.number} 答复{state}",
                body=(f"{item.kind.label} {item.number} 的答复期限为 "
                      f"{labels_zh.due_text(due, rules.provisional(item))}"
                      f"（{rules.reply_days} 个工作日，平台规定），目前{state}。请及时答复。"
                      + (f"办理页面：{page}" if page else "")),
                dedupe_key=f"remind:{item.number}:{timing}:{due}:{to_address}"), at=now))
    return queued
