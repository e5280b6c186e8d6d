"""A rebuild after one change scans the unchanged datasets through their
kept summaries (``builder.summaries``) instead of making every public
record, and still writes the site of a first build, byte for byte: the
changed title reaches every page and file that shows it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from bench.synthetic import make_catalog
from builder import summaries
from builder.build import BuildConfig, build
from builder.records import public_records
from domain.catalogue.catalog import load_catalog
from domain.catalogue.publication import dataset_path
from tests.pool_failures import site_tree

TODAY = date(2026, 11, 23)
REPO = Path(__file__).resolve().parent.parent


def _build(catalog: Path, root: Path) -> None:
    build(BuildConfig(catalog_dir=catalog, out_dir=root / "site", today=TODAY,
                      cache_dir=root / "cache"))


def _set(folder: Path, field: str, value: str) -> None:
    descriptor = folder / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(re.sub(rf"(?m)^{field}: .*$", f"{field}: {value}", text, count=1),
                          encoding="utf-8")


@pytest.mark.heavy  # three builds of 160 datasets
def test_one_change_makes_only_the_records_shown_whole_and_equals_a_first_build(
        tmp_path: Path, made: list[str]) -> None:
    catalog = make_catalog(tmp_path / "catalog", 160)
    folders = sorted(p for p in catalog.iterdir() if p.is_dir())
    # Two departments: a small one (10 datasets) and a large one.
    for number, folder in enumerate(folders):
        _set(folder, "department", "gaj" if number < 10 else "jtj")
    _build(catalog, tmp_path / "out")
    changed = folders[20]
    _set(changed, "title", "一次修订后的标题")
    for field in ("last_updated", "published"):  # the newest: on the home page and in the feeds
        _set(changed, field, "'2026-11-20'")
    made.clear()
    _build(catalog, tmp_path / "out")
    # The changed record, and those shown whole: the home page's newest (10),
    # the site feed (50) and the two department feeds (10 + 50); the large
    # department's page (150 rows) shows summaries. Every one of the 160
    # before summaries.
    assert made[0] == changed.name
    assert len(set(made)) <= 1 + 10 + 50 + 10 + 50 < 150, len(set(made))
    site = site_tree(tmp_path / "out" / "site")
    title = "一次修订后的标题".encode()
    page = dataset_path(changed.name)
    for rel in ("index.html", "catalog.json", "catalog-index.json", "dcat.ttl", "dcat.jsonld",
                "feed.xml",
                "feeds/departments/jtj.xml", "departments/jtj/index.html", f"{page}index.html"):
        assert title in site[rel], rel
    _build(catalog, tmp_path / "fresh")
    assert site == site_tree(tmp_path / "fresh" / "site")


def test_summaries_are_the_records_values(tmp_path: Path) -> None:
    """Kept and read back, a summary has each value of its record that the
    scans read (the sample catalogue has withdrawn, invalid and emergency
    datasets)."""
    catalog, _ = load_catalog(REPO / "datasets")
    records = public_records(catalog, TODAY, None, None)
    keys = {i: f"key-{i}" for i in records}
    made = summaries.listing(sorted(records), keys, records.__getitem__, tmp_path)
    kept = summaries.listing(sorted(records), keys, lambda i: pytest.fail(f"{i} made"),
                             tmp_path)
    assert kept == made and len(kept) == len(records)
    fields = [name for name in dir(summaries.Listed) if not name.startswith("_")]
    assert {"title", "quality", "emergency", "withdrawal", "invalidation"} <= set(fields)
    seen = {"emergency": 0, "withdrawal": 0, "invalidation": 0}
    for summary in kept:
        record = records[summary.id]
        for name in fields:
            mine, theirs = getattr(summary, name), getattr(record, name)
            if name == "quality":
                assert mine.score == theirs.score
            elif name == "emergency":
                assert (mine and (mine.since, mine.active)) == (
                    theirs and (theirs.since, theirs.active)), summary.id
            elif name in ("withdrawal", "invalidation"):
                assert (mine and mine.date) == (theirs and theirs.date), summary.id
            else:
                assert mine == theirs, (summary.id, name)
        seen = {k: v + (getattr(summary, k) is not None) for k, v in seen.items()}
    assert all(seen.values()), seen  # each nested kind was compared at least once


def test_a_summary_kept_under_another_key_or_damaged_is_made_again(tmp_path: Path) -> None:
    catalog, _ = load_catalog(REPO / "datasets")
    records = public_records(catalog, TODAY, None, None)
    ids = sorted(records)
    keys = {i: "k1" for i in ids}
    first = summaries.listing(ids, keys, records.__getitem__, tmp_path)
    remade: list[str] = []

    def make(identifier: str) -> Any:
        remade.append(identifier)
        return records[identifier]

    # The record behind one summary changed: only that one is made again.
    assert summaries.listing(ids, {**keys, ids[1]: "k2"}, make, tmp_path) == first
    assert remade == [ids[1]]
    path = tmp_path / summaries.FILE
    data = orjson.loads(path.read_bytes())
    data["rows"][ids[2]][1] = ["damaged"]
    path.write_bytes(orjson.dumps(data))
    remade.clear()
    assert summaries.listing(ids, {**keys, ids[1]: "k2"}, make, tmp_path) == first
    assert remade == [ids[2]]
    path.write_bytes(b"not json")
    remade.clear()
    assert summaries.listing(ids, {**keys, ids[1]: "k2"}, make, tmp_path) == first
    assert remade == ids
