"""An Excel download written twice from the same rows is the same file, so a
rebuild does not change the checksums that dataset pages show."""

from __future__ import annotations

import hashlib
import time
import zipfile
from pathlib import Path

import openpyxl

from builder.downloads import _typed
from builder.xlsx import write_xlsx


def _write(path: Path) -> str:
    size, sha = write_xlsx(path, ["站点", "客流"], ["string", "integer"],
                           iter([["人民广场", "1200"], ["=1+1", "7"]]), _typed, sheet="客流")
    data = path.read_bytes()
    assert (size, sha) == (len(data), hashlib.sha256(data).hexdigest())  # what was written
    return sha


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


def test_an_integer_too_large_for_a_float_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    huge = "9" * 400  # math.isfinite overflows on it
    write_xlsx(path, ["编号"], ["integer"], iter([[huge], ["12"]]), _typed, sheet="a/b:c")
    book = openpyxl.load_workbook(path)
    assert list(book.active.values) == [("编号",), (huge,), (12,)]
    assert book.sheetnames == ["a b c"]  # characters Excel refuses in a sheet name
