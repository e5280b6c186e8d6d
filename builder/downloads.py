"""Machine-readable downloads of unconditionally open data (003 §23).

Each tabular resource is published at stable URLs under
``datasets/<id>/``::

    <resource>.csv        UTF-8 CSV, the exact values (for programs)
    <resource>.excel.csv  UTF-8 with BOM, formulas neutralised (for Excel)
    <resource>.json       JSON records, typed by the Table Schema
    <resource>.xlsx       Excel workbook: Chinese column titles, typed cells
    datapackage.json      Frictionless descriptor with sizes and SHA-256

The forms are declared once in ``DOWNLOAD_FORMS``, each with the function
that writes it, and drive the files, the page's download table and the
descriptor alike.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from builder.files import size_and_sha256
from builder.tables import Table, csv_from_bytes, open_table, preview_of
from builder.xlsx import write_xlsx
from domain.catalogue.model import Dataset, Resource

# Cells Excel would run as formulas (CSV injection). A leading apostrophe
# makes Excel show the text; the UTF-8 CSV keeps the exact value.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SAFE_NAME = re.compile(r"[^a-z0-9._-]+")


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


@dataclass(frozen=True)
class FormFile:
    """What a form's writer wrote: the file's size and SHA-256, hashed as it
    was written (not read back afterwards), and how many data rows it holds
    when the writer counted them."""

    size: int
    sha256: str
    rows: int | None = None
    # The file's bytes, when the writer held them whole (a small file): the
    # forms made after it read them instead of the file.
    data: bytes | None = field(default=None, repr=False)


class _HashedFile:
    """A file being written, with the size and SHA-256 of what went in (the
    file is not read back to be hashed). ``write`` takes text (as UTF-8)."""

    def __init__(self, path: Path):
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


def _copy_plain_csv(source: Path, target: Path) -> FormFile | None:
    """Copy a CSV without a byte-order mark as it is (exact bytes: nothing
    to convert); its size and SHA-256, and its bytes when it was read in one
    block (up to 1 MiB). None, copying nothing, when it starts with a BOM
    (it is converted instead)."""
    with source.open("rb") as handle:
        block = handle.read(1 << 20)
        if block.startswith(codecs.BOM_UTF8):
            return None
        first, whole = block, True
        copy = _HashedFile(target)
        try:
            while block:
                copy.write_bytes(block)
                block = handle.read(1 << 20)
                whole = whole and not block
        finally:
            size, sha = copy.close()
    return FormFile(size, sha, data=first if whole else None)


# A UTF-8 CSV up to this size is parsed once for the forms made from it
# (kept as a list of rows); a larger one is read again for each.
PARSE_ONCE_BYTES = 4 << 20


@dataclass(frozen=True)
class TableSource:
    """What the forms of one table are written from: the catalogue's file and
    its resource, and the site's UTF-8 CSV (written by the first form, read
    by the others)."""

    source: Path
    resource: Resource
    utf8_csv: Path
    # The UTF-8 CSV's bytes when its writer kept them (see FormFile.data).
    utf8_data: bytes | None = field(default=None, repr=False)

    def rows(self) -> Table:
        """The header and rows of the UTF-8 CSV (a ``builder.tables`` table):
        parsed once and kept when the file is small, else read afresh."""
        kept = self._parsed
        if kept is not None:
            return Table(kept[0], iter(kept[1]))
        return open_table(self.utf8_csv, Resource(self.resource.name, self.utf8_csv.name, "csv"))

    def known_rows(self) -> int | None:
        """How many rows the table has when it is parsed once and kept
        (a small file), else None (it is streamed)."""
        kept = self._parsed
        return None if kept is None else len(kept[1])

    def preview(self, limit: int) -> tuple[list[str], list[list[str]]]:
        """The header and first ``limit`` rows of the UTF-8 CSV, as
        :func:`builder.tables.preview` of that file gives them."""
        return preview_of(self.rows(), limit)

    @functools.cached_property
    def _parsed(self) -> tuple[list[str], list[list[str]]] | None:
        if self.utf8_data is not None:
            table = csv_from_bytes(self.utf8_data)
        elif self.utf8_csv.stat().st_size > PARSE_ONCE_BYTES:
            return None
        else:
            table = open_table(self.utf8_csv,
                               Resource(self.resource.name, self.utf8_csv.name, "csv"))
        return table.header, list(table.rows)


# A form's writer: writes the file at the given path from the table; returns
# what it wrote, or None when it did not hash it (the file is then read back).
FormWriter = Callable[[TableSource, Path], FormFile | None]


@dataclass(frozen=True)
class DownloadForm:
    """One download form of a table: its file suffix, the words the page
    shows, its media type and the function that writes it."""

    key: str
    suffix: str
    label: str  # shown on the page
    media_type: str
    write: FormWriter


def _write_utf8_csv(table: TableSource, target: Path) -> FormFile:
    """The exact values, UTF-8 without BOM (a plain UTF-8 CSV is copied)."""
    if table.resource.format == "csv":
        copied = _copy_plain_csv(table.source, target)
        if copied is not None:
            return copied
    found = open_table(table.source, table.resource)
    return FormFile(*_write_csv(target, found.header, found.rows, bom=False))


def _write_excel_csv(table: TableSource, target: Path) -> FormFile:
    """UTF-8 with BOM and CRLF, formulas neutralised (for Excel)."""
    found = table.rows()
    return FormFile(*_write_csv(target, found.header, found.rows, bom=True,
                                transform=neutralise_formula))


# One encoder for every row (json.dumps with options builds one per call).
_JSON_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _write_json(table: TableSource, target: Path) -> FormFile:
    """JSON records typed by the Table Schema (the rows are counted)."""
    types = {f.name: f.type for f in table.resource.fields}
    found = table.rows()
    header = found.header
    kinds = [types.get(h, "string") for h in header]
    count = 0
    handle = _HashedFile(target)
    try:
        handle.write("[")
        for number, row in enumerate(found.rows):
            record = {h: _typed(row[i] if i < len(row) else "", kinds[i])
                      for i, h in enumerate(header)}
            handle.write(("," if number else "") + "\n" + _JSON_ROW.encode(record))
            count += 1
        handle.write("\n]\n")
    finally:
        size, sha = handle.close()
    return FormFile(size, sha, count)


def _write_xlsx_form(table: TableSource, target: Path) -> FormFile:
    """An Excel workbook with the Chinese column titles and typed cells."""
    resource = table.resource
    types = {f.name: f.type for f in resource.fields}
    titles = {f.name: f.title for f in resource.fields if f.title}
    found = table.rows()
    return FormFile(*write_xlsx(
        target, [titles.get(h, h) for h in found.header],
        [types.get(h, "string") for h in found.header], found.rows, _typed,
        sheet=resource.title or resource.name, expected_rows=table.known_rows()))


# Every download form of a table, in the order they are written and listed.
# The UTF-8 CSV comes first: the other forms are made from it. A new form is
# one entry here (and its writer).
DOWNLOAD_FORMS = (
    DownloadForm("csv", ".csv", "CSV（UTF-8，适合程序读取）", "text/csv", _write_utf8_csv),
    DownloadForm("excel", ".excel.csv", "CSV（适合 Excel 打开）", "text/csv", _write_excel_csv),
    DownloadForm("json", ".json", "JSON", "application/json", _write_json),
    DownloadForm("xlsx", ".xlsx", "Excel 表格（XLSX）",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 _write_xlsx_form),
)


@dataclass(frozen=True)
class ResourceDownloads:
    """The files written for one resource, and the table they were made from
    (None for a non-tabular resource): its rows are kept when it is small."""

    files: list[DownloadFile]
    table: TableSource | None = None


def write_resource_downloads(source: Path, resource: Resource, target_dir: Path, stem: str,
                             forms: Sequence[DownloadForm] = DOWNLOAD_FORMS,
                             ) -> list[DownloadFile]:
    """Write every download form of one resource into ``target_dir`` (a
    non-tabular resource: a copy of its file). ``forms``: the UTF-8 CSV
    first, then the forms made from it.

    Raises:
        builder.tables.TableError: the source cannot be read as a table.
    """
    return write_downloads(source, resource, target_dir, stem, forms).files


def write_downloads(source: Path, resource: Resource, target_dir: Path, stem: str,
                    forms: Sequence[DownloadForm] = DOWNLOAD_FORMS) -> ResourceDownloads:
    """:func:`write_resource_downloads`, with the table the forms were made
    from (the page's preview is read from it, not from the file again).

    Raises:
        builder.tables.TableError: the source cannot be read as a table.
    """
    if not resource.is_tabular:
        target = target_dir / f"{stem}.{resource.format or 'bin'}"
        shutil.copyfile(source, target)
        size, sha = size_and_sha256(target)
        return ResourceDownloads([DownloadFile("original", resource.format.upper(), target.name,
                                               size, sha, "application/octet-stream")])
    table = TableSource(source, resource, target_dir / f"{stem}{forms[0].suffix}")
    written: list[tuple[DownloadForm, Path, FormFile]] = []
    for form in forms:
        path = target_dir / f"{stem}{form.suffix}"
        made = form.write(table, path)
        if made is None:
            made = FormFile(*size_and_sha256(path))
        elif made.data is not None and not written:  # the UTF-8 CSV, held whole
            table = replace(table, utf8_data=made.data)
        written.append((form, path, made))
    # Every form of a table holds the same rows: the count of whichever counted.
    rows = next((made.rows for _, _, made in reversed(written) if made.rows is not None), None)
    return ResourceDownloads([DownloadFile(form.key, form.label, path.name, made.size,
                                           made.sha256, form.media_type, rows=rows)
                              for form, path, made in written], table)


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

