"""Catalogue governance messages, queued by ``portal remind``: the yearly
full review of each department's catalogue (003 §9: 至少每年进行一次全面
维护) and a notice to the authority of proposals waiting for review. Each
message is queued once (dedupe keys); none holds personal data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from domain.catalogue.governance import full_review_due
from domain.procedures.roles import AUTHORITY
from search_api.governance.store import CatalogueChanges
from search_api.store import OutboxMessage, Store
from search_api.store.notify import CodesOnly

REVIEW_PAGE = "/review/catalogue/"


def remind_catalogue(store: Store, departments: Iterable[tuple[str, str]], today: date,
                     now: datetime) -> int:
    """Queue this year's full-review reminder for every department of
    ``departments`` (code, Chinese name) whose catalogue was not fully
    reviewed within a year, and one notice per pending proposal to the
    authority; returns how many messages were new."""
    changes = CatalogueChanges(store)
    page = (store.names or CodesOnly()).link(REVIEW_PAGE) or REVIEW_PAGE
    last = changes.last_full_reviews()
    queued = 0
    for code, name in departments:
        if not full_review_due(last.get(code), today):
            continue
        since = f"上次全面维护为 {last[code].isoformat()}" if code in last else "尚无全面维护记录"
        queued += int(store.add_message(OutboxMessage(
            kind="catalogue.full_review_due", recipient_role="department_reviewer",
            recipient=f"department:{code}",
            subject=f"【目录维护】{name} {today.year} 年度开放目录全面维护",
            body=(f"{name}的政府数据开放目录应至少每年进行一次全面维护（{since}）。"
                  "请核对本部门全部目录条目（开放属性、法律依据、数据项、更新频度），"
                  "将变更提交数据主管部门审核；审核人员页面：" + page),
            dedupe_key=f"catalogue-review:{code}:{today.year}"), at=now))
    for change in changes.queue(recent=0):
        queued += int(store.add_message(OutboxMessage(
            kind="catalogue.proposed", recipient_role="authority_reviewer",
            recipient=AUTHORITY,
            subject=f"【目录审核】{change.dataset_id} {change.kind.label}待审核",
            body=(f"数据集 {change.dataset_id} 的目录{change.kind.label}已提交，"
                  f"请审核（审核人员页面：{page}）。审核通过前，变更不会发布。"),
            dedupe_key=f"catalogue-change:{change.id}:proposed"), at=now))
    return queued
