"""Download forms: each form carries its writer, so the registry alone says
which files a table becomes (builder.downloads.DOWNLOAD_FORMS)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from builder.downloads import (
    DOWNLOAD_FORMS,
    DownloadForm,
    TableSource,
    write_resource_downloads,
)
from domain.catalogue.model import Field, Resource

TABLE = Resource("stops", "stops.csv", "csv",
                 fields=(Field("name", title="站点名称"), Field("lines", type="integer")))


def _source(tmp_path: Path, text: str = "name,lines\n人民广场,3\n=SUM(A1),2\n") -> Path:
    path = tmp_path / "stops.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_form_of_the_registry_is_written_with_its_suffix_and_media_type(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    files = write_resource_downloads(_source(tmp_path), TABLE, out, "stops")
    assert [(f.form, f.filename, f.media_type, f.label) for f in files] == [
        (form.key, f"stops{form.suffix}", form.media_type, form.label) for form in DOWNLOAD_FORMS]
    assert all(f.rows == 2 for f in files)  # counted once, shown on every form
    assert sorted(p.name for p in out.iterdir()) == sorted(f.filename for f in files)
    # Each writer wrote its own form from the same rows.
    assert (out / "stops.csv").read_bytes() == (tmp_path / "stops.csv").read_bytes()
    assert (out / "stops.excel.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "'=SUM(A1)" in (out / "stops.excel.csv").read_text(encoding="utf-8-sig")
    assert json.loads((out / "stops.json").read_text(encoding="utf-8")) == [
        {"name": "人民广场", "lines": 3}, {"name": "=SUM(A1)", "lines": 2}]


def test_a_new_form_is_one_entry_with_its_writer(tmp_path: Path) -> None:
    def write_tsv(table: TableSource, target: Path) -> None:
        found = table.rows()
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
            writer.writerow(found.header)
            writer.writerows(found.rows)

    tsv = DownloadForm("tsv", ".tsv", "TSV", "text/tab-separated-values", write_tsv)
    out = tmp_path / "out"
    out.mkdir()
    files = write_resource_downloads(_source(tmp_path), TABLE, out, "stops",
                                     forms=(*DOWNLOAD_FORMS, tsv))
    assert [f.form for f in files] == [*(f.key for f in DOWNLOAD_FORMS), "tsv"]
    assert (out / "stops.tsv").read_text(encoding="utf-8") == \
        "name\tlines\n人民广场\t3\n=SUM(A1)\t2\n"
    assert files[-1].rows == 2 and files[-1].media_type == "text/tab-separated-values"


def test_a_csv_with_a_bom_is_rewritten_without_it(tmp_path: Path) -> None:
    source = tmp_path / "stops.csv"
    source.write_bytes("\ufeffname,lines\n人民广场,3\n".encode())
    out = tmp_path / "out"
    out.mkdir()
    write_resource_downloads(source, TABLE, out, "stops")
    assert (out / "stops.csv").read_bytes() == "name,lines\n人民广场,3\n".encode()


def test_a_file_that_is_not_a_table_is_copied_as_it_is(tmp_path: Path) -> None:
    source = tmp_path / "guide.pdf"
    source.write_bytes(b"%PDF-1.4 test")
    out = tmp_path / "out"
    out.mkdir()
    files = write_resource_downloads(source, Resource("guide", "guide.pdf", "pdf"), out, "guide")
    assert [(f.form, f.filename, f.label, f.rows) for f in files] == \
        [("original", "guide.pdf", "PDF", None)]
    assert (out / "guide.pdf").read_bytes() == b"%PDF-1.4 test"
