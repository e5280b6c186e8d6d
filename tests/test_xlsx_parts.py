"""Small Excel downloads assembled from XlsxWriter's parts (builder.xlsx_parts,
issue 17): the same bytes XlsxWriter writes for the same cells, hence the
same sheets, values, types and number formats when read back; and a text
that looks like rich-text XML kept as text (XlsxWriter broke it)."""

from __future__ import annotations

import io
import math
import random
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from xlsxwriter import Workbook

from builder import xlsx_parts
from builder.downloads import _typed
from builder.xlsx import write_xlsx

# Odd pieces of text: spaces, control characters, XML's own characters, a
# literal escape, CJK and a character outside the BMP, formula-looking text.
PIECES = ["a", "Z", " ", "\t", "\n", "\r", "\x01", "\x0b", "&", "<", ">", '"', "'", "_x0041_",
          "_x00", "云河", "𠀀", "\u3000", "\ufffe", "=1+1", "+", "-", "1", ".", "e", "@", "<t>"]
KINDS = ["string", "integer", "number", "boolean", "date"]
RAW = ["", "12", "-7", "999999999999999", "1000000000000000", "9" * 400, "12.5", "-0.25", "1e300",
       "1e400", "nan", "inf", "-0", "true", "否", "yes", "maybe", "2026-11-23", "2026/11/23"]


def xlsxwriter_bytes(header: list[str], kinds: list[str], rows: list[list[str]],
                     sheet: str) -> bytes:
    """The workbook XlsxWriter itself writes for the cells (the build's
    writer before builder.xlsx_parts): numbers Excel holds exactly as
    numbers, yes/no as 是/否, other text without illegal characters."""
    from builder.xlsx import _ILLEGAL, sheet_name

    buffer = io.BytesIO()
    book = Workbook(buffer, {**xlsx_parts.OPTIONS, "in_memory": True})
    book.set_properties({"created": xlsx_parts.FIXED_DATE})
    ws = book.add_worksheet(sheet_name(sheet))
    for col, title in enumerate(header):
        ws.write_string(0, col, _ILLEGAL.sub("", title))
    for number, row in enumerate(rows, start=1):
        for col, kind in enumerate(kinds):
            raw = row[col] if col < len(row) else ""
            if not raw:
                continue
            value = _typed(raw, kind) if kind in ("integer", "number", "boolean") else raw
            if isinstance(value, bool):
                ws.write_string(number, col, "是" if value else "否")
            elif isinstance(value, int) and -10 ** 15 < value < 10 ** 15 \
                    or isinstance(value, float) and math.isfinite(value):
                ws.write_number(number, col, value)
            else:
                ws.write_string(number, col, _ILLEGAL.sub("", raw))
    book.close()
    return buffer.getvalue()


def odd_tables(count: int, seed: int = 3) -> list[tuple[list[str], list[str], list[list[str]], str]]:
    """Random tables of odd cells: ragged rows, empty rows and columns."""
    rng = random.Random(seed)

    def text() -> str:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))
    tables = []
    for _ in range(count):
        width = rng.randint(1, 30)
        rows = [[rng.choice(RAW) if rng.random() < 0.6 else text()
                 for _ in range(rng.randint(0, width + 2))] for _ in range(rng.randint(0, 40))]
        tables.append(([text() for _ in range(width)], [rng.choice(KINDS) for _ in range(width)],
                       rows, text() + text()))
    return tables


# Long text (cut at 32,767 UTF-16 units, a BMP-outside character not split),
# a very wide row, a long table (several 16-row "spans" blocks), one cell.
SHAPES = [
    (["长文本", "b"], ["string", "string"], [["x" * 32766 + "𠀀" + "y", "云" * 40000]], "长"),
    ([f"列{i}" for i in range(700)], ["number"] * 700,
     [[str(i * 1.5) for i in range(700)], [], ["", "=1+1"]], "宽"),
    (["序号", "名称"], ["integer", "string"],
     [[str(i), f"站{i % 7}"] if i % 5 else [] for i in range(3000)], "长表"),
    (["一"], ["string"], [], "一格"),
]


