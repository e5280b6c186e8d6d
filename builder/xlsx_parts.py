"""A small workbook assembled from XlsxWriter's own parts (issue 17).

XlsxWriter spends most of a small workbook's time on what every workbook of
a build has in common: a Workbook object with its formats, the styles,
theme, properties and relationship parts, and zipping them (≈ 1.8 ms of
≈ 2.3 ms for a 20-row table; a 10,000-dataset build writes 10,000). Here
XlsxWriter writes one template workbook per process; a table's workbook
takes the template's constant parts as they are (compressed once), puts the
sheet name into the two parts that name it, and writes only the worksheet's
rows and the shared strings, in XlsxWriter's own form. The zip is laid out
as Python's zipfile lays out XlsxWriter's (same entries and order,
1980-01-01 times, the same DEFLATE level), so the file's bytes equal what
XlsxWriter writes for the same cells (``tests/test_xlsx_parts.py`` compares
them), with one deliberate difference: XlsxWriter copies a text that looks
like rich-text XML (``<r>…</r>``) into the file unescaped, which empties the
cell or breaks the workbook; here it is stored as the text it is.

Why not write SpreadsheetML by hand entirely: XlsxWriter keeps the parts
Excel is picky about (styles, theme, content types, properties); only the
cells, the one part that differs between tables, are written here.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from xlsxwriter import Workbook

# Excel's text limit (UTF-16 units); XlsxWriter cuts a longer text there.
MAX_TEXT = 32767
# Columns of a worksheet; a wider table is left to XlsxWriter (which drops the rest).
MAX_COLUMNS = 16384
FIXED_DATE = datetime(1980, 1, 1, tzinfo=UTC)
OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False,
           "strings_to_urls": False, "nan_inf_to_errors": False}
# The template's sheet name and cell: replaced, so they must need no escaping.
_NAME = "SHEETNAMEPLACEHOLDER"
_CELL = "x"
_DIMENSION = '<dimension ref="A1"/>'
_SHEET_DATA = '<sheetData><row r="1" spans="1:1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'
_SST_END = f'count="1" uniqueCount="1"><si><t>{_CELL}</t></si></sst>'
# XlsxWriter's escapes (xlsxwriter.xmlwriter, xlsxwriter.utility).
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_LEADING_SPACE = re.compile(r"^\s")
_TRAILING_SPACE = re.compile(r"\s$")
# A zip entry as zipfile writes XlsxWriter's: version 2.0 made on Unix, no
# flags, DEFLATE, time 00:00 of 1980-01-01 (DOS date 33), mode rw-------.
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_DOS_TIME, _DOS_DATE, _MODE = 0, 33, 0o600 << 16


@dataclass(frozen=True)
class _Entry:
    """One zip entry: its name, CRC-32, size and DEFLATE-compressed bytes."""

    name: bytes
    crc: int
    size: int
    packed: bytes


def _entry(name: str, data: bytes) -> _Entry:
    # zipfile's compressor: default level, raw deflate, one compress + flush.
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return _Entry(name.encode("ascii"), zlib.crc32(data), len(data),
                  packer.compress(data) + packer.flush())


@dataclass(frozen=True)
class _Template:
    """XlsxWriter's workbook of one text cell, cut where a table's differ."""

    names: tuple[str, ...]  # the entries, in XlsxWriter's order
    fixed: dict[str, _Entry]  # the parts every workbook shares, compressed
    sheet: tuple[str, str, str]  # worksheet: before the dimension, between, after the data
    sst_head: str  # shared strings up to their counts
    book: tuple[str, str]  # xl/workbook.xml around the (attribute-escaped) sheet name
    app: tuple[str, str]  # docProps/app.xml around the (text-escaped) sheet name


@functools.cache
def _template() -> _Template | None:
    """The template, or None when XlsxWriter's output is not the shape this
    module knows (another version): then every workbook is XlsxWriter's."""
    buffer = io.BytesIO()
    book = Workbook(buffer, {**OPTIONS, "in_memory": True})
    book.set_properties({"created": FIXED_DATE})
    book.add_worksheet(_NAME).write_string(0, 0, _CELL)
    book.close()
    with zipfile.ZipFile(buffer) as made:
        parts = {info.filename: made.read(info).decode("utf-8") for info in made.infolist()}
    sheet = parts.get("xl/worksheets/sheet1.xml", "")
    sst = parts.get("xl/sharedStrings.xml", "")
    book_xml, app_xml = parts.get("xl/workbook.xml", ""), parts.get("docProps/app.xml", "")
    head, _, rest = sheet.partition(_DIMENSION)
    middle, _, tail = rest.partition(_SHEET_DATA)
    if not (sheet.count(_DIMENSION) == sheet.count(_SHEET_DATA) == 1 and sst.endswith(_SST_END)
            and book_xml.count(f'"{_NAME}"') == 1 and app_xml.count(f">{_NAME}<") == 1
            and sum(_NAME in text for text in parts.values()) == 2):
        return None
    varying = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml",
               "docProps/app.xml"}
    return _Template(tuple(parts), {name: _entry(name, text.encode("utf-8"))
                                    for name, text in parts.items() if name not in varying},
                     (head, middle, tail), sst[:-len(_SST_END)],
                     tuple(book_xml.split(_NAME)),  # type: ignore[arg-type]
                     tuple(app_xml.split(_NAME)))  # type: ignore[arg-type]


