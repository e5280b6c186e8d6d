"""Fixtures for the search engine tests: the sample catalogue's public
records (built once per session with the real builder) and an engine per
backend. The Meilisearch variant runs only when MEILI_URL (or the service's
PORTAL_MEILI_URL) points at a server.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from search_api.engine import SearchEngine, load_synonyms

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)
ENGINES = ["embedded", "meili"]


@pytest.fixture(scope="session")
def sample_records(built_sample: Path) -> list[dict[str, Any]]:
    """The records of the sample catalogue's catalog.json (read-only: copy to change)."""
    catalog = json.loads((built_sample / "catalog.json").read_text(encoding="utf-8"))
    records: list[dict[str, Any]] = catalog["datasets"]
    assert len(records) == catalog["count"] > 20
    return records


def make_engine(kind: str, tmp_path: Path) -> SearchEngine:
    """A new, empty engine of ``kind`` ("embedded" or "meili")."""
    synonyms = load_synonyms({})
    if kind == "meili":
        # The service's own variables (PORTAL_MEILI_URL) or the short names.
        url = os.environ.get("MEILI_URL") or os.environ.get("PORTAL_MEILI_URL")
        if not url:
            pytest.skip("Meilisearch contract tests need a server: set MEILI_URL "
                        "(and MEILI_KEY) or PORTAL_MEILI_URL (and PORTAL_MEILI_KEY)")
        from search_api.engine.meili import MeiliEngine

        key = os.environ.get("MEILI_KEY") or os.environ.get("PORTAL_MEILI_KEY") or None
        return MeiliEngine(url, api_key=key, index_name=f"test_{uuid.uuid4().hex[:10]}",
                           synonyms=synonyms)
    from search_api.engine.embedded import EmbeddedEngine

    return EmbeddedEngine(tmp_path / "search.sqlite3", synonyms=synonyms)


@pytest.fixture(params=ENGINES)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchEngine]:
    """An empty engine, once per backend."""
    engine = make_engine(request.param, tmp_path)
    yield engine
    if request.param == "meili":
        engine.delete()  # type: ignore[attr-defined]
    engine.close()


@pytest.fixture
def engine(empty_engine: SearchEngine, sample_records: list[dict[str, Any]]) -> SearchEngine:
    """An engine holding the sample catalogue, once per backend."""
    stats = empty_engine.index(sample_records)
    assert stats.added == len(sample_records)
    return empty_engine
