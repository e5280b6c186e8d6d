"""The publication rules on metadata (domain.catalogue.rules, SPEC §3), one rule at a time.

Each test starts from a dataset that breaks no rule and changes one thing,
so every problem code is asserted with where it points (file, field) and
what its message names.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
import yaml

from domain.catalogue.model import (
    Announcement,
    Dataset,
    Field,
    OpenType,
    Resource,
    Status,
)
from domain.catalogue.problems import Problem, Severity
from domain.catalogue.rules import check_dataset, check_identifiers
from domain.catalogue.vocabulary import vocabularies_from_mapping
from tests.conftest import MINIMAL

VOCAB = vocabularies_from_mapping(
    yaml.safe_load((MINIMAL / "vocabularies.yaml").read_text(encoding="utf-8")))
TODAY = date(2026, 11, 23)
TABLE = Resource("stops", "data/stops.csv", "csv",
                 fields=(Field("name", title="站点名称"), Field("line", title="线路")))
GOOD = Dataset(identifier="bus-stops", title="公交站点", summary="全市公交站点。",
               department="jtj", theme="transport", open_type=OpenType.UNCONDITIONAL,
               update_frequency="monthly", last_updated=date(2026, 11, 1),
               published=date(2025, 1, 1), region="990100", level="L1",
               resources=(TABLE,), descriptor="bus-stops/datapackage.yaml")


def check(**changes: Any) -> list[Problem]:
    return check_dataset(dataclasses.replace(GOOD, **changes), VOCAB, TODAY)


def only(problems: list[Problem], file: str = "bus-stops/datapackage.yaml") -> Problem:
    """The one problem found, which points at ``file``."""
    assert len(problems) == 1, problems
    assert problems[0].file == file
    return problems[0]


def test_a_good_dataset_breaks_no_rule() -> None:
    assert check() == []


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("department", "nosuch", "departments"),
    ("theme", "weather", "themes"),
    ("update_frequency", "hourly", "update_frequencies"),
    ("region", "990199", "regions"),
    ("level", "L9", "levels"),
])
def test_unknown_codes_name_the_field_value_and_vocabulary(field: str, value: str,
                                                           kind: str) -> None:
    problem = only(check(**{field: value}))
    assert (problem.code, problem.field, problem.file) == \
        ("unknown-code", field, "bus-stops/datapackage.yaml")
    assert f"{field} {value!r} is not in vocabularies.yaml ({kind})" in problem.message
    assert problem.severity is Severity.ERROR


def test_region_and_level_may_be_left_empty() -> None:
    assert check(region="", level="") == []


def test_file_argument_and_identifier_locate_the_problem() -> None:
    broken = dataclasses.replace(GOOD, theme="weather")
    only(check_dataset(broken, VOCAB, TODAY, file="x/datapackage.json"), "x/datapackage.json")
    no_descriptor = dataclasses.replace(broken, descriptor="")
    only(check_dataset(no_descriptor, VOCAB, TODAY), "bus-stops")


@pytest.mark.parametrize("open_type", [OpenType.CONDITIONAL, OpenType.NOT_OPEN])
def test_data_not_unconditionally_open_names_its_legal_basis(open_type: OpenType) -> None:
    problems = check(open_type=open_type, open_conditions="仅限科研", legal_basis="")
    problem = only(problems)
    assert (problem.code, problem.field) == ("legal-basis-missing", "legal_basis")
    assert problem.message.startswith(f"{open_type.value} data needs 'legal_basis'")
    assert check(open_type=open_type, open_conditions="仅限科研", legal_basis="《条例》") == []


def test_unconditional_data_needs_no_legal_basis_nor_conditions() -> None:
    assert check(legal_basis="", open_conditions="") == []


def test_conditional_data_states_its_conditions() -> None:
    problem = only(check(open_type=OpenType.CONDITIONAL, legal_basis="《条例》",
                         open_conditions=""))
    assert (problem.code, problem.field) == ("open-conditions-missing", "open_conditions")
    # Not-open data has no conditions to state.
    assert check(open_type=OpenType.NOT_OPEN, legal_basis="《条例》", open_conditions="") == []


def test_unconditional_data_has_a_machine_readable_resource() -> None:
    pdf = Resource("report", "data/report.pdf", "pdf")
    problem = only(check(resources=(pdf,)))
    assert (problem.code, problem.field) == ("no-machine-readable-resource", "resources")
    assert problem.message.endswith("found: pdf")
    doc = Resource("notes", "data/notes.docx", "docx")
    assert only(check(resources=(pdf, doc))).message.endswith("found: pdf, docx")
    # One machine-readable file among others is enough.
    assert check(resources=(pdf, TABLE)) == []
    # Withdrawn data is not held to it, nor conditional data.
    withdrawn = Announcement(date(2026, 1, 5), "停止采集")
    assert check(resources=(pdf,), status=Status.WITHDRAWN, withdrawal=withdrawn) == []
    assert check(resources=(pdf,), open_type=OpenType.CONDITIONAL, legal_basis="《条例》",
                 open_conditions="仅限科研") == []


def test_an_entry_without_files_is_reported_as_not_collected() -> None:
    problem = only(check(resources=(), declared_formats=("xlsx", "csv")))
    assert (problem.code, problem.field) == ("data-not-collected", "resources")
    assert "(declared formats: xlsx, csv)" in problem.message
    assert problem.severity is Severity.WARNING
    assert "(declared formats: none)" in only(check(resources=())).message
    # Conditional data holds no files here anyway.
    assert check(resources=(), open_type=OpenType.CONDITIONAL, legal_basis="《条例》",
                 open_conditions="仅限科研") == []


@pytest.mark.parametrize(("status", "field"), [(Status.WITHDRAWN, "withdrawal"),
                                               (Status.INVALID, "invalidation")])
def test_retired_data_is_announced(status: Status, field: str) -> None:
    problem = only(check(status=status))
    assert (problem.code, problem.field) == ("announcement-missing", field)
    assert f"status '{status.value}' needs '{field}'" in problem.message
    notice = Announcement(date(2026, 1, 5), "数据已停止更新")
    assert check(status=status, **{field: notice}) == []


def test_the_other_announcement_does_not_count() -> None:
    notice = Announcement(date(2026, 1, 5), "数据已停止更新")
    assert only(check(status=Status.WITHDRAWN, invalidation=notice)).field == "withdrawal"
    assert only(check(status=Status.INVALID, withdrawal=notice)).field == "invalidation"
    # An active dataset with a stray notice breaks no rule.
    assert check(withdrawal=notice, invalidation=notice) == []


def test_tabular_resources_have_a_schema() -> None:
    bare = Resource("stops", "data/stops.csv", "csv")
    problem = only(check(resources=(bare,)))
    assert (problem.code, problem.field) == ("schema-missing", "resources.stops")
    assert "tabular resource 'stops' has no schema.fields" in problem.message
    # A file that is no table needs none.
    geo = Resource("map", "data/map.geojson", "geojson")
    assert check(resources=(TABLE, geo)) == []


def test_every_column_has_a_chinese_title() -> None:
    untitled = dataclasses.replace(TABLE, fields=(Field("name", title="站点名称"),
                                                  Field("line"), Field("lat")))
    problems = check(resources=(untitled,))
    assert [(p.code, p.field, p.file) for p in problems] == [
        ("field-title-missing", "stops.line", "bus-stops/datapackage.yaml"),
        ("field-title-missing", "stops.lat", "bus-stops/datapackage.yaml")]
    assert "column 'line' has no 'title'" in problems[0].message
    assert problems[0].severity is Severity.WARNING


def test_overdue_updates_are_reported_for_published_data_only() -> None:
    # Monthly: at most 35 days old.
    assert check(last_updated=date(2026, 10, 19)) == []
    problem = only(check(last_updated=date(2026, 10, 1)))
    assert (problem.code, problem.field) == ("update-overdue", "last_updated")
    assert "last updated 2026-10-01" in problem.message and "'每月'" in problem.message
    assert check(last_updated=date(2026, 10, 1), open_type=OpenType.NOT_OPEN,
                 legal_basis="《条例》") == []
    assert check(last_updated=None) == []


def test_several_broken_rules_are_all_reported_in_order() -> None:
    codes = [p.code for p in check(department="x", status=Status.INVALID,
                                   resources=(Resource("t", "t.csv", "csv"),))]
    assert codes == ["unknown-code", "announcement-missing", "schema-missing"]


def test_identifiers_are_unique_ignoring_case() -> None:
    a = dataclasses.replace(GOOD, identifier="bus-stops", descriptor="a/datapackage.yaml")
    b = dataclasses.replace(GOOD, identifier="Bus-Stops", descriptor="b/datapackage.yaml")
    c = dataclasses.replace(GOOD, identifier="bus-lines", descriptor="")
    d = dataclasses.replace(GOOD, identifier="BUS-STOPS", descriptor="")
    problems = check_identifiers([a, c, b, d])
    assert [(p.code, p.file, p.field) for p in problems] == [
        ("duplicate-identifier", "b/datapackage.yaml", "name"),
        ("duplicate-identifier", "BUS-STOPS", "name")]
    assert "identifier 'Bus-Stops' is also used by a/datapackage.yaml" in problems[0].message
    assert check_identifiers([a, c]) == []
