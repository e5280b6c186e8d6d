"""``portal import``: turn a portal's catalogue spreadsheet (CSV, XLSX) or JSON
export into one dataset folder per row (SPEC §2: catalogues are kept in
spreadsheets, GB/T 21063). Metadata only: no data file is fetched or written.

What it never does is guess. Free text reaches a code only through the
catalogue's vocabularies (``TermList.match``: exact code, name or alias) or the
operator's value map; anything else is written raw under ``import_unmapped``
with the code left empty, so ``portal check`` reports it. The one exception is
departments: a catalogue's providing departments are its own organisations,
so unknown ones are added to ``vocabularies.yaml`` with generated codes.
Values a row lacks are filled only from the operator's defaults, and the
descriptor lists them under ``import_defaults``.

Reading the source and the operator's files is ``builder.import_sources``;
column names and cell spellings are ``builder.import_columns``. Row numbers
in the report are what the operator sees: the spreadsheet row (the header
row counts) or the 1-based position in a JSON list.
"""

from __future__ import annotations

import copy
import re
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from builder.import_columns import (
    PLACEHOLDERS,
    PROVISION_SPELLINGS,
    ColumnPlan,
    assign_identifiers,
    cell_items,
    cell_text,
    normalise,
    parse_contact,
    parse_date,
    parse_formats,
    plan_columns,
    row_list,
)
from builder.import_detect import (
    Detection,
    detect,
    first_term,
    open_type_word,
    strip_note,
)
from builder.import_period import parse_period
from builder.import_plan import merge_value_maps, read_plan
from builder.import_sources import (
    VOCAB_ATTR,
    CatalogImportError,
    Defaults,
    SourceTable,
    load_defaults,
    load_value_map,
    parse_open_type,
    read_column_map,
    read_source,
    read_vocabularies,
    write_vocabularies,
)
from domain.catalogue.descriptor import IDENTIFIER_RE
from domain.catalogue.model import MACHINE_READABLE_FORMATS, OpenType
from domain.catalogue.vocabulary import Department, TermList, Vocabularies

