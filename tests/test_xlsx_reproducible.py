"""An Excel download written twice from the same rows is the same file, so a
rebuild does not change the checksums that dataset pages show."""

from __future__ import annotations

import hashlib
import time
import zipfile
from pathlib import Path

import openpyxl

from builder.downloads import _write_xlsx


def _write(path: Path) -> str:
    _write_xlsx(path, ["站点", "客流"], ["string", "integer"],
                iter([["人民广场", "1200"], ["=1+1", "7"]]), sheet="客流")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_saves_a_second_apart_are_identical(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.xlsx")
    time.sleep(1.1)  # openpyxl stamps the save time to the second
    assert _write(tmp_path / "b.xlsx") == first


def test_the_workbook_still_reads_and_keeps_its_cells(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    _write(path)
    rows = list(openpyxl.load_workbook(path).active.values)
    assert rows == [("站点", "客流"), ("人民广场", 1200), ("=1+1", 7)]
    with zipfile.ZipFile(path) as book:
        core = book.read("docProps/core.xml")
        assert b"dcterms:modified" not in core and b"dcterms:created" not in core
        assert {i.date_time for i in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
