"""The build's parsed-descriptor cache (issue 13): a descriptor whose folder
did not change is not parsed again; a changed one is; a damaged cache or one
written by other code is ignored (with a warning for damage) and the build
is still right. Parses are counted through ``DESCRIPTOR_PARSED``."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from builder import descriptor_cache
from builder.descriptor_cache import CACHE_FILE
from tests.conftest import run_build


def _folders(catalog: Path) -> list[str]:
    return sorted(p.name for p in catalog.iterdir()
                  if p.is_dir() and (p / "datapackage.yaml").is_file())


def _cache_files(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / CACHE_FILE).glob("*.pickle"))


def _entries(cache_dir: Path) -> dict[str, Any]:
    entries: dict[str, Any] = {}
    for path in _cache_files(cache_dir):
        entries.update(pickle.loads(path.read_bytes())["entries"])
    return entries


def _age(folder: Path) -> None:
    """Date every directory of ``folder`` back a minute, as if edited long
    before the build (recent directories are listed again on purpose)."""
    old = os.stat(folder).st_mtime - 60
    for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        os.utime(path, (old, old))


def test_untouched_descriptors_are_not_parsed_again_a_changed_one_is(
        tmp_path: Path, catalog_copy: Path, parsed: list[str]) -> None:
    out = tmp_path / "site"
    _age(catalog_copy)
    run_build(catalog_copy, out)
    assert sorted(parsed) == _folders(catalog_copy)
    parsed.clear()
    again = run_build(catalog_copy, out)
    assert parsed == [] and again.pages_written == 0
    descriptor = catalog_copy / "bus-stops" / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace(
        "title: 公交站点信息", "title: 公交站点基础信息"), encoding="utf-8")
    changed = run_build(catalog_copy, out)
    assert parsed == ["bus-stops"] and changed.pages_written == 1
    assert "公交站点基础信息" in (out / "datasets" / "jtj-0001" / "index.html").read_text("utf-8")


def test_a_data_file_edited_in_place_with_the_same_size_is_noticed(
        tmp_path: Path, catalog_copy: Path, parsed: list[str]) -> None:
    # Same size, same inode, a new time: the folder's identity changes, so
    # the dataset is read and its data checked again.
    out = tmp_path / "site"
    _age(catalog_copy)
    run_build(catalog_copy, out)
    data = catalog_copy / "bus-stops" / "data" / "bus-stops.csv"
    text = data.read_text(encoding="utf-8")
    assert "S0002" in text
    with data.open("r+", encoding="utf-8") as handle:  # in place: the inode stays
        handle.write(text.replace("S0002", "S0009"))
    parsed.clear()
    run_build(catalog_copy, out)
    assert parsed == ["bus-stops"]
    assert "S0009" in (out / "datasets" / "jtj-0001" / "bus-stops.csv").read_text("utf-8-sig")


def test_a_damaged_cache_is_ignored_with_a_warning_and_the_build_is_right(
        tmp_path: Path, catalog_copy: Path, parsed: list[str],
        caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "site"
    first = run_build(catalog_copy, out)
    files = _cache_files(tmp_path / "cache")
    assert files
    for cache_file in files:
        cache_file.write_bytes(cache_file.read_bytes()[:100])  # cut short, as by a full disk
    parsed.clear()
    with caplog.at_level(logging.WARNING, logger="builder.descriptor_cache"):
        again = run_build(catalog_copy, out)
    assert any("damaged" in r.getMessage() for r in caplog.records)
    assert sorted(parsed) == _folders(catalog_copy)
    assert again.changes.published == first.changes.published
    assert not again.changes.withheld
    # Rewritten whole: the next build trusts it again.
    parsed.clear()
    run_build(catalog_copy, out)
    assert parsed == []


def test_a_cache_written_by_other_code_is_ignored(
        tmp_path: Path, catalog_copy: Path, parsed: list[str]) -> None:
    out = tmp_path / "site"
    run_build(catalog_copy, out)
    files = _cache_files(tmp_path / "cache")
    data = {path: pickle.loads(path.read_bytes()) for path in files}
    for key, value in (("version", descriptor_cache.CACHE_VERSION + 1),
                       ("code", "another release")):
        for cache_file in files:
            cache_file.write_bytes(pickle.dumps(dict(data[cache_file], **{key: value})))
        parsed.clear()
        result = run_build(catalog_copy, out)
        assert sorted(parsed) == _folders(catalog_copy), key
        assert result.changes.published and not result.changes.withheld


def test_the_cache_keeps_only_folders_that_exist_and_leaves_no_temporary_file(
        tmp_path: Path, catalog_copy: Path) -> None:
    out = tmp_path / "site"
    run_build(catalog_copy, out)
    cache_dir = tmp_path / "cache"
    assert "bus-stops" in _entries(cache_dir)
    for path in sorted((catalog_copy / "bus-stops").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (catalog_copy / "bus-stops").rmdir()
    run_build(catalog_copy, out)
    assert set(_entries(cache_dir)) == set(_folders(catalog_copy))
    assert not list(cache_dir.rglob("*.tmp"))


def test_one_change_rewrites_one_file_of_the_cache(
        tmp_path: Path, catalog_copy: Path) -> None:
    out, cache_dir = tmp_path / "site", tmp_path / "cache"
    _age(catalog_copy)
    run_build(catalog_copy, out)
    run_build(catalog_copy, out)  # the listings of the first build are kept now
    before = {p: p.stat().st_mtime_ns for p in _cache_files(cache_dir)}
    assert len(before) == descriptor_cache.SHARDS
    descriptor = catalog_copy / "bus-stops" / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace(
        "title: 公交站点信息", "title: 公交站点基础信息"), encoding="utf-8")
    run_build(catalog_copy, out)
    after = {p: p.stat().st_mtime_ns for p in _cache_files(cache_dir)}
    rewritten = [p.name for p in before if after[p] != before[p]]
    # The folder's listing is recent (racy), so it is kept out: still one file.
    assert rewritten == [f"{descriptor_cache.shard('bus-stops'):02d}.pickle"]
    entry = _entries(cache_dir)["bus-stops"]
    assert entry[1] is not None and entry[1].title == "公交站点基础信息"


def test_a_file_added_to_an_unchanged_looking_folder_is_seen(
        tmp_path: Path, catalog_copy: Path, parsed: list[str]) -> None:
    # Directory listings are reused while a directory's time is unchanged;
    # adding a descriptor of higher rank (datapackage.yaml beside .json)
    # changes the directory's time, so the folder is read again.
    out = tmp_path / "site"
    folder = catalog_copy / "bus-stops"
    _age(catalog_copy)
    run_build(catalog_copy, out)
    (folder / "notes.txt").write_text("说明", encoding="utf-8")
    parsed.clear()
    run_build(catalog_copy, out)
    assert parsed == ["bus-stops"]



def test_a_catalogue_moved_elsewhere_is_read_again(
        tmp_path: Path, catalog_copy: Path, parsed: list[str]) -> None:
    # Whether a link stays inside the catalogue depends on where it is.
    out = tmp_path / "site"
    run_build(catalog_copy, out)
    moved = catalog_copy.rename(tmp_path / "moved")
    parsed.clear()
    result = run_build(moved, out)
    assert sorted(parsed) == _folders(moved)
    assert result.changes.published and not result.changes.withheld