__all__ = ["CatalogImportError", "ImportReport", "SourceTable", "import_catalog",
           "read_column_map", "read_source"]

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_EMPTY: tuple[Any, ...] = ("", [], {}, None)
# Theme cells that say "no theme"; such rows are filed under UNCLASSIFIED.
NO_THEME = frozenset({*PLACEHOLDERS, "默认主题", "未分类", "其他", "其它", "无主题"})
UNCLASSIFIED = {"code": "unclassified", "name": "未分类"}


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
    # "scope.field" of each operator default -> rows that took it
    defaults_applied: dict[str, int] = field(default_factory=dict)
    identifiers: list[str] = field(default_factory=list)
    row_identifiers: dict[int, str] = field(default_factory=dict)  # source row -> identifier
    # What `portal check` will say of the descriptors written (metadata rules):
    with_errors: int = 0  # datasets with at least one error (the build withholds them)
    errors_by_code: Counter[str] = field(default_factory=Counter)
    rows: int = 0  # rows read, blank lines aside
    source: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        """An English report: counts, defaults applied, unmapped values by field
        with counts (most frequent first), new departments, skipped rows and
        warnings."""
        lines = [f"Imported {self.imported} of {self.rows} rows from {self.source or 'the source'}"
                 f" in {self.seconds:.1f} s; skipped {len(self.skipped)}."]
        if self.imported:
            lines.append(f"portal check will find errors in {self.with_errors} of "
                         f"{self.imported} datasets (portal build withholds them until fixed)"
                         + (": " + ", ".join(f"{code} {n}" for code, n in
                                             self.errors_by_code.most_common())
                            if self.errors_by_code else "") + ".")
        if self.open_types:
            lines.append("By open type: " + ", ".join(
                f"{k or '(empty)'} {n}" for k, n in self.open_types.most_common()) + ".")
        if self.defaults_applied:
            lines.append("Operator defaults taken by rows that had no value (listed under "
                         "import_defaults in each descriptor):")
            lines.extend(f"  {key}: {n} rows" for key, n in self.defaults_applied.items())
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
                   defaults: Path | Mapping[str, Any] | None = None,
                   overwrite: bool = False, plan: Path | None = None) -> ImportReport:
    """Import the catalogue ``source`` into the catalogue folder ``out``.

    Writes ``out/<identifier>/datapackage.yaml`` per row and adds unknown
    departments to ``out/vocabularies.yaml``, which is first copied (with
    ``portal.yaml`` beside it) from ``vocabularies`` or the repository's sample
    when ``out`` has none. ``default_open_type`` is used for rows whose open
    type is empty (never for text that does not map). ``defaults`` (a YAML
    file or mapping, see ``import_sources.Defaults``) fills the fields a row
    leaves empty. Existing dataset folders are skipped unless ``overwrite``.
    ``plan`` is an import plan (``portal import --write-plan``, edited by the
    operator): its column map, value map, defaults and default open type are
    used, and options given beside it win.

    Raises:
        CatalogImportError: the source cannot be read, has no title column, or
            the column map, value map, defaults or vocabularies are invalid.
            Nothing is written then.
    """
    started = time.perf_counter()
    source, out = Path(source), Path(out)
    if plan is not None:
        column_map, value_map, defaults, default_open_type = _with_plan(
            plan, column_map, value_map, defaults, default_open_type)
    prepared = prepare(source, out, column_map, vocabularies)
    table, columns, vocab = prepared.table, prepared.columns, prepared.vocab
    vocab_path, vocab_data = prepared.vocab_path, prepared.vocab_data
    values = load_value_map(value_map, vocab)
    operator_defaults = load_defaults(defaults, vocab)
    default = parse_open_type(default_open_type)
    if out.exists() and not out.is_dir():
        raise CatalogImportError(f"{out} is a file; pass the catalogue folder to import into")

    report = ImportReport(source=source.name,
                          defaults_applied=dict.fromkeys(operator_defaults.keys(), 0))
    report.warnings.extend(table.notes)
    report.warnings.extend(columns.warnings)
    report.warnings.extend(f"values win over headers: {note}" for note in prepared.detection.notes)
    if vocabularies is not None and vocab_path != Path(vocabularies):
        report.warnings.append(f"{out / 'vocabularies.yaml'} exists and was used; "
                               f"{vocabularies} was not read")
    converter = _Converter(vocab, values, columns, default, operator_defaults, report)
    records = [(row, desc) for row, cells in table.rows
               if (desc := converter.convert(row, cells)) is not None]
    converter.finish()
    report.warnings.extend(assign_identifiers(records, columns.column("identifier") is not None))

    out.mkdir(parents=True, exist_ok=True)
    report.warnings.extend(write_vocabularies(out, vocab_path, vocab_data,
                                              converter.new_department_entries,
                                              converter.new_theme_entries))
    _write_descriptors(out, records, overwrite, report)
    _forecast(out, records, report)
    report.seconds = time.perf_counter() - started
    return report


def _forecast(out: Path, records: list[tuple[int, dict[str, Any]]], report: ImportReport) -> None:
    """Apply ``portal check``'s metadata rules to the descriptors written, so
    the summary says which datasets the build will withhold, by the same
    rules (data files are not checked: an import writes none)."""
    from domain.catalogue.descriptor import dataset_from_descriptor
    from domain.catalogue.rules import check_dataset

    _, _, vocab = read_vocabularies(out, None)
    today = date.today()
    written = set(report.identifiers)
    for _, desc in records:
        ident = desc["name"]
        if ident not in written:
            continue
        found: list[Any] = []
        dataset = dataset_from_descriptor(desc, f"{ident}/datapackage.yaml", out / ident, found,
                                          source_dir=ident, lenient=True)
        if dataset is not None:
            missing = {p.field for p in found if p.code == "field-missing"}
            found += [p for p in check_dataset(dataset, vocab, today)
                      if not (p.code == "unknown-code" and p.field in missing)]
        codes = {p.code for p in found if p.severity.value == "error"}
        if codes:
            report.with_errors += 1
            report.errors_by_code.update(codes)


@dataclass
class Prepared:
    """A source read and its columns planned: what an import and a plan share."""

    table: SourceTable
    columns: ColumnPlan
    detection: Detection
    vocab_path: Path
    vocab_data: dict[str, Any]
    vocab: Vocabularies


