"""The one-sheet Excel workbook of a table download, written directly.

openpyxl cost two thirds of a first build (0.025 s a workbook: its cell
objects, its XML writer, a save into a temporary zip and the rewrite that
drops the save time). A download workbook is one sheet of inline strings
and numbers: this module writes the sheet's XML itself and takes every other
part of the package (styles, theme, relationships, properties) from one
workbook that openpyxl saved (``xlsx_parts.json``, compressed once per
process), and lays
out the zip records as Python's zipfile does, so the files are the same,
byte for byte, as openpyxl's made reproducible (tests/test_xlsx_writer.py
compares the two on hostile cells, sheet names and a large sheet).
"""

from __future__ import annotations

import io
import json
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

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
    # The fixed entries, compressed once: name → (CRC, compressed, size).
    compressed: dict[str, tuple[int, bytes, int]]
    workbook: tuple[bytes, bytes]  # before and after the escaped sheet name
    sheet: tuple[bytes, bytes]  # before and after the rows


def strip_stamps(core_xml: bytes) -> bytes:
    """docProps/core.xml without its creation and modification times."""
    return _STAMPS.sub(b"", core_xml)


# The package's parts as openpyxl 3.1.5 saves a one-cell workbook (see
# ``openpyxl_parts``), kept beside this module: reading them costs nothing,
# importing openpyxl cost 0.7 s of every build that wrote a workbook.
PARTS_FILE = Path(__file__).with_name("xlsx_parts.json")


def openpyxl_parts() -> list[tuple[str, int, str]]:
    """The parts of a one-cell workbook as the installed openpyxl saves it, in
    its order: ``(name, external_attr, text)``, the save time removed. How
    ``PARTS_FILE`` was made (tests/test_xlsx_writer.py compares the two)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_SHEET_MARK)
    cell = WriteOnlyCell(sheet, value=_CELL_MARK)
    cell.data_type = "s"
    sheet.append([cell])
    buffer = io.BytesIO()
    book.save(buffer)
    parts = []
    with zipfile.ZipFile(buffer) as saved:
        for info in saved.infolist():
            data = saved.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = strip_stamps(data)
            parts.append((info.filename, info.external_attr, data.decode("utf-8")))
    return parts


@lru_cache(maxsize=1)
def _package() -> _Package:
    """The package of ``PARTS_FILE``, cut into fixed and variable parts."""
    entries = [(name, attributes, text.encode("utf-8"))
               for name, attributes, text in json.loads(PARTS_FILE.read_text(encoding="utf-8"))]
    parts = dict((name, data) for name, _, data in entries)
    before, after = parts["xl/workbook.xml"].split(_SHEET_MARK.encode())
    row = (f'<row r="1"><c r="A1" t="inlineStr"><is><t>{_CELL_MARK}</t></is></c></row>'
           ).encode()
    head, tail = parts["xl/worksheets/sheet1.xml"].split(row)
    compressed = {name: _deflate([data]) for name, _, data in entries}
    return _Package(tuple(entries), compressed, (before, after), (head, tail))


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
# The zip records, as Python's zipfile writes them (APPNOTE 4.3.7, 4.3.12,
# 4.3.16): version 2.0, Unix, no flags, deflated, 1980-01-01 00:00.
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_VERSION, _UNIX, _DEFLATED, _DOS_DATE = 20, 3, 8, (1 << 5) | 1


def _deflate(pieces: Iterable[bytes]) -> tuple[int, bytes, int]:
    """CRC-32, raw deflate (zlib's default level) and size of the pieces
    joined: what zipfile stores for a deflated entry."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    crc, size, out = 0, 0, []
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
        size += len(piece)
        out.append(compressor.compress(piece))
    out.append(compressor.flush())
    return crc, b"".join(out), size


def _zip(entries: Sequence[tuple[str, int, tuple[int, bytes, int]]]) -> bytes:
    """The zip archive of ``(name, external attributes, (CRC, deflated, size))``
    entries, byte for byte as zipfile writes them (ASCII names, no zip64)."""
    local: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, attributes, (crc, data, size) in entries:
        raw = name.encode("ascii")
        header = _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, 0, _DEFLATED, 0, _DOS_DATE, crc,
                             len(data), size, len(raw), 0)
        local += (header, raw, data)
        central += (_CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, 0, _DEFLATED,
                                  0, _DOS_DATE, crc, len(data), size, len(raw), 0, 0, 0, 0,
                                  attributes, offset), raw)
        offset += len(header) + len(raw) + len(data)
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), offset, 0)
    return b"".join(local) + directory + end


def xlsx_bytes(sheet_name: str, header: Sequence[str], kinds: Sequence[str],
               rows: Iterable[Sequence[str]], typed: Typed) -> bytes:
    """The workbook's bytes: one sheet named ``sheet_name`` (already a valid
    sheet name: not empty, none of ``\\/*?:[]``) holding ``header`` and
    ``rows`` as :func:`sheet_rows` writes them."""
    package = _package()
    workbook = package.workbook[0] + _escape_attribute(sheet_name).encode() + package.workbook[1]
    entries = []
    for name, attributes, _ in package.entries:
        if name == "xl/worksheets/sheet1.xml":
            stored = _deflate(_sheet_pieces(package.sheet, sheet_rows(header, kinds, rows, typed)))
        elif name == "xl/workbook.xml":
            stored = _deflate([workbook])
        else:
            stored = package.compressed[name]
        entries.append((name, attributes, stored))
    return _zip(entries)


def _sheet_pieces(frame: tuple[bytes, bytes], rows: Iterable[str]) -> Iterator[bytes]:
    yield frame[0]
    batch: list[str] = []
    size = 0
    for row in rows:
        batch.append(row)
        size += len(row)
        if size >= _BATCH_CHARS:
            yield "".join(batch).encode()
            batch, size = [], 0
    yield "".join(batch).encode()
    yield frame[1]
