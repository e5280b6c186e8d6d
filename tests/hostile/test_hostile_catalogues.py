"""Malformed and hostile catalogues (issue #6).

Every case breaks a copy of the minimal catalogue in one way, then runs
``portal check`` and ``portal build`` as a user would (``CliRunner`` on
``portal.cli.main``) and the library's ``run_check``. For each case:

- ``portal check`` exits 1 with an error naming the file and field (or 0
  where the input is legitimately fine), by ``sys.exit``: never a traceback;
- ``run_check`` returns a report and never raises;
- ``portal build`` exits 0 or 1 cleanly, and afterwards no file exists
  outside the output and cache folders (the whole tmp tree is snapshotted
  before and after), and no byte of a file outside the catalogue reaches
  the site.

Inputs that could crash or hang the process (deep nesting, YAML bombs) run
in a child process with a time and memory limit.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from builder.check import run_check
from builder.withholding import split_errors
from domain.catalogue.paths import dataset_folders
from tests.conftest import MINIMAL, REPO, TODAY, run_build
from tests.hostile.helpers import (
    OUTSIDE_MARKER,
    TODAY_ARG,
    assert_clean_exit,
    changes,
    edit_descriptor,
    invoke,
    snapshot,
    write_descriptor,
)

Setup = Callable[[Path, Path], None]
BUS = "bus-stops/datapackage.yaml"
BUS_CSV = "bus-stops/data/bus-stops.csv"
CSV_HEADER = "stop_id,stop_name,longitude,latitude\n"


@dataclass(frozen=True)
class Case:
    id: str
    setup: Setup
    exit: int  # of `portal check`
    expect: tuple[str, ...] = ()  # substrings of its output (code, file, field)


def _csv(catalog: Path, text: str | bytes) -> None:
    path = catalog / BUS_CSV
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def _set(key: str, value: Any, folder: str = "bus-stops") -> Setup:
    def setup(catalog: Path, outside: Path) -> None:
        def change(d: dict[str, Any]) -> None:
            d[key] = value
        edit_descriptor(catalog, change, folder)
    return setup


def _resource_path(value: str) -> Setup:
    def setup(catalog: Path, outside: Path) -> None:
        edit_descriptor(catalog, lambda d: d["resources"][0].update(path=value))
    return setup


def _raw_descriptor(text: str | bytes, name: str = "datapackage.yaml") -> Setup:
    def setup(catalog: Path, outside: Path) -> None:
        (catalog / "bus-stops" / "datapackage.yaml").unlink()
        target = catalog / "bus-stops" / name
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return setup


def _descriptor_bytes(transform: Callable[[str], bytes]) -> Setup:
    def setup(catalog: Path, outside: Path) -> None:
        path = catalog / BUS
        path.write_bytes(transform(path.read_text(encoding="utf-8")))
    return setup


# -- data files --------------------------------------------------------------

def _gbk_csv(catalog: Path, outside: Path) -> None:
    _csv(catalog, (CSV_HEADER + "S0001,人民广场,121.47,31.23\n").encode("gbk"))


def _bom_csv(catalog: Path, outside: Path) -> None:
    _csv(catalog, b"\xef\xbb\xbf" + (CSV_HEADER + "S0001,人民广场,121.47,31.23\n").encode())


def _huge_cell(catalog: Path, outside: Path) -> None:
    _csv(catalog, CSV_HEADER + "S0001," + "长" * (5 * 1024 * 1024 // 3) + ",121.47,31.23\n"
         + "S0002,火车站,121.45,31.25\n")


def _many_columns_matching(catalog: Path, outside: Path) -> None:
    names = [f"c{i}" for i in range(1000)]
    _csv(catalog, ",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    edit_descriptor(catalog, lambda d: d["resources"][0].update(schema={"fields": [
        {"name": n, "type": "integer", "title": f"第{n}列"} for n in names]}))


def _many_columns_unlisted(catalog: Path, outside: Path) -> None:
    names = [f"c{i}" for i in range(20000)]
    _csv(catalog, ",".join(names) + "\n" + ",".join("x" for _ in names) + "\n")


def _empty_csv(catalog: Path, outside: Path) -> None:
    _csv(catalog, b"")


def _header_only(catalog: Path, outside: Path) -> None:
    _csv(catalog, CSV_HEADER)


FORMULAS = ["=CMD()", "+SUM(1)", "@x", "-2+3", "=HYPERLINK(\"http://evil.example\",\"x\")",
            "\t=1+1"]


def _formulas(catalog: Path, outside: Path) -> None:
    rows = [f"S{i:04d},\"{cell}\",121.4,31.2" for i, cell in
            enumerate(f.replace('"', '""') for f in FORMULAS)]
    rows.append("S0100,-5,121.4,31.2")  # a negative number stays a number
    _csv(catalog, CSV_HEADER + "\n".join(rows) + "\n")


def _nul_byte(catalog: Path, outside: Path) -> None:
    _csv(catalog, (CSV_HEADER + "S0001,人民\x00广场,121.47,31.23\n").encode())


def _unbalanced_quote(catalog: Path, outside: Path) -> None:
    _csv(catalog, CSV_HEADER + 'S0001,"人民广场,121.47,31.23\nS0002,x,1,2\n')


# -- paths and links ---------------------------------------------------------

def _symlink_file(catalog: Path, outside: Path) -> None:
    target = catalog / BUS_CSV
    target.unlink()
    os.symlink(outside / "secret.csv", target)


def _symlink_folder_out(catalog: Path, outside: Path) -> None:
    # A complete, valid dataset outside the catalogue, linked in.
    foreign = outside / "foreign"
    (foreign / "data").mkdir(parents=True)
    (foreign / "data" / "d.csv").write_text(f"v\n{OUTSIDE_MARKER}\n", encoding="utf-8")
    write_descriptor(foreign.parent, {
        "name": "jtj-0099", "title": "外部", "description": "x", "department": "jtj",
        "theme": "transport", "open_type": "unconditional", "update_frequency": "monthly",
        "last_updated": "2026-11-01", "published": "2024-01-01",
        "resources": [{"name": "d", "path": "data/d.csv", "format": "csv",
                       "schema": {"fields": [{"name": "v", "type": "string", "title": "值"}]}}]},
        folder="foreign")
    os.symlink(foreign, catalog / "linked")


def _symlink_descriptor_out(catalog: Path, outside: Path) -> None:
    (outside / "datapackage.yaml").write_text((catalog / BUS).read_text(encoding="utf-8")
                                              + f"usage_requirements: {OUTSIDE_MARKER}\n",
                                              encoding="utf-8")
    (catalog / BUS).unlink()
    os.symlink(outside / "datapackage.yaml", catalog / BUS)


def _symlink_loop(catalog: Path, outside: Path) -> None:
    os.symlink(catalog, catalog / "loop")


def _schema_outside(value: str) -> Setup:
    def setup(catalog: Path, outside: Path) -> None:
        (outside / "schema.json").write_text(json.dumps({"fields": [
            {"name": "stop_id", "type": "string", "title": OUTSIDE_MARKER}]}), encoding="utf-8")
        edit_descriptor(catalog, lambda d: d["resources"][0].update(schema=value))
    return setup


def _rename_folder(name: str) -> Setup:
    def setup(catalog: Path, outside: Path) -> None:
        (catalog / "bus-stops").rename(catalog / name)
    return setup


def _duplicate(identifier: str) -> Setup:
    def setup(catalog: Path, outside: Path) -> None:
        shutil.copytree(catalog / "bus-stops", catalog / "bus-stops-2")
        edit_descriptor(catalog, lambda d: d.update(name=identifier), folder="bus-stops-2")
    return setup


# -- vocabularies and portal settings -----------------------------------------

def _vocab(change: Callable[[dict[str, Any]], None]) -> Setup:
    import yaml

    def setup(catalog: Path, outside: Path) -> None:
        path = catalog / "vocabularies.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return setup


def _department_code(code: str) -> Setup:
    def change(data: dict[str, Any]) -> None:
        data["departments"][2]["code"] = code  # jtj
    inner = _vocab(change)

    def setup(catalog: Path, outside: Path) -> None:
        inner(catalog, outside)
        edit_descriptor(catalog, lambda d: d.update(department=code))
    return setup


def _portal(key: str, value: Any) -> Setup:
    import yaml

    def setup(catalog: Path, outside: Path) -> None:
        path = catalog / "portal.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data[key] = value
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return setup


def _bom_everywhere(catalog: Path, outside: Path) -> None:
    for rel in (BUS, "vocabularies.yaml", "portal.yaml"):
        path = catalog / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


CASES = [
    # Descriptors
    Case("broken-yaml", _raw_descriptor("name: jtj-0001\ntitle: [unclosed\n"), 1,
         ("yaml-invalid", BUS, "line 3")),
    Case("broken-yaml-tab", _raw_descriptor("name: jtj-0001\n\ttitle: x\n"), 1,
         ("yaml-invalid", BUS, "line 2")),
    Case("broken-json", _raw_descriptor('{"name": "jtj-0001", "title": }', "datapackage.json"), 1,
         ("yaml-invalid", "bus-stops/datapackage.json", "line 1 column 31")),
    Case("descriptor-is-list", _raw_descriptor("- name: jtj-0001\n- title: x\n"), 1,
         ("descriptor-invalid", BUS, "got list")),
    Case("json-descriptor-is-list", _raw_descriptor("[1, 2, 3]", "datapackage.json"), 1,
         ("descriptor-invalid", "bus-stops/datapackage.json", "got list")),
    Case("descriptor-is-scalar", _raw_descriptor("just text\n"), 1,
         ("descriptor-invalid", BUS, "got str")),
    Case("descriptor-empty", _raw_descriptor(""), 1, ("descriptor-invalid", BUS)),
    Case("descriptor-gbk", _descriptor_bytes(lambda t: t.encode("gbk")), 1,
         ("encoding-invalid", BUS)),
    Case("descriptor-utf16", _descriptor_bytes(lambda t: t.encode("utf-16")), 1,
         ("encoding-invalid", BUS)),
    Case("descriptor-python-tag", _descriptor_bytes(
        lambda t: (t + "extra: !!python/object/apply:os.system ['echo pwned']\n").encode()), 1,
        ("yaml-invalid", BUS)),
    Case("bom-in-yaml-and-csv", lambda c, o: (_bom_everywhere(c, o), _bom_csv(c, o)) and None, 0),
    # Data files
    Case("csv-gbk", _gbk_csv, 1, ("data-invalid", BUS_CSV, "UTF-8")),
    Case("csv-bom", _bom_csv, 0),
    Case("csv-huge-cell", _huge_cell, 0),
    Case("csv-1000-columns", _many_columns_matching, 0),
    Case("csv-20000-columns-unlisted", _many_columns_unlisted, 1, ("data-invalid", BUS_CSV)),
    Case("csv-empty", _empty_csv, 1, ("data-invalid", BUS_CSV)),
    Case("csv-header-only", _header_only, 0),
    Case("csv-formula-cells", _formulas, 0, ("formula-cell", BUS_CSV)),
    Case("csv-nul-byte", _nul_byte, 0),
    Case("csv-unbalanced-quote", _unbalanced_quote, 1, ("data-invalid", BUS_CSV)),
    Case("xlsx-garbage", lambda c, o: (
        (c / "bus-stops" / "data" / "x.xlsx").write_bytes(b"PK\x03\x04 not a zip"),
        edit_descriptor(c, lambda d: d["resources"][0].update(path="data/x.xlsx", format="xlsx")))
        and None, 1, ("data-invalid", "bus-stops/data/x.xlsx")),
    # Paths that leave the dataset folder
    *[Case(f"path-{label}", _resource_path(value), 1,
           ("resource-path-unsafe", BUS, "resources[0].path"))
      for label, value in [("dotdot", "../../etc/passwd"), ("absolute", "/etc/passwd"),
                           ("inner-dotdot", "data/../../x.csv"),
                           ("url", "https://evil.example/x.csv"),
                           ("file-url", "file:///etc/passwd"),
                           ("backslash", "data\\..\\..\\x.csv"),
                           ("windows-drive", "C:\\Windows\\win.ini"),
                           ("unc", "\\\\server\\share\\x.csv"),
                           ("sibling", "../bus-stops/../../x.csv")]],
    Case("path-nul", _resource_path("data/bus-stops.csv\x00.txt"), 1,
         ("resources[0].path",)),
    Case("format-traversal", lambda c, o: edit_descriptor(c, lambda d: d["resources"][0].update(
        path="data/doc.pdf", format="pdf/../../../../../../pwned")) or
        (c / "bus-stops" / "data" / "doc.pdf").write_bytes(b"%PDF-1.4 x") and None, 1,
        ("field-invalid", BUS, "resources[0].format")),
    Case("resource-name-traversal", lambda c, o: edit_descriptor(
        c, lambda d: d["resources"][0].update(name="../../../../pwned")), 0),
    Case("symlink-file-outside", _symlink_file, 1,
         ("resource-path-unsafe", BUS, "resources[0].path")),
    Case("symlink-dataset-folder-outside", _symlink_folder_out, 1,
         ("dataset-folder-unsafe", "linked")),
    Case("symlink-descriptor-outside", _symlink_descriptor_out, 1,
         ("dataset-folder-unsafe", BUS)),
    Case("symlink-folder-loop", _symlink_loop, 1, ("dataset-folder-unsafe", "loop")),
    Case("schema-outside-dotdot", _schema_outside("../../outside/schema.json"), 1,
         ("resource-path-unsafe", BUS, "resources[0].schema")),
    Case("schema-absolute", _schema_outside("/etc/passwd"), 1,
         ("resource-path-unsafe", BUS, "resources[0].schema")),
    Case("schema-url", _schema_outside("https://evil.example/schema.json"), 1,
         ("resource-path-unsafe", BUS, "resources[0].schema")),
    # Folder names and identifiers
    Case("folder-dotdot-like", _rename_folder("..bus"), 0),  # hidden: not a dataset (documented)
    Case("folder-dots-inside", _rename_folder("bus..stops"), 0),
    Case("folder-unicode", _rename_folder("公交站点 ①"), 0),
    Case("folder-html-name", _rename_folder("<script>alert(1)<"), 0),
    Case("duplicate-id-case", _duplicate("JTJ-0001"), 1, ("identifier-invalid", "JTJ-0001")),
    Case("duplicate-id", _duplicate("jtj-0001"), 1,
         ("duplicate-identifier", "bus-stops-2/datapackage.yaml")),
    Case("identifier-traversal", _set("name", "../../pwned"), 1, ("identifier-invalid", BUS)),
    Case("identifier-unicode", _set("name", "ｊｔｊ-0001"), 1, ("identifier-invalid", BUS)),
    # Values of the wrong kind
    Case("date-month-13", _descriptor_bytes(
        lambda t: t.replace("last_updated: 2026-11-01", "last_updated: 2026-13-45").encode()), 1,
        ("field-invalid", BUS, "last_updated")),
    Case("date-feb-30", _descriptor_bytes(
        lambda t: t.replace("published: 2024-03-01", "published: 2024-02-30").encode()), 1,
        ("field-invalid", BUS, "published")),
    Case("date-quoted-garbage", _set("last_updated", "2026-13-45"), 1,
         ("field-invalid", BUS, "last_updated")),
    Case("date-year-only", _set("published", 2024), 1, ("field-invalid", BUS, "published")),
    Case("date-basic-iso-number", _set("published", 20240301), 0),  # unambiguous: accepted
    Case("date-week", _set("published", "2024-W09-5"), 1, ("field-invalid", BUS, "published")),
    Case("date-list", _set("published", [2024, 3, 1]), 1, ("field-invalid", BUS, "published")),
    Case("licenses-mapping", _set("licenses", {"name": "CC-BY-4.0"}), 1,
         ("field-invalid", BUS, "licenses")),
    Case("title-number", _set("title", 12345), 0),
    Case("title-list", _set("title", ["公交", "站点"]), 1, ("field-invalid", BUS, "title")),
    Case("title-mapping", _set("title", {"zh": "公交"}), 1, ("field-invalid", BUS, "title")),
    Case("description-list", _set("description", [1, 2]), 1,
         ("field-invalid", BUS, "description")),
    Case("keywords-number", _set("keywords", 5), 1, ("field-invalid", BUS, "keywords")),
    Case("keywords-mapping", _set("keywords", {"a": 1}), 1, ("field-invalid", BUS, "keywords")),
    Case("resources-number", _set("resources", 5), 1, ("field-invalid", BUS, "resources")),
    Case("resources-mapping", _set("resources", {"path": "data/bus-stops.csv"}), 1,
         ("field-invalid", BUS, "resources")),
    Case("resources-text-before-a-good-one", lambda c, o: edit_descriptor(
        c, lambda d: d.update(resources=["data/bus-stops.csv", *d["resources"]])), 1,
        ("field-invalid", BUS, "resources[0]")),
    Case("resources-unsafe-before-a-good-one", lambda c, o: edit_descriptor(
        c, lambda d: d.update(resources=[{"path": "../../x.csv"}, *d["resources"]])), 1,
        ("resource-path-unsafe", BUS, "resources[0].path")),
    Case("provision-number", _set("provision", 5), 1, ("field-invalid", BUS, "provision")),
    Case("declared-formats-number", _set("declared_formats", 5), 1,
         ("field-invalid", BUS, "declared_formats")),
    Case("schema-fields-number", lambda c, o: edit_descriptor(
        c, lambda d: d["resources"][0].update(schema={"fields": 5})), 1,
        ("field-invalid", BUS, "resources[0].schema")),
    Case("pii-exempt-mapping", lambda c, o: edit_descriptor(
        c, lambda d: d["resources"][0]["schema"]["fields"][0].update(pii_exempt={"a": 1})), 1,
        ("field-invalid", BUS, "pii_exempt")),
    Case("contact-list", _set("contact", ["a", "b"]), 1, ("field-invalid", BUS, "contact")),
    Case("withdrawal-bad-date", lambda c, o: edit_descriptor(c, lambda d: d.update(
        status="withdrawn", withdrawal={"date": "2026-99-99", "reason": "x"})), 1,
        ("field-invalid", BUS, "withdrawal.date")),
    Case("emergency-list-date", _set("emergency", {"event": "x", "since": [1]}), 1,
         ("field-invalid", BUS, "emergency")),
    Case("huge-integer", _descriptor_bytes(
        lambda t: (t + "region_code_extra: " + "9" * 5000 + "\n").encode()), 1,
        ("yaml-invalid", BUS)),
    # Vocabularies and portal settings
    Case("department-code-traversal", _department_code("../../../../pwned"), 1,
         ("vocabulary-invalid", "vocabularies.yaml", "departments")),
    Case("department-code-slash", _department_code("a/b"), 1,
         ("vocabulary-invalid", "vocabularies.yaml")),
    Case("vocab-max-age-text", _vocab(lambda d: d["update_frequencies"][0].update(
        max_age_days="soon")), 1, ("vocabulary-invalid", "vocabularies.yaml")),
    Case("vocab-aliases-number", _vocab(lambda d: d["themes"][0].update(aliases=5)), 1,
         ("vocabulary-invalid", "vocabularies.yaml")),
    Case("vocab-is-list", lambda c, o: (c / "vocabularies.yaml").write_text(
        "- a\n- b\n", encoding="utf-8") and None, 1, ("vocabulary-invalid", "vocabularies.yaml")),
    Case("vocab-departments-mapping", _vocab(lambda d: d.update(departments={"jtj": "x"})), 1,
         ("vocabulary-invalid", "vocabularies.yaml")),
    Case("portal-is-list", lambda c, o: (c / "portal.yaml").write_text(
        "- a\n", encoding="utf-8") and None, 1, ("portal-config-invalid", "portal.yaml")),
    Case("portal-javascript-service-url", _portal("request_service_url", "javascript:alert(1)//"),
         1, ("portal-config-invalid", "portal.yaml", "request_service_url")),
    Case("portal-javascript-licence-url", _portal("licence_url", " JavaScript:alert(1)"), 1,
         ("portal-config-invalid", "portal.yaml", "licence_url")),
    Case("portal-data-base-url", _portal("base_url", "data:text/html,<script>x</script>"), 1,
         ("portal-config-invalid", "portal.yaml", "base_url")),
    Case("portal-quote-in-url", _portal("search_api_url", 'https://x.example/"><script>'), 1,
         ("portal-config-invalid", "portal.yaml", "search_api_url")),
    # Links a browser would run or open as a document (issue 11)
    Case("contact-javascript-email", _set("contact", {"name": "科室", "email": "javascript:alert(1)"}),
         1, ("link-unsafe", BUS, "contact.email")),
    Case("contact-tab-in-scheme", _set("contact", {"name": "科室", "phone": " java\tscript:x()"}),
         1, ("link-unsafe", BUS, "contact.phone")),
    Case("licence-data-path", _set("licenses", [{"name": "x", "title": "协议",
                                                 "path": "data:text/html,<script>x</script>"}]),
         1, ("link-unsafe", BUS, "licenses[0].path")),
    Case("licence-vbscript-path", _set("licenses", [{"name": "x", "path": "VBScript:msgbox(1)"}]),
         1, ("link-unsafe", BUS, "licenses[0].path")),
    Case("portal-javascript-contact", _portal("contact_email", " JavaScript:alert(1)//@x.cn"), 1,
         ("link-unsafe", "portal.yaml", "contact_email")),
    Case("department-data-contact", _vocab(lambda d: d["departments"][2].update(
        contact_email="data:text/html,x")), 1, ("vocabulary-invalid", "vocabularies.yaml")),
    Case("licence-and-contact-safe-links", _set("licenses", [
        {"name": "cc-by", "path": "https://creativecommons.org/licenses/by/4.0/"},
        {"name": "mail", "path": "mailto:open@jtj.example"}]), 0),
]


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path, Path]:
    """``tmp/work/catalog`` (a copy of the minimal catalogue), ``tmp/outside``
    (files a catalogue must never publish) and ``tmp/work/out`` (for build)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(f"stop_id,stop_name,longitude,latitude\n"
                                        f"{OUTSIDE_MARKER},x,1,2\n", encoding="utf-8")
    catalog = tmp_path / "work" / "catalog"
    shutil.copytree(MINIMAL, catalog)
    return tmp_path, catalog, outside


