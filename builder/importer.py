"""``portal import``: turn a portal's catalogue spreadsheet (CSV, XLSX) or JSON
export into one dataset folder per row (SPEC §2: catalogues are kept in
spreadsheets, GB/T 21063).

What it never does is guess. Free text reaches a code only through the
catalogue's vocabularies (``TermList.match``: exact code, name or alias) or the
operator's value map; anything else is written raw under ``import_unmapped``
with the code left empty, so ``portal check`` reports it. The one exception is
departments: a catalogue's providing departments are its own organisations,
so unknown ones are added to ``vocabularies.yaml`` with generated codes.

Row numbers in the report are what the operator sees: the spreadsheet row
(the header row counts) or the 1-based position in a JSON list.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from builder.import_columns import (
    OPEN_TYPE_SPELLINGS,
    PLACEHOLDERS,
    PROVISION_SPELLINGS,
    ColumnPlan,
    cell_items,
    cell_text,
    header_score,
    normalise,
    parse_contact,
    parse_date,
    parse_formats,
    plan_columns,
)
from domain.catalog import IDENTIFIER_RE, RESERVED_FOLDERS
from domain.model import OpenType
from domain.vocabulary import (
    Department,
    TermList,
    Vocabularies,
    VocabularyError,
    vocabularies_from_mapping,
)

__all__ = ["CatalogImportError", "ImportReport", "SourceTable", "import_catalog",
           "read_column_map", "read_source"]

DEFAULT_VOCABULARIES = Path(__file__).resolve().parent.parent / "datasets" / "vocabularies.yaml"
# Fields an operator's value map may resolve, and the vocabulary each uses.
VALUE_MAP_FIELDS = ("department", "theme", "update_frequency", "region", "level",
                    "open_type", "provision")
_VOCAB_ATTR = {"department": "departments", "theme": "themes", "update_frequency": "frequencies",
               "region": "regions", "level": "levels"}
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class CatalogImportError(ValueError):
    """The import cannot start; the message says what to fix."""


@dataclass
class ImportReport:
    """What an import did, for the operator and for tests."""

    imported: int = 0  # descriptors written
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)
    # field -> raw values that matched no vocabulary term (or no date), with counts
    unmapped: dict[str, Counter[str]] = field(default_factory=dict)
    new_departments: list[str] = field(default_factory=list)  # names, first-seen order
    warnings: list[str] = field(default_factory=list)
    department_codes: dict[str, str] = field(default_factory=dict)  # new name -> code
    open_types: Counter[str] = field(default_factory=Counter)
    identifiers: list[str] = field(default_factory=list)
    rows: int = 0  # rows read, blank lines aside
    source: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        """An English report: counts, then unmapped values by field with counts
        (most frequent first), new departments, skipped rows and warnings."""
        lines = [f"Imported {self.imported} of {self.rows} rows from {self.source or 'the source'}"
                 f" in {self.seconds:.1f} s; skipped {len(self.skipped)}."]
        if self.open_types:
            lines.append("By open type: " + ", ".join(
                f"{k or '(empty)'} {n}" for k, n in self.open_types.most_common()) + ".")
        if self.unmapped:
            lines.append("Unmapped values (code left empty, raw text kept under import_unmapped; "
                         "resolve them with a value map or vocabulary aliases):")
            for name, counts in self.unmapped.items():
                lines.append(f"  {name}: {len(counts)} distinct, {sum(counts.values())} rows")
                lines.extend(f"    {n:6d}  {raw}" for raw, n in counts.most_common())
        if self.new_departments:
            lines.append(f"New departments added to vocabularies.yaml: {len(self.new_departments)}")
            lines.extend(f"  {self.department_codes.get(name, '?'):6s} {name}"
                         for name in self.new_departments[:20])
            if len(self.new_departments) > 20:
                lines.append(f"  ... and {len(self.new_departments) - 20} more")
        if self.skipped:
            lines.append("Skipped rows:")
            lines.extend(f"  row {row}: {reason}" for row, reason in self.skipped)
        if self.warnings:
            lines.append("Warnings:")
            lines.extend(f"  - {w}" for w in self.warnings)
        return "\n".join(lines)


def import_catalog(source: Path, out: Path, *, column_map: Mapping[str, str] | None = None,
                   vocabularies: Path | None = None,
                   value_map: Path | Mapping[str, Mapping[str, str]] | None = None,
                   default_open_type: OpenType | str | None = None,
                   overwrite: bool = False) -> ImportReport:
    """Import the catalogue ``source`` into the catalogue folder ``out``.

    Writes ``out/<identifier>/datapackage.yaml`` per row and adds unknown
    departments to ``out/vocabularies.yaml``, which is first copied (with
    ``portal.yaml`` beside it) from ``vocabularies`` or the repository's sample
    when ``out`` has none. ``default_open_type`` is used for rows whose open
    type is empty (never for text that does not map). Existing dataset folders
    are skipped unless ``overwrite``.

    Raises:
        CatalogImportError: the source cannot be read, has no title column, or
            the column map, value map or vocabularies are invalid.
    """
    started = time.perf_counter()
    source, out = Path(source), Path(out)
    table = read_source(source, column_map)
    try:
        plan = plan_columns(table.headers, column_map)
    except ValueError as exc:
        raise CatalogImportError(str(exc)) from exc
    if plan.column("title") is None:
        raise CatalogImportError(
            f"{source.name}: no column holds the dataset title (columns: "
            f"{', '.join(table.headers) or 'none'}); name it with --map COLUMN=title")
    vocab_path, vocab_data = _vocabulary_source(out, vocabularies)
    try:
        vocab = vocabularies_from_mapping(vocab_data)
    except VocabularyError as exc:
        raise CatalogImportError(f"{vocab_path}: {exc}") from exc
    values = _load_value_map(value_map, vocab)
    default = _default_open_type(default_open_type)

    if out.exists() and not out.is_dir():
        raise CatalogImportError(f"{out} is a file; pass the catalogue folder to import into")
    report = ImportReport(source=source.name)
    report.warnings.extend(table.notes)
    report.warnings.extend(plan.warnings)
    if vocabularies is not None and vocab_path != Path(vocabularies):
        report.warnings.append(f"{out / 'vocabularies.yaml'} exists and was used; "
                               f"{vocabularies} was not read")
    converter = _Converter(vocab, values, plan, default, report)
    records = [(row, desc) for row, cells in table.rows
               if (desc := converter.convert(row, cells)) is not None]
    converter.finish()
    _assign_identifiers(records, plan.column("identifier") is not None, report)

    out.mkdir(parents=True, exist_ok=True)
    _write_vocabularies(out, vocab_path, vocab_data, converter.new_department_entries, report)
    _write_descriptors(out, records, overwrite, report)
    report.seconds = time.perf_counter() - started
    return report


# --- reading the source -------------------------------------------------------

@dataclass
class SourceTable:
    """A source's header and its rows as (row number, {header: value})."""

    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    notes: list[str] = field(default_factory=list)