@pytest.mark.parametrize("table", odd_tables(120) + SHAPES)
def test_the_bytes_are_those_xlsxwriter_writes(tmp_path: Path, table: Any) -> None:
    header, kinds, rows, sheet = table
    path = tmp_path / "a.xlsx"
    size, _ = write_xlsx(path, header, kinds, iter(rows), _typed, sheet=sheet,
                         expected_rows=len(rows))
    assert xlsx_parts.available()  # the template was understood: the fast way was taken
    assert path.read_bytes() == xlsxwriter_bytes(header, kinds, rows, sheet)
    assert size == path.stat().st_size


def _cells(data: bytes) -> list[Any]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [book.sheetnames] + [[(c.coordinate, c.value, c.data_type, c.number_format)
                                 for c in row] for row in book.active.iter_rows()]


@pytest.mark.parametrize("table", odd_tables(8, seed=11) + SHAPES[:2])
def test_openpyxl_reads_the_same_cells_as_from_xlsxwriter(tmp_path: Path, table: Any) -> None:
    """Sheet name, every cell's value, type and number format."""
    header, kinds, rows, sheet = table
    path = tmp_path / "a.xlsx"
    write_xlsx(path, header, kinds, iter(rows), _typed, sheet=sheet, expected_rows=len(rows))
    assert _cells(path.read_bytes()) == _cells(xlsxwriter_bytes(header, kinds, rows, sheet))


@pytest.mark.parametrize("expected_rows", [1, None], ids=["assembled", "streamed"])
def test_text_that_looks_like_rich_text_xml_stays_text(tmp_path: Path,
                                                       expected_rows: int | None) -> None:
    """XlsxWriter copies "<r>…</r>" into the file as XML: the cell came out
    empty, or the workbook would not open at all ("&" in it). Both the small
    tables' path and XlsxWriter's streamed one (large tables) keep it text."""
    path = tmp_path / "rich.xlsx"
    rows = [["<r>x</r>", "<r>a&b</r>"], ["<r></r>", " <r>x</r>"]]
    write_xlsx(path, ["<r>题</r>", "b"], ["string", "string"], iter(rows), _typed,
               sheet="s", expected_rows=expected_rows)
    assert list(openpyxl.load_workbook(path).active.values) == [
        ("<r>题</r>", "b"), ("<r>x</r>", "<r>a&b</r>"), ("<r></r>", " <r>x</r>")]


def test_the_zip_has_fixed_times_and_no_temporary_names(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    write_xlsx(path, ["a"], ["string"], iter([["1"]]), _typed, sheet="s", expected_rows=1)
    with zipfile.ZipFile(path) as book:
        assert book.testzip() is None
        infos = book.infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert [i.filename for i in infos] == [
        "[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml",
        "xl/theme/theme1.xml", "docProps/core.xml", "docProps/app.xml"]


def test_a_table_without_columns_is_still_written_by_xlsxwriter(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    write_xlsx(path, [], [], iter([["x"]]), _typed, sheet="s", expected_rows=1)
    assert path.read_bytes() == xlsxwriter_bytes([], [], [["x"]], "s")


@pytest.mark.parametrize("col,name", [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"),
                                      (702, "AAA"), (16383, "XFD")])
def test_column_names(col: int, name: str) -> None:
    assert xlsx_parts.column_name(col) == name


def test_a_sheet_title_with_a_non_character_still_opens(tmp_path: Path) -> None:
    """U+FFFE and U+FFFF cannot be in XML: the workbook's sheet name held it
    and the file did not open."""
    path = tmp_path / "name.xlsx"
    write_xlsx(path, ["a"], ["string"], iter([["1"]]), _typed, sheet="表\ufffe一\uffff",
               expected_rows=1)
    assert openpyxl.load_workbook(path).sheetnames == ["表 一"]
