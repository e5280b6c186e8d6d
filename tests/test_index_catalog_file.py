"""`portal index` reads catalog.json as typed records: what the builder wrote
is read back whole, anything else is refused before the engine is touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.catalogue.model import OpenType
from search_api.indexing import CatalogFileError, read_catalog_json
from search_api.search.labels import labels_from_records


def _copy(built_sample: Path, tmp_path: Path, change: dict[str, object] | None = None) -> Path:
    data = json.loads((built_sample / "catalog.json").read_text(encoding="utf-8"))
    if change is not None:
        data["datasets"][1].update(change)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_built_catalogue_is_read_as_typed_entries(built_sample: Path) -> None:
    path = built_sample / "catalog.json"
    raw = json.loads(path.read_text(encoding="utf-8"))["datasets"]
    entries = read_catalog_json(path)
    assert [e.to_json() for e in entries] == raw
    assert all(isinstance(e.record.open_type, OpenType) for e in entries)
    assert sum(len(e.downloads) for e in entries) == sum(len(r["downloads"]) for r in raw)


def test_an_entry_the_builder_never_writes_is_refused_with_its_place(
        built_sample: Path, tmp_path: Path) -> None:
    path = _copy(built_sample, tmp_path, {"last_updated": "yesterday"})
    with pytest.raises(CatalogFileError) as caught:
        read_catalog_json(path)
    message = str(caught.value)
    assert "dataset 2 (" in message and "'last_updated' must be a date" in message
    assert "rebuild the site" in message


def test_the_labels_name_every_code_the_records_use(built_sample: Path) -> None:
    entries = read_catalog_json(built_sample / "catalog.json")
    labels = labels_from_records(e.record for e in entries)
    first = entries[0].record
    assert labels["department"][first.department] == first.department_name
    assert labels["theme"][first.theme] == first.theme_name
    assert labels["open_type"] == {"unconditional": "无条件开放", "conditional": "有条件开放"}
    assert labels["format"]["csv"] == "CSV"
    assert "" not in labels["region"]