_HEADER_SEARCH_ROWS = 10
_LIST_KEYS = ("data", "result", "results", "datasets", "records", "items", "rows", "list")


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
    if suffix == ".xls":
        raise CatalogImportError(f"{path.name}: Excel 97-2003 (.xls) files are not read; "
                                 "save the sheet as .xlsx or CSV")
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
    return table


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK, which is
    what Excel in China writes)."""
    try:
        return raw.decode("utf-8-sig"), "UTF-8 with BOM" if raw.startswith(b"\xef\xbb\xbf") \
            else "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "GB18030/GBK"
    except UnicodeDecodeError as exc:
        raise CatalogImportError(f"{path.name}: neither UTF-8 nor GB18030 (byte {exc.start}); "
                                 "save it as UTF-8") from exc


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
                           f"those cells were ignored ({_rows(overflow)})")
    return table


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


def _read_json(text: str, path: Path) -> SourceTable:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogImportError(f"{path.name}: not valid JSON at line {exc.lineno} "
                                 f"column {exc.colno}: {exc.msg}") from exc
    items = _json_list(data)
    if items is None:
        raise CatalogImportError(f"{path.name}: expected a list of objects, or an object holding "
                                 f"one under {', '.join(_LIST_KEYS)}")
    headers: dict[str, None] = {}
    for item in items:
        if isinstance(item, Mapping):
            headers.update(dict.fromkeys(str(k) for k in item))
    table = SourceTable(list(headers), [])
    for number, item in enumerate(items, 1):
        if isinstance(item, Mapping):
            table.rows.append((number, {str(k): v for k, v in item.items()}))
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


# --- vocabularies, column and value maps ---------------------------------------

def read_column_map(path: Path) -> dict[str, str]:
    """A column map kept in a YAML file (``数据提供方: department``), for the
    CLI's ``--map FILE``.

    Raises:
        CatalogImportError: the file cannot be read or is not a mapping.
    """
    try:
        data = yaml.safe_load(Path(path).read_bytes().decode("utf-8-sig")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogImportError(f"cannot read column map {path}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise CatalogImportError(f"{path}: expected COLUMN: FIELD lines, e.g. '数据提供方: department'")
    return {str(k): str(v) for k, v in data.items()}


def _vocabulary_source(out: Path, given: Path | None) -> tuple[Path, dict[str, Any]]:
    target = out / "vocabularies.yaml"
    path = target if target.is_file() else Path(given or DEFAULT_VOCABULARIES)
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8-sig")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogImportError(f"cannot read vocabularies {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogImportError(f"{path}: expected a mapping of controlled lists")
    return path, data


def _load_value_map(value_map: Path | Mapping[str, Any] | None,
                    vocab: Vocabularies) -> dict[str, dict[str, str]]:
    if value_map is None:
        return {}
    where = "value map"
    if not isinstance(value_map, Mapping):
        where = str(value_map)
        try:
            value_map = yaml.safe_load(Path(value_map).read_bytes().decode("utf-8-sig")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CatalogImportError(f"cannot read value map {where}: {exc}") from exc
    if not isinstance(value_map, Mapping):
        raise CatalogImportError(f"{where}: expected a mapping such as 'theme: {{默认主题: urban}}'")
    result: dict[str, dict[str, str]] = {}
    problems = []
    for name, entries in value_map.items():
        if name not in VALUE_MAP_FIELDS or not isinstance(entries, Mapping):
            problems.append(f"{name!r} is not one of {', '.join(VALUE_MAP_FIELDS)} "
                            "mapping raw text to a code")
            continue
        valid = _valid_codes(name, vocab)
        for raw, code in entries.items():
            code = str(code).strip()
            if code not in valid:
                problems.append(f"{name}: {raw!r} -> {code!r}, which is not a code of the "
                                f"catalogue's {_VOCAB_ATTR.get(name, name)}")
            result.setdefault(name, {})[normalise(str(raw))] = code
    if problems:
        raise CatalogImportError(f"{where}: " + "; ".join(problems))
    return result


def _valid_codes(name: str, vocab: Vocabularies) -> set[str]:
    if name == "open_type":
        return {t.value for t in OpenType}
    if name == "provision":
        return {p.value for p in PROVISION_SPELLINGS.values()}
    return set(getattr(vocab, _VOCAB_ATTR[name]).codes())


def _default_open_type(value: OpenType | str | None) -> OpenType | None:
    if value is None or value == "":
        return None
    found = OPEN_TYPE_SPELLINGS.get(normalise(str(value)))
    if found is None:
        raise CatalogImportError(f"default open type {value!r} is not one of "
                                 "unconditional, conditional, not_open")
    return found


# --- one row -> one descriptor -----------------------------------------------

class _Converter:
    """Converts rows to descriptors, mapping values onto codes with caches
    (a catalogue repeats the same few hundred texts thousands of times)."""

    def __init__(self, vocab: Vocabularies, values: dict[str, dict[str, str]], plan: ColumnPlan,
                 default_open_type: OpenType | None, report: ImportReport) -> None:
        self.vocab, self.values, self.plan = vocab, values, plan
        self.default_open_type, self.report = default_open_type, report
        self.cache: dict[tuple[str, str], str | None] = {}
        self.missing: dict[str, list[int]] = defaultdict(list)
        self.invalid_dates: dict[str, list[int]] = defaultdict(list)
        self.defaulted: list[int] = []
        self.new_department_entries: list[dict[str, str]] = []
        used = set(vocab.departments.codes())
        self._next_code = (f"d{n:03d}" for n in range(1, 10**6) if f"d{n:03d}" not in used)

    def _cell(self, cells: Mapping[str, Any], name: str) -> Any:
        column = self.plan.column(name)
        return None if column is None else cells.get(column)

    def convert(self, row: int, cells: Mapping[str, Any]) -> dict[str, Any] | None:
        if all(cell_text(v) == "" for v in cells.values()):
            return None  # blank line in a spreadsheet: not a row at all
        self.report.rows += 1
        title = cell_text(self._cell(cells, "title"))
        if not title:
            self.report.skipped.append((row, f"no title in column {self.plan.column('title')!r}"))
            return None
        unmapped: dict[str, str] = {}
        description = cell_text(self._cell(cells, "description"))
        if normalise(description) in PLACEHOLDERS:
            description = ""
        if not description:
            self.missing["description"].append(row)
            description = title
        open_type = self._open_type(row, self._cell(cells, "open_type"), unmapped)
        desc: dict[str, Any] = {
            "name": cell_text(self._cell(cells, "identifier")),  # replaced by _assign_identifiers
            "title": title,
            "description": description,
            "keywords": cell_items(self._cell(cells, "keywords"), keywords=True),
            "department": self._department(row, self._cell(cells, "department")),
            "theme": self._code("theme", row, self._cell(cells, "theme"), unmapped, True),
            "region": self._code("region", row, self._cell(cells, "region"), unmapped),
            "open_type": open_type,
            "open_conditions": cell_text(self._cell(cells, "open_conditions")),
            "legal_basis": cell_text(self._cell(cells, "legal_basis")),
            "provision": self._provision(self._cell(cells, "provision"), unmapped),
            "update_frequency": self._code("update_frequency", row,
                                           self._cell(cells, "update_frequency"), unmapped, True),
            "last_updated": self._date("last_updated", row, self._cell(cells, "last_updated"),
                                       unmapped),
            "published": self._date("published", row, self._cell(cells, "published"), unmapped),
            "level": self._code("level", row, self._cell(cells, "level"), unmapped),
            "usage_requirements": cell_text(self._cell(cells, "usage_requirements")),
            "contact": parse_contact(cell_text(cells.get(c))
                                     for c in self.plan.fields.get("contact", [])),
        }
        if self.plan.column("formats") is not None:
            desc["declared_formats"] = parse_formats(self._cell(cells, "formats"))
        desc["resources"] = []
        desc["source_url"] = cell_text(self._cell(cells, "source_url"))
        desc["import_unmapped"] = unmapped
        desc["import_extra"] = {c: _plain(v) for c in self.plan.extra
                                if cell_text(v := cells.get(c)) != ""}
        # Required keys are written even when empty, so the gap is visible and
        # `portal check` names it; an empty declared_formats says the source
        # declared none.
        required = {"name", "title", "description", "department", "theme", "open_type",
                    "update_frequency", "last_updated", "published", "resources",
                    "declared_formats"}
        if open_type != OpenType.UNCONDITIONAL.value:
            required |= {"open_conditions", "legal_basis"}
        return {k: v for k, v in desc.items() if k in required or v not in ("", [], {}, None)}

    def _open_type(self, row: int, value: Any, unmapped: dict[str, str]) -> str:
        raw = cell_text(value)
        if not raw:
            if self.default_open_type is not None:
                self.defaulted.append(row)
                return self.default_open_type.value
            self.missing["open_type"].append(row)
            return ""
        key = normalise(raw)
        found = self.values.get("open_type", {}).get(key) or OPEN_TYPE_SPELLINGS.get(key)
        if found:
            return str(OpenType(found).value)
        self._unmapped("open_type", raw, unmapped)
        return ""

    def _provision(self, value: Any, unmapped: dict[str, str]) -> list[str]:
        result: list[str] = []
        for raw in cell_items(value):
            key = normalise(raw)
            found = self.values.get("provision", {}).get(key) or PROVISION_SPELLINGS.get(key)
            if found is None:
                self._unmapped("provision", raw, unmapped)
            elif str(found) not in result:
                result.append(str(found))
        return result

    def _unmapped(self, name: str, raw: str, unmapped: dict[str, str]) -> None:
        self.report.unmapped.setdefault(name, Counter())[raw] += 1
        unmapped[name] = f"{unmapped[name]}、{raw}" if name in unmapped else raw

    def _code(self, name: str, row: int, value: Any, unmapped: dict[str, str],
              required: bool = False) -> str:
        raw = cell_text(value)
        if not raw:
            if required:
                self.missing[name].append(row)
            return ""
        key = (name, raw)
        if key not in self.cache:
            terms: TermList = getattr(self.vocab, _VOCAB_ATTR[name])
            term = terms.match(raw)
            self.cache[key] = self.values.get(name, {}).get(normalise(raw)) \
                or (term.code if term else None)
        code = self.cache[key]
        if code is None:
            self._unmapped(name, raw, unmapped)
            return ""
        return code

    def _department(self, row: int, value: Any) -> str:
        raw = " ".join(cell_text(value).split())
        if not raw:
            self.missing["department"].append(row)
            return ""
        key = ("department", raw)
        if key not in self.cache:
            self.cache[key] = self._find_department(raw)
        return self.cache[key] or ""

    def _find_department(self, raw: str) -> str:
        mapped = self.values.get("department", {}).get(normalise(raw))
        if mapped:
            return mapped
        term = self.vocab.departments.match(raw)
        if term is not None:
            return term.code
        for dept in self.vocab.departments.terms:  # short names (市公安局) are spellings too
            if isinstance(dept, Department) and dept.short_name \
                    and normalise(dept.short_name) == normalise(raw):
                return dept.code
        code = next(self._next_code)
        self.new_department_entries.append({"code": code, "name": raw})
        self.report.new_departments.append(raw)
        self.report.department_codes[raw] = code
        return code

    def _date(self, name: str, row: int, value: Any, unmapped: dict[str, str]) -> date | str:
        if cell_text(value) == "":
            self.missing[name].append(row)
            return ""
        found = parse_date(value)
        if found is None:
            self.invalid_dates[name].append(row)
            self._unmapped(name, cell_text(value), unmapped)
            return ""
        return found

    def finish(self) -> None:
        """Turn the per-row notes into a few counted warnings."""
        warn = self.report.warnings.append
        if rows := self.missing.pop("description", None):
            warn(f"{len(rows)} rows have no description; their title was used instead "
                 f"({_rows(rows)})")
        for name, rows in self.missing.items():
            warn(f"{len(rows)} rows have no {name}; left empty for `portal check` to report "
                 f"({_rows(rows)})")
        for name, rows in self.invalid_dates.items():
            warn(f"{len(rows)} rows have a {name} that is not a date; left empty, raw text "
                 f"kept under import_unmapped ({_rows(rows)})")
        if self.defaulted:
            warn(f"{len(self.defaulted)} rows have no open type; set to the default "
                 f"{self.default_open_type} ({_rows(self.defaulted)})")
        if self.new_department_entries:
            warn(f"{len(self.new_department_entries)} departments were not in the vocabularies "
                 "and were added with generated codes; review their codes and names")


def _rows(rows: list[int], limit: int = 5) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def _plain(value: Any) -> Any:
    """A cell value YAML can write and read back unchanged."""
    if isinstance(value, datetime | date):
        return cell_text(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


# --- identifiers and writing --------------------------------------------------

def _slug(text: str) -> str:
    """The source identifier made URL-safe, or "" when that cannot be done
    without losing meaning (non-ASCII letters, path separators, too long,
    reserved folder names)."""
    text = text.strip().lower()
    if not text or not text.isascii() or any(bad in text for bad in ("..", "/", "\\")):
        return ""
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug if IDENTIFIER_RE.match(slug) and slug not in RESERVED_FOLDERS else ""


def _assign_identifiers(records: list[tuple[int, dict[str, Any]]], has_column: bool,
                        report: ImportReport) -> None:
    """Source identifiers where usable, else ``<department>-<NNNN>`` numbered
    per department in source order: the same input gives the same ids."""
    used: set[str] = set()
    invalid: list[int] = []
    renamed: list[int] = []
    pending = []
    for row, desc in records:
        raw = desc.pop("name", "")
        slug = _slug(raw)
        if slug:
            ident, n = slug, 2
            while ident in used:
                ident, n = f"{slug[:60]}-{n}", n + 1
            if ident != slug:
                renamed.append(row)
            used.add(ident)
            desc["name"] = ident
        else:
            if raw:
                invalid.append(row)
            pending.append(desc)
    counters: Counter[str] = Counter()
    for desc in pending:
        prefix = _slug(str(desc.get("department") or ""))[:50] or "dataset"
        while True:
            counters[prefix] += 1
            ident = f"{prefix}-{counters[prefix]:04d}"
            if ident not in used:
                break
        used.add(ident)
        desc["name"] = ident
    for _, desc in records:  # keep "name" first in the written file
        name = desc.pop("name")
        items = list(desc.items())
        desc.clear()
        desc.update([("name", name), *items])
    if has_column and invalid:
        report.warnings.append(f"{len(invalid)} source identifiers are not URL-safe "
                               f"(a-z, 0-9, '-'); generated ones were used ({_rows(invalid)})")
    if renamed:
        report.warnings.append(f"{len(renamed)} source identifiers repeat; a -2, -3... suffix "
                               f"was added ({_rows(renamed)})")


def _write_vocabularies(out: Path, source: Path, data: dict[str, Any],
                        entries: list[dict[str, str]], report: ImportReport) -> None:
    target = out / "vocabularies.yaml"
    if not target.is_file():
        shutil.copyfile(source, target)
        portal = source.parent / "portal.yaml"
        if portal.is_file() and not (out / "portal.yaml").exists():
            shutil.copyfile(portal, out / "portal.yaml")
        report.warnings.append(f"{target} started from {source}")
    if not entries:
        return
    text = target.read_bytes().decode("utf-8-sig")
    expected = dict(data, departments=[*(data.get("departments") or []), *entries])
    updated = _append_departments(text, entries)
    if updated is None or yaml.safe_load(updated) != expected:
        # The file's layout defeated a text edit: rewrite it whole (comments lost).
        updated = yaml.dump(expected, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
        report.warnings.append(f"{target} was rewritten in full; its comments were lost")
    target.write_text(updated, encoding="utf-8")


def _append_departments(text: str, entries: list[dict[str, str]]) -> str | None:
    """Add entries at the end of the ``departments:`` list, keeping the rest
    of the file (comments, order) as it is; None if the list is not found."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if re.match(r"departments\s*:\s*(#.*)?$", line.rstrip("\r\n"))), None)
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


def _write_descriptors(out: Path, records: list[tuple[int, dict[str, Any]]], overwrite: bool,
                       report: ImportReport) -> None:
    root = out.resolve()
    for row, desc in records:
        ident = desc["name"]
        folder = out / ident
        if not IDENTIFIER_RE.match(ident) or folder.resolve().parent != root:
            report.skipped.append((row, f"identifier {ident!r} would leave {out}"))
            continue
        if folder.exists() and not overwrite:
            report.skipped.append((row, f"dataset folder {ident}/ already exists; "
                                        "import with overwrite to replace it"))
            continue
        folder.mkdir(exist_ok=True)
        text = yaml.dump(desc, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100)
        (folder / "datapackage.yaml").write_text(text, encoding="utf-8")
        report.imported += 1
        report.identifiers.append(ident)
        report.open_types[desc.get("open_type") or ""] += 1

