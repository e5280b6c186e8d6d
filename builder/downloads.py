"""Machine-readable downloads of unconditionally open data (003 §23).

Each tabular resource is published at stable URLs under
``datasets/<id>/``::

    <resource>.csv        UTF-8 CSV, the exact values (for programs)
    <resource>.excel.csv  UTF-8 with BOM, formulas neutralised (for Excel)
    <resource>.json       JSON records, typed by the Table Schema
    <resource>.xlsx       Excel workbook: Chinese column titles, typed cells
    datapackage.json      Frictionless descriptor with sizes and SHA-256

The forms are declared once in ``DOWNLOAD_FORMS`` and drive the files, the
page's download table and the descriptor alike.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.tables import Table, open_table
from builder.xlsx import xlsx_bytes
from domain.catalogue.model import Dataset, Resource

# Cells Excel would run as formulas (CSV injection). A leading apostrophe
# makes Excel show the text; the UTF-8 CSV keeps the exact value.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SAFE_NAME = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class DownloadForm:
    key: str
    suffix: str
    label: str  # shown on the page
    media_type: str


DOWNLOAD_FORMS = (
    DownloadForm("csv", ".csv", "CSV（UTF-8，适合程序读取）", "text/csv"),
    DownloadForm("excel", ".excel.csv", "CSV（适合 Excel 打开）", "text/csv"),
    DownloadForm("json", ".json", "JSON", "application/json"),
    DownloadForm("xlsx", ".xlsx", "Excel 表格（XLSX）",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)


@dataclass(frozen=True)
class DownloadFile:
    """One published file, as the page and the descriptor describe it."""

    form: str  # key of DOWNLOAD_FORMS, or "original" for non-tabular files
    label: str
    filename: str
    bytes: int
    sha256: str
    media_type: str
    rows: int | None = None  # data rows of a table (None: not a table)


def safe_filename(name: str, fallback: str) -> str:
    cleaned = _SAFE_NAME.sub("-", name.lower()).strip("-.")
    return cleaned or fallback


def neutralise_formula(cell: str) -> str:
    """Make a cell safe to open in a spreadsheet without changing numbers."""
    if cell and cell[0] in _FORMULA_START and not _NUMBER.match(cell):
        return "'" + cell
    return cell


def _typed(value: str, kind: str) -> Any:
    if value == "":
        return None
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean":
        lowered = value.strip().lower()
        if lowered in ("true", "1", "是", "yes"):
            return True
        if lowered in ("false", "0", "否", "no"):
            return False
    return value


def _digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()


class _HashedFile:
    """A file being written, with the size and SHA-256 of what went in (the
    file is not read back to be hashed). ``write`` takes text (as UTF-8)."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = path.open("wb")
        self.sha = hashlib.sha256()
        self.size = 0

    def write_bytes(self, data: bytes) -> None:
        self.handle.write(data)
        self.sha.update(data)
        self.size += len(data)

    def write(self, text: str) -> int:
        self.write_bytes(text.encode("utf-8"))
        return len(text)

    def close(self) -> tuple[int, str]:
        """Close the file; its size and SHA-256."""
        self.handle.close()
        return self.size, self.sha.hexdigest()


def _write_csv(path: Path, header: list[str], rows: Iterator[list[str]], *, bom: bool,
               transform: Callable[[str], str] | None = None) -> tuple[int, str]:
    """Write the table as CSV (with a BOM and CRLF for Excel); returns the
    file's size and SHA-256."""
    target = _HashedFile(path)
    try:
        if bom:
            target.write_bytes(codecs.BOM_UTF8)
        writer = csv.writer(target, lineterminator="\r\n" if bom else "\n")
        writer.writerow([transform(h) for h in header] if transform else header)
        for row in rows:
            writer.writerow([transform(c) for c in row] if transform else row)
    finally:
        digest = target.close()
    return digest


# One encoder for every row (json.dumps with options builds one per call).
_JSON_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _write_json(path: Path, header: list[str], kinds: list[str],
                rows: Iterator[list[str]]) -> tuple[int, tuple[int, str]]:
    """Write the rows as JSON records typed by ``kinds``; returns how many
    rows, and the file's size and SHA-256."""
    target = _HashedFile(path)
    count = 0
    try:
        target.write("[")
        for number, row in enumerate(rows):
            record = {h: _typed(row[i] if i < len(row) else "", kinds[i])
                      for i, h in enumerate(header)}
            target.write(("," if number else "") + "\n" + _JSON_ROW.encode(record))
            count += 1
        target.write("\n]\n")
    finally:
        digest = target.close()
    return count, digest


def _copy_plain_csv(source: Path, target: Path) -> tuple[int, str] | None:
    """Copy a CSV without a byte-order mark as it is (exact bytes: nothing
    to convert); its size and SHA-256. None, copying nothing, when it starts
    with a BOM (it is converted instead)."""
    with source.open("rb") as handle:
        block = handle.read(1 << 20)
        if block.startswith(codecs.BOM_UTF8):
            return None
        copy = _HashedFile(target)
        try:
            while block:
                copy.write_bytes(block)
                block = handle.read(1 << 20)
        finally:
            digest = copy.close()
    return digest


