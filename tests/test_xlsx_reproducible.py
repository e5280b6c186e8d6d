"""An Excel download written twice from the same rows is the same file, so a
rebuild does not change the checksums that dataset pages show."""

from __future__ import annotations

import hashlib
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from builder.downloads import _typed
from builder.xlsx import write_xlsx


def _write(path: Path, expected_rows: int | None = 2) -> str:
    size, sha = write_xlsx(path, ["站点", "客流"], ["string", "integer"],
                           iter([["人民广场", "1200"], ["=1+1", "7"]]), _typed, sheet="客流",
                           expected_rows=expected_rows)
    data = path.read_bytes()
    assert (size, sha) == (len(data), hashlib.sha256(data).hexdigest())  # what was written
    return sha


@pytest.mark.parametrize("expected_rows", [2, None])  # in memory; streamed
def test_two_saves_a_second_apart_are_identical(tmp_path: Path,
                                                expected_rows: int | None) -> None:
    first = _write(tmp_path / "a.xlsx", expected_rows)
    time.sleep(1.1)  # a save time would differ by a second
    assert _write(tmp_path / "b.xlsx", expected_rows) == first
    rows = list(openpyxl.load_workbook(tmp_path / "b.xlsx").active.values)
    assert rows == [("站点", "客流"), ("人民广场", 1200), ("=1+1", 7)]


def test_the_workbook_still_reads_and_keeps_its_cells(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    _write(path)
    rows = list(openpyxl.load_workbook(path).active.values)
    assert rows == [("站点", "客流"), ("人民广场", 1200), ("=1+1", 7)]
    with zipfile.ZipFile(path) as book:
        core = book.read("docProps/core.xml").decode()
        # A fixed date, never the save time.
        assert ">1980-01-01T00:00:00Z</dcterms:created>" in core
        assert ">1980-01-01T00:00:00Z</dcterms:modified>" in core
        assert {i.date_time for i in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()  # no formula


def test_an_integer_too_large_for_a_float_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    huge = "9" * 400  # math.isfinite overflows on it
    write_xlsx(path, ["编号"], ["integer"], iter([[huge], ["12"]]), _typed, sheet="a/b:c")
    book = openpyxl.load_workbook(path)
    assert list(book.active.values) == [("编号",), (huge,), (12,)]
    assert book.sheetnames == ["a b c"]  # characters Excel refuses in a sheet name


def test_cells_keep_their_types(tmp_path: Path) -> None:
    """Numbers as numbers; an integer Excel would round (over 15 digits),
    booleans, dates and Chinese text as text; control characters dropped."""
    path = tmp_path / "types.xlsx"
    header = ["序号", "统一社会信用代码", "金额", "是否开放", "日期", "名称"]
    kinds = ["integer", "integer", "number", "boolean", "date", "string"]
    rows = [["1", "915101001234567890", "12.5", "true", "2026-11-23", "云河市\x01人民广场"],
            ["999999999999999", "1000000000000000", "-0.25", "否", "2026/11/23", "  有空格 "],
            ["", "abc", "nan", "maybe", "", "+1"]]
    write_xlsx(path, header, kinds, iter(rows), _typed, sheet="'测试'", expected_rows=3)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["测试"]  # no apostrophe at either end
    assert list(book.active.values) == [
        tuple(header),
        (1, "915101001234567890", 12.5, "是", "2026-11-23", "云河市人民广场"),
        (999999999999999, "1000000000000000", -0.25, "否", "2026/11/23", "  有空格 "),
        (None, "abc", "nan", "maybe", None, "+1"),
    ]


def test_a_long_sheet_title_is_cut_to_31_utf16_units(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    title = "𠀀" * 20 + "数据"  # characters outside the BMP count twice
    write_xlsx(path, ["a"], ["string"], iter([["x"]]), _typed, sheet=title, expected_rows=1)
    name = openpyxl.load_workbook(path).sheetnames[0]
    assert name == "𠀀" * 15 and len(name.encode("utf-16-le")) <= 62
