"""``portal check``: every problem of a catalogue, reported at once.

Three layers, all collected before anything exits:
1. reading and metadata rules (``domain.catalogue.catalog``, ``domain.catalogue.rules``);
2. each resource against its Table Schema (frictionless);
3. the desensitization gate (003 §22) over every cell that would be
   published, plus spreadsheet-formula warnings.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from builder.tables import TableError, open_table
from domain.catalogue import problems as P
from domain.catalogue.catalog import Catalog, load_catalog
from domain.catalogue.desensitize import PiiKind, find_pii
from domain.catalogue.freshness import UpdateStatus
from domain.catalogue.model import PUBLISHABLE_FORMATS, TEXT_FORMATS, Dataset, Resource
from domain.catalogue.open_plan import PLAN_FOLDER, load_plans
from domain.catalogue.paths import dataset_folders
from domain.catalogue.problems import Problem, Severity
from domain.catalogue.rules import check_dataset, check_identifiers
from domain.catalogue.structured import read_structured

log = logging.getLogger(__name__)

# Frictionless can report every cell of a broken file; past this many errors
# per resource the rest are summarised, so a report stays readable.
MAX_DATA_ERRORS_PER_RESOURCE = 20
FORMULA_PREFIXES = ("=", "+", "-", "@")
PII_LABELS = {
    PiiKind.ID_NUMBER: "ID number (身份证号)",
    PiiKind.MOBILE: "mobile number (手机号)",
    PiiKind.BANK_CARD: "bank card number (银行卡号)",
}


@dataclass
class CheckReport:
    catalog: Catalog
    problems: list[Problem] = field(default_factory=list)
    folders: int = 0  # dataset folders found (read or not)

    @property
    def datasets_with_errors(self) -> int:
        """Dataset folders with at least one error (the build withholds them)."""
        return len({(p.file or "").split("/")[0] for p in self.errors
                    if "/" in (p.file or "") and not p.file.startswith(PLAN_FOLDER + "/")})

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


def resource_file(catalog: Catalog, dataset: Dataset, resource: Resource) -> Path:
    """The resource's file on disk. The loader keeps only resources whose
    path stays inside the dataset folder (``safe_resource_path``)."""
    return catalog.root / dataset.source_dir / resource.path


def _rel(catalog: Catalog, path: Path) -> str:
    try:
        return path.relative_to(catalog.root).as_posix()
    except ValueError:
        return path.as_posix()


def scan_resource(catalog: Catalog, dataset: Dataset, resource: Resource, path: Path, *,
                  gate: bool, types: bool) -> list[Problem]:
    """One pass over a table's cells.

    With ``gate``: the desensitization gate (003 §22) and formula warnings,
    for data that would be published. Every unmasked identifier is reported
    with its row and column; the value itself is never printed in clear (the
    report may be logged).
    With ``types``: a fast check of the header and of each cell against the
    Table Schema types (integer, number, boolean, date, datetime, year) and
    ``required``; ``portal check`` uses frictionless for the full rules.
    """
    rel = _rel(catalog, path)
    found: list[Problem] = []
    try:
        table = open_table(path, resource)
    except TableError as exc:
        return [P.make("data-invalid", rel, detail=str(exc))]
    header = table.header
    by_name = {f.name: f for f in resource.fields}
    if types and resource.fields:
        mismatch = header_problem(rel, header, [f.name for f in resource.fields])
        if mismatch:
            found.append(mismatch)
    exempt = {f.name: frozenset(PiiKind(k) for k in f.pii_exempt if k in PiiKind._value2member_map_)
              for f in resource.fields}
    checkers = [TYPE_CHECKS.get(by_name[h].type) if types and h in by_name else None
                for h in header]
    required = [types and h in by_name and by_name[h].required for h in header]
    type_errors = 0
    formula_reported = False
    try:
        for row_number, row in enumerate(table.rows, start=1):
            if types and resource.fields and len(row) != len(header) and type_errors < MAX_DATA_ERRORS_PER_RESOURCE:
                type_errors += 1
                found.append(P.make("data-invalid", rel, row=row_number, detail=(
                    f"row has {len(row)} cells, the header has {len(header)}; "
                    "check for unquoted commas or missing cells")))
            for index, cell in enumerate(row):
                column = header[index] if index < len(header) else f"column {index + 1}"
                if not cell:
                    if index < len(required) and required[index] and type_errors < MAX_DATA_ERRORS_PER_RESOURCE:
                        type_errors += 1
                        found.append(P.make("data-invalid", rel, row=row_number, field=column,
                                            detail="constraint-error: a value is required"))
                    continue
                checker = checkers[index] if index < len(checkers) else None
                if checker is not None and not checker(cell) and type_errors < MAX_DATA_ERRORS_PER_RESOURCE:
                    type_errors += 1
                    found.append(P.make("data-invalid", rel, row=row_number, field=column, detail=(
                        f"type-error: {cell[:40]!r} is not a valid "
                        f"{by_name[column].type}; fix the value or the field's type")))
                if not gate:
                    continue
                if cell[0] in FORMULA_PREFIXES and not formula_reported \
                        and not _is_number(cell):
                    found.append(P.make("formula-cell", rel, row=row_number, field=column,
                                        value=cell[:40]))
                    formula_reported = True  # one warning per file is enough to act on
                for hit in find_pii(cell, ignore=exempt.get(column, frozenset())):
                    found.append(P.make("pii-unmasked", rel, row=row_number, field=column,
                                        detail=PII_LABELS[hit.kind], value=hit.masked_preview))
    except TableError as exc:
        found.append(P.make("data-invalid", rel, detail=str(exc)))
    if type_errors >= MAX_DATA_ERRORS_PER_RESOURCE:
        found.append(P.make("data-invalid", rel, detail=(
            f"stopped after {MAX_DATA_ERRORS_PER_RESOURCE} errors; fix these and check again")))
    return found


def header_problem(rel: str, header: list[str], expected: list[str]) -> Problem | None:
    """The header row against the schema's field names, in a message of
    bounded length (a file may have thousands of columns)."""
    if header == expected:
        return None
    if len(header) != len(expected):
        where = f"the file has {len(header)} columns, the schema {len(expected)}"
    else:
        at = next(i for i, (h, e) in enumerate(zip(header, expected, strict=True)) if h != e)
        where = f"column {at + 1} is {header[at][:40]!r}, the schema says {expected[at][:40]!r}"
    shown = ", ".join(repr(h[:40]) for h in header[:10]) + (", ..." if len(header) > 10 else "")
    return P.make("data-invalid", rel, row=0, detail=(
        f"header [{shown}] does not match the schema's field names: {where}; "
        "make the first row list the schema fields in order"))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _is_date(cell: str) -> bool:
    try:
        date.fromisoformat(cell)
    except ValueError:
        return False
    return len(cell) == 10


def _is_datetime(cell: str) -> bool:
    try:
        datetime.fromisoformat(cell.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in cell


_INTEGER = re.compile(r"^[+-]?\d+$")
_YEAR = re.compile(r"^\d{4}$")
# Table Schema defaults (trueValues/falseValues, ISO dates).
TYPE_CHECKS: dict[str, Callable[[str], bool]] = {
    "integer": lambda c: bool(_INTEGER.match(c)),
    "number": _is_number,
    "boolean": lambda c: c in ("true", "True", "TRUE", "1", "false", "False", "FALSE", "0"),
    "date": _is_date,
    "datetime": _is_datetime,
    "year": lambda c: bool(_YEAR.match(c)),
}


def validate_resource(catalog: Catalog, dataset: Dataset, index: int, path: Path) -> list[Problem]:
    """Frictionless validation of one resource against its Table Schema."""
    import frictionless  # imported lazily: it takes ~1 s to import

    rel = _rel(catalog, path)
    # Frictionless builds one error per extra column, each copying the whole
    # header (quadratic: 20,000 columns take minutes); a wrong header is
    # reported here instead, and the rows are checked once it is right.
    resource = dataset.resources[index]
    try:
        table = open_table(path, resource)
        rows = iter(table.rows)
        try:
            next(rows, None)
        finally:
            getattr(rows, "close", lambda: None)()  # runs the reader's cleanup
    except TableError as exc:
        return [P.make("data-invalid", rel, detail=str(exc))]
    mismatch = header_problem(rel, table.header, [f.name for f in resource.fields])
    if mismatch:
        return [mismatch]
    descriptor_path = catalog.root / dataset.descriptor
    # The descriptor's entry for this resource (the loader drops unusable
    # entries, so positions in dataset.resources may differ).
    raw = next((r for r in read_structured(descriptor_path)["resources"]
                if isinstance(r, dict) and str(r.get("path") or "").strip() == resource.path),
               None)
    if raw is None:  # pragma: no cover - the loader read this entry from the same file
        return []
    try:
        checked = frictionless.Resource(dict(raw), basepath=str(descriptor_path.parent))
        report = checked.validate(limit_errors=MAX_DATA_ERRORS_PER_RESOURCE)
    except frictionless.FrictionlessException as exc:
        return [P.make("data-invalid", rel, detail=f"frictionless: {exc.error.message}")]
    found = []
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            found.append(P.make(
                "data-invalid", rel,
                row=row - 1 if isinstance(row, int) else None,
                field=getattr(error, "field_name", None),
                detail=f"{error.type}: {error.message}"))
    if len(found) >= MAX_DATA_ERRORS_PER_RESOURCE:
        found.append(P.make("data-invalid", rel,
                            detail=f"stopped after {MAX_DATA_ERRORS_PER_RESOURCE} errors; fix these and check again"))
    return found


_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _json_text(match: re.Match[str]) -> str:
    try:
        return f'"{json.loads(match.group())}"'
    except ValueError:
        return match.group()


def unescape_line(line: str) -> str:
    """``line`` of a text file as a reader would see it: the escapes of JSON
    strings (``\\u3000``, ``\\t``, ``\\/`` in GeoJSON, JSON lines) and
    XML/HTML character references (``&#x3000;``, ``&#12288;``) decoded, so an
    identifier cannot hide behind them."""
    if "\\" in line:
        line = _JSON_STRING.sub(_json_text, line)
    if "&#" in line:
        line = html.unescape(line)
    return line


def check_public_file(catalog: Catalog, dataset: Dataset, resource: Resource,
                      path: Path) -> list[Problem]:
    """A non-tabular file that would be published: an allowed format, and
    the gate (003 §22) over its text, line by line."""
    rel = _rel(catalog, path)
    fmt = resource.format
    if fmt not in PUBLISHABLE_FORMATS:
        return [P.make("format-not-publishable", dataset.descriptor, field="format", value=fmt,
                       detail=", ".join(sorted(PUBLISHABLE_FORMATS)))]
    if fmt not in TEXT_FORMATS:
        return [P.make("pii-unscannable", rel, field="format", value=fmt)]
    found = []
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            for hit in find_pii(unescape_line(line)):
                found.append(P.make("pii-unmasked", rel, row=number,
                                    detail=PII_LABELS[hit.kind], value=hit.masked_preview))
    return found


def check_data(catalog: Catalog, datasets: Iterable[Dataset], *, validate: bool = True,
               progress: Callable[[int], None] | None = None) -> list[Problem]:
    """Data-level checks of the given datasets' resources.

    ``validate`` runs frictionless on every table (complete, ~10 ms per
    resource); without it the fast built-in type check runs instead.
    """
    found: list[Problem] = []
    for count, dataset in enumerate(datasets, start=1):
        for index, resource in enumerate(dataset.resources):
            path = resource_file(catalog, dataset, resource)
            if not path.is_file():
                found.append(P.make("resource-missing", dataset.descriptor,
                                    field=f"resources[{index}].path", value=resource.path))
                continue
            if not resource.is_tabular:
                if dataset.data_is_public:
                    found.extend(check_public_file(catalog, dataset, resource, path))
                continue
            if validate and resource.fields:
                found.extend(validate_resource(catalog, dataset, index, path))
            # 003 §22: only data that would be published passes the gate;
            # conditional data is delivered to identified applicants instead.
            gate = dataset.data_is_public
            types = not validate
            if gate or types:
                found.extend(scan_resource(catalog, dataset, resource, path,
                                           gate=gate, types=types))
        if progress:
            progress(count)
    return found


def check_metadata(catalog: Catalog, today: date,
                   statuses: Mapping[int, UpdateStatus] | None = None) -> list[Problem]:
    """The metadata rules broken by each dataset of ``catalog``. ``statuses``:
    the update status of published datasets by ``id()`` of the dataset, where
    the caller made them already (identifiers may repeat here)."""
    found = check_identifiers(catalog.datasets)
    known = statuses or {}
    for dataset in catalog.datasets:
        found.extend(check_dataset(dataset, catalog.vocab, today,
                                   status=known.get(id(dataset))))
    return found


def run_check(root: Path, today: date, *, validate: bool = True) -> CheckReport:
    """Load and check the whole catalogue under ``root``; never raises for
    bad content: every problem is in the report."""
    catalog, found = load_catalog(root, lenient=True)
    report = CheckReport(catalog, found)
    report.folders = sum(1 for _ in dataset_folders(root)) if root.is_dir() else 0
    # A dataset missing a required field is checked for everything else too;
    # an empty code is already reported as missing, not again as unknown.
    missing = {(p.file, p.field) for p in found if p.code == "field-missing"}
    report.problems.extend(p for p in check_metadata(catalog, today)
                           if not (p.code == "unknown-code" and (p.file, p.field) in missing))
    report.problems.extend(check_data(catalog, catalog.datasets, validate=validate))
    if root.is_dir():
        report.problems.extend(load_plans(root, catalog.vocab)[1])
    return report