@pytest.fixture(scope="session")
def theme_outputs(minimal_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    """The theme's output as a build leaves it in its cache (builder/theme.py),
    for the minimal catalogue whole (True) and with bus-stops withheld for an
    error (False): the two catalogues nearly every case builds. Built once
    per session."""
    root = tmp_path_factory.mktemp("withheld")
    catalog = root / "catalog"
    shutil.copytree(MINIMAL, catalog)
    (catalog / BUS).write_text("", encoding="utf-8")
    run_build(catalog, root / "site")
    return {True: minimal_site.parent / "cache" / "theme", False: root / "cache" / "theme"}


def _site_bytes_contain(site: Path, needle: bytes) -> list[str]:
    return [p.relative_to(site).as_posix() for p in site.rglob("*")
            if p.is_file() and needle in p.read_bytes()]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_catalogue_gets_a_clear_answer(case: Case, workspace: tuple[Path, Path, Path],
                                                 theme_outputs: dict[bool, Path]) -> None:
    root, catalog, outside = workspace
    case.setup(catalog, outside)
    out = root / "work" / "out"
    # The build's cache starts with the theme's output for the catalogue the
    # case is expected to publish: the theme's generator runs again only
    # when the case changes its pages, which the cache's key covers.
    shutil.copytree(theme_outputs[case.exit == 0], out / "cache" / "theme")
    before = snapshot(root)

    checked = invoke("check", str(catalog), *TODAY_ARG)
    assert_clean_exit(checked, case.exit)
    for text in case.expect:
        assert text in checked.output, f"{text!r} not in:\n{checked.output[-3000:]}"
    report = run_check(catalog, TODAY)  # the library never raises either
    assert report.ok == (case.exit == 0), [p.format()[:300] for p in report.errors]
    assert changes(before, snapshot(root)) == set(), "portal check wrote files"

    built = invoke("build", str(catalog), "--out", str(out / "site"),
                   "--cache-dir", str(out / "cache"), "--quiet", *TODAY_ARG)
    # Issue 13: a catalogue-wide error stops the build (exit 1, nothing
    # written); errors of single datasets withhold them (exit 2).
    folders = {f.name for f in dataset_folders(catalog)} if catalog.is_dir() else set()
    wide, _ = split_errors(report.problems, folders)
    assert_clean_exit(built, 1 if wide else 2 if case.exit else 0)
    if wide:
        assert "nothing was published" in built.output
    elif case.exit:
        assert "withheld" in built.output
    escaped = {p for p in changes(before, snapshot(root))
               if p != "work/out" and not p.startswith("work/out/")}
    assert escaped == set(), f"build wrote outside its output folder: {sorted(escaped)}"
    assert not list(root.parent.glob("pwned*"))
    site = out / "site"
    if site.is_dir():
        assert _site_bytes_contain(site, OUTSIDE_MARKER.encode()) == []


def test_default_cache_sits_beside_the_output_and_nothing_else_is_written(
        workspace: tuple[Path, Path, Path]) -> None:
    root, catalog, outside = workspace
    _department_code("../../../../pwned")(catalog, outside)
    out = root / "work" / "out" / "site"
    before = snapshot(root)
    assert_clean_exit(invoke("build", str(catalog), "--out", str(out), "--quiet", *TODAY_ARG), 1)
    # A refused build leaves at most the (empty) output folder it was given.
    assert changes(before, snapshot(root)) <= {"work/out", "work/out/site"}
    vocab = catalog / "vocabularies.yaml"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace("../../../../pwned", "jtj"),
                     encoding="utf-8")
    edit_descriptor(catalog, lambda d: d.update(department="jtj"))
    before = snapshot(root)
    assert_clean_exit(invoke("build", str(catalog), "--out", str(out), "--quiet", *TODAY_ARG), 0)
    written = changes(before, snapshot(root))
    assert written and {p for p in written if not p.startswith(
        ("work/out/site/", "work/out/.portal-cache"))} == set()


