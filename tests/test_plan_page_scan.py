"""The open plan page looks only at the datasets a plan item can match
(``builder.plan_page.plan_years``): the same years as tracking every
published dataset, and no dataset looked at when there is no plan."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from builder.plan_page import opened_from_records, plan_years
from builder.records import public_records
from domain.catalogue.catalog import load_catalog
from domain.catalogue.open_plan import load_plans, track
from tests.conftest import TODAY

REPO = Path(__file__).resolve().parent.parent


def test_plan_years_equal_tracking_every_dataset() -> None:
    catalog, _ = load_catalog(REPO / "datasets")
    records = public_records(catalog, TODAY, None, None).listed
    plans, _ = load_plans(catalog.root, catalog.vocab)
    assert plans and any(i.dataset for p in plans for i in p.items) \
        and any(not i.dataset for p in plans for i in p.items)  # both kinds of match
    every = opened_from_records(records)
    years = plan_years(catalog, records, TODAY)
    assert [y["year"] for y in years] == [p.year for p in reversed(plans)]
    for year, plan in zip(years, reversed(plans), strict=True):
        expected = track(plan, every, TODAY)
        assert [row["state"] for row in year["rows"]] == [p.state.value for p in expected]
        assert [row["url"] for row in year["rows"]] == [
            f"datasets/{p.opened.identifier}/" if p.opened else "" for p in expected]


class _Untouchable:
    """Records that fail the test when anything iterates them."""

    def __iter__(self) -> Iterator[object]:
        raise AssertionError("the records were scanned though there is no plan")


def test_no_plan_scans_no_dataset(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(REPO / "datasets", root)
    shutil.rmtree(root / "plan")
    catalog, _ = load_catalog(root)
    assert plan_years(catalog, _Untouchable(), TODAY) == []  # type: ignore[arg-type]
