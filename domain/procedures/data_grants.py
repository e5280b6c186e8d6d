"""The terms of an approved use of conditional data (delivered by download,
API or sandbox: 002 §36; 003 §25 明确数据的用途和使用范围), and
the supervision of that use (003 §32, §41; 004 §38: use within the agreed
scope, regular reports, suspension and revocation).

A *grant* is what the provider approved: the dataset, the fields of each
table, the period (valid from/to, both days included), whether raw rows may
leave (``raw_rows``; False is 原始明细不得带出: only aggregates, no small
groups) and how often the applicant reports on the use. Pure rules: no
storage, no web.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class GrantStatus(StrEnum):
    """Where an approved use stands: in use, suspended (may resume) or
    revoked (for good)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return {"active": "使用中", "suspended": "已暂停", "revoked": "已撤销"}[self.value]


MAX_YEARS = 5  # bureau policy: a longer use is a new request
MAX_REPORT_MONTHS = 12


@dataclass(frozen=True)
class GrantTerms:
    """What an approval states for delivery by API or sandbox."""

    dataset_id: str
    method: str  # "download", "api" or "sandbox"
    fields: Mapping[str, tuple[str, ...]]  # table (resource name) → approved fields
    valid_from: date
    valid_to: date
    raw_rows: bool  # False: 原始明细不得带出
    report_every_months: int  # 0: one report at the end of the period only


@dataclass(frozen=True)
class SchemaField:
    """A field of a table as the descriptor declares it; ``personal``:
    marked personal or sensitive (left out of an approval unless chosen)."""

    name: str
    title: str
    personal: bool = False


def default_fields(tables: Mapping[str, Sequence[SchemaField]]) -> dict[str, tuple[str, ...]]:
    """Every field of every table except those marked personal or sensitive."""
    return {table: tuple(f.name for f in fields if not f.personal)
            for table, fields in tables.items()}


def terms_problems(terms: GrantTerms, tables: Mapping[str, Sequence[SchemaField]]) -> list[str]:
    """What is wrong with ``terms`` for a dataset of ``tables``, in Chinese
    (empty: the terms may be approved)."""
    problems: list[str] = []
    if terms.method not in ("download", "api", "sandbox"):
        problems.append("提供方式只能是文件下载、接口调用或数据沙箱。")
    for table, names in terms.fields.items():
        known = {f.name for f in tables.get(table, ())}
        if table not in tables:
            problems.append(f"数据集没有名为“{table[:40]}”的表。")
        elif unknown := [n for n in names if n not in known]:
            problems.append(f"表“{table}”没有数据项“{unknown[0][:40]}”。")
    if terms.method == "api" and not terms.raw_rows:
        problems.append("接口调用提供的是明细数据；原始明细不得带出的，请选择数据沙箱方式。")
    if terms.method != "download" and not any(terms.fields.values()):
        problems.append("请至少选择一个开放的数据项。")
    if terms.valid_to < terms.valid_from:
        problems.append("使用期限的结束日期早于开始日期。")
    elif terms.valid_to > add_months(terms.valid_from, 12 * MAX_YEARS):
        problems.append(f"使用期限不能超过 {MAX_YEARS} 年；需要更长时间的，请到期后重新申请。")
    if not 0 <= terms.report_every_months <= MAX_REPORT_MONTHS:
        problems.append(f"报告间隔应为 0 到 {MAX_REPORT_MONTHS} 个月（0 表示期满时报告一次）。")
    return problems


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, kept within the month (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def report_due_dates(terms: GrantTerms) -> list[date]:
    """When use reports are due: every ``report_every_months`` months from
    the start, and always at the end of the period (last report)."""
    dues: list[date] = []
    if terms.report_every_months > 0:
        n = 1
        while (due := add_months(terms.valid_from, n * terms.report_every_months)) \
                < terms.valid_to:
            dues.append(due)
            n += 1
    dues.append(terms.valid_to)
    return dues


def stop_reason(status: GrantStatus, *, keyed: bool = False) -> str | None:
    """Why a grant the provider suspended or revoked serves no data (Chinese;
    ``keyed``: said to an API key's holder), or None for an active grant.
    Download links and keys say the same."""
    if status is GrantStatus.REVOKED:
        return "数据使用授权已被数据提供部门撤销" + ("，密钥已失效。" if keyed else "。")
    if status is GrantStatus.SUSPENDED:
        return "数据使用授权已被数据提供部门暂停，暂停期间不能获取数据。"
    return None


def refusal(status: GrantStatus, valid_from: date, valid_to: date, on: date) -> str | None:
    """Why the grant does not serve data on ``on`` (Chinese), or None."""
    stopped = stop_reason(status, keyed=True)
    if stopped:
        return stopped
    if on < valid_from:
        return f"数据使用期限从 {valid_from.isoformat()} 开始，尚未到开始日期。"
    if on > valid_to:
        return f"数据使用期限已于 {valid_to.isoformat()} 结束，密钥已过期。"
    return None


@dataclass(frozen=True)
class Reminder:
    """A reminder of the report due on ``due``: ``when`` "before" (soon
    due) or "after" (overdue)."""

    due: date
    when: str

    @property
    def key(self) -> str:
        return f"{self.due.isoformat()}:{self.when}"


def covered(dues: Sequence[date], reported: Sequence[date]) -> list[bool]:
    """For each due date, whether a report answers it: a report dated after
    the previous due date (or any report, for the first) that no earlier
    due date took. A late report answers the date it is late for."""
    left = sorted(reported)
    out: list[bool] = []
    previous = date.min
    for due in dues:
        found = next((r for r in left if r > previous), None)
        if found is not None:
            left.remove(found)
        out.append(found is not None)
        previous = due
    return out


def reminders(dues: Sequence[date], reported: Sequence[date], on: date, *,
              days_before: int, days_after: int) -> list[Reminder]:
    """The reminders due on ``on`` for the reports not made: ``before`` from
    ``days_before`` days ahead of the due date until it, ``after`` from
    ``days_after`` days past it (the caller sends each one once)."""
    out: list[Reminder] = []
    for due, done in zip(dues, covered(dues, reported), strict=True):
        if done:
            continue
        if on >= due + timedelta(days=days_after):
            out.append(Reminder(due, "after"))
        elif due - timedelta(days=days_before) <= on <= due:
            out.append(Reminder(due, "before"))
    return out


def overdue(dues: Sequence[date], reported: Sequence[date], on: date) -> list[date]:
    """The due dates passed on ``on`` that no report answers."""
    return [due for due, done in zip(dues, covered(dues, reported), strict=True)
            if due < on and not done]