# A UTF-8 CSV up to this size is parsed once for the three converted forms
# (kept as a list of rows); a larger one is read again for each.
PARSE_ONCE_BYTES = 4 << 20


def _table_reader(csv_path: Path, name: str, size: int) -> Callable[[], Table]:
    """``open_table`` of the published UTF-8 CSV, as often as needed.

    Raises:
        builder.tables.TableError: the file cannot be read as a table.
    """
    resource = Resource(name, csv_path.name, "csv")
    if size > PARSE_ONCE_BYTES:
        return lambda: open_table(csv_path, resource)
    table = open_table(csv_path, resource)
    header, rows = table.header, list(table.rows)
    return lambda: Table(header, iter(rows))


def write_resource_downloads(source: Path, resource: Resource, target_dir: Path,
                             stem: str) -> list[DownloadFile]:
    """Write every download form of one resource into ``target_dir``.

    Raises:
        builder.tables.TableError: the source cannot be read as a table.
    """
    if not resource.is_tabular:
        target = target_dir / f"{stem}.{resource.format or 'bin'}"
        shutil.copyfile(source, target)
        size, sha = _digest(target)
        return [DownloadFile("original", resource.format.upper(), target.name, size, sha,
                             "application/octet-stream")]
    digests: dict[str, tuple[int, str]] = {}
    csv_path = target_dir / f"{stem}.csv"
    copied = _copy_plain_csv(source, csv_path) if resource.format == "csv" else None
    if copied is not None:
        digests["csv"] = copied
    else:
        table = open_table(source, resource)
        digests["csv"] = _write_csv(csv_path, table.header, table.rows, bom=False)
    reader = _table_reader(csv_path, resource.name, digests["csv"][0])
    table = reader()
    digests["excel"] = _write_csv(target_dir / f"{stem}.excel.csv", table.header, table.rows,
                                  bom=True, transform=neutralise_formula)
    types = {f.name: f.type for f in resource.fields}
    table = reader()
    kinds = [types.get(h, "string") for h in table.header]
    count, digests["json"] = _write_json(target_dir / f"{stem}.json", table.header, kinds,
                                         table.rows)
    table = reader()
    titles = {f.name: f.title for f in resource.fields if f.title}
    digests["xlsx"] = _write_xlsx(target_dir / f"{stem}.xlsx",
                                  [titles.get(h, h) for h in table.header], kinds, table.rows,
                                  sheet=resource.title or resource.name)
    return [DownloadFile(form.key, form.label, f"{stem}{form.suffix}", *digests[form.key],
                         form.media_type, rows=count) for form in DOWNLOAD_FORMS]


# Characters Excel does not allow in a sheet name.
_SHEET_NAME_BAD = re.compile(r"[\\/*?:\[\]]")


def _write_xlsx(path: Path, header: list[str], kinds: list[str], rows: Iterator[list[str]],
                *, sheet: str) -> tuple[int, str]:
    """An Excel workbook of one sheet: the Chinese column titles, then the
    rows with numbers and booleans typed by the schema. Text is always
    stored as text, never as a formula (no CSV-injection equivalent); control
    characters a worksheet cannot hold are dropped (the CSV and JSON keep the
    exact value). Two writes of the same rows give the same bytes. Returns
    the file's size and SHA-256."""
    name = _SHEET_NAME_BAD.sub(" ", sheet).strip()[:31] or "data"
    data = xlsx_bytes(name, header, kinds, rows, _typed)
    path.write_bytes(data)
    return len(data), hashlib.sha256(data).hexdigest()


def schema_descriptor(resource: Resource) -> dict[str, Any]:
    fields = []
    for f in resource.fields:
        entry: dict[str, Any] = {"name": f.name, "type": f.type}
        if f.title:
            entry["title"] = f.title
        if f.description:
            entry["description"] = f.description
        fields.append(entry)
    return {"fields": fields}


def package_descriptor(dataset: Dataset, published: list[tuple[Resource, list[DownloadFile]]],
                       metadata: dict[str, Any]) -> dict[str, Any]:
    """The ``datapackage.json`` of the published files: the UTF-8 CSV of
    each table (with its schema) and any non-tabular file, with size and hash
    so a download can be verified (000 §29)."""
    resources = []
    for resource, files in published:
        for file in files:
            if file.form not in ("csv", "original"):
                continue
            entry: dict[str, Any] = {
                "name": safe_filename(resource.name, "resource"),
                "path": file.filename,
                "title": resource.title or resource.name,
                "bytes": file.bytes,
                "hash": f"sha256:{file.sha256}",
            }
            if file.form == "csv":
                entry.update({"format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                              "schema": schema_descriptor(resource)})
            else:
                entry["format"] = resource.format
            resources.append(entry)
    return {**metadata, "resources": resources}


def dump_json(data: Any, *, pretty: bool = True) -> str:
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