def available() -> bool:
    """Whether small workbooks are assembled here (XlsxWriter's output has
    the shape this module knows)."""
    return _template() is not None


def column_name(col: int) -> str:
    """The letters of a zero-based column (0 → A, 26 → AA)."""
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


def _escape_text(text: str) -> str:
    """XlsxWriter's escapes of a text inside an element: a literal ``_xHHHH_``
    kept literal, control characters as ``_xHHHH_``, then & < >."""
    if "_x" in text:
        text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda found: f"_x{ord(found.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shared_string(text: str) -> str:
    """A ``<si>`` entry as XlsxWriter writes it (space kept when it leads or trails)."""
    escaped = _escape_text(text)
    if _LEADING_SPACE.search(escaped) or _TRAILING_SPACE.search(escaped):
        return f'<si><t xml:space="preserve">{escaped}</t></si>'
    return f"<si><t>{escaped}</t></si>"


def fit_text(text: str) -> str:
    """A text cut to Excel's limit of 32,767 UTF-16 units (a character
    outside the BMP counts two and is never split), as XlsxWriter cuts it."""
    if len(text) <= MAX_TEXT // 2 or len(text.encode("utf-16-le", "surrogatepass")) <= 2 * MAX_TEXT:
        return text
    length = 0
    for index, char in enumerate(text):
        length += 2 if ord(char) > 0xFFFF else 1
        if length > MAX_TEXT:
            return text[:index]
    return text


# A data cell as the caller reads it: a number to store as a number, or a
# text (already cleaned of characters a worksheet cannot hold).
Cell = Callable[[str, str], "int | float | str"]


