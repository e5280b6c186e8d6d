"""``portal report yearly``: the big-data authority's yearly evaluation
report (000 §50, due before 10 February; 003 §38; 004 §43–44) from the
catalogue (datasets, open plan, updates, quality) and the service's store
(requests, error reports, demands, downloads)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from domain.catalogue.catalog import Catalog, load_catalog

EVALUATION_FOLDER = "evaluation"  # <catalogue>/evaluation/<year>.json: the public page


@click.group()
def report() -> None:
    """Reports of the big-data authority."""


def _service_figures(catalog: Catalog, url: str, year: int,
                     today: date) -> dict[str, dict[str, Any]]:
    """The store's figures of ``year`` per department, counted as the
    statistics API counts them (search_api.store.yearly_counts)."""
    from sqlalchemy.exc import SQLAlchemyError

    from portal.common import service_config, verification_of
    from search_api.store import Store
    from search_api.store.yearly_counts import service_year

    # The service's own profile and calendars, so "in time" is counted
    # exactly as /api/v1/statistics/yearly counts it.
    verification = verification_of(service_config({"CATALOG_DIR": str(catalog.root)}))
    by_id = catalog.by_id()

    def department_of(ident: str) -> str | None:
        dataset = by_id.get(ident)
        return None if dataset is None else dataset.department

    store = Store.open(url)
    try:
        return service_year(store, verification, year, today, department_of)
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot read the year's figures from the service database "
            f"({exc.__class__.__name__}); run `portal db upgrade` there") from exc
    finally:
        store.close()


def build_report(catalog: Catalog, service: dict[str, dict[str, Any]], year: int,
                 today: date) -> dict[str, Any]:
    """The report's data (``report.json``)."""
    from builder.yearly_report import document
    from domain.catalogue.evaluation import as_of, catalogue_year, merge, opened_datasets
    from domain.catalogue.model import OpenType
    from domain.catalogue.open_plan import PlanState, load_plans, track

    day = as_of(year, today)
    plans = {p.year: p for p in load_plans(catalog.root, catalog.vocab)[0]}
    plan = plans.get(year)
    names = {d.code: d.name for d in catalog.vocab.departments}
    rows, total = merge(catalogue_year(catalog.datasets, catalog.vocab, plan, day), service,
                        names)
    late = [] if plan is None else [
        {"department": p.item.department, "department_name": names.get(p.item.department, ""),
         "title": p.item.title or p.item.dataset, "due": p.item.due.isoformat(),
         "open_type_name": OpenType(p.item.open_type).label}
        # What was published by the report's day, as catalogue_year counts it.
        for p in track(plan, opened_datasets(
            [d for d in catalog.datasets if d.published is None or d.published <= day]), day)
        if p.state is PlanState.LATE]
    return document(year, today, catalog.portal.bureau, rows, total, late,
                    profile=catalog.portal.profile)


@report.command()
@click.option("--year", type=click.IntRange(2000, 2100), required=True,
              help="The year evaluated.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder to write report.html, report.csv, report.json, public.json "
                   "(and report.pdf when WeasyPrint is installed) into.")
@click.option("--catalog", "catalog_dir", type=click.Path(path_type=Path), default="datasets",
              show_default=True, help="The catalogue folder.")
@click.option("--service-db", envvar="PORTAL_DATABASE_URL", metavar="URL", required=True,
              help="Database of the request service (default: $PORTAL_DATABASE_URL).")
@click.option("--today", help="The report's date (default: today).")
@click.option("--publish", is_flag=True,
              help="Also put the public version into the catalogue "
                   "(evaluation/<year>.json): the next `portal build` publishes it as the "
                   "年度评估 page.")
@click.option("--no-pdf", is_flag=True, help="Do not make report.pdf.")
def yearly(year: int, out_dir: Path, catalog_dir: Path, service_db: str, today: str | None,
           publish: bool, no_pdf: bool) -> None:
    """Write the yearly evaluation report (000 §50: due before 10 February)."""
    from builder.yearly_report import public_document, write_report
    from portal.common import parse_day

    day = parse_day(today)
    if year > day.year:
        raise click.ClickException(f"{year} has not begun on {day.isoformat()}")
    catalog, problems = load_catalog(catalog_dir)
    if not catalog_dir.is_dir() or not catalog.vocab.departments:
        raise click.ClickException(f"{catalog_dir}: no usable catalogue (run `portal check`)")
    data = build_report(catalog, _service_figures(catalog, service_db, year, day), year, day)
    for path in write_report(out_dir, data, catalog.portal.name, pdf=not no_pdf):
        click.echo(f"wrote {path}", err=True)
    if publish:
        target = catalog_dir / EVALUATION_FOLDER / f"{year}.json"
        target.parent.mkdir(exist_ok=True)
        target.write_text(json.dumps(public_document(data), ensure_ascii=False, indent=1),
                          encoding="utf-8")
        click.echo(f"public version: {target} (published by the next `portal build`)", err=True)
    if day >= date(year + 1, 2, 10):
        click.echo(f"note: the report on {year} was due before {year + 1}-02-10 (000 §50)",
                   err=True)
