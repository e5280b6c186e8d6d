"""The labelled corpus (tests/pii_corpus.py) through the one detector, through
``portal check`` on CSV, XLSX, JSON and GeoJSON resources, and through the
build: no writing of an ID, mobile or card number is missed; the close
negatives pass and are published exactly as written (issue 11)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from builder.check import run_check
from domain.catalogue.desensitize import find_pii, mask_pii_text
from portal.cli import main
from tests.conftest import TODAY, run_build
from tests.pii_corpus import KINDS, Writing, negatives, positives

POSITIVES = positives()
NEGATIVES = negatives()

DESCRIPTOR = """\
name: jtj-0090
title: 语料测试数据
description: 检验脱敏规则的语料。
keywords: [测试]
department: jtj
theme: transport
region: "990100"
open_type: unconditional
provision: [download]
update_frequency: monthly
last_updated: 2026-11-01
published: 2024-03-01
level: L1
contact: {name: 市交通局数据管理科, phone: 0990-12345601, email: open@jtj.example}
resources:
"""
FIELDS = """\
    schema:
      fields:
        - {name: case, type: string, title: 编号}
        - {name: note, type: string, title: 备注}
"""


def test_corpus_has_sixty_writings_of_each_kind_and_close_negatives() -> None:
    counts = Counter(w.kind for w in {w.text: w for w in POSITIVES}.values())
    assert all(counts[kind] >= 60 for kind in KINDS), counts
    assert len({w.how for w in NEGATIVES}) >= 30


@pytest.mark.parametrize("writing", POSITIVES, ids=lambda w: f"{w.kind}: {w.how}")
def test_every_writing_is_caught(writing: Writing) -> None:
    hits = find_pii(writing.text)
    assert [h.kind.value for h in hits] == [writing.kind]
    masked = mask_pii_text(writing.text)
    assert find_pii(masked) == [] and masked != writing.text


@pytest.mark.parametrize("writing", NEGATIVES, ids=lambda w: w.how)
def test_close_negatives_pass(writing: Writing) -> None:
    assert find_pii(writing.text) == []


def write_dataset(catalog: Path, writings: list[Writing]) -> Path:
    """A dataset carrying ``writings`` in CSV, XLSX, JSON (ASCII-escaped
    strings) and GeoJSON resources, one writing per row or line."""
    folder = catalog / "pii-corpus"
    (folder / "data").mkdir(parents=True)
    rows = [(f"C{n:04d}", w.text) for n, w in enumerate(writings, start=1)]
    with (folder / "data" / "corpus.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case", "note"])
        writer.writerows(rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["case", "note"])
    for row in rows:
        sheet.append(list(row))
    book.save(folder / "data" / "corpus.xlsx")
    records = [{"case": case, "note": note} for case, note in rows]
    (folder / "data" / "corpus.json").write_text(json.dumps(records), encoding="utf-8")
    features = "\n".join(json.dumps({"type": "Feature", "properties": r}) for r in records)
    (folder / "data" / "corpus.geojson").write_text(features + "\n", encoding="utf-8")
    resources = "".join(
        f"  - name: corpus-{fmt}\n    path: data/corpus.{fmt}\n    format: {fmt}\n"
        + (FIELDS if fmt != "geojson" else "")
        for fmt in ("csv", "xlsx", "json", "geojson"))
    (folder / "datapackage.yaml").write_text(DESCRIPTOR + resources, encoding="utf-8")
    return folder


def flagged(catalog: Path) -> dict[str, set[int]]:
    report = run_check(catalog, TODAY, validate=False)
    rows: dict[str, set[int]] = {}
    for problem in report.problems:
        if problem.code == "pii-unmasked" and problem.file.startswith("pii-corpus/"):
            rows.setdefault(problem.file.rsplit(".", 1)[1], set()).add(problem.row or 0)
    return rows


def test_check_misses_no_writing_in_csv_xlsx_json_or_geojson(catalog_copy: Path) -> None:
    write_dataset(catalog_copy, POSITIVES)
    every_row = set(range(1, len(POSITIVES) + 1))
    found = flagged(catalog_copy)
    for fmt in ("csv", "xlsx", "json"):
        missed = [POSITIVES[row - 1] for row in every_row - found.get(fmt, set())]
        assert not missed, f"{fmt}: {missed[:5]}"
    # GeoJSON is read line by line: the first feature is on line 1.
    missed = [POSITIVES[row - 1] for row in every_row - found.get("geojson", set())]
    assert not missed, f"geojson: {missed[:5]}"


def test_check_lets_close_negatives_through(catalog_copy: Path) -> None:
    write_dataset(catalog_copy, NEGATIVES)
    assert flagged(catalog_copy) == {}


def test_portal_check_and_build_refuse_the_corpus(catalog_copy: Path, tmp_path: Path) -> None:
    write_dataset(catalog_copy, POSITIVES[::7])
    result = CliRunner().invoke(main, ["check", str(catalog_copy), "--today", "2026-11-23",
                                       "--json", "--no-validate"])
    assert result.exit_code == 1
    assert result.stdout.count('"pii-unmasked"') >= 4 * len(POSITIVES[::7])
    for writing in POSITIVES[::7]:  # the report never repeats a value in clear
        assert writing.text not in result.stdout
    # The build withholds the dataset carrying them (and publishes the rest).
    out = tmp_path / "site"
    built = run_build(catalog_copy, out)
    assert list(built.changes.withheld) == ["jtj-0090"]
    assert set(built.changes.withheld["jtj-0090"]) == {"pii-unmasked"}
    assert not (out / "datasets" / "jtj-0090").exists()
    site_text = "".join(p.read_text(encoding="utf-8", errors="replace")
                        for p in out.rglob("*") if p.is_file() and p.suffix in (".csv", ".json"))
    assert all(w.text not in site_text for w in POSITIVES[::7])


def test_build_publishes_what_passes_as_written(catalog_copy: Path, tmp_path: Path) -> None:
    write_dataset(catalog_copy, NEGATIVES)
    out = tmp_path / "site"
    run_build(catalog_copy, out)
    published = (out / "datasets" / "jtj-0090" / "corpus-csv.csv").read_text(encoding="utf-8-sig")
    for writing in NEGATIVES:
        assert writing.text in published, writing


def test_numbers_stored_as_numbers_are_caught(catalog_copy: Path) -> None:
    """A spreadsheet or JSON file often keeps a phone or card column as
    numbers (a float in Excel): the cell text the gate reads is the number."""
    from random import Random

    from tests.pii_corpus import make_card, make_mobile

    rng = Random(3)
    numbers = [int(make_mobile(rng)), float(make_mobile(rng)), int(make_card(rng, 16, "622588"))]
    folder = write_dataset(catalog_copy, [Writing("x", None, "placeholder")] * len(numbers))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["case", "note"])
    for n, value in enumerate(numbers, start=1):
        sheet.append([f"C{n:04d}", value])
    book.save(folder / "data" / "corpus.xlsx")
    (folder / "data" / "corpus.json").write_text(json.dumps(
        [{"case": f"C{n:04d}", "note": value} for n, value in enumerate(numbers, start=1)]),
        encoding="utf-8")
    found = flagged(catalog_copy)
    assert found.get("xlsx") == {1, 2, 3}
    assert found.get("json") == {1, 2, 3}
