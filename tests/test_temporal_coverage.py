"""Temporal coverage (时间范围): read from the descriptor, checked by
``portal check``, shown on the dataset page and written to schema.org,
DCAT and the public record."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from rdflib import DCAT, DCTERMS, Graph, URIRef
from rdflib.namespace import XSD

from builder.check import run_check
from domain.catalogue.model import Temporal
from domain.catalogue.problems import Problem
from domain.catalogue.temporal import read_temporal
from tests.conftest import TODAY


def _read(raw: object) -> tuple[Temporal | None, list[str]]:
    found: list[Problem] = []
    value = read_temporal(raw, "x/datapackage.yaml", found)
    return value, [p.code for p in found]


def test_closed_and_open_periods_and_their_iso_intervals() -> None:
    closed, problems = _read({"start": date(2019, 1, 1), "end": "2025-12-31"})
    assert problems == [] and closed == Temporal(date(2019, 1, 1), date(2025, 12, 31))
    assert closed.interval() == "2019-01-01/2025-12-31"
    still, problems = _read({"start": "2019-01-01"})
    assert problems == [] and still is not None and still.interval() == "2019-01-01/.."
    assert _read(None) == (None, []) and _read({}) == (None, [])
    one_day, _ = _read({"start": "2020-02-29", "end": "2020-02-29"})
    assert one_day is not None and one_day.interval() == "2020-02-29/2020-02-29"


@pytest.mark.parametrize("raw, code", [
    ({"start": "2019-13-01"}, "temporal-invalid"),
    ({"start": "2019-02-30", "end": "2020-01-01"}, "temporal-invalid"),
    ({"start": 2019}, "temporal-invalid"),
    ({"start": "昨天"}, "temporal-invalid"),
    ({"end": "2020-01-01"}, "temporal-invalid"),
    ({"start": "2019-01-01", "until": "2020-01-01"}, "temporal-invalid"),
    ("2019-01-01/2025-12-31", "temporal-invalid"),
    (["2019-01-01"], "temporal-invalid"),
    ({"start": "2025-12-31", "end": "2019-01-01"}, "temporal-start-after-end"),
])
def test_unusable_periods_are_reported(raw: object, code: str) -> None:
    assert _read(raw) == (None, [code])


def test_portal_check_reports_a_period_that_ends_before_it_starts(catalog_copy: Path) -> None:
    bus = catalog_copy / "bus-stops" / "datapackage.yaml"
    bus.write_text(bus.read_text(encoding="utf-8")
                   + "temporal: {start: 2025-12-31, end: 2019-01-01}\n", encoding="utf-8")
    report = run_check(catalog_copy, TODAY, validate=False)
    found = [(p.code, p.field) for p in report.problems if p.code.startswith("temporal")]
    assert found == [("temporal-start-after-end", "temporal")]
    assert not report.ok
    problem = next(p for p in report.problems if p.code == "temporal-start-after-end")
    assert "2025-12-31" in problem.message and "2019-01-01" in problem.message


@pytest.fixture(scope="module")
def sample_site(built_sample: Path) -> Path:
    """The sample built once for the run (read only here)."""
    return built_sample


def _jsonld(site: Path, identifier: str) -> dict[str, object]:
    soup = BeautifulSoup((site / "datasets" / identifier / "index.html").read_text(
        encoding="utf-8"), "html.parser")
    data: dict[str, object] = json.loads(
        soup.find("script", type="application/ld+json").string)
    return data


@pytest.mark.slow
def test_pages_and_schema_org_carry_the_period(sample_site: Path) -> None:
    assert _jsonld(sample_site, "tjj-0001")["temporalCoverage"] == "2016-01-01/2025-12-31"
    assert _jsonld(sample_site, "hbj-0001")["temporalCoverage"] == "2025-11-23/.."
    without = _jsonld(sample_site, "jtj-0001")
    assert "temporalCoverage" not in without
    # spatialCoverage: the dataset's region, by name.
    assert without["spatialCoverage"] == {"@type": "Place", "name": "云河市"}
    soup = BeautifulSoup((sample_site / "datasets/tjj-0001/index.html").read_text(
        encoding="utf-8"), "html.parser")
    row = soup.find("th", string="时间范围").find_next_sibling("td")
    assert row.get_text() == "2016-01-01 至 2025-12-31"
    soup = BeautifulSoup((sample_site / "datasets/hbj-0001/index.html").read_text(
        encoding="utf-8"), "html.parser")
    assert soup.find("th", string="时间范围").find_next_sibling("td").get_text() \
        == "2025-11-23 至 今（持续更新）"
    records = {r["id"]: r for r in json.loads(
        (sample_site / "catalog.json").read_text(encoding="utf-8"))["datasets"]}
    assert records["tjj-0002"]["temporal"] == {"start": "2016-01-01", "end": "2026-09-30",
                                               "interval": "2016-01-01/2026-09-30"}
    assert records["jtj-0001"]["temporal"] is None


@pytest.mark.slow
def test_dcat_has_the_period_of_time(sample_site: Path) -> None:
    graph = Graph().parse(sample_site / "dcat.ttl", format="turtle")
    base = "https://data.yunhe.example.gov.cn/datasets/"
    period = graph.value(URIRef(base + "tjj-0001/#dataset"), DCTERMS.temporal)
    assert (period, None, DCTERMS.PeriodOfTime) in graph
    start = graph.value(period, DCAT.startDate)
    assert str(start) == "2016-01-01" and start.datatype == XSD.date
    assert str(graph.value(period, DCAT.endDate)) == "2025-12-31"
    still = graph.value(URIRef(base + "hbj-0001/#dataset"), DCTERMS.temporal)
    assert str(graph.value(still, DCAT.startDate)) == "2025-11-23"
    assert graph.value(still, DCAT.endDate) is None
    assert graph.value(URIRef(base + "jtj-0001/#dataset"), DCTERMS.temporal) is None
