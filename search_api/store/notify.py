"""Outbox messages for the ``notify`` targets of a request's events.

Messages name the request number, the dataset and what happened, never the
applicant's name, identity or contacts; recipients are role addresses that
the mailer resolves (see :class:`~search_api.store.records.OutboxMessage`).
The dedupe key ``event:<number>:<seq>:<target>`` makes each notice unique.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.request_records import Event, Request
from domain.request_states import EventKind, Role
from search_api.store.records import OutboxMessage

LABELS: dict[EventKind, str] = {
    EventKind.SUBMITTED: "已收到申请，待审核转办",
    EventKind.FORWARDED: "审核通过，转数据提供部门办理",
    EventKind.REJECTED: "审核未通过，申请被驳回",
    EventKind.EXPLANATION_REQUESTED: "数据提供部门请申请人说明理由",
    EventKind.EXPLANATION_ANSWERED: "申请人已说明理由",
    EventKind.EXPLANATION_JUDGED: "数据提供部门已判断申请人说明的理由",
    EventKind.EXPLANATION_LAPSED: "申请人未在期限内说明理由，申请不予处理",
    EventKind.CONSULTATION_STARTED: "征求第三方意见",
    EventKind.THIRD_PARTY_ANSWERED: "第三方已答复意见",
    EventKind.OBJECTION_JUDGED: "数据提供部门已判断第三方异议",
    EventKind.CONSULTATION_CLOSED: "第三方意见征求结束",
    EventKind.EXTENDED: "答复期限经部门负责人同意延长",
    EventKind.APPROVED: "同意开放",
    EventKind.THIRD_PARTY_NOTICE_REQUIRED: "数据将开放，书面告知第三方开放内容和理由",
    EventKind.THIRD_PARTY_NOTIFIED: "已书面告知第三方",
    EventKind.DENIED: "不予开放",
    EventKind.DELIVERED: "数据已开放给申请人",
    EventKind.WITHDRAWN: "申请人已撤回申请",
    EventKind.USE_REPORTED: "申请人报告了数据使用情况",
}


def recipient(req: Request, target: str) -> tuple[str, str]:
    """``(recipient_role, recipient)`` of a ``notify`` target of an event."""
    if target == "applicant":
        return Role.APPLICANT.value, f"applicant:{req.number}"
    if target == "provider":
        return Role.DEPARTMENT_REVIEWER.value, f"department:{req.department}"
    if target == "authority":
        return Role.AUTHORITY_REVIEWER.value, "authority"
    if target.startswith("third_party:"):
        return Role.THIRD_PARTY.value, f"third_party:{req.number}:{target.partition(':')[2]}"
    raise ValueError(f"unknown notify target {target!r}")


def event_messages(req: Request, numbered: Iterable[tuple[int, Event]]) -> list[OutboxMessage]:
    """One message per ``notify`` target of each ``(seq, event)``."""
    out = []
    for seq, event in numbered:
        label = LABELS.get(event.kind, str(event.kind))
        for target in event.notify:
            role, address = recipient(req, target)
            out.append(OutboxMessage(
                kind=f"request.{event.kind}",
                recipient_role=role,
                recipient=address,
                subject=f"有条件开放申请 {req.number}：{label}",
                body=(f"有条件开放申请 {req.number}（数据资源 {req.dataset_id}，"
                      f"数据提供部门 {req.department}）于 {event.on.isoformat()} {label}。"
                      "详情请登录平台查看。"),
                request_number=req.number,
                dedupe_key=f"event:{req.number}:{seq}:{target}",
            ))
    return out
