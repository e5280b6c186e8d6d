"""Which datasets a build publishes, withholds and takes down.

One bad dataset never blocks the portal: a dataset with an error is
withheld (no page, no files, absent from catalog.json, DCAT, feeds, the
sitemap and the search index) and every other dataset is published. Only a
catalogue-wide error (vocabularies, portal settings, a missing catalogue)
stops the build before anything is written.

A dataset that was online and is no longer published (withheld, made not
open, removed from the catalogue) is *taken down*: its page becomes a short
public 暂停发布 notice without data, the notice and the announcement list
give the reason category (never the offending value), and the operators'
report lists it as a withdrawal to be filed with the big-data authority with
its reason (000 §33: 撤销已发布的开放数据前，应报同级大数据主管部门备案并说明理由，
并……进行公告).

``PublicationChanges`` is the build's one record of what was published,
withheld and taken down: the CLI summary, the exit code, the operators'
report and audit events all read it.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from domain.catalogue import problems as P
from domain.catalogue.governance import entry_hash
from domain.catalogue.model import Dataset
from domain.catalogue.problems import Problem, Severity

# Reason categories of a take-down: code -> public Chinese text. The public
# sees the category only, never a problem's value (it may be the very
# personal data that caused it).
REASONS: dict[str, str] = {
    "personal-data": "发现数据中可能含有未脱敏的个人信息，正在核查处理",
    "data-error": "数据文件存在错误，正在核实更正",
    "metadata-error": "目录信息不完整或有误，正在核实更正",
    "not-open": "开放属性已调整，该数据不再向社会开放",
    "removed": "该数据集已从开放目录中移除",
    "not-approved": "目录变更正在由数据主管部门审核，审核通过后恢复发布",
}
_PERSONAL = frozenset({"pii-unmasked", "pii-unscannable"})
_DATA = frozenset({"data-invalid", "resource-missing", "format-not-publishable",
                   "resource-path-unsafe", "schema-missing"})
REPORT_JSON = "publication-report.json"
REPORT_TEXT = "publication-report.txt"


def unapproved(dataset: Dataset, approved: Mapping[str, str] | None) -> list[Problem]:
    """The review gate (``catalogue_review: true``): a published entry whose
    current content the big-data authority has not approved is withheld
    (000 §9, §40; 003 §9). Not-open entries are never published: no gate."""
    if approved is None or not dataset.is_published:
        return []
    digest = entry_hash(dataset)
    if approved.get(dataset.identifier) == digest:
        return []
    detail = ("catalogue entry never approved" if dataset.identifier not in approved
              else "catalogue entry changed since its last approval")
    return [P.make("catalogue-not-approved", dataset.descriptor or dataset.identifier,
                   detail=f"{detail} (entry {digest[:12]})")]


def reason_for(codes: Iterable[str]) -> str:
    """The reason category for a dataset withheld with these problem codes
    (personal data first: it is the most urgent to act on)."""
    codes = set(codes)
    if codes & _PERSONAL:
        return "personal-data"
    if codes & _DATA:
        return "data-error"
    if codes == {"catalogue-not-approved"}:
        return "not-approved"
    return "metadata-error"


@dataclass
class TakeDown:
    """A dataset that was online and is not any more."""

    identifier: str
    title: str
    reason: str  # a key of REASONS
    since: str  # ISO date of the build that took it down
    new: bool = False  # taken down by this build (a withdrawal to file now)

    def as_dict(self) -> dict[str, Any]:
        return {"identifier": self.identifier, "title": self.title, "reason": self.reason,
                "reason_text": REASONS[self.reason], "since": self.since, "new": self.new}


@dataclass
class PublicationChanges:
    """What one build published, withheld and took down.

    ``withheld`` maps a dataset identifier (a folder name when the dataset
    could not be read at all) to the error codes that withheld it;
    ``problems`` keeps the errors themselves for the operators' report.
    """

    published: list[str] = field(default_factory=list)
    withheld: dict[str, list[str]] = field(default_factory=dict)
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    taken_down: dict[str, TakeDown] = field(default_factory=dict)
    # Keys of ``withheld`` that are folder names: folders whose descriptor is
    # unreadable or lacks a required field, so no dataset (and identifier) exists.
    unread: set[str] = field(default_factory=set)

    def label(self, key: str) -> str:
        """How the reports name a withheld dataset."""
        if key in self.unread:
            return (f"{key}/ (a folder: no dataset could be made of its descriptor — unreadable, "
                    "or a required field missing — so it is named by its folder)")
        return key

    @property
    def newly_taken_down(self) -> list[TakeDown]:
        return [t for _, t in sorted(self.taken_down.items()) if t.new]

    @property
    def complete(self) -> bool:
        """Everything in the catalogue was published; nothing was taken down."""
        return not self.withheld and not self.newly_taken_down

    def withheld_by_code(self) -> Counter[str]:
        return Counter(code for codes in self.withheld.values() for code in set(codes))

    def summary(self) -> str:
        """One English paragraph for the command line."""
        lines = [f"published {len(self.published)} datasets; withheld {len(self.withheld)}; "
                 f"taken down {len(self.newly_taken_down)} "
                 f"(offline since earlier builds: "
                 f"{len(self.taken_down) - len(self.newly_taken_down)})"]
        if self.unread:
            lines.append(f"of the withheld, {len(self.unread)} are folders whose descriptor is "
                         "unreadable or lacks a required field (named by folder in the report)")
        if self.withheld:
            lines.append("withheld by problem code: " + ", ".join(
                f"{code} {n}" for code, n in sorted(self.withheld_by_code().items(),
                                                    key=lambda i: (-i[1], i[0]))))
        taken = Counter(t.reason for t in self.newly_taken_down)
        if taken:
            lines.append("taken down by reason: " + ", ".join(
                f"{reason} {n}" for reason, n in sorted(taken.items())))
            lines.append("file each take-down as a withdrawal with the big-data authority "
                         "(000 §33); see the operators' report")
        return "\n".join(lines)

    def report_json(self, today: date) -> bytes:
        """The operators' report (never published: it names problems)."""
        return orjson.dumps({
            "date": today.isoformat(),
            "published": len(self.published),
            "withheld": {ident: {"codes": sorted(set(codes)), "problems": [
                p.format() for p in self.problems.get(ident, [])],
                **({"folder": f"{ident}/", "descriptor_unreadable": True}
                   if ident in self.unread else {})}
                for ident, codes in sorted(self.withheld.items())},
            "taken_down": [t.as_dict() for _, t in sorted(self.taken_down.items())],
            "withdrawals_to_file": [t.identifier for t in self.newly_taken_down],
        }, option=orjson.OPT_INDENT_2)

    def report_text(self, today: date) -> str:
        lines = [f"Publication report of the build of {today.isoformat()}", "",
                 self.summary(), ""]
        if self.newly_taken_down:
            lines.append("Withdrawals to file with the big-data authority (000 §33: report "
                         "the withdrawal with its reason before announcing it):")
            lines.extend(f"  {t.identifier}  {t.title}  reason: {t.reason} ({REASONS[t.reason]})"
                         for t in self.newly_taken_down)
            lines.append("")
        if self.withheld:
            lines.append("Withheld datasets and their errors (fix them and build again):")
            for ident, _codes in sorted(self.withheld.items()):
                lines.append(f"  {self.label(ident)}")
                lines.extend(f"    {p.format()}" for p in self.problems.get(ident, []))
        return "\n".join(lines) + "\n"


