"""The Excel download of a table (``<resource>.xlsx``), written with openpyxl.

One sheet: the Chinese column titles, then the rows with numbers and
booleans typed by the schema. Text is always stored as text, never as a
formula (no CSV-injection equivalent); control characters a worksheet cannot
hold are dropped (the CSV and JSON keep the exact value). Two writes of the
same rows give the same bytes: openpyxl stamps the save time into
``docProps/core.xml`` and every zip entry, and :func:`_make_reproducible`
removes both, so a rebuild from the same catalogue does not change the
checksums the pages show.

Why openpyxl and not a writer of our own: a workbook is a format with many
readers to satisfy; the project's rule is to use the well-kept library (a
faster writer was measured to save about two thirds of a 10,000-dataset full
build — the issue's note says so — but it would be ours to keep correct).
"""

from __future__ import annotations

import hashlib
import math
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Characters Excel does not allow in a sheet name.
_SHEET_NAME_BAD = re.compile(r"[\\/*?:\[\]]")
_STAMPS = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
TYPED_KINDS = ("integer", "number", "boolean")


def sheet_name(title: str) -> str:
    """A sheet name Excel accepts: no \\ / * ? : [ ], at most 31 characters."""
    return _SHEET_NAME_BAD.sub(" ", title).strip()[:31] or "data"


def write_xlsx(path: Path, header: list[str], kinds: list[str], rows: Iterator[list[str]],
               typed: Callable[[str, str], Any], *, sheet: str) -> tuple[int, str]:
    """Write the workbook to ``path``; ``typed(raw, kind)`` reads a cell of an
    integer, number or boolean column. Returns the file's size and SHA-256."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet_name(sheet))

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # openpyxl reads a leading "=" as a formula otherwise
        return cell

    ws.append([text_cell(h) for h in header])
    for row in rows:
        out: list[Any] = []
        for i, kind in enumerate(kinds):
            raw = row[i] if i < len(row) else ""
            value = typed(raw, kind) if kind in TYPED_KINDS else raw
            if isinstance(value, bool):
                out.append(text_cell("是" if value else "否"))  # as the page shows them
            elif isinstance(value, int | float) and _finite(value):
                out.append(value)
            else:
                out.append(text_cell(raw) if raw else None)
        ws.append(out)
    book.save(path)
    return _make_reproducible(path)


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer of hundreds of digits: kept as text
        return False


def _make_reproducible(path: Path) -> tuple[int, str]:
    """Drop the save time from ``docProps/core.xml`` (both dates are optional
    there) and from every zip entry; returns the size and SHA-256 written."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    temp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(temp, "w") as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _STAMPS.sub(b"", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    temp.replace(path)
    data = path.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()
