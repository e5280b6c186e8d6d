"""The error catalogue of ``portal check`` and ``portal build``.

Every problem has a stable ``code`` (a slug operators can grep and scripts can
match), a one-line title, and a message template that names what was wrong
and what to do. A problem points at a file, and where it can at a row and a
field. Operators read these in English (CLI and logs); the public never sees
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the catalogue must not be published as it is
    WARNING = "warning"  # published, but a data officer should act


@dataclass(frozen=True)
class ProblemType:
    code: str
    title: str
    template: str  # str.format template over the keyword arguments of ``make``
    severity: Severity = Severity.ERROR


_TYPES: dict[str, ProblemType] = {}


def _register(code: str, title: str, template: str, severity: Severity = Severity.ERROR) -> None:
    _TYPES[code] = ProblemType(code, title, template, severity)


# Files and descriptors
_register("catalog-missing", "Catalogue folder not found",
          "{detail}: pass the folder that holds vocabularies.yaml and one folder per dataset")
_register("yaml-invalid", "File is not valid YAML/JSON",
          "cannot parse: {detail}; fix the syntax (UTF-8, no tabs in YAML indentation)")
_register("encoding-invalid", "File is not UTF-8",
          "{detail}; save the file as UTF-8 (GBK/GB18030 is not accepted)")
_register("descriptor-missing", "Dataset folder has no descriptor",
          "no datapackage.yaml or datapackage.json in this folder; add one or move the folder out of the catalogue")
_register("descriptor-invalid", "Descriptor is not a mapping",
          "the descriptor must be a mapping of properties; {detail}")
_register("vocabulary-invalid", "Vocabulary file is malformed", "{detail}")
_register("portal-config-invalid", "portal.yaml is malformed", "{detail}")
# Required fields and value types (SPEC §2)
_register("field-missing", "Required field missing",
          "required field '{field}' is missing or empty; {detail}")
_register("field-invalid", "Field has an invalid value",
          "field '{field}' {detail}")
_register("date-not-in-source", "Date not given by the source catalogue",
          "'{field}' is empty because the imported catalogue never gave it (not_in_source); "
          "the page says 来源目录未提供 until the department states the date",
          Severity.WARNING)
_register("temporal-invalid", "Temporal coverage unreadable",
          "'temporal' {detail}; write it as {{start: YYYY-MM-DD, end: YYYY-MM-DD}} "
          "(leave out 'end' while the data is still being added to)")
_register("temporal-start-after-end", "Temporal coverage ends before it starts",
          "'temporal' starts on {value} but ends on {detail}; swap or correct the dates")
_register("identifier-invalid", "Identifier is not URL-safe",
          "identifier {value!r} (in folder {folder!r}) must be 2-64 characters of a-z, 0-9 and '-', starting with a letter or digit; it is part of the dataset's URL")
_register("duplicate-identifier", "Identifier used twice",
          "identifier {value!r} is also used by {other}; every dataset needs its own identifier")
_register("unknown-code", "Code not in the controlled vocabulary",
          "{field} {value!r} is not in vocabularies.yaml ({kind}); use one of the listed codes or add it there")
# Publication rules (SPEC §3)
_register("legal-basis-missing", "Legal basis missing",
          "{open_type} data needs 'legal_basis' naming the law, regulation or national rule (003 §21, 004 §29, 000 §20)")
# 000 §14, 001 §39, 002 §42: the security grade bounds how data may be opened.
_register("level-forbids-open-type", "Security level does not allow this open type",
          "level {level} ({level_name}) does not allow open type {value!r} ({label}); "
          "数据级别“{level_name}”不允许“{label}”，允许：{allowed}. Change open_type, or "
          "regrade the data in 'level' after review")
_register("open-conditions-missing", "Open conditions missing",
          "conditional data needs 'open_conditions' stating the conditions and use constraints (002 §15)")
_register("no-machine-readable-resource", "No machine-readable resource",
          "unconditional data must have at least one resource in a machine-readable format (csv, json, xlsx, xml...) (003 §23); found: {detail}")
_register("data-not-collected", "Catalogue entry without data files",
          "no resource files are held for this unconditional dataset (declared formats: {detail}); "
          "add the files under resources so they can be downloaded here",
          Severity.WARNING)
_register("announcement-missing", "Withdrawal or invalidation without announcement",
          "status '{value}' needs '{field}' with a date and a reason (000 §33, 002 §39)")
_register("calendar-invalid", "Working-day calendar file cannot be used",
          "{detail}; fix the file (see docs/catalogue-format.md, 工作日历) or remove it")
_register("dataset-folder-unsafe", "Dataset folder links out of the catalogue",
          "{value!r} is a link leading outside the catalogue folder; move the dataset's files "
          "into the catalogue instead of linking to them")
# Resources
_register("resource-path-unsafe", "Resource path leaves the dataset folder",
          "resource path {value!r} must be a relative path inside the dataset folder (no '..', no absolute path, no link pointing outside)")
_register("resource-missing", "Resource file not found",
          "resource file {value!r} does not exist; add the file or fix 'path'")
_register("schema-missing", "Data dictionary missing",
          "tabular resource {value!r} has no schema.fields; describe every column (name, type, title in Chinese)")
_register("field-title-missing", "Data item has no Chinese title",
          "column {value!r} has no 'title'; give the Chinese name shown in the data dictionary",
          Severity.WARNING)
_register("data-invalid", "Data does not match its schema",
          "{detail}")
_register("formula-cell", "Cell starts like a spreadsheet formula",
          "cell value {value!r} starts with '=', '+', '-' or '@' and runs as a formula in Excel; the Excel download neutralises it, check the source value is intended",
          Severity.WARNING)
_register("link-unsafe", "Link with an unsafe scheme",
          "{field} is a {value}: link, which a browser would run or open as a document; "
          "use an http(s) address, an e-mail address or a telephone number")
# Desensitization gate (003 §22)
_register("pii-unmasked", "Unmasked personal identifier",
          "unmasked {detail} ({value}) in data that would be published; mask it (e.g. 110101********1234, 138****5678) before opening (003 §22)")
_register("format-not-publishable", "File format not published",
          "format {value!r} is not published on the site (allowed: {detail}); convert the file "
          "or leave it out of unconditional data")
_register("pii-unscannable", "File cannot be checked for personal data",
          "the desensitization gate cannot read {value!r} files; publish the data as CSV, JSON "
          "or XML so it can be checked (003 §22), or leave the file out of open data")
# Open plan (开放责任清单, 000 §29, 003 §31): plan/<year>.yaml
_register("plan-invalid", "Open plan entry cannot be used",
          "{detail}; fix plan file (see docs/catalogue-format.md, 开放计划); "
          "the entry is left out of the published plan")
# Catalogue governance (000 §9, §40; 003 §9): catalogue_review: true in portal.yaml
_register("catalogue-not-approved", "Catalogue entry not approved by the authority",
          "{detail}; run `portal catalogue propose` and have the big-data authority approve "
          "it in the service (审核人员页面“目录审核”); withheld until then")
# Lifecycle
_register("update-overdue", "Update overdue",
          "last updated {value}, older than its frequency '{detail}' allows; update the data or its last_updated date (000 §33)",
          Severity.WARNING)


def problem_type(code: str) -> ProblemType:
    return _TYPES[code]


def all_problem_types() -> list[ProblemType]:
    return list(_TYPES.values())


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the catalogue, located as precisely as known."""

    code: str
    message: str
    file: str
    row: int | None = None  # 1-based data row (header excluded), when known
    field: str | None = None

    @property
    def severity(self) -> Severity:
        return _TYPES[self.code].severity

    @property
    def title(self) -> str:
        return _TYPES[self.code].title

    def location(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def format(self) -> str:
        return f"{self.location()}: [{self.code}] {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


def make(code: str, file: str, *, row: int | None = None, field: str | None = None,
         **values: object) -> Problem:
    """Create a problem of a registered type, filling its message template.

    Raises:
        KeyError: ``code`` is not registered (a programming error).
    """
    kind = _TYPES[code]
    params: dict[str, object] = {"field": field, "detail": "", "value": ""}
    params.update(values)
    return Problem(code, kind.template.format(**params), file, row, field)
