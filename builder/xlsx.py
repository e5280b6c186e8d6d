"""The Excel download of a table (``<resource>.xlsx``), written with XlsxWriter.

One sheet: the Chinese column titles, then the rows with numbers and
booleans typed by the schema. Text is always stored as text, never as a
formula (no CSV-injection equivalent); control characters a worksheet cannot
hold are dropped (the CSV and JSON keep the exact value); an integer Excel
cannot hold exactly (more than 15 digits) is kept as text.

Two writes of the same rows give the same bytes, so a rebuild from the same
catalogue does not change the checksums the pages show: the workbook's
creation date is fixed (1980-01-01, XlsxWriter's own date for the zip
entries) instead of the save time.

Why XlsxWriter: a well-kept library, and measured on the build's own tables
(``python -m bench.build_xlsx_bench``) several times faster than openpyxl's
write-only mode, which was most of a 10,000-dataset full build (issue 17).
A small table is assembled in memory from XlsxWriter's parts
(``builder.xlsx_parts``: the same bytes as XlsxWriter's, ≈ 4 times less
CPU with the file's writing); a large one is streamed by XlsxWriter row by
row through temporary files (constant memory).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook

from builder.files import size_and_sha256
from builder.xlsx_parts import FIXED_DATE, OPTIONS, small_workbook

# Characters Excel does not allow in a sheet name, and those XML cannot hold
# (control characters, U+FFFE and U+FFFF: the workbook would not open).
_SHEET_NAME_BAD = re.compile(r"[\\/*?:\[\]\x00-\x1f\ufffe\uffff]")
# Characters an XML worksheet cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
TYPED_KINDS = ("integer", "number", "boolean")
# Excel keeps 15 significant digits: a longer integer is stored as text.
EXACT_INTEGER = 10 ** 15
# Up to this many cells a workbook is assembled in memory; above, streamed.
IN_MEMORY_CELLS = 200_000


def sheet_name(title: str) -> str:
    """A sheet name Excel accepts: no \\ / * ? : [ ], control characters or
    U+FFFE/U+FFFF, no apostrophe at either end, at most 31 UTF-16 units."""
    name = _SHEET_NAME_BAD.sub(" ", title).strip().strip("'").strip()
    while len(name.encode("utf-16-le")) > 62:
        name = name[:-1]
    return name.rstrip().rstrip("'").rstrip() or "data"


def write_xlsx(path: Path, header: list[str], kinds: list[str], rows: Iterator[list[str]],
               typed: Callable[[str, str], Any], *, sheet: str,
               expected_rows: int | None = None) -> tuple[int, str]:
    """Write the workbook to ``path``; ``typed(raw, kind)`` reads a cell of an
    integer, number or boolean column. ``expected_rows``: how many rows come
    (a small table is assembled in memory; None: streamed). Returns the
    file's size and SHA-256."""
    small = expected_rows is not None and expected_rows * max(len(header), 1) <= IN_MEMORY_CELLS
    read = _cell_reader(typed)
    titles = [_ILLEGAL.sub("", title) for title in header]
    name = sheet_name(sheet)
    if not small:  # streamed by XlsxWriter through temporary files
        _with_xlsxwriter(str(path), {"constant_memory": True}, titles, kinds, rows, read, name)
        return size_and_sha256(path)
    data = small_workbook(titles, kinds, rows, read, name)
    if data is None:  # not one XlsxWriter's parts can make (no columns, too many)
        buffer = io.BytesIO()
        _with_xlsxwriter(buffer, {"in_memory": True}, titles, kinds, rows, read, name)
        data = buffer.getvalue()
    path.write_bytes(data)
    return len(data), hashlib.sha256(data).hexdigest()


def _with_xlsxwriter(target: str | io.BytesIO, options: dict[str, bool], titles: list[str],
                     kinds: list[str], rows: Iterator[list[str]],
                     read: Callable[[str, str], int | float | str], sheet: str) -> None:
    """Write the workbook to ``target`` with XlsxWriter itself (``options``
    added to the build's): ``titles`` in row 1, then each row's non-empty
    cells as ``read`` gives them."""
    book = Workbook(target, {**OPTIONS, **options})
    book.set_properties({"created": FIXED_DATE})
    ws = book.add_worksheet(sheet)
    write_number = ws.write_number
    write_string = partial(_write_text, ws)
    for col, title in enumerate(titles):
        write_string(0, col, title)
    for number, row in enumerate(rows, start=1):
        for col, kind in enumerate(kinds):
            raw = row[col] if col < len(row) else ""
            if not raw:
                continue
            value = read(raw, kind)
            if isinstance(value, str):
                write_string(number, col, value)
            else:
                write_number(number, col, value)
    book.close()


def _write_text(ws: Any, row: int, col: int, text: str) -> None:
    """Write ``text`` as a text cell. XlsxWriter copies a text that starts
    with ``<r>`` and ends with ``</r>`` into the file as rich-text XML,
    unescaped: the cell comes out empty, or the workbook does not open
    (``<r>a&b</r>``). Such a text is written as three plain runs of a rich
    string instead, which XlsxWriter escapes: the cell reads as the text."""
    if text.startswith("<r>") and text.endswith("</r>"):
        ws.write_rich_string(row, col, text[0], text[1], text[2:])
    else:
        ws.write_string(row, col, text)


def _cell_reader(typed: Callable[[str, str], Any]) -> Callable[[str, str], int | float | str]:
    """How a non-empty cell is stored: a number Excel holds exactly as a
    number; a yes/no as 是/否 (as the page shows them); anything else as its
    text, without the characters a worksheet cannot hold."""
    def read(raw: str, kind: str) -> int | float | str:
        if kind in TYPED_KINDS:
            value = typed(raw, kind)
            if isinstance(value, bool):
                return "是" if value else "否"
            if isinstance(value, int | float) and _exact(value):
                return value
        return _ILLEGAL.sub("", raw)
    return read


def _exact(value: int | float) -> bool:
    """Whether Excel holds the number as it is: finite, and an integer of at
    most 15 digits (an integer of hundreds of digits overflows a float)."""
    if isinstance(value, int):
        return -EXACT_INTEGER < value < EXACT_INTEGER
    return math.isfinite(value)


