"""`portal check`: every problem at once, each with a stable code, file,
row and field (SPEC §3; the desensitization gate of 003 §22)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.check import run_check
from portal.cli import main
from tests.conftest import MINIMAL, TODAY


def flatten(root: Path, **kwargs: bool) -> list[tuple[str, str, int | None, str | None]]:
    report = run_check(root, TODAY, **kwargs)
    return [(p.code, p.file, p.row, p.field) for p in report.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_minimal_catalogue_has_no_errors() -> None:
    report = run_check(MINIMAL, TODAY)
    assert report.ok
    assert [p.code for p in report.warnings] == ["formula-cell"]


def test_all_problems_are_reported_at_once(catalog_copy: Path) -> None:
    bus = catalog_copy / "bus-stops" / "datapackage.yaml"
    edit(bus, "department: jtj", "department: nosuch")
    edit(bus, "theme: transport", "theme: 交通")
    edit(bus, "update_frequency: monthly", "update_frequency: sometimes")
    social = catalog_copy / "social-security" / "datapackage.yaml"
    edit(social, "open_conditions: 仅限金融机构用于信贷风险评估，需签署数据使用承诺书。\n", "")
    edit(social, "legal_basis: 《社会保险法》第八十一条\n", "")
    found = flatten(catalog_copy, validate=False)
    codes = sorted(code for code, *_ in found if code != "formula-cell")
    assert codes == ["legal-basis-missing", "open-conditions-missing", "unknown-code",
                     "unknown-code", "unknown-code"]
    fields = {field for code, _, _, field in found if code == "unknown-code"}
    assert fields == {"department", "theme", "update_frequency"}


def test_not_open_needs_legal_basis_too(catalog_copy: Path) -> None:
    edit(catalog_copy / "residents" / "datapackage.yaml",
         "legal_basis: 《中华人民共和国个人信息保护法》第十三条\n", "")
    assert ("legal-basis-missing", "residents/datapackage.yaml", None, "legal_basis") in \
        flatten(catalog_copy, validate=False)


def test_unconditional_needs_a_machine_readable_resource(catalog_copy: Path) -> None:
    folder = catalog_copy / "bus-stops"
    (folder / "data" / "report.pdf").write_bytes(b"%PDF-1.4 report")
    text = (folder / "datapackage.yaml").read_text(encoding="utf-8")
    head = text.split("resources:")[0]
    (folder / "datapackage.yaml").write_text(
        head + "resources:\n  - {name: report, path: data/report.pdf, format: pdf}\n",
        encoding="utf-8")
    assert ("no-machine-readable-resource", "bus-stops/datapackage.yaml", None, "resources") \
        in flatten(catalog_copy, validate=False)


def test_duplicate_identifiers(catalog_copy: Path) -> None:
    edit(catalog_copy / "social-security" / "datapackage.yaml", "name: rsj-0001", "name: jtj-0001")
    found = flatten(catalog_copy, validate=False)
    assert [f for f in found if f[0] == "duplicate-identifier"] == [
        ("duplicate-identifier", "social-security/datapackage.yaml", None, "name")]


def test_schema_violation_names_row_and_field(catalog_copy: Path) -> None:
    csv_path = catalog_copy / "bus-stops" / "data" / "bus-stops.csv"
    with csv_path.open("a", encoding="utf-8") as handle:
        handle.write("S0004,江边码头,not-a-number,31.2\n")
    found = flatten(catalog_copy)
    assert ("data-invalid", "bus-stops/data/bus-stops.csv", 4, "longitude") in found


def test_gate_rejects_unmasked_personal_identifiers_in_open_data(catalog_copy: Path) -> None:
    csv_path = catalog_copy / "bus-stops" / "data" / "bus-stops.csv"
    with csv_path.open("a", encoding="utf-8") as handle:
        # A valid GB 11643 ID number and a mobile number, both unmasked.
        handle.write("S0005,联系人身份证11010519491231002X,121.1,31.1\n")
        handle.write("S0006,站长电话13812345678,121.1,31.1\n")
        handle.write("S0007,已脱敏110105********002X 138****5678,121.1,31.1\n")
    report = run_check(catalog_copy, TODAY, validate=False)
    pii = [p for p in report.problems if p.code == "pii-unmasked"]
    assert [(p.row, p.field) for p in pii] == [(4, "stop_name"), (5, "stop_name")]
    for problem in pii:  # the report never repeats the value in clear
        assert "11010519491231002X" not in problem.message
        assert "13812345678" not in problem.message


def test_gate_ignores_conditional_data(catalog_copy: Path) -> None:
    # Conditional data is delivered to identified applicants, not published.
    csv_path = catalog_copy / "social-security" / "data" / "contributions.csv"
    with csv_path.open("a", encoding="utf-8") as handle:
        handle.write("联系人13812345678,1.0\n")
    assert not [f for f in flatten(catalog_copy, validate=False) if f[0] == "pii-unmasked"]


def test_broken_descriptor_and_unsafe_paths(catalog_copy: Path, tmp_path: Path) -> None:
    (catalog_copy / "social-security" / "datapackage.yaml").write_text(
        "name: rsj-0001\ntitle: [unclosed\n", encoding="utf-8")
    edit(catalog_copy / "bus-stops" / "datapackage.yaml", "path: data/bus-stops.csv",
         "path: ../../etc/passwd")
    outside = tmp_path / "outside.csv"
    outside.write_text("name\nx\n", encoding="utf-8")
    os.symlink(outside, catalog_copy / "residents" / "data" / "link.csv")
    edit(catalog_copy / "residents" / "datapackage.yaml", "path: data/residents.csv",
         "path: data/link.csv")
    found = flatten(catalog_copy, validate=False)
    codes = {(code, file) for code, file, *_ in found}
    assert ("yaml-invalid", "social-security/datapackage.yaml") in codes
    assert ("resource-path-unsafe", "bus-stops/datapackage.yaml") in codes
    assert ("resource-path-unsafe", "residents/datapackage.yaml") in codes


def test_gbk_descriptor_gets_an_encoding_error(catalog_copy: Path) -> None:
    path = catalog_copy / "bus-stops" / "datapackage.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    assert ("encoding-invalid", "bus-stops/datapackage.yaml", None, None) in \
        flatten(catalog_copy, validate=False)


def test_cli_exit_codes_and_json(catalog_copy: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(MINIMAL), "--today", "2026-11-23"])
    assert ok.exit_code == 0, ok.output
    edit(catalog_copy / "bus-stops" / "datapackage.yaml", "department: jtj", "department: nosuch")
    bad = runner.invoke(main, ["check", str(catalog_copy), "--today", "2026-11-23", "--json"])
    assert bad.exit_code == 1
    assert '"code": "unknown-code"' in bad.stdout


@pytest.mark.parametrize("missing", ["title", "open_type", "last_updated"])
def test_required_fields(catalog_copy: Path, missing: str) -> None:
    path = catalog_copy / "bus-stops" / "datapackage.yaml"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith(f"{missing}:")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert ("field-missing", "bus-stops/datapackage.yaml", None, missing) in \
        flatten(catalog_copy, validate=False)


def _add_resource(folder: Path, name: str, fmt: str, content: bytes) -> None:
    (folder / "data" / name).write_bytes(content)
    with (folder / "datapackage.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"  - {{name: {name.split('.')[0]}, path: data/{name}, format: {fmt}}}\n")


def test_gate_reads_non_tabular_files_that_would_be_published(catalog_copy: Path) -> None:
    folder = catalog_copy / "bus-stops"
    _add_resource(folder, "holders.geojson", "geojson",
                  b'{"type":"Feature","properties":{"id":"11010519491231002X"}}\n')
    _add_resource(folder, "page.html", "html", b"<script>alert(1)</script>")
    _add_resource(folder, "report.pdf", "pdf", b"%PDF-1.4")
    found = flatten(catalog_copy, validate=False)
    assert ("pii-unmasked", "bus-stops/data/holders.geojson", 1, None) in found
    assert ("format-not-publishable", "bus-stops/datapackage.yaml", None, "format") in found
    assert ("pii-unscannable", "bus-stops/data/report.pdf", None, "format") in found
