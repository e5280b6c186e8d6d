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
import pytest

from bench.synthetic import make_catalog
from builder import build_state
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
    # The changed shard is a new file (a new stamp); the old one is gone.
    gone, new = sorted(set(before) - set(after)), sorted(set(after) - set(before))
    prefix = f"{shard(folder.name):02d}-"
    assert len(gone) == len(new) == 1
    assert gone[0].startswith(prefix) and new[0].startswith(prefix)
    assert {name: after[name] for name in before if name in after} == {
        name: stamp for name, stamp in before.items() if name in after}
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


def test_a_build_that_crashed_before_the_top_file_leaves_the_last_state_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = make_catalog(tmp_path / "catalog", 6)
    _build(catalog, tmp_path / "out")
    cache = tmp_path / "out" / "cache"
    kept = read_state(cache / STATE_FILE)
    folders = sorted(p for p in catalog.iterdir() if p.is_dir())
    _retitle(folders[2])
    real_write = build_state.write_state

    def crash_at_the_top_file(path: Path, state: dict[str, object]) -> None:
        if path.name == STATE_FILE:
            raise KeyboardInterrupt("the build stops here")
        real_write(path, state)

    monkeypatch.setattr(build_state, "write_state", crash_at_the_top_file)
    with pytest.raises(KeyboardInterrupt):
        _build(catalog, tmp_path / "out")
    monkeypatch.setattr(build_state, "write_state", real_write)
    # The crashed build wrote its shard beside the kept ones; what is read
    # is still the last finished build's state, every dataset in it.
    assert len(list((cache / SHARD_FOLDER).iterdir())) > len(kept["shard_stamps"])
    assert read_state(cache / STATE_FILE) == kept
    _retitle(folders[4])
    again = _build(catalog, tmp_path / "out")
    assert again.pages_written == 2  # the two changed datasets, nothing else
    assert len(list((cache / SHARD_FOLDER).iterdir())) == len(kept["shard_stamps"])
    _build(catalog, tmp_path / "fresh")
    assert site_tree(tmp_path / "out" / "site") == site_tree(tmp_path / "fresh" / "site")
