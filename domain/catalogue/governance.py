"""Catalogue governance: the big-data authority reviews a department's
catalogue changes before they are published (000 §9, §40; 002 §35; 003 §9),
and every department's catalogue is fully reviewed at least once a year
(003 §9).

What is reviewed is a dataset's *catalogue entry*: the fields that say what
is opened, how and on what grounds (:data:`GOVERNED_FIELDS`, the data items
included). Routine data updates (``last_updated``, new rows in the files)
change no entry and need no review. An entry is identified by
:func:`entry_hash`; the build publishes a dataset only when its current
hash was approved (``catalogue_review: true`` in portal.yaml).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from domain.catalogue.model import Dataset, Status

# 003 §9: 至少每年进行一次全面维护.
FULL_REVIEW_INTERVAL = timedelta(days=365)
# Fields whose change the authority must see named in the queue.
KEY_FIELDS = ("open_type", "legal_basis", "open_conditions", "level", "status")


class ChangeKind(StrEnum):
    NEW = "new"  # 新增数据集
    CHANGE = "change"  # 变更
    WITHDRAWAL = "withdrawal"  # 撤回

    @property
    def label(self) -> str:
        return {"new": "新增", "change": "变更", "withdrawal": "撤回"}[self.value]


class ChangeStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a later proposal of the same dataset replaced it

    @property
    def label(self) -> str:
        return {"pending": "待审核", "approved": "已通过", "rejected": "未通过",
                "superseded": "已被新提交替代"}[self.value]


FIELD_LABELS = {
    "title": "数据名称", "summary": "摘要", "department": "提供部门", "theme": "数据领域",
    "open_type": "开放属性", "legal_basis": "法律依据", "open_conditions": "开放条件",
    "level": "安全级别", "status": "状态", "update_frequency": "更新频度",
    "provision": "提供方式", "usage_requirements": "使用要求", "region": "行政区划",
    "items": "数据项", "withdrawal": "撤回公告", "invalidation": "失效公告",
}
GOVERNED_FIELDS = tuple(FIELD_LABELS)


def catalogue_entry(dataset: Dataset) -> dict[str, Any]:
    """The reviewed content of a dataset's catalogue entry, as plain JSON."""
    def notice(value: Any) -> Any:
        return None if value is None else {"date": value.date.isoformat(),
                                           "reason": value.reason}
    return {
        "identifier": dataset.identifier,
        "title": dataset.title, "summary": dataset.summary,
        "department": dataset.department, "theme": dataset.theme,
        "open_type": dataset.open_type.value, "legal_basis": dataset.legal_basis,
        "open_conditions": dataset.open_conditions, "level": dataset.level,
        "status": dataset.status.value, "update_frequency": dataset.update_frequency,
        "provision": [p.value for p in dataset.provision],
        "usage_requirements": dataset.usage_requirements, "region": dataset.region,
        "items": [[r.name, [[c.name, c.title] for c in r.fields]] for r in dataset.resources],
        "withdrawal": notice(dataset.withdrawal), "invalidation": notice(dataset.invalidation),
    }


def entry_hash(dataset: Dataset) -> str:
    """SHA-256 of the canonical JSON of :func:`catalogue_entry`: equal for
    equal entries whatever the descriptor's layout or comments."""
    text = json.dumps(catalogue_entry(dataset), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def classify(previous: Mapping[str, Any] | None,
             current: Mapping[str, Any]) -> tuple[ChangeKind, list[str]]:
    """The kind of change from the last approved entry ``previous`` (None:
    never approved) to ``current``, and the governed fields that differ."""
    if previous is None:
        return ChangeKind.NEW, []
    changed = [f for f in GOVERNED_FIELDS if previous.get(f) != current.get(f)]
    if current.get("status") == Status.WITHDRAWN.value \
            and previous.get("status") != Status.WITHDRAWN.value:
        return ChangeKind.WITHDRAWAL, changed
    return ChangeKind.CHANGE, changed


def full_review_due(last: date | None, today: date) -> bool:
    """Whether a department's catalogue needs its yearly full review (never
    reviewed, or last reviewed more than a year ago)."""
    return last is None or today - last > FULL_REVIEW_INTERVAL


# Who may do what in the review queue (002 §42, §44: separate duties): the
# authority decides; department reviewers and heads see their own
# department's proposals and the reasons given; the auditor reads all.
_RIGHTS = {
    "authority_reviewer": {"view", "approve", "reject", "full_review"},
    "department_reviewer": {"view"},
    "department_head": {"view"},
    "auditor": {"view"},
}


def allowed(action: str, role: str, user_department: str | None, department: str) -> bool:
    """Whether a reviewer of ``role`` (of ``user_department``) may do
    ``action`` on a change of ``department``'s catalogue."""
    if action not in _RIGHTS.get(role, set()):
        return False
    if role in ("department_reviewer", "department_head"):
        return bool(user_department) and user_department == department
    return True
