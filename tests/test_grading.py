"""Security grading enforced (000 §14, 001 §39, 002 §42): the vocabulary says
which open types each level allows; a dataset whose level forbids its open
type is an error of ``portal check`` and is withheld by ``portal build``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.check import run_check
from domain.catalogue.vocabulary import VocabularyError, vocabularies_from_mapping
from portal.cli import main
from tests.conftest import REPO, TODAY, run_build


def _regrade(catalog: Path, folder: str, level: str) -> None:
    path = catalog / folder / "datapackage.yaml"
    text = path.read_text("utf-8")
    assert "level: L1" in text
    path.write_text(text.replace("level: L1", f"level: {level}"), encoding="utf-8")


def test_sensitive_data_listed_as_unconditional_is_an_error(catalog_copy: Path) -> None:
    _regrade(catalog_copy, "bus-stops", "L3")
    report = run_check(catalog_copy, TODAY, validate=False)
    found = [p for p in report.problems if p.code == "level-forbids-open-type"]
    assert [(p.file, p.field) for p in found] == [("bus-stops/datapackage.yaml", "open_type")]
    assert found[0].severity.value == "error"
    # English for operators, the level and open type also by their Chinese names.
    assert "level L3" in found[0].message and "敏感数据" in found[0].message
    assert "无条件开放" in found[0].message and "允许：不予开放" in found[0].message


def test_important_data_may_be_conditional_but_not_unconditional(catalog_copy: Path) -> None:
    _regrade(catalog_copy, "bus-stops", "L2")
    codes = [p.code for p in run_check(catalog_copy, TODAY, validate=False).problems]
    assert "level-forbids-open-type" in codes
    path = catalog_copy / "bus-stops" / "datapackage.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "open_type: unconditional", "open_type: conditional\nopen_conditions: 仅限科研\n"
        "legal_basis: 《某条例》第一条"), encoding="utf-8")
    codes = [p.code for p in run_check(catalog_copy, TODAY, validate=False).problems]
    assert "level-forbids-open-type" not in codes


def test_check_exits_with_error_and_build_withholds(tmp_path: Path, catalog_copy: Path) -> None:
    _regrade(catalog_copy, "bus-stops", "L3")
    result = CliRunner().invoke(main, ["check", str(catalog_copy), "--today", TODAY.isoformat()])
    assert result.exit_code != 0
    assert "level-forbids-open-type" in result.output
    built = run_build(catalog_copy, tmp_path / "site")
    assert built.changes.withheld == {"jtj-0001": ["level-forbids-open-type"]}
    assert not (tmp_path / "site" / "datasets" / "jtj-0001").exists()


def test_levels_without_open_types_bound_nothing() -> None:
    vocab = vocabularies_from_mapping({"levels": [{"code": "L9", "name": "旧级别"}]})
    level = vocab.level("L9")
    assert level is not None and level.allows("unconditional") and level.allows("not_open")


@pytest.mark.parametrize("bad", [["public"], [], "unconditional"])
def test_open_types_of_a_level_are_checked(bad: object) -> None:
    with pytest.raises(VocabularyError, match="open_types"):
        vocabularies_from_mapping({"levels": [{"code": "L1", "name": "一般", "open_types": bad}]})


def test_the_sample_catalogue_grades_every_dataset_consistently() -> None:
    report = run_check(REPO / "datasets", TODAY, validate=False)
    assert "level-forbids-open-type" not in {p.code for p in report.problems}