def prepare(source: Path, out: Path, column_map: Mapping[str, str] | None,
            vocabularies: Path | None) -> Prepared:
    """Read ``source`` and decide each column's field, by header and by value.

    Raises:
        CatalogImportError: unreadable source or vocabularies, a bad column
            map, or no column holding titles.
    """
    table = read_source(source, column_map)
    try:
        columns = plan_columns(table.headers, column_map)
    except ValueError as exc:
        raise CatalogImportError(str(exc)) from exc
    vocab_path, vocab_data, vocab = read_vocabularies(out, vocabularies)
    mapped = {normalise(k).strip("*＊:：") for k in column_map or {}}
    fixed = [h for h in table.headers if normalise(h).strip("*＊:：") in mapped]
    detection = detect(table.headers, (cells for _, cells in table.rows), columns, vocab, fixed)
    if columns.column("title") is None:
        raise CatalogImportError(
            f"{source.name}: no column holds the dataset title (columns: "
            f"{', '.join(table.headers) or 'none'}); name it with --map COLUMN=title")
    return Prepared(table, columns, detection, vocab_path, vocab_data, vocab)


# --- one row -> one descriptor -----------------------------------------------

class _Converter:
    """Converts rows to descriptors, mapping values onto codes with caches
    (a catalogue repeats the same few hundred texts thousands of times)."""

    def __init__(self, vocab: Vocabularies, values: dict[str, dict[str, str]], plan: ColumnPlan,
                 default_open_type: OpenType | None, defaults: Defaults,
                 report: ImportReport) -> None:
        self.vocab, self.values, self.plan = vocab, values, plan
        self.default_open_type, self.report = default_open_type, report
        self.defaults = {t: defaults.for_open_type(t) for t in ("", *(o.value for o in OpenType))}
        self.not_machine_readable: list[int] = []  # unconditional rows
        self.urls: dict[str, list[int]] = defaultdict(list)
        self.cache: dict[tuple[str, str], str | None] = {}
        self.missing: dict[str, list[int]] = defaultdict(list)
        self.invalid_dates: dict[str, list[int]] = defaultdict(list)
        self.defaulted: list[int] = []
        self.new_department_entries: list[dict[str, str]] = []
        self.new_theme_entries: list[dict[str, str]] = []
        self.unclassified: list[int] = []
        self.lacking: dict[str, list[int]] = defaultdict(list)
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
        open_type, sandbox = self._open_type(row, self._cell(cells, "open_type"), unmapped)
        lacking: list[str] = []
        desc: dict[str, Any] = {
            "name": cell_text(self._cell(cells, "identifier")),  # replaced by assign_identifiers
            "title": title,
            "description": description,
            "keywords": cell_items(self._cell(cells, "keywords"), keywords=True),
            "department": self._department(row, self._cell(cells, "department")),
            "theme": self._theme(row, self._cell(cells, "theme"), unmapped),
            "region": self._code("region", row, self._cell(cells, "region"), unmapped),
            "open_type": open_type,
            "open_conditions": cell_text(self._cell(cells, "open_conditions")),
            "legal_basis": cell_text(self._cell(cells, "legal_basis")),
            "provision": self._provision(self._cell(cells, "provision"), unmapped)
            or (["sandbox"] if sandbox else []),
            "update_frequency": self._code("update_frequency", row, strip_note(cell_text(
                self._cell(cells, "update_frequency"))), unmapped, True),
            "last_updated": self._date("last_updated", row, self._cell(cells, "last_updated"),
                                       unmapped, lacking),
            "published": self._date("published", row, self._cell(cells, "published"), unmapped,
                                    lacking),
            "level": self._code("level", row, self._cell(cells, "level"), unmapped),
            "usage_requirements": cell_text(self._cell(cells, "usage_requirements")),
            "contact": parse_contact(cell_text(cells.get(c))
                                     for c in self.plan.fields.get("contact", [])),
            "licenses": [],
        }
        self._temporal(cells, desc, unmapped)
        if self.plan.column("formats") is not None:
            desc["declared_formats"] = parse_formats(self._cell(cells, "formats"))
        if open_type == OpenType.UNCONDITIONAL.value \
                and not set(desc.get("declared_formats", ())) & MACHINE_READABLE_FORMATS:
            self.not_machine_readable.append(row)
        desc["resources"] = []
        desc["source_url"] = cell_text(self._cell(cells, "source_url"))
        if desc["source_url"]:
            self.urls[desc["source_url"]].append(row)
        desc["import_defaults"] = self._apply_defaults(open_type, desc)
        # A date the source never gave and no default stated: left empty and
        # said so (the page shows 来源目录未提供), never invented.
        desc["not_in_source"] = [n for n in lacking if desc[n] in _EMPTY]
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
        return {k: v for k, v in desc.items() if k in required or v not in _EMPTY}

    def _temporal(self, cells: Mapping[str, Any], desc: dict[str, Any],
                  unmapped: dict[str, str]) -> None:
        """``temporal`` from a range column or start/end columns, when the
        source has them; an unreadable value goes to import_unmapped."""
        ranged = self._cell(cells, "temporal")
        start, end = self._cell(cells, "temporal_start"), self._cell(cells, "temporal_end")
        written = [cell_text(v) for v in (ranged, start, end)]
        if not any(w and normalise(w) not in PLACEHOLDERS for w in written):
            return
        period = parse_period(start, end, ranged=ranged)
        if period is None:
            self._unmapped("temporal", " ~ ".join(w for w in written if w), unmapped)
            return
        desc["temporal"] = period

    def _apply_defaults(self, open_type: str, desc: dict[str, Any]) -> list[str]:
        """Fill the fields the row left empty from the operator's defaults;
        the names of the fields filled, in descriptor order."""
        filled = []
        stated = self.defaults.get(open_type, {})
        for name in [n for n in desc if n in stated]:
            scope, value = stated[name]
            if desc[name] in _EMPTY:
                desc[name] = copy.deepcopy(value)
                self.report.defaults_applied[f"{scope}.{name}"] += 1
                filled.append(name)
        return filled

    def _open_type(self, row: int, value: Any, unmapped: dict[str, str]) -> tuple[str, bool]:
        """(open type code or "", delivered in a sandbox): the operator's value
        map first, then the default word map (typos included); anything else
        is reported as unmapped, never guessed."""
        raw = cell_text(value)
        mapped = self.values.get("open_type", {}).get(normalise(raw)) if raw else None
        if mapped:
            return str(OpenType(mapped).value), False
        if not raw or normalise(raw) in PLACEHOLDERS:
            if self.default_open_type is not None:
                self.defaulted.append(row)
                return self.default_open_type.value, False
            self.missing["open_type"].append(row)
            if raw:
                self._unmapped("open_type", raw, unmapped)
            return "", False
        found = open_type_word(raw)
        if found is not None:
            return found[0].value, found[1]
        self._unmapped("open_type", raw, unmapped)
        return "", False

    def _theme(self, row: int, value: Any, unmapped: dict[str, str]) -> str:
        """The theme's code: the value map, else the first listed theme the
        vocabularies know. A row that gives no theme (empty, 无, 默认主题)
        is filed under 未分类, which is added to the vocabularies if needed."""
        raw = cell_text(value)
        mapped = self.values.get("theme", {}).get(normalise(raw)) if raw else None
        if mapped:
            return mapped
        if not raw or normalise(raw) in NO_THEME:
            self.unclassified.append(row)
            return self._unclassified_code()
        key = ("theme", raw)
        if key not in self.cache:
            self.cache[key] = first_term(raw, self.vocab.themes)
        code = self.cache[key]
        if code is None:
            self._unmapped("theme", raw, unmapped)
            return ""
        return code

    def _unclassified_code(self) -> str:
        term = self.vocab.themes.match(UNCLASSIFIED["name"])
        if term is not None:
            return str(term.code)
        if not self.new_theme_entries:
            self.new_theme_entries.append(dict(UNCLASSIFIED))
        return UNCLASSIFIED["code"]

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
            terms: TermList = getattr(self.vocab, VOCAB_ATTR[name])
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

    def _date(self, name: str, row: int, value: Any, unmapped: dict[str, str],
              lacking: list[str]) -> date | str:
        if cell_text(value) == "" or normalise(cell_text(value)) in PLACEHOLDERS:
            self.lacking[name].append(row)
            lacking.append(name)
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
                 f"({row_list(rows)})")
        for name, rows in self.missing.items():
            warn(f"{len(rows)} rows have no {name}; left empty for `portal check` to report "
                 f"({row_list(rows)})")
        for name, rows in self.invalid_dates.items():
            warn(f"{len(rows)} rows have a {name} that is not a date; left empty, raw text "
                 f"kept under import_unmapped ({row_list(rows)})")
        for name, rows in self.lacking.items():
            warn(f"{len(rows)} rows have no {name} in the source; left empty and marked "
                 f"not_in_source (the page says 来源目录未提供) unless a default states it "
                 f"({row_list(rows)})")
        if self.unclassified:
            warn(f"{len(self.unclassified)} rows give no theme (empty, 无, 默认主题...); filed "
                 f"under the theme 未分类; give them themes with a value map "
                 f"({row_list(self.unclassified)})")
        if self.defaulted:
            warn(f"{len(self.defaulted)} rows have no open type; set to the default "
                 f"{self.default_open_type} ({row_list(self.defaulted)})")
        if rows := self.not_machine_readable:
            warn(f"{len(rows)} unconditional rows declare no machine-readable format (csv, json, "
                 "xlsx...); `portal check` reports them as no-machine-readable-resource until "
                 f"their files are added ({row_list(rows)})")
        shared = {url: rows for url, rows in self.urls.items() if len(rows) > 1}
        if shared:
            url, rows = max(shared.items(), key=lambda item: len(item[1]))
            warn(f"{sum(map(len, shared.values()))} rows give a source URL that other rows give "
                 f"too ({len(shared)} such URLs; {len(rows)} rows give {url}): that column does "
                 "not identify its rows; the URLs were kept as given")
        if self.new_department_entries:
            warn(f"{len(self.new_department_entries)} departments were not in the vocabularies "
                 "and were added with generated codes; review their codes and names")


