"""What ``portal import`` reads: the catalogue file and the operator's files.

- The catalogue: CSV (UTF-8 with or without BOM, else GB18030/GBK, which is
  what Excel in China writes), XLSX (first sheet) or a JSON export (a list of
  objects, or one under a key such as ``data``). In a spreadsheet the header
  is the first non-empty row, unless a title line sits above it.
- The operator's YAML files: a column map (``数据提供方: department``), a value
  map (raw text → code, per field) and defaults (values the operator states
  for rows that lack them, per open type). Each is checked in full before
  anything is written; every problem is named in one ``CatalogImportError``.
- The catalogue's ``vocabularies.yaml``, which codes are mapped onto; at the
  end of an import the new departments are appended to it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import openpyxl
import yaml

from builder.import_columns import (
    OPEN_TYPE_SPELLINGS,
    PROVISION_SPELLINGS,
    cell_text,
    header_score,
    normalise,
    parse_date,
    row_list,
)
from domain.catalogue.model import OpenType
from domain.catalogue.vocabulary import Vocabularies, VocabularyError, vocabularies_from_mapping

DEFAULT_VOCABULARIES = Path(__file__).resolve().parent.parent / "datasets" / "vocabularies.yaml"
# Fields an operator's value map may resolve, and the vocabulary each uses.
VALUE_MAP_FIELDS = ("department", "theme", "update_frequency", "region", "level",
                    "open_type", "provision")
VOCAB_ATTR = {"department": "departments", "theme": "themes", "update_frequency": "frequencies",
              "region": "regions", "level": "levels"}
# Fields an operator's defaults may set, under an open type or "all".
DEFAULT_FIELDS = ("legal_basis", "open_conditions", "level", "usage_requirements", "region",
                  "contact", "licenses", "published", "last_updated", "update_frequency",
                  "department", "theme")
ALL = "all"
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_HEADER_SEARCH_ROWS = 10
_LIST_KEYS = ("data", "result", "results", "datasets", "records", "items", "rows", "list")


class CatalogImportError(ValueError):
    """The import cannot start; the message says what to fix. Nothing was written."""


# --- the catalogue file ----------------------------------------------------------

@dataclass
class SourceTable:
    """A source's header and its rows as (row number, {header: value})."""

    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    notes: list[str] = field(default_factory=list)


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
    if suffix in (".xlsx", ".xlsm") or (suffix not in (".csv", ".tsv", ".txt", ".json")
                                        and raw.startswith(b"PK\x03\x04")):
        return _read_xlsx(path, column_map)
    text, encoding = _decode(raw, path)
    if suffix == ".json" or (suffix not in (".csv", ".tsv", ".txt")
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


def _read_xlsx(path: Path, column_map: Mapping[str, str] | None) -> SourceTable:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise CatalogImportError(f"{path.name}: not a readable .xlsx workbook ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        rows = [(number, list(row)) for number, row in
                enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()
    table = _table(rows, column_map)
    if len(book.sheetnames) > 1:
        table.notes.append(f"{path.name}: only the first sheet ({book.sheetnames[0]}) was read")
    return table


def _json_values(text: str, path: Path) -> tuple[Any, str]:
    """The JSON document, or the list of the values written back to back
    (``}{``) or one per line (JSON lines); with a note saying which."""
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        first = exc
    decoder = json.JSONDecoder()
    values, position = [], 0
    text = text.strip()
    try:
        while position < len(text):
            value, position = decoder.raw_decode(text, position)
            values.append(value)
            while position < len(text) and text[position] in " \t\r\n,":
                position += 1
    except json.JSONDecodeError:
        raise CatalogImportError(f"{path.name}: not valid JSON at line {first.lineno} "
                                 f"column {first.colno}: {first.msg}; export the catalogue "
                                 "as a JSON list of objects, or as CSV (UTF-8)") from first
    if len(values) < 2:
        raise CatalogImportError(f"{path.name}: not valid JSON at line {first.lineno} "
                                 f"column {first.colno}: {first.msg}; export the catalogue as "
                                 "a JSON list of objects, or as CSV (UTF-8)") from first
    return values, (f"{path.name} holds {len(values)} JSON values written one after another "
                    "(not one JSON list); each was read as a row")


def _read_xls(path: Path, raw: bytes, column_map: Mapping[str, str] | None) -> SourceTable:
    """An Excel 97-2003 workbook's first sheet (dates as dates)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=raw)
    except Exception as exc:  # xlrd raises many kinds for a broken or encrypted file
        raise CatalogImportError(f"{path.name}: an Excel 97-2003 file xlrd cannot read ({exc}); "
                                 "open it in Excel and save it as .xlsx or CSV (UTF-8)") from exc
    sheet = book.sheet_by_index(0)
    rows = []
    for index in range(sheet.nrows):
        cells: list[Any] = []
        for cell in sheet.row(index):
            value: Any = cell.value
            if cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    value = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                except (ValueError, OverflowError):
                    pass
            cells.append(value)
        rows.append((index + 1, cells))
    table = _table(rows, column_map)
    if book.nsheets > 1:
        table.notes.append(f"{path.name}: only the first sheet ({sheet.name}) was read")
    return table


def _read_json(text: str, path: Path) -> SourceTable:
    data, note = _json_values(text, path)
    items = _json_list(data)
    if items is None:
        raise CatalogImportError(f"{path.name}: found JSON {type(data).__name__} but no list of "
                                 f"objects (nor one under {', '.join(_LIST_KEYS)}); export one "
                                 "object per dataset, or convert the catalogue to CSV (UTF-8)")
    headers: dict[str, None] = {}
    for item in items:
        if isinstance(item, Mapping):
            headers.update(dict.fromkeys(str(k) for k in item))
    table = SourceTable(list(headers), [], [note] if note else [])
    for number, item in enumerate(items, 1):
        if isinstance(item, Mapping):
            table.rows.append((number, {str(k): v for k, v in item.items()}))
        elif isinstance(item, str) and unpack_record(item):
            if "record" not in table.headers:
                table.headers.append("record")
            table.rows.append((number, {"record": item}))
        else:
            table.notes.append(f"item {number} is not an object; ignored")
    return table


def _json_list(data: Any, depth: int = 0) -> list[Any] | None:
    if isinstance(data, list):
        return data
    if not isinstance(data, Mapping) or depth > 2:
        return None
    for key in _LIST_KEYS:
        if key in data and (found := _json_list(data[key], depth + 1)) is not None:
            return found
    lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], Mapping)]
    return lists[0] if len(lists) == 1 else None


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


# --- the operator's files and the vocabularies --------------------------------------

def _read_yaml(path: Path, what: str) -> Any:
    try:
        return yaml.safe_load(Path(path).read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogImportError(f"cannot read {what} {path}: {exc}") from exc


def _operator_mapping(given: Path | Mapping[str, Any] | None, what: str,
                      example: str) -> tuple[str, Mapping[str, Any]]:
    """(where, mapping) for an operator's file or an in-memory mapping."""
    where, data = what, given
    if given is not None and not isinstance(given, Mapping):
        where, data = str(given), _read_yaml(Path(given), what)
    if data is None:
        return where, {}
    if not isinstance(data, Mapping):
        raise CatalogImportError(f"{where}: expected a mapping such as {example}")
    return where, data


def read_column_map(path: Path) -> dict[str, str]:
    """A column map kept in a YAML file (``数据提供方: department``), for the
    CLI's ``--map-file``.

    Raises:
        CatalogImportError: the file cannot be read or is not a mapping.
    """
    _, data = _operator_mapping(Path(path), "column map",
                                "COLUMN: FIELD lines, e.g. '数据提供方: department'")
    return {str(k): str(v) for k, v in data.items()}


def read_vocabularies(out: Path, given: Path | None) -> tuple[Path, dict[str, Any], Vocabularies]:
    """The vocabularies to map onto: ``out``'s own, else ``given``, else the
    repository's sample. Returns (path, parsed file, vocabularies)."""
    target = out / "vocabularies.yaml"
    path = target if target.is_file() else Path(given or DEFAULT_VOCABULARIES)
    if given is None and not path.is_file():  # an installed package has no sample catalogue
        raise CatalogImportError(f"{out} has no vocabularies.yaml: pass --vocabularies FILE "
                                 "(the controlled lists to map onto)")
    data = _read_yaml(path, "vocabularies") or {}
    if not isinstance(data, dict):
        raise CatalogImportError(f"{path}: expected a mapping of controlled lists")
    try:
        return path, data, vocabularies_from_mapping(data)
    except VocabularyError as exc:
        raise CatalogImportError(f"{path}: {exc}") from exc


def write_vocabularies(out: Path, source: Path, data: dict[str, Any],
                       entries: list[dict[str, str]],
                       themes: list[dict[str, str]] | None = None) -> list[str]:
    """Give ``out`` its vocabularies.yaml (a copy of ``source``, with
    portal.yaml) if it has none, and append the new departments ``entries``
    and the new ``themes``. Returns warnings for the operator."""
    warnings = []
    target = out / "vocabularies.yaml"
    if not target.is_file():
        shutil.copyfile(source, target)
        portal = source.parent / "portal.yaml"
        if portal.is_file() and not (out / "portal.yaml").exists():
            shutil.copyfile(portal, out / "portal.yaml")
        warnings.append(f"{target} started from {source}")
    added = {key: items for key, items in (("departments", entries), ("themes", themes or []))
             if items}
    if not added:
        return warnings
    text = target.read_bytes().decode("utf-8-sig")
    expected = dict(data)
    updated: str | None = text
    for key, items in added.items():
        expected[key] = [*(data.get(key) or []), *items]
        updated = _append_entries(updated, key, items) if updated is not None else None
    if updated is None or yaml.safe_load(updated) != expected:
        # The file's layout defeated a text edit: rewrite it whole (comments lost).
        updated = yaml.dump(expected, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
        warnings.append(f"{target} was rewritten in full; its comments were lost")
    target.write_text(updated, encoding="utf-8")
    return warnings


def _append_entries(text: str, key: str, entries: list[dict[str, str]]) -> str | None:
    """Add entries at the end of the ``key:`` list, keeping the rest of the
    file (comments, order) as it is; None if the list is not found."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if re.match(rf"{key}\s*:\s*(#.*)?$", line.rstrip("\r\n"))), None)
    if start is None:
        return None
    last, indent = start, "  "
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() == "" or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace() and not line.startswith("-"):
            break
        if (item := re.match(r"(\s*)-\s", line)) and last == start:
            indent = item.group(1)
        last = i
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    new = [f"{indent}- " + yaml.dump(e, Dumper=_DUMPER, allow_unicode=True, sort_keys=False,
                                     default_flow_style=True, width=10**6) for e in entries]
    return "".join(lines[:last + 1] + new + lines[last + 1:])


def load_value_map(value_map: Path | Mapping[str, Any] | None,
                   vocab: Vocabularies) -> dict[str, dict[str, str]]:
    """field -> {normalised raw text: code}, every code checked."""
    where, data = _operator_mapping(value_map, "value map", "'theme: {默认主题: urban}'")
    result: dict[str, dict[str, str]] = {}
    problems = []
    for name, entries in data.items():
        if name not in VALUE_MAP_FIELDS or not isinstance(entries, Mapping):
            problems.append(f"{name!r} is not one of {', '.join(VALUE_MAP_FIELDS)} "
                            "mapping raw text to a code")
            continue
        valid = _valid_codes(name, vocab)
        for raw, code in entries.items():
            code = str(code).strip()
            if code not in valid:
                problems.append(f"{name}: {raw!r} -> {code!r}, which is not a code of the "
                                f"catalogue's {VOCAB_ATTR.get(name, name)}")
            result.setdefault(name, {})[normalise(str(raw))] = code
    if problems:
        raise CatalogImportError(f"{where}: " + "; ".join(problems))
    return result


def _valid_codes(name: str, vocab: Vocabularies) -> set[str]:
    if name == "open_type":
        return {t.value for t in OpenType}
    if name == "provision":
        return {p.value for p in PROVISION_SPELLINGS.values()}
    return set(getattr(vocab, VOCAB_ATTR[name]).codes())


def parse_open_type(value: OpenType | str | None) -> OpenType | None:
    """The default open type for rows whose open type is empty."""
    if value is None or value == "":
        return None
    found = OPEN_TYPE_SPELLINGS.get(normalise(str(value)))
    if found is None:
        raise CatalogImportError(f"default open type {value!r} is not one of "
                                 "unconditional, conditional, not_open")
    return found


@dataclass(frozen=True)
class Defaults:
    """Values the operator states for rows that lack them. ``by_scope`` maps
    ``all`` or an open type to {field: value}; a row takes its open type's
    value, else the one under ``all``, and only where it has none itself."""

    by_scope: dict[str, dict[str, Any]] = field(default_factory=dict)

    def keys(self) -> list[str]:
        """``scope.field`` for every stated default, in file order."""
        return [f"{scope}.{name}" for scope, values in self.by_scope.items() for name in values]

    def for_open_type(self, open_type: str) -> dict[str, tuple[str, Any]]:
        """field -> (scope, value) for a row of ``open_type`` ("" if unknown)."""
        found = {name: (ALL, v) for name, v in self.by_scope.get(ALL, {}).items()}
        found.update((name, (open_type, v)) for name, v in self.by_scope.get(open_type, {}).items())
        return found


def load_defaults(defaults: Path | Mapping[str, Any] | None, vocab: Vocabularies) -> Defaults:
    """Read and check the operator's defaults (see ``Defaults``).

    Raises:
        CatalogImportError: unreadable file, or a key that is not an open type
            or ``all``, a field defaults may not set, or an unusable value.
    """
    where, data = _operator_mapping(defaults, "defaults", "'conditional: {legal_basis: ...}'")
    scopes: dict[str, dict[str, Any]] = {}
    problems = []
    for key, values in data.items():
        spelled = normalise(str(key))
        scope = ALL if spelled == ALL else getattr(OPEN_TYPE_SPELLINGS.get(spelled), "value", None)
        if scope is None or scope in scopes:
            problems.append(f"{key!r} is not an open type (unconditional, conditional, not_open) "
                            f"or {ALL!r}" if scope is None else f"{key!r} is stated twice")
            continue
        if not isinstance(values, Mapping):
            problems.append(f"{key}: expected FIELD: VALUE lines under it")
            continue
        scopes[scope] = {}
        for name, value in values.items():
            if name not in DEFAULT_FIELDS:
                problems.append(f"{key}.{name}: not a field defaults may set (use "
                                f"{', '.join(DEFAULT_FIELDS)})")
            elif name == "open_conditions" and scope != OpenType.CONDITIONAL.value:
                problems.append(f"{key}.open_conditions: open conditions are stated for "
                                "conditional data only (002 §15); put them under 'conditional'")
            else:
                try:
                    scopes[scope][name] = _default_value(name, value, vocab)
                except ValueError as exc:
                    problems.append(f"{key}.{name}: {exc}")
    if problems:
        raise CatalogImportError(f"{where}: " + "; ".join(problems))
    return Defaults(scopes)


def _default_value(name: str, value: Any, vocab: Vocabularies) -> Any:
    """The value as written to descriptors; ValueError says what is wrong."""
    if name in ("published", "last_updated"):
        found = parse_date(value)
        if found is None:
            raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD")
        return found
    if name in ("level", "region", "update_frequency", "theme", "department"):
        terms = getattr(vocab, VOCAB_ATTR[name])
        term = terms.match(cell_text(value)) if isinstance(value, str | int) else None
        if term is None:
            raise ValueError(f"{value!r} is not a code, name or alias of the catalogue's "
                             f"{VOCAB_ATTR[name]} ({', '.join(terms.codes())})")
        return term.code
    if name == "contact":
        if not isinstance(value, Mapping) or not value \
                or not {str(k) for k in value} <= {"name", "phone", "email"}:
            raise ValueError("write a mapping of name, phone and email, "
                             "e.g. {name: 数据开放科, email: open@example.gov.cn}")
        return {k: text for k in ("name", "phone", "email") if (text := cell_text(value.get(k)))}
    if name == "licenses":
        items = [value] if isinstance(value, Mapping) else value
        if not isinstance(items, list) or not items or not all(
                isinstance(i, Mapping) and {str(k) for k in i} <= {"name", "title", "path"}
                and (i.get("name") or i.get("path")) for i in items):
            raise ValueError("write a list of licences, each with a name or path and an "
                             "optional title (Frictionless 'licenses')")
        return [{str(k): cell_text(v) for k, v in i.items()} for i in items]
    if not isinstance(value, str) or not value.strip():
        raise ValueError("write the text itself (not empty, not a list or number)")
    return value.strip()
