"""The open plan (开放责任清单): what each department will open in a year, by
when, tracked against what was opened.

000 §29 has the authority publish the responsibility list regularly; 001 §34
and 003 §31 set each year's priorities. The plan is a file per year in the
catalogue, ``plan/<year>.yaml``::

    year: 2026
    items:
      - {department: jtj, dataset: jtj-0007, title: 公共停车场泊位信息,
         open_type: unconditional, due: 2026-06-30}

An item names the dataset it will become (``dataset``, its identifier) or,
before the identifier is known, its ``title``; it is matched against the
published catalogue by identifier, else by department and exact title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from domain.catalogue import problems as P
from domain.catalogue.problems import Problem
from domain.catalogue.vocabulary import Vocabularies

PLAN_FOLDER = "plan"
PLANNED_OPEN_TYPES = ("unconditional", "conditional")  # not_open is never planned
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_YEAR_FILE_RE = re.compile(r"^(\d{4})\.ya?ml$")


@dataclass(frozen=True)
class PlanItem:
    """One line of the responsibility list."""

    department: str
    title: str
    dataset: str  # the planned identifier; "" when not yet known
    open_type: str
    due: date


@dataclass(frozen=True)
class OpenPlan:
    year: int
    items: tuple[PlanItem, ...]
    file: str  # relative to the catalogue, e.g. plan/2026.yaml


class PlanState(StrEnum):
    DONE = "done"  # opened (on time or not: see ``Progress.on_time``)
    LATE = "late"  # not opened and the due date has passed
    PENDING = "pending"  # not opened, not yet due


STATE_LABELS = {PlanState.DONE: "已开放", PlanState.LATE: "逾期未开放",
                PlanState.PENDING: "未到期"}


@dataclass(frozen=True)
class Opened:
    """A dataset as published: what an item is matched against."""

    identifier: str
    department: str
    title: str
    open_type: str
    published: date | None


@dataclass(frozen=True)
class Progress:
    item: PlanItem
    state: PlanState
    opened: Opened | None = None

    @property
    def on_time(self) -> bool:
        """Opened by the due date (an unknown publication date counts as late)."""
        return (self.opened is not None and self.opened.published is not None
                and self.opened.published <= self.item.due)

    @property
    def label(self) -> str:
        if self.state is PlanState.DONE and not self.on_time:
            return "逾期开放"
        return STATE_LABELS[self.state]


def _item(raw: Any, where: str, field: str, year: int, vocab: Vocabularies,
          found: list[Problem]) -> PlanItem | None:
    """One item, or None with the problems added to ``found``."""
    def bad(detail: str) -> None:
        found.append(P.make("plan-invalid", where, field=field, detail=detail))

    if not isinstance(raw, Mapping):
        bad("each item is a mapping with department, title or dataset, open_type and due")
        return None
    department = str(raw.get("department") or "")
    dataset, title = str(raw.get("dataset") or ""), str(raw.get("title") or "").strip()
    open_type, due = str(raw.get("open_type") or ""), raw.get("due")
    before = len(found)
    if department not in vocab.departments:
        bad(f"department {department!r} is not in vocabularies.yaml")
    if not dataset and not title:
        bad("give the planned dataset's identifier ('dataset') or its 'title'")
    if dataset and not _ID_RE.match(dataset):
        bad(f"dataset {dataset[:80]!r} is not a dataset identifier (a-z, 0-9, '-')")
    if open_type not in PLANNED_OPEN_TYPES:
        bad(f"open_type {open_type[:40]!r} must be one of {', '.join(PLANNED_OPEN_TYPES)}")
    if not isinstance(due, date):
        bad(f"due {str(due)[:40]!r} must be a date (YYYY-MM-DD)")
    elif due.year != year:
        bad(f"due {due.isoformat()} is not in the plan's year {year}")
    if len(found) > before or not isinstance(due, date):
        return None
    return PlanItem(department, title, dataset, open_type, due)


def parse_plan(data: Any, file: str, vocab: Vocabularies,
               found: list[Problem]) -> OpenPlan | None:
    """The plan in ``data`` (a parsed YAML file); invalid items are left out
    and reported in ``found`` (``plan-invalid``); None when the file as a
    whole is unusable."""
    match = _YEAR_FILE_RE.match(Path(file).name)
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), list):
        found.append(P.make("plan-invalid", file, detail="the file needs 'year' and a list "
                            "of 'items'"))
        return None
    year = data.get("year")
    if not isinstance(year, int) or match is None or int(match.group(1)) != year:
        found.append(P.make("plan-invalid", file, field="year", detail=(
            f"year {str(year)[:20]!r} must be the year in the file's name (plan/YYYY.yaml)")))
        return None
    items: list[PlanItem] = []
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(data["items"]):
        item = _item(raw, file, f"items[{index}]", year, vocab, found)
        if item is None:
            continue
        key = (item.department, item.dataset or item.title)
        if key in seen:
            found.append(P.make("plan-invalid", file, field=f"items[{index}]",
                                detail="this dataset is already planned above"))
            continue
        seen.add(key)
        items.append(item)
    return OpenPlan(year, tuple(items), file)


def load_plans(root: Path, vocab: Vocabularies) -> tuple[list[OpenPlan], list[Problem]]:
    """Every ``plan/<year>.yaml`` of the catalogue at ``root``, oldest first,
    and the problems met (never raises for bad content)."""
    found: list[Problem] = []
    plans: list[OpenPlan] = []
    folder = root / PLAN_FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return plans, found
    for path in sorted(folder.iterdir()):
        rel = f"{PLAN_FOLDER}/{path.name}"
        if path.name.startswith(".") or not path.is_file():
            continue
        if _YEAR_FILE_RE.match(path.name) is None or path.is_symlink():
            found.append(P.make("plan-invalid", rel, detail="plan files are named YYYY.yaml"))
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            found.append(P.make("plan-invalid", rel, detail=f"cannot read: {str(exc)[:200]}"))
            continue
        plan = parse_plan(data, rel, vocab, found)
        if plan is not None:
            plans.append(plan)
    return plans, found


def _match(item: PlanItem, by_id: Mapping[str, Opened],
           by_title: Mapping[tuple[str, str], Opened]) -> Opened | None:
    if item.dataset:
        return by_id.get(item.dataset)
    return by_title.get((item.department, item.title))


def track(plan: OpenPlan, opened: Iterable[Opened], today: date) -> list[Progress]:
    """Each item of ``plan`` against the datasets opened (published, open
    type as planned: a dataset planned unconditional and opened only on
    conditions is not done)."""
    listed = list(opened)
    by_id = {o.identifier: o for o in listed}
    by_title = {(o.department, o.title): o for o in listed}
    result = []
    for item in plan.items:
        hit = _match(item, by_id, by_title)
        if hit is not None and hit.open_type == item.open_type:
            result.append(Progress(item, PlanState.DONE, hit))
        elif today > item.due:
            result.append(Progress(item, PlanState.LATE))
        else:
            result.append(Progress(item, PlanState.PENDING))
    return result


def department_summary(progress: Iterable[Progress]) -> dict[str, dict[str, int]]:
    """Per department: planned, done, done on time, late and pending items."""
    summary: dict[str, dict[str, int]] = {}
    for row in progress:
        counts = summary.setdefault(row.item.department, {
            "planned": 0, "done": 0, "on_time": 0, "late": 0, "pending": 0})
        counts["planned"] += 1
        counts[row.state.value] += 1
        counts["on_time"] += row.on_time
    return summary
