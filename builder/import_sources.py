"""What ``portal import`` reads: the catalogue file.

- The catalogue: CSV (UTF-8 with or without BOM, else GB18030/GBK, which is
  what Excel in China writes), XLSX or XLS (the sheet whose header names the
  most catalogue columns, the first on a tie) or a JSON export (a list of
  objects, or one under a key such as ``data``). In a spreadsheet the header
  is the first non-empty row, unless a title line sits above it.
- The operator's files and the vocabularies are ``builder.import_operator``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import openpyxl

from builder.import_columns import (
    cell_text,
    header_score,
    row_list,
)
from builder.import_json import UnreadableJson, flat_item, json_items

_HEADER_SEARCH_ROWS = 10


class CatalogImportError(ValueError):
    """The import cannot start; the message says what to fix. Nothing was written."""


# --- the catalogue file ----------------------------------------------------------

@dataclass
class SourceTable:
    """A source's header and its rows as (row number, {header: value})."""

    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    notes: list[str] = field(default_factory=list)
    # Texts of the lines above the header and the notes under the table (a
    # legend of codes may be there: builder.import_legend).
    side_texts: list[str] = field(default_factory=list)


def read_source(path: Path, column_map: Mapping[str, str] | None = None) -> SourceTable:
    """Read a CSV, XLSX or JSON catalogue (by suffix, else by content).
    ``column_map`` helps find a spreadsheet's header row.

    Raises:
        CatalogImportError: unreadable file, unknown format, or no header.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogImportError(f"cannot read {path}: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    if not raw.strip():
        raise CatalogImportError(f"{path.name}: the file is empty; export the catalogue again "
                                 "(as .xlsx, CSV UTF-8 or JSON)")
    if raw.startswith(_OLE_MAGIC):
        return _read_xls(path, raw, column_map)
    if suffix == ".xls" and raw.lstrip()[:1] not in (b"<", b"[", b"{"):
        raise CatalogImportError(f"{path.name}: named .xls but it is not an Excel 97-2003 "
                                 f"workbook ({_what_it_is(raw)}); open it in Excel and save "
                                 "it as .xlsx or CSV (UTF-8)")
    if _looks_binary(raw) and not raw.startswith(b"PK\x03\x04"):
        raise CatalogImportError(f"{path.name}: {_what_it_is(raw)}, not a catalogue this "
                                 "importer reads; convert it to .xlsx, CSV (UTF-8) or JSON")
    if suffix in (".xlsx", ".xlsm") and not raw.startswith(b"PK\x03\x04") and (
            kind := _what_it_is(raw)) not in ("text", "an HTML page"):
        raise CatalogImportError(f"{path.name}: named {suffix} but it is not an Excel workbook "
                                 f"({kind}); open it in Excel and save it as .xlsx or CSV (UTF-8)")
    if raw.startswith(b"PK\x03\x04") and suffix not in (".csv", ".tsv", ".txt", ".json"):
        return _read_xlsx(path, column_map)
    text, encoding = _decode(raw, path)
    if text.lstrip()[:1] == "<" and _HTML_TABLE.search(text):
        table = _read_html(text, column_map)
        table.notes.append(f"{path.name} is a web page holding a table (as some platforms "
                           "export \"Excel\" files); the table was read")
    elif suffix == ".json" or (suffix not in (".csv", ".tsv", ".txt")
                               and text.lstrip()[:1] in ("[", "{")):
        table = _read_json(text, path)
    else:
        table = _read_csv(text, "\t" if suffix == ".tsv" else None, column_map)
    if encoding != "UTF-8":
        table.notes.append(f"{path.name} was read as {encoding}")
    return unpack_packed_rows(table)


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """UTF-8 (with or without BOM, or UTF-16 with BOM), else GB18030 (a
    superset of GBK, what Excel in China writes), else what
    charset-normalizer detects."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig"), "UTF-8 with BOM" if raw.startswith(b"\xef\xbb\xbf") \
            else "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "GB18030/GBK"
    except UnicodeDecodeError as exc:
        start = exc.start
    best = charset_normalizer.from_bytes(raw[:1_000_000]).best()
    if best is not None and best.encoding:
        try:
            return raw.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    raise CatalogImportError(f"{path.name}: text in no encoding this importer knows (not UTF-8, "
                             f"not GB18030/GBK; byte {start}); save it as CSV UTF-8 or .xlsx")


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES = ((b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"),
               (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
               (b"Rar!", "a RAR archive"), (b"\x1f\x8b", "a gzip archive"),
               (b"{\\rtf", "an RTF document"), (b"<?xml", "an XML document"),
               (b"<html", "an HTML page"), (b"<!doctype html", "an HTML page"))


def _what_it_is(raw: bytes) -> str:
    """A few words naming what a file's first bytes look like."""
    head = raw[:64].lstrip().lower()
    if not raw.strip():
        return "an empty file"
    for magic, name in _SIGNATURES:
        if head.startswith(magic.lower()):
            return name
    return "binary data" if _looks_binary(raw) else "text"


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:4096]
    return b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff"))


def _table(rows: list[tuple[int, list[Any]]], column_map: Mapping[str, str] | None) -> SourceTable:
    """The header and the rows under it. The header is the first non-empty row,
    unless a title line sits above it: then the first of the next few rows
    with at least two known column names."""
    filled = [i for i, (_, cells) in enumerate(rows) if any(cell_text(v) for v in cells)]
    if not filled:
        raise CatalogImportError("the source is empty: no header row found")
    start = next((i for i in filled[:_HEADER_SEARCH_ROWS]
                  if header_score([cell_text(v) for v in rows[i][1]], column_map) >= 2), filled[0])
    header_cells = list(rows[start][1])
    while header_cells and cell_text(header_cells[-1]) == "":
        header_cells.pop()
    headers: list[str] = []
    for index, cell in enumerate(header_cells, 1):
        name = cell_text(cell) or f"column {index}"
        while name in headers:
            name = f"{name} ({index})"
        headers.append(name)
    table = SourceTable(headers, [])
    table.side_texts.extend(" ".join(t for v in rows[i][1] if (t := cell_text(v)))
                            for i in filled if i < start)
    if start != filled[0]:
        table.notes.append(f"row {rows[start][0]} was taken as the header; the lines above it "
                           "were ignored")
    overflow = []
    width = len(headers)
    for number, cells in rows[start + 1:]:
        if any(cell_text(v) != "" for v in cells[width:]):
            overflow.append(number)
        table.rows.append((number, dict(zip(headers, cells[:width], strict=False))))
    if overflow:
        table.notes.append(f"{len(overflow)} rows have cells beyond the last titled column; "
                           f"those cells were ignored ({row_list(overflow)})")
    # Footnotes under the table (注：…, 数据来源：…, 制表人…): trailing rows
    # with a single filled cell, when the table has more than one column.
    footnotes = []
    while width > 1 and table.rows and _is_footnote(table.rows[-1][1]):
        number, last = table.rows.pop()
        if any(cell_text(v) for v in last.values()):
            footnotes.append(number)
            table.side_texts.extend(t for v in last.values() if (t := cell_text(v)))
    if footnotes:
        table.notes.append(f"{len(footnotes)} rows under the table hold a single cell (a note, "
                           f"not a dataset) and were ignored ({row_list(sorted(footnotes))})")
    return table


_FOOTNOTE = re.compile(r"^\s*(注|说明|备注|数据来源|来源|制表|填报|审核|合计|共计|总计|※|\*|\d+[.、])")


def _is_footnote(cells: Mapping[str, Any]) -> bool:
    filled = [t for v in cells.values() if (t := cell_text(v))]
    return not filled or (len(filled) == 1 and bool(_FOOTNOTE.match(filled[0])))


def _read_csv(text: str, delimiter: str | None,
              column_map: Mapping[str, str] | None) -> SourceTable:
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",\t;").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table([(number, row) for number, row in enumerate(reader, 1)], column_map)


