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
A small table is assembled in memory (no temporary files); a large one is
streamed row by row through temporary files (constant memory).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook

from builder.files import size_and_sha256

# Characters Excel does not allow in a sheet name (and control characters).
_SHEET_NAME_BAD = re.compile(r"[\\/*?:\[\]\x00-\x1f]")
# Characters an XML worksheet cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
TYPED_KINDS = ("integer", "number", "boolean")
# Excel keeps 15 significant digits: a longer integer is stored as text.
EXACT_INTEGER = 10 ** 15
FIXED_DATE = datetime(1980, 1, 1, tzinfo=UTC)
# Up to this many cells a workbook is assembled in memory; above, streamed.
IN_MEMORY_CELLS = 200_000
_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "nan_inf_to_errors": False}


def sheet_name(title: str) -> str:
    """A sheet name Excel accepts: no \\ / * ? : [ ] or control characters,
    no apostrophe at either end, at most 31 UTF-16 units."""
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
    buffer = io.BytesIO()
    if small:
        book = Workbook(buffer, {**_OPTIONS, "in_memory": True})
    else:
        book = Workbook(str(path), {**_OPTIONS, "constant_memory": True})
    book.set_properties({"created": FIXED_DATE})
    ws = book.add_worksheet(sheet_name(sheet))
    write_string, write_number = ws.write_string, ws.write_number
    for col, title in enumerate(header):
        write_string(0, col, _ILLEGAL.sub("", title))
    for number, row in enumerate(rows, start=1):
        for col, kind in enumerate(kinds):
            raw = row[col] if col < len(row) else ""
            if not raw:
                continue
            value = typed(raw, kind) if kind in TYPED_KINDS else raw
            if isinstance(value, bool):
                write_string(number, col, "是" if value else "否")  # as the page shows them
            elif isinstance(value, int | float) and _exact(value):
                write_number(number, col, value)
            else:
                write_string(number, col, _ILLEGAL.sub("", raw))
    book.close()
    if small:
        data = buffer.getvalue()
        path.write_bytes(data)
        return len(data), hashlib.sha256(data).hexdigest()
    return size_and_sha256(path)


def _exact(value: int | float) -> bool:
    """Whether Excel holds the number as it is: finite, and an integer of at
    most 15 digits (an integer of hundreds of digits overflows a float)."""
    if isinstance(value, int):
        return -EXACT_INTEGER < value < EXACT_INTEGER
    return math.isfinite(value)


