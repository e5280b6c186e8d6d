"""Writing output files so that unchanged bytes keep their modification
time (rsync and CDNs then copy only what changed) and a reader never sees
a half-written file."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file and
    a rename, creating parent folders; leave the file alone when it already
    holds exactly these bytes. Returns whether it wrote."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        found = path.stat()
    except FileNotFoundError:
        pass
    else:
        if stat.S_ISREG(found.st_mode) and found.st_size == len(raw) \
                and path.read_bytes() == raw:
            return False
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(raw)
    except FileNotFoundError:  # the folder first (not asked each time: a system call a file)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(raw)
    os.replace(tmp, path)
    return True


def size_and_sha256(path: Path) -> tuple[int, str]:
    """A file's size and the hex SHA-256 of its contents, read in 1 MiB blocks.

    Raises:
        OSError: the file cannot be read.
    """
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()


def write_chunks_if_changed(path: Path, chunks: Iterable[str | bytes]) -> bool:
    """:func:`write_if_changed` for a file given in pieces (never held whole:
    catalog.json and the DCAT files of 100,000 datasets are hundreds of
    megabytes). The pieces go to a temporary file; it replaces ``path``
    unless ``path`` already holds the same bytes (same size and SHA-256)."""
    tmp, size, digest = _written_aside(path, chunks)
    if path.is_file() and path.stat().st_size == size and size_and_sha256(path) == (size, digest):
        tmp.unlink()
        return False
    os.replace(tmp, path)
    return True


def write_chunks(path: Path, chunks: Iterable[str | bytes]) -> None:
    """Write a file given in pieces through a temporary file and a rename
    (never held whole), whatever ``path`` holds now."""
    tmp, _, _ = _written_aside(path, chunks)
    os.replace(tmp, path)


def _written_aside(path: Path, chunks: Iterable[str | bytes]) -> tuple[Path, int, str]:
    """The pieces written to ``path``'s temporary file (folders made):
    that file, its size and its hex SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    sha = hashlib.sha256()
    size = 0
    with tmp.open("wb") as handle:
        for chunk in chunks:
            raw = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
            handle.write(raw)
            sha.update(raw)
            size += len(raw)
    return tmp, size, sha.hexdigest()
