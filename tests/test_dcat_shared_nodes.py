"""The DCAT fragment cache keeps each fragment's shared nodes in a narrow
table beside the wide rows (``builder.dcat``): a rebuild reads them without
reading the fragments' texts, and a cache written before the narrow table
existed still gives the same files."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from builder import dcat
from domain.catalogue.catalog import load_catalog
from domain.catalogue.public_record import PublicRecord
from domain.catalogue.publication import public_record

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def sample() -> tuple[Any, list[PublicRecord]]:
    catalog, _ = load_catalog(REPO / "datasets")
    records = sorted((public_record(d, catalog.vocab, TODAY) for d in catalog.published()),
                     key=lambda r: r.id)
    return catalog.portal, records


def _rows(cache: Path, query: str) -> set[tuple[Any, ...]]:
    with sqlite3.connect(cache / dcat.CACHE_FILE) as db:
        return set(db.execute(query).fetchall())


def test_a_rebuild_reads_the_shared_nodes_from_the_narrow_table(
        sample: tuple[Any, list[PublicRecord]], tmp_path: Path) -> None:
    portal, records = sample
    first = dcat.dcat_files(portal, records, {}, TODAY.isoformat(), tmp_path)
    assert _rows(tmp_path, "SELECT key, shared FROM shared_node") == _rows(
        tmp_path, "SELECT key, shared FROM fragment")
    keys = [dcat._fragment_key(portal, dcat.record_digest(r), []) for r in records]
    fragments = dcat._Fragments(tmp_path)
    statements: list[str] = []
    assert fragments.db is not None
    fragments.db.set_trace_callback(statements.append)
    for key in keys:
        fragments.add(key, lambda: pytest.fail("a kept fragment was made again"))
    fragments.finish()
    fragments.close()
    assert statements and not [s for s in statements if "shared FROM fragment" in s]
    assert dcat.dcat_files(portal, records, {}, TODAY.isoformat(), tmp_path) == first


def test_a_cache_without_the_narrow_table_gives_the_same_files(
        sample: tuple[Any, list[PublicRecord]], tmp_path: Path) -> None:
    portal, records = sample
    plain = dcat.dcat_files(portal, records, {}, TODAY.isoformat())
    assert dcat.dcat_files(portal, records, {}, TODAY.isoformat(), tmp_path) == plain
    wide = _rows(tmp_path, "SELECT key, shared FROM fragment")
    with sqlite3.connect(tmp_path / dcat.CACHE_FILE) as db:  # as an earlier version left it
        db.execute("DROP TABLE shared_node")
    assert dcat.dcat_files(portal, records, {}, TODAY.isoformat(), tmp_path) == plain
    assert _rows(tmp_path, "SELECT key, shared FROM shared_node") == wide
    with sqlite3.connect(tmp_path / dcat.CACHE_FILE) as db:  # one narrow row lost, one orphan
        db.execute("DELETE FROM shared_node WHERE key = (SELECT min(key) FROM fragment)")
        db.execute("INSERT INTO shared_node VALUES ('gone', '[]')")
    assert dcat.dcat_files(portal, records, {}, TODAY.isoformat(), tmp_path) == plain
    assert _rows(tmp_path, "SELECT key, shared FROM shared_node") == wide
    # A dataset dropped takes its wide and narrow rows along.
    fewer = dcat.dcat_files(portal, records[1:], {}, TODAY.isoformat(), tmp_path)
    assert fewer == dcat.dcat_files(portal, records[1:], {}, TODAY.isoformat())
    assert len(_rows(tmp_path, "SELECT key FROM shared_node")) == len(records) - 1
    assert _rows(tmp_path, "SELECT key FROM shared_node") == _rows(
        tmp_path, "SELECT key FROM fragment")


def _own_node(portal: Any, records: list[PublicRecord]) -> int:
    """The place of a record holding a shared node no other record holds."""
    held = [{tuple(s) for s in dcat._fragment(portal, r, [])["shared"]} for r in records]
    for place, nodes in enumerate(held):
        if nodes - set().union(*(held[:place] + held[place + 1:])):
            return place
    raise AssertionError("every shared node is held twice")


def test_the_shared_nodes_follow_the_datasets_whoever_wrote_the_rows(
        sample: tuple[Any, list[PublicRecord]], tmp_path: Path) -> None:
    portal, records = sample
    for subset in (records, records[1:], records[::2], records[1::2], records):
        assert dcat.dcat_files(portal, subset, {}, TODAY.isoformat(), tmp_path) == \
            dcat.dcat_files(portal, subset, {}, TODAY.isoformat())
    # A writer without recursive triggers (an earlier version's REPLACE) counts
    # every row twice; the counts are then made again from the rows, so that a
    # node held by a dataset no longer published leaves the header.
    with sqlite3.connect(tmp_path / dcat.CACHE_FILE) as db:
        db.execute("INSERT OR REPLACE INTO shared_node SELECT key, shared FROM shared_node")
    place = _own_node(portal, records)
    fewer = records[:place] + records[place + 1:]
    assert dcat.dcat_files(portal, fewer, {}, TODAY.isoformat(), tmp_path) == \
        dcat.dcat_files(portal, fewer, {}, TODAY.isoformat())
    assert _rows(tmp_path, "SELECT n FROM shared_rows") == {(len(fewer),)}
