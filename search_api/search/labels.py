"""Chinese names of facet values (department codes → 部门名称 …).

Written by ``portal index`` from the catalogue it indexes, read by the API
so that facet counts can be shown with names without asking the engine for
every record.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from domain.catalogue.public_record import PublicRecord


def labels_from_records(records: Iterable[PublicRecord]) -> dict[str, dict[str, str]]:
    """The name of every code the records use, by facet (a code's first name
    wins; a format is named by its upper case)."""
    labels: dict[str, dict[str, str]] = {key: {} for key in (
        "department", "theme", "open_type", "update_frequency", "region", "format")}
    for record in records:
        for key, code, name in (
                ("department", record.department, record.department_name),
                ("theme", record.theme, record.theme_name),
                ("open_type", record.open_type.value, record.open_type_name),
                ("update_frequency", record.update_frequency, record.update_frequency_name),
                ("region", record.region, record.region_name)):
            if code:
                labels[key].setdefault(code, name or code)
        for fmt in record.formats:
            labels["format"].setdefault(fmt, fmt.upper())
    return labels


def write_labels(path: Path, labels: dict[str, dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


class LabelStore:
    """Reads the labels file, again whenever it changes on disk."""

    def __init__(self, path: Path):
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._labels: dict[str, dict[str, str]] = {}

    def get(self) -> dict[str, dict[str, str]]:
        try:
            stat = self.path.stat()
        except OSError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._labels = json.loads(self.path.read_text(encoding="utf-8"))
            self._stamp = stamp
        return self._labels

    def name(self, key: str, code: str) -> str:
        return self.get().get(key, {}).get(code, code)
