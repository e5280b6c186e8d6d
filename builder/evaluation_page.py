"""The 年度评估 page: the public version of each yearly evaluation report
(003 §38: evaluation results are circulated), from the files ``portal report
yearly --publish`` puts in the catalogue (``evaluation/<year>.json``)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from builder.render import render
from builder.yearly_report import charts
from domain.catalogue.evaluation import COLUMNS

log = logging.getLogger(__name__)
_YEAR_FILE = re.compile(r"^(\d{4})\.json$")
_NUMERIC = {k for k, _ in COLUMNS if k not in ("department", "department_name")}


def _clean_row(raw: Any) -> dict[str, Any] | None:
    """A department row with every column, numbers only where numbers go;
    None when the row is not a mapping."""
    if not isinstance(raw, dict):
        return None
    row: dict[str, Any] = {"department": str(raw.get("department") or ""),
                           "department_name": str(raw.get("department_name") or "")}
    for key in _NUMERIC:
        value = raw.get(key)
        row[key] = value if isinstance(value, int | float) and not isinstance(value, bool) \
            else None if key.endswith(("_rate", "quality")) or key == "api_calls" else 0
    return row


def load_reports(root: Path) -> list[dict[str, Any]]:
    """The published reports, newest first; unreadable files are skipped
    with a warning (they are written by `portal report`, not by hand)."""
    folder = root / "evaluation"
    found: list[dict[str, Any]] = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir(), reverse=True):
        match = _YEAR_FILE.match(path.name)
        if match is None or not path.is_file() or path.is_symlink():
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
            rows = [r for r in map(_clean_row, data["departments"]) if r is not None]
            total = _clean_row(data["total"]) or {}
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("evaluation/%s skipped: %s", path.name, exc)
            continue
        found.append({"year": int(match.group(1)), "generated": str(data.get("generated", "")),
                      "departments": rows, "total": total, "charts": charts(rows)})
    return found


def evaluation_page(root: Path, bureau: str) -> str:
    return render("evaluation.html", root="../", reports=load_reports(root), columns=COLUMNS,
                  bureau=bureau)
