"""The direct XLSX writer (builder.xlsx) gives the same bytes as openpyxl's
write-only workbook made reproducible (what the builder wrote before), on
ordinary and hostile cells and sheet names: control characters, spaces at
the ends, markup, quotes and line breaks, long text, numbers of every
shape, booleans, empty and missing cells, wide rows."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from builder.downloads import _SHEET_NAME_BAD, _typed, _write_xlsx
from builder.xlsx import column_letter, strip_stamps


def openpyxl_reference(path: Path, header: list[str], kinds: list[str], rows: list[list[str]],
                       *, sheet: str) -> None:
    """The builder's former writer: openpyxl, then the save time removed and
    every zip entry stamped 1980-01-01."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    name = _SHEET_NAME_BAD.sub(" ", sheet).strip()[:31] or "data"
    ws = book.create_sheet(title=name)

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell

    ws.append([text_cell(h) for h in header])
    for row in rows:
        out: list[Any] = []
        for i, kind in enumerate(kinds):
            raw = row[i] if i < len(row) else ""
            value = _typed(raw, kind) if kind in ("integer", "number", "boolean") else raw
            if isinstance(value, bool):
                out.append(text_cell("是" if value else "否"))
            elif isinstance(value, int | float) and math.isfinite(value):
                out.append(value)
            else:
                out.append(text_cell(raw) if raw else None)
        ws.append(out)
    book.save(path)
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = strip_stamps(data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


HOSTILE_TEXT = [
    "", " ", "  lead", "trail  ", " both ", "\tx", "x\n", "\n", "a\r\nb", "a\rb", "\x00", "a\x01b",
    "\x0b\x0c", "\x1f", "<script>alert(1)</script>", "a & b", "&amp;", "]]>", '"quoted"',
    "'single'", "=1+1", "+1", "-x", "@sum", "#N/A", "#DIV/0!", "\u3000全角空格\u3000",
    "\u200b零宽", "emoji 🙂", "\ufeffbom", "x" * 40000, "中" * 32768, "\u2028\u2029", "\x85",
]
NUMBERS = ["0", "-0", "1", "-17", "007", " 12 ", "1_000", "3.14", "1e5", "1E-7", "-2.5e+300",
           "12345678901234567890", "0.1", "1.0000000000000002", "nan", "inf", "-inf",
           "NaN", "abc", "1.5.2", "", "9" * 20, "1e400", ".5", "5."]
BOOLEANS = ["true", "TRUE", "1", "是", "yes", "false", "0", "否", "no", " True ", "maybe", ""]


def _same(tmp_path: Path, header: list[str], kinds: list[str], rows: list[list[str]],
          sheet: str) -> None:
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    _write_xlsx(ours, header, kinds, iter(rows), sheet=sheet)
    openpyxl_reference(theirs, header, kinds, rows, sheet=sheet)
    assert ours.read_bytes() == theirs.read_bytes()


def test_ordinary_table(tmp_path: Path) -> None:
    rows = [[str(i), f"站点{i}", f"{i * 1.5}", "true" if i % 2 else "false"] for i in range(50)]
    _same(tmp_path, ["序号", "站点", "客流", "开放"], ["integer", "string", "number", "boolean"],
          rows, "客流统计")


@pytest.mark.parametrize("kind,values", [("string", HOSTILE_TEXT), ("integer", NUMBERS),
                                         ("number", NUMBERS), ("boolean", BOOLEANS),
                                         ("date", HOSTILE_TEXT[:10])])
def test_hostile_cells(tmp_path: Path, kind: str, values: list[str]) -> None:
    rows = [[value, value] for value in values]
    _same(tmp_path, ["值", "原文"], [kind, "string"], rows, "表")


@pytest.mark.parametrize("sheet", ["", " ", "a/b\\c*d?e:f[g]h", "名" * 40, "A & <B> \"C\"",
                                   "tab\there", "line\nbreak", "cr\rhere", "'quoted'",
                                   "\x01control", "History"])
def test_sheet_names(tmp_path: Path, sheet: str) -> None:
    _same(tmp_path, ["a"], ["string"], [["x"]], sheet)


def test_empty_header_ragged_rows_and_empty_rows(tmp_path: Path) -> None:
    _same(tmp_path, [], [], [[], ["extra"]], "空")
    _same(tmp_path, ["", "<b>", " t "], ["string", "integer", "number"],
          [[], ["only"], ["a", "1", "2.5", "beyond the header"], ["", "", ""]], "ragged")


def test_wide_rows_use_double_letter_columns(tmp_path: Path) -> None:
    width = 60
    header = [f"列{i}" for i in range(width)]
    rows = [[str(i * j) for j in range(width)] for i in range(5)]
    _same(tmp_path, header, ["integer"] * width, rows, "wide")
    assert [column_letter(i) for i in (1, 26, 27, 52, 53, 702, 703)] == \
        ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_openpyxl_reads_it_back(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _write_xlsx(path, ["站点", "客流", "开放"], ["string", "integer", "boolean"],
                iter([["人民广场", "1200", "true"], ["=1+1", "x", ""], [" a ", "", "0"]]),
                sheet="客流:统计")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["客流 统计"]
    assert list(book.active.values) == [("站点", "客流", "开放"), ("人民广场", 1200, "是"),
                                        ("=1+1", "x", None), (" a ", None, "否")]
    with zipfile.ZipFile(path) as package:
        assert not re.search(rb"dcterms:(created|modified)", package.read("docProps/core.xml"))


def test_a_large_sheet_compressed_in_batches(tmp_path: Path) -> None:
    """Over a megabyte of sheet XML: the rows are compressed batch by batch,
    the bytes are still openpyxl's."""
    rows = [[str(i), f"云河市新城区{i % 97}号路口 " * 3, f"{i / 7:.5f}"] for i in range(12000)]
    _same(tmp_path, ["序号", "地址", "数值"], ["integer", "string", "number"], rows, "大表")


def test_the_returned_digest_is_the_files(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "book.xlsx"
    size, sha = _write_xlsx(path, ["a"], ["string"], iter([["x"]]), sheet="s")
    assert (size, sha) == (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())


def test_the_kept_parts_are_what_openpyxl_saves() -> None:
    """builder/xlsx_parts.json holds the parts openpyxl writes: when a new
    openpyxl changes them, regenerate the file from ``openpyxl_parts()``
    (every workbook's bytes change with it)."""
    import json

    from builder.xlsx import PARTS_FILE, openpyxl_parts

    kept = json.loads(PARTS_FILE.read_text(encoding="utf-8"))
    assert kept == [list(part) for part in openpyxl_parts()], \
        "openpyxl writes other parts now: regenerate builder/xlsx_parts.json"