def problem_folder(problem: Problem) -> str:
    """The dataset folder a problem is about ("" when it is catalogue-wide)."""
    file = (problem.file or "").replace("\\", "/")
    head, sep, _ = file.partition("/")
    return head if sep else ""


def split_errors(problems: Iterable[Problem],
                 folders: set[str]) -> tuple[list[Problem], dict[str, list[Problem]]]:
    """(catalogue-wide errors, errors by dataset folder)."""
    wide: list[Problem] = []
    by_folder: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.severity is not Severity.ERROR:
            continue
        folder = problem_folder(problem)
        if folder in folders or (problem.file or "") in folders:
            by_folder.setdefault(folder or str(problem.file), []).append(problem)
        else:
            wide.append(problem)
    return wide, by_folder


def carried_take_downs(old: Mapping[str, Any]) -> dict[str, TakeDown]:
    """The take-downs recorded by earlier builds (still offline)."""
    found = {}
    for ident, entry in (old or {}).items():
        if isinstance(entry, Mapping) and entry.get("reason") in REASONS:
            found[ident] = TakeDown(ident, str(entry.get("title") or ident),
                                    str(entry["reason"]), str(entry.get("since") or ""))
    return found


def notice_html(take_down: TakeDown) -> str:
    """The body of the public 暂停发布 notice that replaces a dataset's page."""
    title = html.escape(take_down.title)
    return (
        '<div class="pt-page pt-suspended">'
        f"<h1>{title}（暂停发布）</h1>"
        '<div class="admonition warning"><p class="admonition-title">暂停发布</p>'
        f"<p>该数据集自 {html.escape(take_down.since)} 起暂停发布。"
        f"原因：{html.escape(REASONS[take_down.reason])}。</p>"
        "<p>暂停期间不提供数据下载。恢复发布后将在本页更新。</p></div>"
        '<p><a href="../../suspended/">查看全部暂停发布公告</a></p></div>')


def announcement_html(take_downs: Iterable[TakeDown]) -> str:
    """The public announcement listing every dataset taken down."""
    rows = "".join(
        f"<tr><td>{html.escape(t.title)}</td><td>{html.escape(t.since)}</td>"
        f"<td>{html.escape(REASONS[t.reason])}</td></tr>"
        for t in sorted(take_downs, key=lambda t: (t.since, t.identifier), reverse=True))
    body = (f"<table><thead><tr><th>数据集</th><th>暂停发布日期</th><th>原因</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>") if rows else "<p>目前没有暂停发布的数据集。</p>"
    return f'<div class="pt-page"><h1>暂停发布公告</h1>{body}</div>'