_HTML_TABLE = re.compile(r"<table[\s>]", re.IGNORECASE)


def _read_html(text: str, column_map: Mapping[str, str] | None) -> SourceTable:
    """The largest table of a web page (an "Excel" export that is HTML):
    each row's cells as text, title rows above the header as in a sheet."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(text, "html.parser")
    largest = max((table.find_all("tr") for table in page.find_all("table")), key=len)
    rows = [(number, [cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])])
            for number, row in enumerate(largest, 1)]
    return _table(rows, column_map)


def _read_xlsx(path: Path, column_map: Mapping[str, str] | None) -> SourceTable:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise CatalogImportError(f"{path.name}: not a readable .xlsx workbook ({exc}); open it "
                                 "in Excel and save it again as .xlsx, or as CSV (UTF-8)") from exc
    try:
        sheets = book.worksheets

        def rows_of(index: int, limit: int | None) -> Rows:
            return [(number, list(row)) for number, row in enumerate(
                sheets[index].iter_rows(max_row=limit, values_only=True), 1)]
        return _sheet_table(path, [sheet.title for sheet in sheets], rows_of, column_map)
    finally:
        book.close()


Rows = list[tuple[int, list[Any]]]  # a sheet's rows, numbered from 1


def _header_strength(rows: Rows, column_map: Mapping[str, str] | None) -> int:
    """The most known column names in one of a sheet's first rows."""
    return max((header_score([cell_text(v) for v in cells], column_map)
                for _, cells in rows[:_HEADER_SEARCH_ROWS]), default=0)


