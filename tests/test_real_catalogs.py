"""Two real catalogues end to end: ``portal import`` → ``portal check`` →
``portal build``, at real scale (4494 and 2469 rows).

The catalogues are /work/shared/real-catalogs (see SOURCE.md there: the
portals' own metadata as crawled in 2023, no data rows). What the operator
states for them is committed in tests/data/import/real/: a value map for
Guiyang's placeholder theme and defaults for conditional rows (legal basis,
open conditions), which the catalogues do not give. Run with ``-s`` to see
the timings and the warnings by code.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.build import BuildConfig, build
from builder.check import run_check
from builder.importer import ImportReport, import_catalog
from domain.catalogue.descriptor import dataset_from_descriptor
from domain.catalogue.model import MACHINE_READABLE_FORMATS

pytestmark = pytest.mark.slow

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-catalogs"
OPERATOR = Path(__file__).parent / "data" / "import" / "real"
TODAY = date(2026, 11, 23)
SHANGHAI, GUIYANG = "shanghai_shanghai.json", "guizhou_guiyang.json"
# The operator's files for each catalogue (import_catalog keyword arguments).
OPERATOR_FILES: dict[str, dict[str, Path]] = {
    SHANGHAI: {"defaults": OPERATOR / "shanghai-defaults.yaml"},
    GUIYANG: {"defaults": OPERATOR / "guiyang-defaults.yaml",
              "value_map": OPERATOR / "guiyang-values.yaml"},
}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: these tests need the real catalogues "
                    f"(shanghai_shanghai.json, guizhou_guiyang.json) in {REAL}")
    return path


def source_rows(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(real(name).read_text("utf-8"))
    return rows


def declares_machine_readable(row: dict[str, Any]) -> bool:
    """Whether the source row itself lists a machine-readable format."""
    return any(str(f).lower().lstrip(".") in MACHINE_READABLE_FORMATS
               for f in row.get("数据格式") or [])


def load_all(out: Path, report: ImportReport) -> tuple[int, Counter[tuple[str, str]]]:
    """(datasets that load, problems by (code, field)) for every written descriptor."""
    loaded, problems = 0, Counter[tuple[str, str]]()
    for ident in report.identifiers:
        found: list[Any] = []
        data = yaml.load((out / ident / "datapackage.yaml").read_text("utf-8"), Loader=_LOADER)
        if dataset_from_descriptor(data, ident, out / ident, found):
            loaded += 1
        problems.update((p.code, p.field) for p in found)
    return loaded, problems


# --- importing, without the operator's files ---------------------------------------

@pytest.fixture(scope="module")
def shanghai(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportReport]:
    out = tmp_path_factory.mktemp("shanghai")
    return out, import_catalog(real(SHANGHAI), out)


@pytest.fixture(scope="module")
def guiyang(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportReport]:
    out = tmp_path_factory.mktemp("guiyang")
    return out, import_catalog(real(GUIYANG), out)


def test_shanghai_imports_completely(shanghai: tuple[Path, ImportReport]) -> None:
    out, report = shanghai
    assert (report.rows, report.imported, report.skipped) == (4494, 4494, [])
    assert report.open_types == Counter({"unconditional": 2939, "conditional": 1555})
    assert report.unmapped == {}  # every theme, frequency and open type maps
    assert len(report.new_departments) == 56
    assert any("169 rows have no description" in w for w in report.warnings)
    assert any("国家主题分类" in w for w in report.warnings)
    # The crawl gave every row the same detail-page URL; the import says so.
    assert any(w.startswith("4494 rows give a source URL that other rows give too")
               for w in report.warnings)
    assert any(w.startswith("988 unconditional rows declare no machine-readable format")
               for w in report.warnings)
    assert report.seconds < 15
    assert load_all(out, report) == (4494, Counter())


def test_guiyang_imports_completely(guiyang: tuple[Path, ImportReport]) -> None:
    out, report = guiyang
    assert (report.rows, report.imported, report.skipped) == (2469, 2469, [])
    assert report.open_types == Counter({"unconditional": 2274, "conditional": 195})
    # Issue 13: the portal's placeholder theme 默认主题 files a row under 未分类.
    assert report.unmapped == {}
    assert any(w.startswith("358 rows give no theme") for w in report.warnings)
    assert len(report.new_departments) == 133
    assert any(w.startswith("21 unconditional rows declare no machine-readable format")
               for w in report.warnings)
    loaded, problems = load_all(out, report)
    assert loaded == 2469
    assert problems == Counter()


def test_guiyang_with_the_value_map_loads_completely(tmp_path: Path) -> None:
    report = import_catalog(real(GUIYANG), tmp_path, value_map=OPERATOR / "guiyang-values.yaml")
    assert report.unmapped == {}
    assert load_all(tmp_path, report) == (2469, Counter())


# --- import, check and build with the operator's files --------------------------------

@pytest.mark.parametrize("name", [SHANGHAI, GUIYANG])
def test_import_check_and_build(name: str, tmp_path: Path) -> None:
    rows = source_rows(name)
    root = tmp_path / "catalog"
    started = time.perf_counter()
    report = import_catalog(real(name), root, **OPERATOR_FILES[name])
    import_seconds = time.perf_counter() - started
    assert report.imported == report.rows == len(rows) and report.skipped == []
    assert report.unmapped == {}
    conditional = sum(row["开放属性"] == "有条件开放" for row in rows)
    assert report.defaults_applied == {"conditional.legal_basis": conditional,
                                       "conditional.open_conditions": conditional}

    started = time.perf_counter()
    check = run_check(root, TODAY, validate=False)
    check_seconds = time.perf_counter() - started
    warnings = Counter(p.code for p in check.warnings)
    errors = Counter(p.code for p in check.errors)
    print(f"\n{name}: {report.imported} rows; import {import_seconds:.2f} s, "
          f"check {check_seconds:.2f} s; warnings {dict(warnings.most_common())}; "
          f"errors {dict(errors.most_common())}")
    # Descriptors are written in source order, so identifiers line up with rows.
    source_of = dict(zip(report.identifiers, rows, strict=True))
    unconditional = {i for i, row in source_of.items() if row["开放属性"] == "无条件开放"}
    # Imported metadata without files: every unconditional entry is published
    # as a catalogue entry and reported as data-not-collected (a warning), also
    # those whose source declares no format at all (Shanghai: 987 empty lists
    # and one "doc"; Guiyang: 21 nulls): the importer never invents a format.
    not_collected = {p.file.split("/")[0] for p in check.warnings
                     if p.code == "data-not-collected"}
    assert not_collected == unconditional
    assert set(warnings) <= {"data-not-collected", "update-overdue"}
    assert not errors
    published = report.imported

    site = tmp_path / "site"
    started = time.perf_counter()
    result = build(BuildConfig(catalog_dir=root, out_dir=site, today=TODAY,
                               cache_dir=tmp_path / "cache"))
    build_seconds = time.perf_counter() - started
    print(f"{name}: built {result.datasets} datasets in "
          f"{build_seconds:.2f} s {result.timings}")
    pages = sorted((site / "datasets").glob("*/index.html"))
    assert result.datasets == len(pages) == published
    catalog = json.loads((site / "catalog.json").read_text("utf-8"))
    assert catalog["count"] == len(catalog["datasets"]) == published
    # Metadata only: no download file anywhere, not even a data package.
    assert result.downloads == 0
    assert sorted(p for p in (site / "datasets").rglob("*") if p.is_file()) == pages
    first_conditional = next(i for i in report.identifiers
                             if source_of[i]["开放属性"] == "有条件开放")
    page = (site / "datasets" / first_conditional / "index.html").read_text("utf-8")
    assert "pt-apply-button" in page and f"/apply/{first_conditional}" in page
    assert "经申请并由数据提供部门审核同意后开放" in page  # the operator's open conditions


# --- issue 13: the figures on the three newly shared catalogues -------------------

NEW = ["guizhou_qianxinan.json", "zhejiang_zhejiang.json", "sichuan_meishan.json"]


@pytest.mark.parametrize("name", NEW)
def test_with_no_options_most_unconditional_rows_are_published(name: str) -> None:
    """import → check → build → count (bench/real_catalogs.py does the work
    under bench/out/real/)."""
    from bench.real_catalogs import run

    figures = run(real(name), None)
    print(f"\n{name}: {figures}")
    assert figures["uncond"] and figures["uncond_pub"] >= 0.8 * figures["uncond"]  # type: ignore[operator]


@pytest.mark.parametrize("name", ["guizhou_qianxinan.json", "zhejiang_zhejiang.json"])
def test_with_a_plan_edited_in_at_most_15_lines_nearly_every_row_is_published(name: str) -> None:
    from bench.real_catalogs import edited_lines, run

    plan = Path(__file__).resolve().parents[1] / "bench" / "plans" / \
        name.replace(".json", ".plan.yaml")
    assert edited_lines(real(name), plan) <= 15
    figures = run(real(name), plan)
    print(f"\n{name}: {figures}")
    assert figures["all_pub"] >= 0.95 * figures["rows"]  # type: ignore[operator]
