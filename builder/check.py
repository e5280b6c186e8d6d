"""``portal check``: every problem of a catalogue, reported at once.

Three layers, all collected before anything exits:
1. reading and metadata rules (``domain.catalog``, ``domain.rules``);
2. each resource against its Table Schema (frictionless);
3. the desensitization gate (003 §22) over every cell that would be
   published, plus spreadsheet-formula warnings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from builder.tables import TableError, open_table
from domain import problems as P
from domain.catalog import Catalog, load_catalog, read_structured, safe_resource_path
from domain.desensitize import PiiKind, find_pii
from domain.model import Dataset, Resource
from domain.problems import Problem, Severity
from domain.rules import check_dataset, check_identifiers

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

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


def resource_file(catalog: Catalog, dataset: Dataset, resource: Resource) -> Path | None:
    """The resource's file on disk, or None when its path is unsafe."""
    return safe_resource_path(catalog.root / dataset.source_dir, resource.path)


def _rel(catalog: Catalog, path: Path) -> str:
    try:
        return path.relative_to(catalog.root).as_posix()
    except ValueError:
        return path.as_posix()


def scan_resource(catalog: Catalog, dataset: Dataset, resource: Resource,
                  path: Path) -> list[Problem]:
    """The desensitization gate and formula warnings for one published table.

    Every unmasked identifier is reported with its row and column; the value
    itself is never printed in clear (the report may be logged).
    """
    rel = _rel(catalog, path)
    found: list[Problem] = []
    try:
        table = open_table(path, resource)
    except TableError as exc:
        return [P.make("data-invalid", rel, detail=str(exc))]
    exempt = {f.name: frozenset(PiiKind(k) for k in f.pii_exempt if k in PiiKind._value2member_map_)
              for f in resource.fields}
    header = table.header
    formula_reported = False
    try:
        for row_number, row in enumerate(table.rows, start=1):
            for index, cell in enumerate(row):
                if not cell:
                    continue
                column = header[index] if index < len(header) else f"column {index + 1}"
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
    return found


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def validate_resource(catalog: Catalog, dataset: Dataset, index: int, path: Path) -> list[Problem]:
    """Frictionless validation of one resource against its Table Schema."""
    import frictionless  # imported lazily: it takes ~1 s to import

    rel = _rel(catalog, path)
    descriptor_path = catalog.root / dataset.descriptor
    try:
        raw = read_structured(descriptor_path)["resources"][index]
        resource = frictionless.Resource(dict(raw), basepath=str(descriptor_path.parent))
        report = resource.validate(limit_errors=MAX_DATA_ERRORS_PER_RESOURCE)
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


def check_data(catalog: Catalog, datasets: Iterable[Dataset], *, validate: bool = True,
               progress: Callable[[int], None] | None = None) -> list[Problem]:
    """Data-level checks of the given datasets' resources."""
    found: list[Problem] = []
    for count, dataset in enumerate(datasets, start=1):
        for index, resource in enumerate(dataset.resources):
            path = resource_file(catalog, dataset, resource)
            if path is None:
                continue  # already reported as resource-path-unsafe by the loader
            if not path.is_file():
                found.append(P.make("resource-missing", dataset.descriptor,
                                    field=f"resources[{index}].path", value=resource.path))
                continue
            if validate and resource.is_tabular and resource.fields:
                found.extend(validate_resource(catalog, dataset, index, path))
            # 003 §22: only data that would be published passes the gate;
            # conditional data is delivered to identified applicants instead.
            if dataset.data_is_public and resource.is_tabular:
                found.extend(scan_resource(catalog, dataset, resource, path))
        if progress:
            progress(count)
    return found


def check_metadata(catalog: Catalog, today: date) -> list[Problem]:
    found = check_identifiers(catalog.datasets)
    for dataset in catalog.datasets:
        found.extend(check_dataset(dataset, catalog.vocab, today))
    return found


def run_check(root: Path, today: date, *, validate: bool = True) -> CheckReport:
    """Load and check the whole catalogue under ``root``; never raises for
    bad content: every problem is in the report."""
    catalog, found = load_catalog(root)
    report = CheckReport(catalog, found)
    report.problems.extend(check_metadata(catalog, today))
    report.problems.extend(check_data(catalog, catalog.datasets, validate=validate))
    return report
