"""CSV answers of the APIs (rows of the data API, sandbox results): one
writer, so both give the same dialect for the same values."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response


def _cell(value: Any) -> Any:
    # Booleans as JSON writes them, not Python's True/False; None as empty
    # (what the csv module writes for None anyway).
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """``header`` then ``rows`` as CSV (UTF-8, CRLF line ends as RFC 4180
    says), served as ``text/csv; charset=utf-8``. The caller adds its own
    headers (totals, paging links)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response
