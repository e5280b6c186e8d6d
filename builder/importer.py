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

Reading the source is ``builder.import_sources``, the operator's files ``builder.import_operator``;
column names and cell spellings are ``builder.import_columns``. Row numbers
in the report are what the operator sees: the spreadsheet row (the header
row counts) or the 1-based position in a JSON list.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from builder.import_columns import (
    ColumnPlan,
    assign_identifiers,
    normalise,
    plan_columns,
)
from builder.import_convert import EMPTY_VALUES, Converter
from builder.import_detect import (
    Detection,
    detect,
    strip_note,
)
from builder.import_legend import column_legend, with_legend
from builder.import_operator import (
    VOCAB_ATTR,
    load_defaults,
    load_value_map,
    parse_open_type,
    read_column_map,
    read_vocabularies,
    write_vocabularies,
)
from builder.import_plan import merge_value_maps, read_plan
from builder.import_report import ImportReport
from builder.import_sources import CatalogImportError, SourceTable, read_source
from domain.catalogue.descriptor import IDENTIFIER_RE
from domain.catalogue.model import OpenType
from domain.catalogue.vocabulary import TermList, Vocabularies

__all__ = ["CatalogImportError", "ImportReport", "SourceTable", "import_catalog",
           "read_column_map", "read_source"]

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)



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
    file or mapping, see ``import_operator.Defaults``) fills the fields a row
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
    values = with_legend(load_value_map(value_map, vocab), prepared.legend)
    operator_defaults = load_defaults(defaults, vocab)
    default = parse_open_type(default_open_type)
    if out.exists() and not out.is_dir():
        raise CatalogImportError(f"{out} is a file; pass the catalogue folder to import into")

    report = ImportReport(source=source.name,
                          defaults_applied=dict.fromkeys(operator_defaults.keys(), 0))
    report.warnings.extend(table.notes)
    report.warnings.extend(columns.warnings)
    report.warnings.extend(f"values win over headers: {note}" for note in prepared.detection.notes)
    if prepared.legend_note:
        report.warnings.append(prepared.legend_note)
    if vocabularies is not None and vocab_path != Path(vocabularies):
        report.warnings.append(f"{out / 'vocabularies.yaml'} exists and was used; "
                               f"{vocabularies} was not read")
    converter = Converter(vocab, values, columns, default, operator_defaults, report)
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
    # Open types written as codes: folded code -> open type, by the file's legend.
    legend: dict[str, str] = field(default_factory=dict)
    legend_note: str = ""


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
    prepared = Prepared(table, columns, detection, vocab_path, vocab_data, vocab)
    column = columns.column("open_type")
    if column is not None and (found := column_legend(
            column, (cells.get(column) for _, cells in table.rows), table.side_texts)):
        prepared.legend, where = found
        prepared.legend_note = (
            f"column {column!r} holds open types as codes, read by the legend in {where}: "
            + ", ".join(f"{code} → {kind}" for code, kind in prepared.legend.items()))
    return prepared


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
    values = with_legend(load_value_map(value_map, vocab), prepared.legend)
    operator_defaults = load_defaults(defaults, vocab)
    report = ImportReport(source=source.name,
                          defaults_applied=dict.fromkeys(operator_defaults.keys(), 0))
    converter = Converter(vocab, values, prepared.columns, parse_open_type(default_open_type),
                           operator_defaults, report)
    needs: Counter[tuple[str, str]] = Counter()
    for row, cells in prepared.table.rows:
        desc = converter.convert(row, cells)
        if desc is None:
            continue
        for name in ("department", "theme", "update_frequency", "legal_basis",
                     "open_conditions", *desc.get("not_in_source", [])):
            if name in desc and desc[name] in EMPTY_VALUES:
                needs[(desc.get("open_type") or "", name)] += 1
    converter.finish()
    text = _plan_text(source, prepared, report, needs, vocab, converter)
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
               needs: Counter[tuple[str, str]], vocab: Vocabularies,
               converter: Converter) -> str:
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
    # Themes the vocabularies lack are added as new themes unless mapped: they
    # are listed beside the unmapped values, so that one line maps each.
    new_themes = {raw: f"{n} rows; added as the new theme {converter.new_theme_given[raw]} "
                       "unless you map it"
                  for raw, n in converter.new_theme_rows.most_common()}
    listed: dict[str, list[tuple[str, str]]] = {name: [] for name in converter.listed_fields}
    for name, counts in report.unmapped.items():
        listed.setdefault(name, []).extend((raw, f"{n} rows") for raw, n in counts.most_common())
    if new_themes:
        listed.setdefault("theme", []).extend(new_themes.items())
    lines += ["# values: every value no code was found for, with its rows. Write a code to map",
              "#   it (the comment suggests one); null leaves it unmapped (never guessed),",
              "#   except a theme marked 'added as the new theme': null keeps that new theme.",
              "values:" + ("" if listed else " {}")]
    for name, entries in listed.items():
        lines.append(f"  {name}:")
        for raw, said in entries:
            hint = _suggest(name, raw, vocab)
            lines.append(f"    {scalar(raw)}: null  # {said}"
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
