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


def test_the_child_sends_only_how_the_listings_changed(tmp_path: Path) -> None:
    # The parent holds the last build's listings: the child sends the
    # listings that changed or are new and the names of those it did not
    # make, and the parent's result is what a walk here makes.
    import pickle

    catalog = make_catalog(tmp_path / "catalog", 40)
    _age(catalog)
    cache = DescriptorCache(tmp_path / "cache", "code")
    for folder in sorted(p for p in catalog.iterdir() if p.is_dir()):
        cache._identity_here(folder)
    known = dict(cache._new_listings)
    assert len(known) == 80  # each dataset folder and its data folder

    def walked(known: dict[str, object]) -> tuple[dict[str, str], dict[str, object], int]:
        here = DescriptorCache(tmp_path / "cache", "code")
        here.listings = dict(known)
        walk = folder_walk.Walk.start(catalog, here._identity_here, here._new_listings, known)
        assert walk is not None
        raw = walk._reader.recv_bytes()  # what the child sent, as sent
        walk._reader = _Replay(raw)  # type: ignore[assignment]
        result = walk.result()
        assert result is not None
        return result[0], result[1], len(raw)

    identities, listings, size = walked(known)
    assert listings == known
    # The identities and an empty difference: no listing went through the pipe.
    assert size <= len(pickle.dumps((identities, {}, []), protocol=pickle.HIGHEST_PROTOCOL))
    # A folder gone, a folder added, a file added: the result is a walk made here.
    gone = sorted(p for p in catalog.iterdir() if p.is_dir())[5]
    for path in sorted(gone.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    gone.rmdir()
    (catalog / "new-000001" / "data").mkdir(parents=True)
    (catalog / "new-000001" / "datapackage.yaml").write_text("name: x\n", encoding="utf-8")
    first = sorted(p for p in catalog.iterdir() if p.is_dir())[0]
    (first / "data" / "more.csv").write_text("a\n1\n", encoding="utf-8")
    _age(catalog)
    identities, listings, _ = walked(known)
    fresh = DescriptorCache(tmp_path / "cache", "code")
    expected = {str(f): fresh._identity_here(f) for f in sorted(
        p for p in catalog.iterdir() if p.is_dir())}
    assert identities == expected and listings == fresh._new_listings


class _Replay:
    """A pipe's reading end that gives back one message already read."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def recv(self) -> object:
        import pickle

        return pickle.loads(self.raw)

    def close(self) -> None:
        pass
