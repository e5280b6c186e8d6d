"""The open plan page (开放计划): each year's responsibility list (000 §29,
003 §31) tracked against what the build publishes."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from builder.charts import Bar, Segment, stacked_bars
from builder.render import render
from builder.summaries import Listed
from domain.catalogue.catalog import Catalog
from domain.catalogue.model import Status
from domain.catalogue.open_plan import Opened, Progress, department_summary, load_plans, track

log = logging.getLogger(__name__)


def opened_from_records(records: Iterable[Listed]) -> list[Opened]:
    """The published datasets (public records) as the plan sees them:
    a withdrawn dataset no longer counts as opened; one marked invalid
    (lapsed, 002 §39) was opened all the same."""
    return [Opened(r.id, r.department, r.title, r.open_type.value, r.published)
            for r in records if r.status is not Status.WITHDRAWN]


def plan_years(catalog: Catalog, records: Iterable[Listed],
               today: date) -> list[dict[str, Any]]:
    """Each year's plan, newest first: its items with their state and a
    per-department summary. Invalid entries are left out (``portal check``
    reports them)."""
    plans, problems = load_plans(catalog.root, catalog.vocab)
    for problem in problems:
        log.warning("open plan: %s", problem.format())
    # Only the datasets an item can match are looked at further (at 100,000
    # datasets making each one's Opened cost a second of every rebuild); the
    # same ones in the same order, so a title matched twice still gives the
    # later dataset.
    ids = {item.dataset for plan in plans for item in plan.items if item.dataset}
    titles = {(item.department, item.title) for plan in plans for item in plan.items
              if not item.dataset}
    opened = opened_from_records(
        r for r in records if r.id in ids or (titles and (r.department, r.title) in titles)
    ) if plans else []
    names = catalog.vocab.departments
    years = []
    for plan in reversed(plans):
        progress = track(plan, opened, today)
        summary = department_summary(progress)
        years.append({
            "year": plan.year,
            "rows": [_row(p, names.name_of(p.item.department)) for p in progress],
            "departments": [{"code": code, "name": names.name_of(code), **counts}
                            for code, counts in summary.items()],
            "chart": _chart(summary, names.name_of, plan.year),
        })
    return years


def _row(progress: Progress, department_name: str) -> dict[str, Any]:
    item, opened = progress.item, progress.opened
    return {"department_name": department_name,
            "title": opened.title if opened else item.title or item.dataset,
            "url": f"datasets/{opened.identifier}/" if opened else "",
            "open_type": item.open_type, "due": item.due.isoformat(),
            "state": progress.state.value, "label": progress.label,
            "opened": opened.published.isoformat() if opened and opened.published else ""}


def _chart(summary: Mapping[str, Mapping[str, int]], name_of: Any, year: int) -> str:
    return stacked_bars([
        Bar(name_of(code), (
            Segment(c["on_time"], "pt-c1", "按期开放"),
            Segment(c["done"] - c["on_time"], "pt-c3", "逾期开放"),
            Segment(c["late"], "pt-c4", "逾期未开放"),
            Segment(c["pending"], "pt-c2", "未到期")))
        for code, c in summary.items()], title=f"{year}年开放计划完成情况")


def plan_page(catalog: Catalog, records: Iterable[Listed], today: date) -> str:
    """The page fragment (an explanation when no plan is published yet)."""
    return render("plan.html", root="../", years=plan_years(catalog, records, today),
                  today=today.isoformat(), bureau=catalog.portal.bureau)
