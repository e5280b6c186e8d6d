"""A rebuild with nothing new writes nothing it need not: the build state
is kept as it is (at 100,000 datasets writing it again cost a second and a
half of a no-change rebuild), and is written again as soon as anything in it
changes, or when it is missing or damaged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson

from bench.synthetic import make_catalog
from builder.build import STATE_FILE, BuildConfig, BuildResult, build
from builder.build_state import read_state

TODAY = date(2026, 11, 23)


def _build(catalog: Path, root: Path, today: date = TODAY) -> BuildResult:
    return build(BuildConfig(catalog_dir=catalog, out_dir=root / "site", today=today,
                             cache_dir=root / "cache"))


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


def test_a_rebuild_with_nothing_new_keeps_the_state_file(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "catalog", 4)
    _build(catalog, tmp_path / "out")
    state = tmp_path / "out" / "cache" / STATE_FILE
    before, stamp = state.read_bytes(), _stamp(state)
    again = _build(catalog, tmp_path / "out")
    assert again.pages_written == 0
    assert _stamp(state) == stamp and state.read_bytes() == before


def test_the_state_follows_a_change_and_comes_back_when_lost(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path / "catalog", 4)
    _build(catalog, tmp_path / "out")
    state = tmp_path / "out" / "cache" / STATE_FILE
    folder = sorted(p for p in catalog.iterdir() if p.is_dir())[1]
    descriptor = folder / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace(
        "title: ", "title: 修订 ", 1), encoding="utf-8")
    _build(catalog, tmp_path / "out")
    entry = next(e for e in read_state(state)["datasets"].values()
                 if e["folder"] == folder.name)
    assert entry["title"].startswith("修订 ")
    # The next day: nothing in the catalogue changed, but the keys did.
    kept = state.read_bytes()
    _build(catalog, tmp_path / "out", date(2026, 11, 24))
    assert state.read_bytes() != kept
    # Lost or damaged: written again by a rebuild with nothing new.
    state.unlink()
    _build(catalog, tmp_path / "out", date(2026, 11, 24))
    assert state.is_file() and read_state(state)["datasets"]
    state.write_bytes(b"{not json")
    _build(catalog, tmp_path / "out", date(2026, 11, 24))
    assert orjson.loads(state.read_bytes()) and read_state(state)["datasets"]
