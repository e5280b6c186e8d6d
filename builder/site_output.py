"""The output folder of a build: every file goes through ``emit`` (which
refuses paths leaving the folder), groups of files are reused while their key
is unchanged, and whatever a previous build wrote and this one did not is
deleted at the end (a dataset no longer open loses its files at once)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from builder.build_config import UnsafeOutput
from builder.files import write_chunks, write_chunks_if_changed, write_if_changed
from builder.fork_pool import Beside
from builder.spliced import Spliced, write_spliced
from builder.theme import UNPUBLISHED


class SiteOutput:
    """The files written into ``out`` by one build, and those of the
    previous build (``old_state``: its ``files`` and keyed ``groups``)."""

    def __init__(self, out: Path, old_state: dict[str, Any]):
        self.out = out
        self.old_state = old_state
        # An output folder that is empty before the build holds nothing
        # stale: its first build need not walk the site it wrote.
        self.started_empty = _is_empty(out)
        self.written: set[str] = set()
        self.groups: dict[str, dict[str, Any]] = {}
        # Where the indexes of spliced files are kept (the build cache; None:
        # written whole) and the salt that ties them to this code.
        self.splice_dir: Path | None = None
        self.splice_salt = ""

    def written_files(self) -> list[str]:
        """The files this build wrote, sorted: the previous build's list
        itself when it names the same files (at 100,000 datasets sorting half
        a million names cost half a second of a rebuild with nothing new)."""
        old = self.old_state.get("files")
        if isinstance(old, list) and self.written == set(old):
            return old
        return sorted(self.written)

    def emit(self, rel: str, text: str | Iterable[str]) -> None:
        """Write ``text`` (or its pieces) to ``rel`` under the output, unless
        unchanged. Raises UnsafeOutput for a path leaving the output folder."""
        parts = rel.split("/")
        if not rel or rel.startswith("/") or "\\" in rel or ".." in parts:
            # Page paths come from checked codes; this is the last line of defence.
            raise UnsafeOutput(f"refusing to write {rel[:100]!r}: it leaves the output folder")
        self.written.add(rel)
        if isinstance(text, str):
            write_if_changed(self.out / rel, text)
        elif isinstance(text, Spliced) and self.splice_dir is not None:
            # catalog.json, DCAT: unchanged datasets' pieces copied from the last file
            write_spliced(self.out / rel, self.splice_dir / (rel.replace("/", "_") + ".json"),
                          text, self.splice_salt)
        else:  # a large file in pieces
            write_chunks_if_changed(self.out / rel, text)

    def emit_keyed(self, group: str, key: str,
                   produce: Callable[[], Mapping[str, str | Iterable[str]]],
                   beside: Collection[str] = ()) -> None:
        """Write the files ``produce`` gives, unless the previous build wrote
        this group with the same ``key`` and its files are all still there:
        then they are kept as they are (and count as written). The files
        named in ``beside`` are written by a forked child process while this
        one writes the others (``builder.fork_pool.Beside``: here when the
        child fails); they must not share anything that a fork breaks
        (catalog.json; not the DCAT files, read from an open SQLite file)."""
        previous = self.old_state.get("groups", {}).get(group)
        if previous and previous["key"] == key \
                and all((self.out / rel).is_file() for rel in previous["files"]):
            files = list(previous["files"])
            self.written.update(files)
        else:
            produced = produce()
            aside = [rel for rel in produced if rel in beside]

            def write_aside() -> None:
                for rel in aside:
                    self.emit(rel, produced[rel])
            child = Beside(write_aside, f"writing {', '.join(aside)}") if aside else None
            for rel, text in produced.items():
                if rel not in aside:
                    self.emit(rel, text)
            if child is not None and child.done():
                self.written.update(aside)  # written in the child's copy of this
            else:
                write_aside()
            files = sorted(produced)
        self.groups[group] = {"key": key, "files": files}

    def copy_theme_output(self, staged: Path) -> None:
        """Copy the theme's generated site (``staged``) into the output,
        leaving out what we write ourselves; unchanged files are not touched."""
        for path in staged.rglob("*"):
            if path.is_dir():
                continue
            rel = path.relative_to(staged).as_posix()
            if rel in UNPUBLISHED:
                continue  # ours lists the dataset pages too; the search API searches
            self.written.add(rel)
            target = self.out / rel
            if target.is_file() and target.stat().st_size == path.stat().st_size \
                    and target.read_bytes() == path.read_bytes():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)

    def remove_stale(self) -> int:
        """Delete every file a previous build wrote that this one did not,
        and the folders left empty; returns how many files were deleted."""
        removed = 0
        if "files" in self.old_state:
            previous = set(self.old_state["files"])
        elif self.started_empty:
            previous = set()
        else:
            # No state (a new cache folder, a version bump, a corrupt state):
            # every file already in the site counts as written before, so
            # nothing this build did not write survives — above all the files
            # of a dataset that is no longer unconditional.
            previous = {p.relative_to(self.out).as_posix()
                        for p in self.out.rglob("*") if p.is_file() or p.is_symlink()}
        emptied: set[Path] = set()
        for rel in sorted(previous - self.written):
            target = self.out / rel
            if target.is_file() or target.is_symlink():
                target.unlink()
                removed += 1
                emptied.add(target.parent)
        # Drop folders left empty (a dataset that disappeared), deepest first.
        out = self.out.resolve()
        for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
            while folder.resolve() != out and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        return removed


def write_state(path: Path, state: Mapping[str, Any]) -> None:
    """Write ``state`` to ``path`` as JSON (the bytes of ``orjson.dumps``),
    through a temporary file and a rename (:func:`builder.files.write_chunks`).
    Mappings and lists directly in it are written an item at a time: at
    100,000 datasets the whole text would be a hundred megabytes held at the
    build's peak of memory."""
    write_chunks(path, _state_pieces(state))


def _state_pieces(state: Mapping[str, Any]) -> Iterator[bytes]:
    yield b"{"
    for number, (name, value) in enumerate(state.items()):
        yield (b"," if number else b"") + orjson.dumps(name) + b":"
        if isinstance(value, dict):
            yield b"{"
            for count, (key, item) in enumerate(value.items()):
                yield (b"," if count else b"") + orjson.dumps(key) + b":" + orjson.dumps(item)
            yield b"}"
        elif isinstance(value, list):
            yield b"["
            for start in range(0, len(value), 10_000):
                yield (b"," if start else b"") + orjson.dumps(value[start:start + 10_000])[1:-1]
            yield b"]"
        else:
            yield orjson.dumps(value)
    yield b"}"


def _is_empty(folder: Path) -> bool:
    """Whether ``folder`` is missing or holds no entry at all."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except FileNotFoundError:
        return True


def one_file(rel: str, produce: Callable[[], str]) -> dict[str, str]:
    """A group of one file, ``rel``, whose text ``produce`` makes (for
    :meth:`SiteOutput.emit_keyed`)."""
    return {rel: produce()}