def _plain(value: Any) -> Any:
    """A cell value YAML can write and read back unchanged."""
    if isinstance(value, datetime | date):
        return cell_text(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


# --- writing -----------------------------------------------------------------

def _write_descriptors(out: Path, records: list[tuple[int, dict[str, Any]]], overwrite: bool,
                       report: ImportReport) -> None:
    root = out.resolve()
    for row, desc in records:
        ident = desc["name"]
        folder = out / ident
        # A checked identifier has no separator; only a link can lead elsewhere.
        if not IDENTIFIER_RE.match(ident) or (folder.is_symlink()
                                              and folder.resolve().parent != root):
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
        report.row_identifiers[row] = ident
        report.open_types[desc.get("open_type") or ""] += 1



# --- the plan -------------------------------------------------------------------

def write_plan(source: Path, target: Path, *, out: Path | None = None,
               column_map: Mapping[str, str] | None = None,
               vocabularies: Path | None = None,
               value_map: Path | Mapping[str, Mapping[str, str]] | None = None,
               default_open_type: OpenType | str | None = None,
               defaults: Path | Mapping[str, Any] | None = None,
               plan: Path | None = None) -> ImportReport:
    """Write the import plan for ``source`` to ``target`` (see
    ``builder.import_plan``) and import nothing. Returns the report the
    import would give (nothing written).

    Raises:
        CatalogImportError: as ``import_catalog``, or ``target`` cannot be
            written.
    """
    source = Path(source)
    if plan is not None:
        column_map, value_map, defaults, default_open_type = _with_plan(
            plan, column_map, value_map, defaults, default_open_type)
    where = Path(out) if out is not None else source.parent / ".no-catalogue-here"
    prepared = prepare(source, where, column_map, vocabularies)
    vocab = prepared.vocab
    values = load_value_map(value_map, vocab)
    operator_defaults = load_defaults(defaults, vocab)
    report = ImportReport(source=source.name,
                          defaults_applied=dict.fromkeys(operator_defaults.keys(), 0))
    converter = _Converter(vocab, values, prepared.columns, parse_open_type(default_open_type),
                           operator_defaults, report)
    needs: Counter[tuple[str, str]] = Counter()
    for row, cells in prepared.table.rows:
        desc = converter.convert(row, cells)
        if desc is None:
            continue
        for name in ("department", "theme", "update_frequency", "legal_basis",
                     "open_conditions", *desc.get("not_in_source", [])):
            if name in desc and desc[name] in _EMPTY:
                needs[(desc.get("open_type") or "", name)] += 1
    converter.finish()
    text = _plan_text(source, prepared, report, needs, vocab)
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CatalogImportError(f"cannot write the plan {target}: {exc.strerror or exc}") from exc
    return report


def _suggest(name: str, raw: str, vocab: Vocabularies) -> str:
    """A code to consider for an unmapped value (a comment in the plan, never
    applied by itself), or ""."""
    import difflib

    if name not in VOCAB_ATTR:
        return ""
    terms: TermList = getattr(vocab, VOCAB_ATTR[name])
    spellings = {}
    for term in terms.terms:
        for spelling in (term.name, *getattr(term, "aliases", ())):
            spellings[spelling] = term
    close = difflib.get_close_matches(strip_note(raw), list(spellings), n=1, cutoff=0.5)
    if close:
        return f"{spellings[close[0]].code} ({spellings[close[0]].name})"
    if name == "update_frequency" and SUB_DAILY.search(raw):
        term = _most_frequent(terms.terms)
        if term is not None:
            return f"{term.code} ({term.name}; the most frequent update this catalogue offers)"
    return ""


# Updates finer than a day (小时级, 每小时, 分钟级, 每5分钟, 秒级): the vocabulary
# has no such frequency; the plan suggests its most frequent one.
SUB_DAILY = re.compile(r"小时|分钟|秒|时级|分级")


def _most_frequent(terms: Any) -> Any:
    """The scheduled frequency with the shortest promise (working days
    counted as 7/5 calendar days), or None."""
    def days(term: Any) -> float:
        if getattr(term, "max_age_days", None) is not None:
            return float(term.max_age_days)
        if getattr(term, "max_age_working_days", None) is not None:
            return float(term.max_age_working_days) * 7 / 5
        return float("inf")

    scheduled = [t for t in terms if days(t) != float("inf")]
    return min(scheduled, key=days) if scheduled else None


def _plan_text(source: Path, prepared: Prepared, report: ImportReport,
               needs: Counter[tuple[str, str]], vocab: Vocabularies) -> str:
    from builder.import_plan import scalar

    lines = [f"# Import plan for {source.name} ({report.rows} rows), written by "
             "portal import --write-plan.",
             f"# Edit it, then run: portal import {source.name} --plan THIS-FILE --out DIR",
             "# columns: the field each column feeds (change 'field'; 'ignore' drops a column;",
             "#   null keeps it under import_extra); fit = share of its rows that fit the field.",
             "columns:"]
    for header in prepared.table.headers:
        ev = prepared.detection.evidence[header]
        chosen = ev.chosen
        lines.append(f"  {scalar(header)}:")
        lines.append(f"    field: {scalar(chosen)}")
        lines.append(f"    chosen_by: {scalar(ev.reason or 'not recognised')}")
        fit = ev.fits.get("date" if chosen in ("last_updated", "published") else chosen or "", None)
        if fit is not None:
            lines.append(f"    fit: {fit:.2f}")
        lines.append(f"    rows_with_values: {ev.rows}")
        lines.append("    samples: [" + ", ".join(scalar(s) for s in ev.samples) + "]")
        if ev.alternatives():
            lines.append("    alternatives: {" + ", ".join(
                f"{k}: {v}" for k, v in ev.alternatives().items()) + "}")
    lines += ["# values: every value no code was found for, with its rows. Write a code to map",
              "#   it (the comment suggests one); null leaves it unmapped (never guessed).",
              "values:" + ("" if report.unmapped else " {}")]
    for name, counts in report.unmapped.items():
        lines.append(f"  {name}:")
        for raw, n in counts.most_common():
            hint = _suggest(name, raw, vocab)
            lines.append(f"    {scalar(raw)}: null  # {n} rows"
                         + (f"; suggested: {hint}" if hint else ""))
    lines += ["# default_open_type: for rows whose open type is empty (unconditional, "
              "conditional, not_open).", "default_open_type: null",
              "# defaults: values you state for rows that lack them, per open type or 'all';",
              "#   kept as provenance (import_defaults) in each descriptor. null: not stated.",
              "defaults:" + ("" if needs else " {}")]
    by_scope: dict[str, list[tuple[str, int]]] = {}
    for (scope, name), n in sorted(needs.items()):
        if name == "open_conditions" and scope != OpenType.CONDITIONAL.value \
                or name == "legal_basis" and not scope:
            continue  # stated for conditional data only; rows without open type first
        by_scope.setdefault(scope or "all", []).append((name, n))
    for scope, items in by_scope.items():
        lines.append(f"  {scope}:")
        lines.extend(f"    {name}: null  # {n} rows lack it" for name, n in items)
    return "\n".join(lines) + "\n"


def _with_plan(plan: Any, column_map: Any, value_map: Any, defaults: Any,
               default_open_type: Any) -> tuple[Any, Any, Any, Any]:
    """The options a plan file states, under those given on the command line
    (a given column map entry, value map, defaults or open type wins)."""
    stated = read_plan(plan)
    return ({**stated.column_map, **(column_map or {})},
            merge_value_maps(stated.value_map, value_map),
            stated.defaults if defaults is None else defaults,
            default_open_type or stated.default_open_type)
