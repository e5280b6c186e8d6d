"""The one-sheet Excel workbook of a table download, written directly.

openpyxl cost two thirds of a first build (0.025 s a workbook: its cell
objects, its XML writer, a save into a temporary zip and the rewrite that
drops the save time). A download workbook is one sheet of inline strings
and numbers: this module writes the sheet's XML itself and takes every other
part of the package (styles, theme, relationships, properties) from one
workbook that openpyxl saves once per process, so the files are the same,
byte for byte, as openpyxl's made reproducible (tests/test_xlsx_writer.py
compares the two on hostile cells and sheet names).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

# Characters a worksheet cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE): removed.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
# Excel's limit on the characters of one cell (openpyxl truncates to it).
MAX_CELL_CHARS = 32767
# The zip entries' time: a fixed one, so two saves of the same rows are equal.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SHEET_MARK = "PORTALSHEETNAME"
_CELL_MARK = "PORTALCELLTEXT"
_STAMPS = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")

Typed = Callable[[str, str], Any]


@dataclass(frozen=True)
class _Package:
    """The parts of openpyxl's one-sheet package, in its order: each entry
    ``(name, external_attr, bytes)``; the workbook and the sheet are split
    around their variable parts."""

    entries: tuple[tuple[str, int, bytes], ...]
    workbook: tuple[bytes, bytes]  # before and after the escaped sheet name
    sheet: tuple[bytes, bytes]  # before and after the rows


def strip_stamps(core_xml: bytes) -> bytes:
    """docProps/core.xml without its creation and modification times."""
    return _STAMPS.sub(b"", core_xml)


@lru_cache(maxsize=1)
def _package() -> _Package:
    """openpyxl's package of a one-cell workbook, cut into fixed parts."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_SHEET_MARK)
    cell = WriteOnlyCell(sheet, value=_CELL_MARK)
    cell.data_type = "s"
    sheet.append([cell])
    buffer = io.BytesIO()
    book.save(buffer)
    entries = []
    with zipfile.ZipFile(buffer) as saved:
        for info in saved.infolist():
            data = saved.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = strip_stamps(data)
            entries.append((info.filename, info.external_attr, data))
    parts = dict((name, data) for name, _, data in entries)
    before, after = parts["xl/workbook.xml"].split(_SHEET_MARK.encode())
    row = (f'<row r="1"><c r="A1" t="inlineStr"><is><t>{_CELL_MARK}</t></is></c></row>'
           ).encode()
    head, tail = parts["xl/worksheets/sheet1.xml"].split(row)
    return _Package(tuple(entries), (before, after), (head, tail))


def _escape_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attribute(text: str) -> str:
    text = _escape_text(text)
    for plain, escaped in (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;")):
        if plain in text:
            text = text.replace(plain, escaped)
    return text


@lru_cache(maxsize=256)
def column_letter(index: int) -> str:
    """The letters of column ``index`` (1 → A, 27 → AA)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text_cell(ref: str, value: str) -> str:
    value = ILLEGAL_CHARACTERS.sub("", value)[:MAX_CELL_CHARS]
    if not value:
        return f'<c r="{ref}" t="inlineStr" />'
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and stripped != value else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{_escape_text(value)}</t></is></c>'


def sheet_rows(header: Sequence[str], kinds: Sequence[str], rows: Iterable[Sequence[str]],
               typed: Typed) -> Iterable[str]:
    """The ``<row>`` elements: the titles, then each row with numbers typed
    by ``kinds`` (``typed(raw, kind)``), booleans as 是/否 and other values
    as text; empty cells are left out."""
    yield '<row r="1">' + "".join(_text_cell(f"{column_letter(i)}1", h)
                                  for i, h in enumerate(header, start=1)) + "</row>"
    numeric = [kind in ("integer", "number", "boolean") for kind in kinds]
    for number, row in enumerate(rows, start=2):
        cells = []
        for i, kind in enumerate(kinds):
            raw = row[i] if i < len(row) else ""
            value = typed(raw, kind) if numeric[i] else raw
            ref = f"{column_letter(i + 1)}{number}"
            if isinstance(value, bool):
                cells.append(_text_cell(ref, "是" if value else "否"))
            elif isinstance(value, int | float) and math.isfinite(value):
                cells.append(f'<c r="{ref}" t="n"><v>{value:.16g}</v></c>')
            elif raw:
                cells.append(_text_cell(ref, raw))
        yield f'<row r="{number}">' + "".join(cells) + "</row>"


# Rows of the sheet are compressed in batches of about this many characters
# (a large table's sheet is never held whole).
_BATCH_CHARS = 1 << 20


def xlsx_bytes(sheet_name: str, header: Sequence[str], kinds: Sequence[str],
               rows: Iterable[Sequence[str]], typed: Typed) -> bytes:
    """The workbook's bytes: one sheet named ``sheet_name`` (already a valid
    sheet name: not empty, none of ``\\/*?:[]``) holding ``header`` and
    ``rows`` as :func:`sheet_rows` writes them."""
    package = _package()
    workbook = package.workbook[0] + _escape_attribute(sheet_name).encode() + package.workbook[1]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, attributes, data in package.entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = attributes
            if name == "xl/worksheets/sheet1.xml":
                with target.open(info, "w") as sheet:
                    _write_sheet(sheet, package.sheet, sheet_rows(header, kinds, rows, typed))
                continue
            target.writestr(info, workbook if name == "xl/workbook.xml" else data)
    return buffer.getvalue()


def _write_sheet(sheet: IO[bytes], frame: tuple[bytes, bytes], rows: Iterable[str]) -> None:
    sheet.write(frame[0])
    batch: list[str] = []
    size = 0
    for row in rows:
        batch.append(row)
        size += len(row)
        if size >= _BATCH_CHARS:
            sheet.write("".join(batch).encode())
            batch, size = [], 0
    sheet.write("".join(batch).encode())
    sheet.write(frame[1])