def small_workbook(header: list[str], kinds: list[str], rows: Iterator[list[str]],
                   cell: Cell, sheet: str) -> bytes | None:
    """The XLSX bytes of one sheet: ``header`` (cleaned texts) in row 1, then
    each row's non-empty cells read by ``cell(raw, kind)`` — a number, or a
    text. ``sheet``: a name Excel accepts (``builder.xlsx.sheet_name``).
    None when this module cannot write it (no template, no columns, more
    columns than a worksheet has): the caller uses XlsxWriter."""
    template = _template()
    if template is None or not header or len(header) > MAX_COLUMNS:
        return None
    letters = [column_name(col) for col in range(len(header))]
    strings: dict[str, int] = {}
    count = 0
    # Each written row: its number, first and last column, cells.
    lines: list[tuple[int, int, int, str]] = []
    cells = []
    for col, title in enumerate(header):
        index = strings.setdefault(fit_text(title), len(strings))
        cells.append(f'<c r="{letters[col]}1" t="s"><v>{index}</v></c>')
    count += len(header)
    lines.append((1, 0, len(header) - 1, "".join(cells)))
    columns = list(enumerate(zip(letters, kinds, strict=False)))
    for number, row in enumerate(rows, start=2):
        cells, first, last, width = [], -1, -1, len(row)
        for col, (letter, kind) in columns:
            raw = row[col] if col < width else ""
            if not raw:
                continue
            value = cell(raw, kind)
            if isinstance(value, str):
                value = fit_text(value)
                found = strings.get(value)
                if found is None:
                    found = strings[value] = len(strings)
                count += 1
                cells.append(f'<c r="{letter}{number}" t="s"><v>{found}</v></c>')
            else:
                cells.append(f'<c r="{letter}{number}"><v>{value:.16G}</v></c>')
            if first < 0:
                first = col
            last = col
        if cells:
            lines.append((number, first, last, "".join(cells)))
    return _package(template, sheet, lines, strings, count, len(header) - 1)


def _package(template: _Template, sheet: str, lines: list[tuple[int, int, int, str]],
             strings: dict[str, int], count: int, last_col: int) -> bytes:
    """The zip of the template's fixed parts and this table's four parts."""
    # XlsxWriter's "spans" of a row: the columns used in its block of 16 rows.
    spans: dict[int, str] = {}
    for number, first, last, _ in lines:
        block = (number - 1) // 16
        low, _, high = spans.get(block, f"{first + 1}:{last + 1}").partition(":")
        spans[block] = f"{min(int(low), first + 1)}:{max(int(high), last + 1)}"
    last_row = lines[-1][0]
    ref = "A1" if last_row == 1 and last_col == 0 else f"A1:{column_name(last_col)}{last_row}"
    head, middle, tail = template.sheet
    sheet_xml = "".join([head, f'<dimension ref="{ref}"/>', middle, "<sheetData>",
                         *(f'<row r="{number}" spans="{spans[(number - 1) // 16]}">{body}</row>'
                           for number, _, _, body in lines), "</sheetData>", tail])
    sst_xml = "".join([template.sst_head, f'count="{count}" uniqueCount="{len(strings)}">',
                       *map(_shared_string, strings), "</sst>"])
    in_attribute = sheet.replace("&", "&amp;").replace('"', "&quot;") \
        .replace("<", "&lt;").replace(">", "&gt;").replace("\n", "&#xA;")
    made = {"xl/worksheets/sheet1.xml": sheet_xml, "xl/sharedStrings.xml": sst_xml,
            "xl/workbook.xml": in_attribute.join(template.book),
            "docProps/app.xml": _escape_text(sheet).join(template.app)}
    entries = [template.fixed.get(name) or _entry(name, made[name].encode("utf-8"))
               for name in template.names]
    return _zip(entries)


def _zip(entries: list[_Entry]) -> bytes:
    """The zip file of ``entries``, laid out as zipfile lays it out."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for entry in entries:
        packed, name = entry.packed, entry.name
        out += [_LOCAL.pack(b"PK\003\004", 20, 0, 0, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE,
                            entry.crc, len(packed), entry.size, len(name), 0), name, packed]
        central += [_CENTRAL.pack(b"PK\001\002", 20, 3, 20, 0, 0, zipfile.ZIP_DEFLATED,
                                  _DOS_TIME, _DOS_DATE, entry.crc, len(packed), entry.size,
                                  len(name), 0, 0, 0, 0, _MODE, offset), name]
        offset += _LOCAL.size + len(name) + len(packed)
    directory = b"".join(central)
    return b"".join(out) + directory + _END.pack(b"PK\005\006", 0, 0, len(entries),
                                                  len(entries), len(directory), offset, 0)
