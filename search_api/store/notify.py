"""Outbox messages for the ``notify`` targets of a request's events.

Messages name the request number, the dataset and what happened, never the
applicant's name, identity or contacts; recipients are role addresses that
the mailer resolves (see :class:`~search_api.store.records.OutboxMessage`).
The dedupe key ``event:<number>:<seq>:<target>`` makes each notice unique.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from domain.procedures.request_records import Event, Request
from domain.procedures.request_states import EventKind, Role
from domain.procedures.roles import AUTHORITY
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
    if target == AUTHORITY:
        return Role.AUTHORITY_REVIEWER.value, AUTHORITY
    if target.startswith("third_party:"):
        return Role.THIRD_PARTY.value, f"third_party:{req.number}:{target.partition(':')[2]}"
    raise ValueError(f"unknown notify target {target!r}")


class Names(Protocol):
    """What messages say instead of codes, and where they link to."""

    def dataset(self, identifier: str) -> str:
        """The dataset's title ("" when unknown)."""

    def department(self, code: str) -> str:
        """The department's name ("" when unknown)."""

    def link(self, path: str) -> str:
        """The absolute address of the service's ``path`` ("" when the
        public address is not configured)."""


class CodesOnly:
    """Names when the catalogue is not at hand: the codes themselves."""

    def dataset(self, identifier: str) -> str:
        return ""

    def department(self, code: str) -> str:
        return ""

    def link(self, path: str) -> str:
        return ""


def _what(req: Request, names: Names) -> str:
    title = names.dataset(req.dataset_id)
    dataset = f"“{title}”（资源代码 {req.dataset_id}）" if title else f"资源代码 {req.dataset_id}"
    department = names.department(req.department) or req.department
    return f"数据{dataset}，数据提供部门：{department}"


def _body(req: Request, event: Event, target: str, label: str, names: Names, what: str) -> str:
    if target == "applicant":
        link = names.link("/requests/status")
        where = (f"查询办理进度：{link}（需输入受理编号和查询码）。" if link
                 else "请凭受理编号和查询码登录平台查询办理进度。")
    else:
        link = names.link(f"/review/requests/{req.number}")
        where = f"办理页面：{link}" if link else "详情请登录平台查看。"
    if event.kind is EventKind.SUBMITTED and target == "applicant":
        due = event.data.get("review_due")
        return (f"您的有条件开放数据申请已收到。\n受理编号：{req.number}\n{what}\n"
                f"收到日期：{event.on.isoformat()}\n"
                + (f"规范性审核应于 {due} 前完成，审核通过后转数据提供部门答复。\n" if due else "")
                + where)
    return f"有条件开放申请 {req.number}（{what}）于 {event.on.isoformat()} {label}。{where}"


def event_messages(req: Request, numbered: Iterable[tuple[int, Event]],
                   names: Names | None = None) -> list[OutboxMessage]:
    """One message per ``notify`` target of each ``(seq, event)``, naming
    the dataset and department by ``names`` and linking to the page
    concerned (an applicant: the status page; staff: the request's page)."""
    names = names or CodesOnly()
    out: list[OutboxMessage] = []
    what = ""  # the dataset and department, looked up once for all the messages
    for seq, event in numbered:
        label = LABELS.get(event.kind, str(event.kind))
        for target in event.notify:
            what = what or _what(req, names)
            role, address = recipient(req, target)
            subject = (f"申请已受理：受理编号 {req.number}"
                       if event.kind is EventKind.SUBMITTED and target == "applicant"
                       else f"有条件开放申请 {req.number}：{label}")
            out.append(OutboxMessage(
                kind=f"request.{event.kind}",
                recipient_role=role,
                recipient=address,
                subject=subject,
                body=_body(req, event, target, label, names, what),
                request_number=req.number,
                dedupe_key=f"event:{req.number}:{seq}:{target}",
            ))
    return out