def test_builder_refuses_to_write_a_page_outside_the_site(tmp_path: Path) -> None:
    from builder.build import BuildConfig, UnsafeOutput, _Builder

    builder = _Builder(BuildConfig(catalog_dir=MINIMAL, out_dir=tmp_path / "a" / "site",
                                   today=TODAY, cache_dir=tmp_path / "cache"))
    for rel in ("../x.html", "departments/../../x.html", "/tmp/x.html", "a\\..\\x", ""):
        with pytest.raises(UnsafeOutput):
            builder.emit(rel, "<p>x</p>")
    assert not list(tmp_path.rglob("x.html"))


# -- what the site makes of legitimately odd data ------------------------------

def _build(catalog: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    result = invoke("build", str(catalog), "--out", str(out / "site"),
                    "--cache-dir", str(out / "cache"), "--quiet", *TODAY_ARG)
    assert_clean_exit(result, 0)
    return out / "site" / "datasets" / "jtj-0001"


def test_formula_cells_are_neutralised_for_excel_and_exact_in_csv(
        workspace: tuple[Path, Path, Path]) -> None:
    root, catalog, outside = workspace
    _formulas(catalog, outside)
    source = (catalog / BUS_CSV).read_bytes()
    folder = _build(catalog, root)
    assert (folder / "bus-stops.csv").read_bytes() == source
    import csv
    import io

    excel_bytes = (folder / "bus-stops.excel.csv").read_bytes()
    assert excel_bytes.startswith(b"\xef\xbb\xbf")
    excel = list(csv.reader(io.StringIO(excel_bytes.decode("utf-8-sig"))))
    names = [row[1] for row in excel[1:]]
    assert names[:len(FORMULAS)] == ["'" + f for f in FORMULAS]
    assert names[-1] == "-5"  # numbers are left alone
    for cell in (c for row in excel for c in row):
        assert cell[:1] not in ("=", "+", "@", "\t", "\r") and not (
            cell.startswith("-") and cell != "-5"), cell
    records = json.loads((folder / "bus-stops.json").read_text(encoding="utf-8"))
    assert [r["stop_name"] for r in records][:len(FORMULAS)] == FORMULAS


def test_bom_csv_publishes_clean_header(workspace: tuple[Path, Path, Path]) -> None:
    root, catalog, outside = workspace
    _bom_csv(catalog, outside)
    folder = _build(catalog, root)
    assert (folder / "bus-stops.csv").read_bytes().startswith(b"stop_id,")
    records = json.loads((folder / "bus-stops.json").read_text(encoding="utf-8"))
    assert list(records[0]) == ["stop_id", "stop_name", "longitude", "latitude"]


def test_huge_cell_is_published_exact_but_the_page_stays_small(
        workspace: tuple[Path, Path, Path]) -> None:
    root, catalog, outside = workspace
    _huge_cell(catalog, outside)
    folder = _build(catalog, root)
    assert (folder / "bus-stops.csv").read_bytes() == (catalog / BUS_CSV).read_bytes()
    assert (folder / "index.html").stat().st_size < 200_000


def test_resource_name_cannot_steer_download_file_names(
        workspace: tuple[Path, Path, Path]) -> None:
    root, catalog, outside = workspace
    edit_descriptor(catalog, lambda d: d["resources"][0].update(name="../../../../pwned"))
    folder = _build(catalog, root)
    assert sorted(p.name for p in folder.iterdir()) == [
        "datapackage.json", "index.html", "pwned.csv", "pwned.excel.csv", "pwned.json", "pwned.xlsx"]


def test_vocabulary_and_descriptor_bom_is_accepted(workspace: tuple[Path, Path, Path]) -> None:
    root, catalog, outside = workspace
    _bom_everywhere(catalog, outside)
    report = run_check(catalog, TODAY)
    assert report.ok and len(report.catalog.datasets) == 3
    assert report.catalog.portal.name == "测试市公共数据开放平台"


# -- inputs that could crash or exhaust the process ----------------------------

BOMB = "\n".join([
    "lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    *[f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)],
])

Text = Callable[[str, str], str]  # (bus-stops descriptor, vocabularies.yaml) -> file text
EXPLODERS: dict[str, tuple[str, Text]] = {
    "yaml-bomb-extra": (BUS, lambda d, v: d + BOMB + "\nextra: *a9\n"),
    "yaml-bomb-title": (BUS, lambda d, v: BOMB + "\n" + d.replace("title:", "old_title:")
                        + "title: *a9\n"),
    "yaml-bomb-merge": (BUS, lambda d, v: BOMB + "\n" + d + "m:\n  <<: *a9\n"),
    "yaml-recursive-alias": (BUS, lambda d, v: d + "loop: &l [*l, *l]\n"),
    "yaml-deep-flow": (BUS, lambda d, v: d + "deep: " + "[" * 200_000 + "]" * 200_000 + "\n"),
    "yaml-deep-block": (BUS, lambda d, v: d + "deep:\n" + "- " * 100_000 + "x\n"),
    "yaml-deep-flow-then-wide": (BUS, lambda d, v: d + "deep: " + "[" * 1000 + "1," * 300_000
                                 + "]" * 1000 + "\n"),
    "json-deep": ("bus-stops/datapackage.json",
                  lambda d, v: '{"name": "jtj-0001", "deep": ' + "[" * 100_000
                  + "]" * 100_000 + "}"),
    "yaml-deep-vocabulary": ("vocabularies.yaml",
                             lambda d, v: v + "extra: " + "[" * 50_000 + "]" * 50_000 + "\n"),
}

_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))
from click.testing import CliRunner
from portal.cli import main
result = CliRunner().invoke(main, ["check", sys.argv[1], "--today", "2026-11-23", "--no-validate"])
print(result.output[:2500])
print("EXIT", result.exit_code, type(result.exception).__name__)
"""


@pytest.mark.parametrize("name", sorted(EXPLODERS))
def test_nesting_and_alias_bombs_fail_fast_in_bounded_memory(
        name: str, workspace: tuple[Path, Path, Path]) -> None:
    root, catalog, outside = workspace
    rel, make = EXPLODERS[name]
    text = make((catalog / BUS).read_text(encoding="utf-8"),
                (catalog / "vocabularies.yaml").read_text(encoding="utf-8"))
    if rel.endswith(".json"):
        (catalog / BUS).unlink()
    (catalog / rel).write_text(text, encoding="utf-8")
    started = time.monotonic()
    child = subprocess.run([sys.executable, "-c", _CHILD, str(catalog)], cwd=REPO,
                           capture_output=True, text=True, timeout=60,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    seconds = time.monotonic() - started
    assert child.returncode == 0, f"child died ({child.returncode}): {child.stderr[-2000:]}"
    assert "EXIT 1 SystemExit" in child.stdout, child.stdout[-2000:]
    assert "yaml-invalid" in child.stdout, child.stdout[-2000:]
    assert rel in child.stdout
    assert "Traceback" not in child.stdout + child.stderr
    assert seconds < 20, f"took {seconds:.1f} s"
    # The child's peak memory (RLIMIT_AS above would have killed a bomb).
    usage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert usage < 1_000_000, f"peak RSS {usage} KiB"
