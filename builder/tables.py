"""Reading a dataset's tabular resource as a header and rows of text.

One reader serves the checker (desensitization gate), the page preview and
the download converters, so that all three see the same cells.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from domain.catalogue.model import Resource

# csv's default limit (128 KiB) rejects legitimate long cells; keep a bound
# so a broken file cannot make one "cell" eat the memory.
csv.field_size_limit(16 * 1024 * 1024)


class TableError(ValueError):
    """The file cannot be read as a table; the message says why."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterator[list[str]]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_table(path: Path, resource: Resource) -> Table:
    """Open ``path`` as a table of text cells, by the resource's format.

    Raises:
        TableError: unsupported format, not UTF-8, or unreadable structure.
    """
    fmt = resource.format
    if fmt in ("csv", "tsv"):
        return _open_delimited(path, "\t" if fmt == "tsv" else ",")
    if fmt == "json":
        return _open_json(path)
    if fmt == "xlsx":
        return _open_xlsx(path)
    raise TableError(f"format {fmt!r} is not tabular")


def csv_from_bytes(data: bytes) -> Table:
    """A CSV file's bytes (already read) as a table: the same cells as
    :func:`open_table` of the file as CSV, without opening it again.

    Raises:
        TableError: not UTF-8, or not a valid CSV header.
    """
    return _read_delimited(io.BytesIO(data), ",")


def _open_delimited(path: Path, delimiter: str) -> Table:
    return _read_delimited(path.open("rb"), delimiter)


def _read_delimited(raw: IO[bytes], delimiter: str) -> Table:
    try:
        # utf-8-sig drops a BOM written by Excel; anything else must be UTF-8.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", errors="strict")
        reader = csv.reader(text, delimiter=delimiter)
        header = next(reader, [])
    except UnicodeDecodeError as exc:
        raw.close()
        raise TableError(f"not UTF-8 (byte {exc.start} of the first lines); save it as UTF-8") from exc
    except csv.Error as exc:
        raw.close()
        raise TableError(f"not a valid CSV header: {exc}") from exc

    def rows() -> Iterator[list[str]]:
        try:
            yield from reader
        except UnicodeDecodeError as exc:
            raise TableError("not UTF-8 further down the file; save it as UTF-8") from exc
        except csv.Error as exc:
            raise TableError(f"CSV syntax error at line {reader.line_num}: {exc}") from exc
        finally:
            raw.close()

    return Table([h.strip() for h in header], rows())


def _open_json(path: Path) -> Table:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TableError(f"not valid UTF-8 JSON: {exc}") from exc
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise TableError("JSON table must be a list of objects (records)")
    header: list[str] = []
    for record in data:
        for key in record:
            if key not in header:
                header.append(key)
    return Table(header, ([_cell(r.get(h)) for h in header] for r in data))


def _open_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook  # imported here: slow, and rarely needed

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise TableError(f"not a readable .xlsx workbook: {exc}") from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = [_cell(v).strip() for v in next(values, ())]

    def rows() -> Iterator[list[str]]:
        try:
            for row in values:
                if any(v is not None for v in row):
                    yield [_cell(v) for v in row]
        finally:
            book.close()

    return Table(header, rows())


PREVIEW_CELL_CHARS = 200


def _clip(cell: str) -> str:
    return cell if len(cell) <= PREVIEW_CELL_CHARS else cell[:PREVIEW_CELL_CHARS] + "…"


def preview(path: Path, resource: Resource, limit: int = 10) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``limit`` rows (for the dataset page), each
    cell cut to PREVIEW_CELL_CHARS: one 5 MB cell must not make a 5 MB page."""
    return preview_of(open_table(path, resource), limit)


def preview_of(table: Table, limit: int = 10) -> tuple[list[str], list[list[str]]]:
    """:func:`preview` of a table already opened (its rows are closed after
    the first ``limit``)."""
    rows = []
    for row in table.rows:
        rows.append([_clip(cell) for cell in row])
        if len(rows) >= limit:
            break
    close = getattr(table.rows, "close", None)
    if close is not None:
        close()  # release the file now, not when the generator is collected
    return [_clip(h) for h in table.header], rows
