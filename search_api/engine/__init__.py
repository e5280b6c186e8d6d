"""Dataset search: the engine contract (base.py), the embedded SQLite FTS5
engine (embedded.py) and the Meilisearch adapter (meili.py).

``open_engine(config)`` picks one from the Flask config.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from search_api.engine.base import (
    FILTER_KEYS,
    SORTS,
    EngineUnavailable,
    Hit,
    IndexStats,
    SearchEngine,
    SearchError,
    SearchQuery,
    SearchResult,
)
from search_api.engine.synonyms import DEFAULT_SYNONYMS_FILE, Synonyms

__all__ = ["FILTER_KEYS", "SORTS", "EngineUnavailable", "Hit", "IndexStats", "SearchEngine",
           "SearchError", "SearchQuery", "SearchResult", "open_engine", "load_synonyms"]

DEFAULT_SEARCH_DB = "var/search.sqlite3"
DEFAULT_MEILI_INDEX = "datasets"


def load_synonyms(config: Mapping[str, Any]) -> Synonyms:
    """The synonym groups of SYNONYMS_FILE (default: the bundled synonyms.txt).

    Raises EngineUnavailable when a configured file cannot be read."""
    path = config.get("SYNONYMS_FILE") or DEFAULT_SYNONYMS_FILE
    try:
        return Synonyms.from_file(path)
    except OSError as exc:
        raise EngineUnavailable(f"cannot read SYNONYMS_FILE {path}: {exc}") from exc


def open_engine(config: Mapping[str, Any]) -> SearchEngine:
    """The engine the configuration asks for.

    MEILI_URL set: Meilisearch at that URL (MEILI_KEY, MEILI_INDEX, default
    "datasets"). Otherwise the embedded engine in the SQLite file SEARCH_DB
    (default var/search.sqlite3, created with its folder when missing),
    keeping SEARCH_RESULT_CACHE answers for repeated queries (default 1024;
    0 keeps none) and running SEARCH_CONCURRENCY searches at once per worker
    (default 1; 0: no limit).
    Raises EngineUnavailable when the backend cannot be opened.
    """
    synonyms = load_synonyms(config)
    if config.get("MEILI_URL"):
        from search_api.engine.meili import MeiliEngine

        return MeiliEngine(str(config["MEILI_URL"]), api_key=config.get("MEILI_KEY") or None,
                           index_name=str(config.get("MEILI_INDEX") or DEFAULT_MEILI_INDEX),
                           synonyms=synonyms)
    from search_api.engine.embedded import CONCURRENCY, RESULT_CACHE_SIZE, EmbeddedEngine

    return EmbeddedEngine(Path(config.get("SEARCH_DB") or DEFAULT_SEARCH_DB), synonyms=synonyms,
                          result_cache_size=_count(config, "SEARCH_RESULT_CACHE",
                                                   RESULT_CACHE_SIZE),
                          concurrency=_count(config, "SEARCH_CONCURRENCY", CONCURRENCY))


def _count(config: Mapping[str, Any], key: str, default: int) -> int:
    """Setting ``key`` as a whole number ≥ 0 (``default`` when unset or
    empty). Raises EngineUnavailable for anything else."""
    value = config.get(key)
    if value in (None, ""):
        return default
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        raise EngineUnavailable(f"{key} must be a whole number, not {value!r}: set "
                                f"PORTAL_{key} (or {key} in the config) to 0 or more") from None
