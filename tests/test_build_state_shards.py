"""The build state keeps the datasets' entries in shards (``builder.build_state``):
a rebuild after one change writes one shard and the top file, not the whole
state; the single-file state of earlier versions is read as it is (no page
is built again) and replaced by shards; a shard left by a build that crashed
before writing the top file is not trusted (its datasets are built again and
the site is the same as a fresh build's)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson

from bench.synthetic import make_catalog
from builder.build import STATE_FILE, BuildConfig, BuildResult, build
from builder.build_state import SHARD_FOLDER, read_state, shard
from tests.pool_failures import site_tree

TODAY = date(2026, 11, 23)


def _build(catalog: Path, root: Path) -> BuildResult:
    return build(
        BuildConfig(
            catalog_dir=catalog, out_dir=root / "site", today=TODAY, cache_dir=root / "cache"
        )
    )


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def _retitle(folder: Path) -> None:
    descriptor = folder / "datapackage.yaml"
    descriptor.write_text(
        descriptor.read_text(encoding="utf-8").replace("title: ", "title: 修订 ", 1),
        encoding="utf-8",
    )


def test_one_change_writes_one_shard_and_nothing_new_writes_none(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "catalog", 12)
    _build(catalog, tmp_path / "out")
    cache = tmp_path / "out" / "cache"
    shards = cache / SHARD_FOLDER
    before = _stamps(shards)
    assert len(before) > 5  # the datasets are spread over several shards
    top = (cache / STATE_FILE).stat().st_mtime_ns
    assert _build(catalog, tmp_path / "out").pages_written == 0
    assert _stamps(shards) == before and (cache / STATE_FILE).stat().st_mtime_ns == top
    folder = sorted(p for p in catalog.iterdir() if p.is_dir())[3]
    _retitle(folder)
    assert _build(catalog, tmp_path / "out").pages_written == 1
    after = _stamps(shards)
    changed = sorted(name for name in before if after[name] != before[name])
    assert changed == [f"{shard(folder.name):02d}.json"]
    assert read_state(cache / STATE_FILE)["datasets"][folder.name]["title"].startswith("修订 ")


def test_a_single_file_state_of_earlier_versions_is_read_and_replaced(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "catalog", 6)
    _build(catalog, tmp_path / "out")
    cache = tmp_path / "out" / "cache"
    whole = read_state(cache / STATE_FILE)
    # The layout of earlier versions: one file, the entries in it, no shards.
    old = {k: v for k, v in whole.items() if k != "shard_stamps"}
    (cache / STATE_FILE).write_bytes(orjson.dumps(old))
    for path in (cache / SHARD_FOLDER).iterdir():
        path.unlink()
    again = _build(catalog, tmp_path / "out")
    assert again.pages_written == 0 and again.pages_reused == 6
    assert "datasets" not in orjson.loads((cache / STATE_FILE).read_bytes())
    assert read_state(cache / STATE_FILE)["datasets"] == whole["datasets"]


def test_a_shard_of_a_crashed_build_is_not_trusted(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "catalog", 6)
    _build(catalog, tmp_path / "out")
    cache = tmp_path / "out" / "cache"
    folder = sorted(p for p in catalog.iterdir() if p.is_dir())[2]
    file = cache / SHARD_FOLDER / f"{shard(folder.name):02d}.json"
    part = orjson.loads(file.read_bytes())
    # As if a build had written this shard and crashed before state.json.
    file.write_bytes(orjson.dumps({**part, "stamp": "another build"}))
    assert folder.name not in read_state(cache / STATE_FILE)["datasets"]
    _retitle(folder)
    again = _build(catalog, tmp_path / "out")
    assert again.pages_written == len(part["datasets"])  # the shard's datasets, built again
    _build(catalog, tmp_path / "fresh")
    assert site_tree(tmp_path / "out" / "site") == site_tree(tmp_path / "fresh" / "site")
