"""``portal index``: load catalog.json into the configured search engine.

The engine replaces its content incrementally and atomically (only changed
records are re-segmented; a search never sees a half-built index).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from domain.catalogue.public_record import CatalogEntry, RecordFormatError
from search_api.engine import open_engine
from search_api.engine.base import IndexStats
from search_api.search.labels import labels_from_records, write_labels
from search_api.settings import rows_db
from search_api.tables.store import LoadStats, RowStore


class CatalogFileError(ValueError):
    """catalog.json is missing or not what ``portal build`` writes."""


def read_catalog_json(path: Path) -> list[CatalogEntry]:
    """The dataset entries of a catalog.json, each read as the typed record
    the builder wrote and its files.

    Raises:
        CatalogFileError: the file is missing or malformed (message says how to fix).
    """
    if not path.is_file():
        raise CatalogFileError(f"{path} not found; run `portal build` first or pass --catalog")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogFileError(f"{path} is not valid JSON ({exc}); rebuild the site") from exc
    records = data.get("datasets") if isinstance(data, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) and r.get("id")
                                                for r in records):
        raise CatalogFileError(f"{path} has no 'datasets' list of records with an 'id'; "
                               "pass the catalog.json that `portal build` wrote")
    entries = []
    for position, record in enumerate(records, start=1):
        try:
            entries.append(CatalogEntry.from_json(record))
        except RecordFormatError as exc:
            raise CatalogFileError(
                f"{path}: dataset {position} ({str(record.get('id'))[:64]!r}) is not what "
                f"`portal build` writes: {exc}; rebuild the site") from exc
    return entries


def index_catalog(config: Mapping[str, Any], catalog_json: Path | None = None) -> IndexStats:
    """Index the records of ``catalog_json`` (default: config CATALOG_JSON)."""
    entries = read_catalog_json(catalog_json or Path(config["CATALOG_JSON"]))
    engine = open_engine(config)
    try:
        # The engine knows no domain types: it stores each entry's JSON.
        stats = engine.index([entry.to_json() for entry in entries])
    finally:
        engine.close()
    write_labels(Path(config["LABELS_FILE"]), labels_from_records(e.record for e in entries))
    return stats


def index_rows(config: Mapping[str, Any], catalog_json: Path | None = None) -> LoadStats:
    """Load the published tables of the site beside ``catalog_json`` (default:
    config CATALOG_JSON) into the data API's row store (ROWS_DB)."""
    site = (catalog_json or Path(config["CATALOG_JSON"])).parent
    if not (site / "datasets").is_dir():
        raise CatalogFileError(f"{site} has no datasets/ folder; run `portal build` first")
    return RowStore(rows_db(config)).load_site(site)