def _sheet_table(path: Path, names: list[str], rows_of: Callable[[int, int | None], Rows],
                 column_map: Mapping[str, str] | None) -> SourceTable:
    """The table of the workbook's catalogue sheet: the first, unless
    another's header names more catalogue columns (a first sheet of
    instructions, 填表说明, before the 数据目录), with a note saying which.
    ``rows_of(sheet, limit)``: the sheet's first ``limit`` rows (None: all);
    only the first rows of the others are read to choose."""
    chosen = 0
    if len(names) > 1:
        strengths = [_header_strength(rows_of(i, _HEADER_SEARCH_ROWS), column_map)
                     for i in range(len(names))]
        chosen = max(range(len(names)), key=lambda i: (strengths[i], -i))
    table = _table(rows_of(chosen, None), column_map)
    if len(names) > 1:
        others = ", ".join(name for i, name in enumerate(names) if i != chosen)
        table.notes.append(f"{path.name}: the sheet {names[chosen]} was read (its header "
                           f"names the most catalogue columns); not read: {others}")
    return table


def _read_xls(path: Path, raw: bytes, column_map: Mapping[str, str] | None) -> SourceTable:
    """An Excel 97-2003 workbook's catalogue sheet (dates as dates; see
    ``_sheet_table``)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=raw)
    except Exception as exc:  # xlrd raises many kinds for a broken or encrypted file
        raise CatalogImportError(f"{path.name}: an Excel 97-2003 file xlrd cannot read ({exc}); "
                                 "open it in Excel and save it as .xlsx or CSV (UTF-8)") from exc

    def rows_of(index: int, limit: int | None) -> Rows:
        sheet = book.sheet_by_index(index)
        rows = []
        for row in range(min(sheet.nrows, limit if limit is not None else sheet.nrows)):
            cells: list[Any] = []
            for cell in sheet.row(row):
                value: Any = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        value = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                    except (ValueError, OverflowError):
                        pass
                cells.append(value)
            rows.append((row + 1, cells))
        return rows
    return _sheet_table(path, book.sheet_names(), rows_of, column_map)


def _read_json(text: str, path: Path) -> SourceTable:
    dictionaries: list[str] = []  # code tables beside the rows (a legend)
    try:
        items, note = json_items(text, path.name, dictionaries)
    except UnreadableJson as exc:
        raise CatalogImportError(str(exc)) from exc
    items = [flat_item(item) if isinstance(item, Mapping) else item for item in items]
    headers: dict[str, None] = {}
    for item in items:
        if isinstance(item, Mapping):
            headers.update(dict.fromkeys(item))
    table = SourceTable(list(headers), [], [note] if note else [], dictionaries)
    for number, item in enumerate(items, 1):
        if isinstance(item, dict):
            table.rows.append((number, item))
        elif isinstance(item, str) and unpack_record(item):
            if "record" not in table.headers:
                table.headers.append("record")
            table.rows.append((number, {"record": item}))
        else:
            table.notes.append(f"item {number} is not an object; ignored")
    if not table.rows:
        kinds = sorted({_JSON_KINDS.get(type(item).__name__, "value") for item in items})
        raise CatalogImportError(
            f"{path.name}: the JSON holds no dataset objects ("
            + (f"{len(items)} items, each {' or '.join(kinds)}" if items else "an empty list")
            + "); export the catalogue as a JSON list of objects, one per dataset, or as CSV "
            "(UTF-8)")
    return table


_JSON_KINDS = {"int": "a number", "float": "a number", "str": "a text", "list": "a list",
               "bool": "true or false", "NoneType": "null"}
_PACKED_PART = re.compile(r"^\s*([^\t:：#]{1,30}?)\s*(?:\t|[:：])\s*(.*?)\s*$", re.S)


def unpack_record(text: str) -> dict[str, str] | None:
    """``资源名称\t…#资源分类\t…#…`` (a record packed into one string, as some
    portals export) as {name: value}; None unless at least three parts are
    ``name<TAB or colon>value``."""
    parts = [p for p in text.split("#") if p.strip()]
    if len(parts) < 3:
        return None
    record: dict[str, str] = {}
    for part in parts:
        match = _PACKED_PART.match(part)
        if match is None:
            return None
        record.setdefault(match.group(1).strip(), match.group(2))
    return record if len(record) >= 3 else None


def unpack_packed_rows(table: SourceTable) -> SourceTable:
    """Expand rows whose metadata is packed into one cell (see
    ``unpack_record``): when most rows of a column hold packed records, their
    names become columns. Other tables are returned as they are."""
    for header in table.headers:
        texts = [t for _, cells in table.rows
                 if isinstance(t := cells.get(header), str) and t.strip()]
        if not texts:
            continue
        sample = texts[:50]
        if sum(1 for t in sample if unpack_record(t) is not None) * 2 <= len(sample):
            continue
        headers = [h for h in table.headers if h != header]
        rows = []
        for number, cells in table.rows:
            record = unpack_record(str(cells.get(header) or "")) or {}
            for name in record:
                if name not in headers:
                    headers.append(name)
            merged = {k: v for k, v in cells.items() if k != header}
            merged.update({k: v for k, v in record.items() if k not in merged})
            rows.append((number, merged))
        notes = [*table.notes, f"column {header!r} packs each record into one text "
                 f"(name<TAB>value#...); its {len(headers) - len(table.headers) + 1} names "
                 "were read as columns"]
        return SourceTable(headers, rows, notes)
    return table
