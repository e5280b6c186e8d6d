"""In a large catalogue the dataset folders' identities are taken in a child
process while the build reads its descriptor cache (``builder.folder_walk``);
the build is the same as one that walks the folders itself, sees an edit made
in place, and survives a child that fails or dies (it walks the folders
itself, with a warning). The threshold is lowered here so that a small
catalogue is walked in a child."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bench.synthetic import make_catalog
from builder import descriptor_cache, folder_walk
from builder.build import BuildConfig, BuildResult, build
from builder.descriptor_cache import DescriptorCache

TODAY = date(2026, 11, 23)


def _build(catalog: Path, root: Path) -> BuildResult:
    return build(BuildConfig(catalog_dir=catalog, out_dir=root / "site", today=TODAY,
                             cache_dir=root / "cache"))


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def _age(folder: Path) -> None:
    """Date every directory back a minute (recent ones are listed again on purpose)."""
    old = os.stat(folder).st_mtime - 60
    for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        os.utime(path, (old, old))


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Folders whose identity was taken in this process (a child's calls
    happen in its own copy of the list, so they are not seen here)."""
    taken: list[str] = []
    original = DescriptorCache._identity_here

    def counted(self: DescriptorCache, folder: Path) -> str:
        taken.append(folder.name)
        return original(self, folder)

    monkeypatch.setattr(DescriptorCache, "_identity_here", counted)
    yield taken


def test_a_large_catalogue_is_walked_in_a_child_with_the_same_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, here: list[str],
        parsed: list[str]) -> None:
    catalog = make_catalog(tmp_path / "catalog", 5)
    _age(catalog)
    folders = sorted(p.name for p in catalog.iterdir() if p.is_dir())
    _build(catalog, tmp_path / "own")  # walked here: no listings kept yet
    assert sorted(here) == folders
    monkeypatch.setattr(descriptor_cache, "WALK_IN_CHILD_AT", 1)
    here.clear()
    again = _build(catalog, tmp_path / "own")
    assert here == [] and again.pages_written == 0  # every identity came from the child
    # An edit made in place (its folder's time unchanged) is seen through the child.
    descriptor = catalog / folders[1] / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8").replace(
        "title: ", "title: 新", 1), encoding="utf-8")
    parsed.clear()
    changed = _build(catalog, tmp_path / "own")
    assert parsed == [folders[1]] and changed.pages_written == 1 and here == []
    monkeypatch.setattr(descriptor_cache, "WALK_IN_CHILD_AT", 10**9)
    _build(catalog, tmp_path / "fresh")
    assert _tree(tmp_path / "own" / "site") == _tree(tmp_path / "fresh" / "site")


def test_a_child_that_fails_or_dies_leaves_the_walk_to_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, here: list[str],
        caplog: pytest.LogCaptureFixture) -> None:
    catalog = make_catalog(tmp_path / "catalog", 4)
    _age(catalog)
    folders = sorted(p.name for p in catalog.iterdir() if p.is_dir())
    first = _build(catalog, tmp_path / "out")
    monkeypatch.setattr(descriptor_cache, "WALK_IN_CHILD_AT", 1)

    def broken(root: Path) -> Iterator[Path]:
        raise PermissionError(f"cannot list {root.name}")
        yield root  # a generator, as the real one

    monkeypatch.setattr(folder_walk, "dataset_folders", broken)
    here.clear()
    with caplog.at_level(logging.WARNING, logger="builder.folder_walk"):
        failed = _build(catalog, tmp_path / "out")
    assert "PermissionError: cannot list catalog" in caplog.text
    assert sorted(here) == folders and failed.changes.published == first.changes.published
    monkeypatch.undo()
    monkeypatch.setattr(descriptor_cache, "WALK_IN_CHILD_AT", 1)
    parent = os.getpid()
    original = DescriptorCache._identity_here

    def dies_in_child(self: DescriptorCache, folder: Path) -> str:
        if os.getpid() != parent:
            os._exit(3)  # as if killed half-way through
        return original(self, folder)

    monkeypatch.setattr(DescriptorCache, "_identity_here", dies_in_child)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="builder.folder_walk"):
        died = _build(catalog, tmp_path / "out")
    assert "child process failed" in caplog.text
    assert died.changes.published == first.changes.published and died.pages_written == 0


def test_a_refused_output_folder_starts_no_child(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # The output folder is checked before the cache is read: a refused build
    # starts no walking child (it used to be reaped only when the process ended).
    from builder.build import UnsafeOutput

    catalog = make_catalog(tmp_path / "catalog", 3)
    _age(catalog)
    _build(catalog, tmp_path / "own")
    monkeypatch.setattr(descriptor_cache, "WALK_IN_CHILD_AT", 1)
    started: list[Path] = []
    original = folder_walk.Walk.start.__func__  # type: ignore[attr-defined]

    def start(cls: type[folder_walk.Walk], root: Path, *args: object) -> object:
        started.append(root)
        return original(cls, root, *args)

    monkeypatch.setattr(folder_walk.Walk, "start", classmethod(start))
    _build(catalog, tmp_path / "own")  # accepted: the walk starts
    assert started == [catalog]
    started.clear()
    (tmp_path / "own" / "site" / "index.html").unlink()
    (tmp_path / "own" / "cache" / "state.json").unlink()
    with pytest.raises(UnsafeOutput):
        _build(catalog, tmp_path / "own")
    assert started == []
