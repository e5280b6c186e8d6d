"""The conditional tables that approved keys may read, taken from the
catalogue (CATALOG_DIR), never from the published site.

``load_keyed_rows`` loads every CSV table with a schema of each conditional
dataset whose descriptor offers ``api`` or ``sandbox`` into its own row store
(KEYED_ROWS_DB; ``portal index`` calls it). ``schema_of`` reads a dataset's
tables and which fields the descriptor marks ``personal: true`` or
``sensitive: true`` (left out of an approval's default field list).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from domain.catalogue.catalog import DESCRIPTOR_NAMES, load_dataset
from domain.catalogue.model import Dataset, OpenType, Provision
from domain.catalogue.paths import dataset_folders
from domain.catalogue.structured import read_structured
from domain.procedures.data_grants import SchemaField
from search_api.tables.query import Field
from search_api.tables.store import LoadStats, RowStore

KEYED = (Provision.API, Provision.SANDBOX)


def keyed_rows_db(config: Mapping[str, Any]) -> Path:
    """KEYED_ROWS_DB, or keyed-rows.sqlite3 beside SEARCH_DB."""
    explicit = str(config.get("KEYED_ROWS_DB") or "")
    if explicit:
        return Path(explicit)
    return Path(str(config.get("SEARCH_DB") or "var/search.sqlite3")).with_name(
        "keyed-rows.sqlite3")


def _keyed_datasets(root: Path) -> Iterator[tuple[Dataset, Path]]:
    for folder in dataset_folders(root):
        dataset = load_dataset(folder, root, [])
        if dataset is not None and dataset.open_type is OpenType.CONDITIONAL \
                and any(p in KEYED for p in dataset.provision):
            yield dataset, folder


def _tables(root: Path) -> Iterator[tuple[str, str, str, Path, tuple[Field, ...], str]]:
    for dataset, folder in _keyed_datasets(root):
        for resource in dataset.resources:
            path = folder / resource.path  # the loader kept only paths inside the folder
            if not resource.fields or path.suffix.lower() != ".csv" or not path.is_file():
                continue
            fields = tuple(Field(f.name, f.type, f.title) for f in resource.fields)
            yield (dataset.identifier, resource.name, resource.title, path, fields,
                   hashlib.sha256(path.read_bytes()).hexdigest())


def load_keyed_rows(catalog_dir: Path, db_path: Path) -> LoadStats:
    """Make KEYED_ROWS_DB hold exactly the keyed tables of the catalogue."""
    return RowStore(db_path).load_tables(_tables(catalog_dir))


def schema_of(catalog_dir: Path, dataset_id: str) -> dict[str, list[SchemaField]]:
    """The tables of ``dataset_id`` (resource name → fields, in order) with
    the descriptor's personal marks; empty when the dataset is unknown."""
    folder = catalog_dir / dataset_id
    dataset = load_dataset(folder, catalog_dir, []) if folder.is_dir() else None
    if dataset is None:
        return {}
    marked: set[tuple[str, str]] = set()
    descriptor = next((folder / n for n in DESCRIPTOR_NAMES if (folder / n).is_file()), None)
    raw = read_structured(descriptor) if descriptor else {}
    for resource in raw.get("resources") or []:
        for field in ((resource.get("schema") or {}).get("fields") or []):
            if isinstance(field, dict) and (field.get("personal") or field.get("sensitive")):
                marked.add((str(resource.get("name")), str(field.get("name"))))
    return {r.name: [SchemaField(f.name, f.title or f.name, (r.name, f.name) in marked)
                     for f in r.fields]
            for r in dataset.resources if r.fields}
