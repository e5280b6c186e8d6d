"""``portal build`` never lets one bad dataset block the portal (issue 13):
a dataset with errors is withheld and absent everywhere; a published dataset
that turns bad is taken down (notice page, announcement, operators' report);
exit codes 0 / 2 / 1 and ``--strict``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from builder.withholding import REPORT_JSON, REPORT_TEXT
from portal.cli import main
from tests.conftest import run_build

ID_NUMBER = "11010519491231002X"  # a valid 18-digit ID number (checksum X)


def _site_text(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text("utf-8", errors="replace")
            for p in site.rglob("*") if p.is_file() and p.suffix in (
                ".html", ".json", ".jsonld", ".xml", ".csv", ".txt")}


def _add_broken(catalog: Path) -> None:
    """A copy of bus-stops under another identifier, missing its theme."""
    shutil.copytree(catalog / "bus-stops", catalog / "broken")
    descriptor = catalog / "broken" / "datapackage.yaml"
    data = yaml.safe_load(descriptor.read_text("utf-8"))
    data.update(name="broken-0001", title="坏数据集标题")
    del data["theme"]
    descriptor.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _leak(catalog: Path) -> None:
    """Put an unmasked ID number into the published bus-stops table."""
    csv = catalog / "bus-stops" / "data" / "bus-stops.csv"
    csv.write_text(csv.read_text("utf-8").replace("人民广场", ID_NUMBER), encoding="utf-8")


def test_one_broken_dataset_among_good_ones_is_absent_everywhere(
        tmp_path: Path, catalog_copy: Path) -> None:
    _add_broken(catalog_copy)
    site = tmp_path / "site"
    result = run_build(catalog_copy, site)
    # A descriptor missing a required field cannot be read as a dataset: it
    # is withheld under its folder's name.
    assert result.changes.withheld == {"broken": ["field-missing"]}
    assert "jtj-0001" in result.changes.published
    assert result.datasets == len(result.changes.published) >= 2
    assert not (site / "datasets" / "broken-0001").exists()
    for rel, text in _site_text(site).items():
        assert "broken-0001" not in text and "坏数据集标题" not in text, rel
    catalog = json.loads((site / "catalog.json").read_text("utf-8"))
    assert "jtj-0001" in {d["id"] for d in catalog["datasets"]}
    # Nothing was online before: nothing is taken down.
    assert result.changes.taken_down == {}
    report = json.loads((tmp_path / "cache" / REPORT_JSON).read_text("utf-8"))
    assert report["withheld"]["broken"]["codes"] == ["field-missing"]
    assert report["withdrawals_to_file"] == []
    # The report counts what this build published (it was written before the count once).
    assert report["published"] == len(catalog["datasets"]) > 0


def test_a_published_dataset_losing_a_required_field_is_taken_down_as_such(
        tmp_path: Path, catalog_copy: Path) -> None:
    site = tmp_path / "site"
    run_build(catalog_copy, site)
    descriptor = catalog_copy / "bus-stops" / "datapackage.yaml"
    data = yaml.safe_load(descriptor.read_text("utf-8"))
    del data["department"]
    descriptor.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_build(catalog_copy, site)
    assert result.changes.withheld == {"bus-stops": ["field-missing"]}
    taken = result.changes.taken_down["jtj-0001"]
    assert (taken.reason, taken.title) == ("metadata-error", "公交站点信息")


def test_unmasked_personal_data_withholds_its_dataset(tmp_path: Path,
                                                      catalog_copy: Path) -> None:
    _leak(catalog_copy)
    site = tmp_path / "site"
    result = run_build(catalog_copy, site)
    assert result.changes.withheld == {"jtj-0001": ["pii-unmasked"]}
    assert not (site / "datasets" / "jtj-0001").exists()
    assert all(ID_NUMBER not in text for text in _site_text(site).values())


def test_a_published_dataset_that_turns_bad_is_taken_down(tmp_path: Path,
                                                          catalog_copy: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    first = run_build(catalog_copy, site)
    assert first.changes.complete
    assert (site / "datasets" / "jtj-0001" / "bus-stops.csv").is_file()
    _leak(catalog_copy)
    second = run_build(catalog_copy, site)
    taken = second.changes.taken_down["jtj-0001"]
    assert (taken.reason, taken.new, taken.since) == ("personal-data", True, "2026-11-23")
    # The page is a short notice without data; the files are gone.
    assert [p.name for p in (site / "datasets" / "jtj-0001").iterdir()] == ["index.html"]
    notice = (site / "datasets" / "jtj-0001" / "index.html").read_text("utf-8")
    assert "暂停发布" in notice and "个人信息" in notice and "公交站点信息" in notice
    announcement = (site / "suspended" / "index.html").read_text("utf-8")
    assert "公交站点信息" in announcement and "2026-11-23" in announcement
    for text in _site_text(site).values():  # the reason category, never the value
        assert ID_NUMBER not in text and "110*****" not in text
    catalog = json.loads((site / "catalog.json").read_text("utf-8"))
    assert "jtj-0001" not in {d["id"] for d in catalog["datasets"]}
    assert "jtj-0001" not in (site / "sitemap.xml").read_text("utf-8")
    # The operators' report sits beside the cache, never in the site.
    report = json.loads((cache / REPORT_JSON).read_text("utf-8"))
    assert report["withdrawals_to_file"] == ["jtj-0001"]
    assert "000 §33" in (cache / REPORT_TEXT).read_text("utf-8")
    assert not list(site.rglob("publication-report*"))
    # The next build keeps the notice; it is no new withdrawal to file.
    third = run_build(catalog_copy, site)
    assert not third.changes.taken_down["jtj-0001"].new
    assert (site / "datasets" / "jtj-0001" / "index.html").is_file()
    # Fixed: published again, the notice and the announcement entry go.
    shutil.copy(Path(__file__).parent / "data" / "catalogs" / "minimal" / "bus-stops" / "data"
                / "bus-stops.csv", catalog_copy / "bus-stops" / "data" / "bus-stops.csv")
    fourth = run_build(catalog_copy, site)
    assert fourth.changes.complete and fourth.changes.taken_down == {}
    assert (site / "datasets" / "jtj-0001" / "bus-stops.csv").is_file()
    assert "公交站点信息" not in (site / "suspended" / "index.html").read_text("utf-8")


def test_exit_codes_and_strict(tmp_path: Path, catalog_copy: Path) -> None:
    runner = CliRunner()

    def build(*extra: str) -> tuple[int, str]:
        result = runner.invoke(main, ["build", str(catalog_copy), "--out", str(tmp_path / "site"),
                                      "--cache-dir", str(tmp_path / "cache"), "--quiet",
                                      "--today", "2026-11-23", *extra])
        assert "Traceback" not in result.output
        return result.exit_code, result.output

    assert build()[0] == 0
    _add_broken(catalog_copy)
    code, output = build()
    assert code == 2
    assert "withheld 1" in output and "field-missing 1" in output
    assert build("--strict")[0] == 1
    (catalog_copy / "vocabularies.yaml").write_text("themes: [1, 2\n", encoding="utf-8")
    code, output = build()
    assert code == 1 and "nothing was published" in output


def test_check_lists_every_problem_of_a_dataset_missing_a_required_field(
        tmp_path: Path, catalog_copy: Path) -> None:
    # The broken copy misses its theme and also leaks an ID number: both are
    # reported in one run, and the summary counts every dataset folder.
    _add_broken(catalog_copy)
    csv = catalog_copy / "broken" / "data" / "bus-stops.csv"
    csv.write_text(csv.read_text("utf-8").replace("人民广场", ID_NUMBER), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(catalog_copy), "--today", "2026-11-23",
                                       "--no-validate"])
    assert result.exit_code == 1
    assert "field 'theme' is missing" in result.output
    assert "pii-unmasked" in result.output or "unmasked ID number" in result.output
    folders = len([p for p in catalog_copy.iterdir() if p.is_dir()])
    assert f"{folders} dataset folders found" in result.output
    assert "error(s) in 1 dataset(s)" in result.output
    assert "unknown-code" not in result.output  # the missing theme is not reported twice
