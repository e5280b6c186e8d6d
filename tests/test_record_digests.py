"""The public records of a rebuild are made only for what changed
(``builder.records``): a rebuild reuses the digest of each unchanged record,
and a change to anything a record is made of outside its folder (the
vocabularies, the day, the download counts and overdue reports the service
reports) still gives the site of a first build, byte for byte."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic import make_catalog
from builder.build import BuildConfig, build
from tests.pool_failures import site_tree

TODAY = date(2026, 11, 23)


def _build(catalog: Path, root: Path, today: date = TODAY,
           counts: Mapping[str, int] | None = None,
           overdue: Mapping[str, int] | None = None) -> None:
    build(BuildConfig(catalog_dir=catalog, out_dir=root / "site", today=today,
                      cache_dir=root / "cache", download_counts=counts,
                      overdue_reports=overdue))


def test_a_rebuild_makes_only_the_records_that_changed(tmp_path: Path, made: list[str]) -> None:
    catalog = make_catalog(tmp_path / "catalog", 6)
    _build(catalog, tmp_path / "out")
    assert len(made) == 6
    made.clear()
    _build(catalog, tmp_path / "out")
    assert made == []  # nothing changed: no record made, no page written
    changed = sorted(p for p in catalog.iterdir() if p.is_dir())[2]
    descriptor = changed / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace(
        "title: ", "title: 修订 ", 1), encoding="utf-8")
    _build(catalog, tmp_path / "out")
    # The changed dataset's record, then those the catalogue-wide files and
    # the navigation pages show whole (the feeds list all six of so small a
    # catalogue; the rest are scanned through their kept summaries).
    assert made[0] == changed.name and len(made) == 6
    _build(catalog, tmp_path / "fresh")
    assert site_tree(tmp_path / "out" / "site") == site_tree(tmp_path / "fresh" / "site")


@pytest.mark.parametrize("change", ["vocabularies", "day", "counts", "overdue"])
def test_what_a_record_is_made_of_outside_its_folder_is_in_its_key(
        tmp_path: Path, change: str) -> None:
    catalog = make_catalog(tmp_path / "catalog", 6)
    ids = sorted(p.name for p in catalog.iterdir() if p.is_dir())
    before: dict[str, Any] = {"counts": {ids[1]: 3}, "overdue": {ids[1]: 1}}
    _build(catalog, tmp_path / "out", **before)
    after = dict(before)
    if change == "vocabularies":  # a department's name is in its datasets' records
        vocab = catalog / "vocabularies.yaml"
        vocab.write_text(vocab.read_text(encoding="utf-8").replace(
            "name: 云河市公安局", "name: 云河市公安局（更名）", 1), encoding="utf-8")
    elif change == "day":
        after["today"] = date(2027, 6, 1)  # later: updates become overdue
    elif change == "counts":
        after["counts"] = {ids[1]: 4, ids[2]: 1}
    else:
        after["overdue"] = {ids[1]: 0, ids[3]: 2}
    _build(catalog, tmp_path / "out", **after)
    _build(catalog, tmp_path / "fresh", **after)
    rebuilt, fresh = site_tree(tmp_path / "out" / "site"), site_tree(tmp_path / "fresh" / "site")
    assert rebuilt == fresh
    # The change did reach the site (the test would prove nothing otherwise).
    if change == "vocabularies":
        assert "云河市公安局（更名）".encode() in fresh["catalog.json"]
    else:
        _build(catalog, tmp_path / "first", **before)
        assert site_tree(tmp_path / "first" / "site") != fresh
