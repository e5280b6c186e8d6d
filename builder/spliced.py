"""Catalogue-wide files made of one piece per dataset (catalog.json,
dcat.ttl, dcat.jsonld), rewritten after a change without serialising the
unchanged datasets again.

A :class:`Spliced` file is a head, the non-empty pieces joined by a
separator, and a tail; the head and each piece carry a key that changes
whenever their text would. :func:`write_spliced` keeps, beside the build
cache, where each piece lies in the file it wrote (an index); the next
build copies the pieces whose key is unchanged from the previous file
(in-kernel, consecutive pieces in one copy) and makes only the others. The
file is the same bytes as one written whole (``"".join(spliced)``), which
is also what happens when there is no index, the file was changed by
anyone else (its size, modification time or inode differ from the index's),
or a key is None. A file whose head, keys and tail are all unchanged is not
written at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

INDEX_VERSION = 1
# A piece: its key (None: always made afresh) and how to make its text.
Piece = tuple[str | None, Callable[[], str]]
_FLUSH = 1 << 20


@dataclass
class Spliced:
    """A file of a head, pieces joined by ``sep`` (empty pieces left out;
    ``sep_first``: a separator before the first piece too) and a tail.
    ``done`` is called once the file has been written or iterated."""

    head: Piece
    pieces: Iterable[Piece]
    tail: str
    sep: str
    sep_first: bool = False
    done: Callable[[], None] = field(default=lambda: None)

    def __iter__(self) -> Iterator[str]:
        """The file's text in pieces (nothing reused)."""
        yield self.head[1]()
        first = not self.sep_first
        for _, produce in self.pieces:
            text = produce()
            if text:
                yield text if first else self.sep + text
                first = False
        yield self.tail
        self.done()


def _load_index(index: Path, target: Path, spliced: Spliced,
                salt: str) -> dict[str, Any] | None:
    """The index of the file ``target`` holds now, or None when it cannot be
    trusted (missing, damaged, another version, salt or separator, or the
    file changed since)."""
    try:
        data = orjson.loads(index.read_bytes())
        info = target.stat()
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != INDEX_VERSION \
            or data.get("salt") != salt \
            or data.get("sep") != spliced.sep or data.get("sep_first") != spliced.sep_first \
            or data.get("stat") != [info.st_size, info.st_mtime_ns, info.st_ino]:
        return None
    return data


class _Out:
    """The new file being written: text made now, and ranges of the old
    file copied (consecutive ranges joined into one copy)."""

    def __init__(self, fd: int, old_fd: int | None):
        self.fd, self.old_fd = fd, old_fd
        self.buffer = bytearray()
        self.offset = 0  # bytes of the new file so far
        self.pending: list[int] | None = None  # [start, end) in the old file, to copy

    def text(self, raw: bytes) -> None:
        self._copy()
        self.buffer += raw
        self.offset += len(raw)
        if len(self.buffer) >= _FLUSH:
            self._flush()

    def old(self, start: int, length: int, sep: bytes) -> None:
        """Copy old bytes [start, start + length), after ``sep``: when they
        follow the last range copied with just ``sep`` between (the old
        file's own separator), the two ranges are one copy."""
        pending = self.pending
        if pending is not None and pending[1] + len(sep) == start:
            pending[1] = start + length
            self.offset += len(sep) + length
            return
        if sep:
            self.text(sep)
        self._copy()
        self.pending = [start, start + length]
        self.offset += length

    def _flush(self) -> None:
        view = memoryview(self.buffer)
        while view:
            view = view[os.write(self.fd, view):]
        self.buffer = bytearray()

    def _copy(self) -> None:
        if self.pending is None:
            return
        self._flush()
        start, end = self.pending
        self.pending = None
        assert self.old_fd is not None
        while start < end:
            try:
                copied = os.copy_file_range(self.old_fd, self.fd, end - start, start)
            except OSError:  # no in-kernel copy here: read and write
                data = os.pread(self.old_fd, min(end - start, 1 << 24), start)
                copied = len(data)
                view = memoryview(data)
                while view:
                    view = view[os.write(self.fd, view):]
            if copied == 0:
                raise OSError(f"the previous file ended early at byte {start}")
            start += copied

    def close(self) -> None:
        self._copy()
        self._flush()


def write_spliced(target: Path, index: Path, spliced: Spliced, salt: str = "") -> bool:
    """Write ``spliced`` to ``target`` through a temporary file and a rename,
    reusing the previous file's unchanged pieces (see the module); keep
    the new index in ``index``. ``salt``: an index made with another salt
    is ignored (the build passes its code digest: new code, nothing
    reused). Returns whether the file was written."""
    try:
        return _write(target, index, spliced, salt)
    finally:
        spliced.done()


def _write(target: Path, index: Path, spliced: Spliced, salt: str) -> bool:
    old = _load_index(index, target, spliced, salt)
    pieces = list(spliced.pieces)
    old_list: list[list[Any]] = []
    position: dict[str, int] = {}  # key → its place in old_list
    if old is not None:
        old_list = old["pieces"]
        # Built in C (zip, map), with no list per piece: a third faster
        # than a comprehension (0.21 -> 0.14 s for 100,000 pieces).
        position = dict(zip(map(itemgetter(0), old_list), range(len(old_list)), strict=True))
        head_key = spliced.head[0]
        if head_key is not None and old["head"][0] == head_key \
                and old["tail"] == spliced.tail \
                and all(key is not None for key, _ in pieces) \
                and [key for key, _ in pieces] == old["order"]:
            return False  # the same bytes as the file already there
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    sep = spliced.sep.encode()
    old_fd = os.open(target, os.O_RDONLY) if old is not None else None
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    placed: list[list[Any]] = []
    order: list[str | None] = []
    try:
        out = _Out(fd, old_fd)
        head_key, make_head = spliced.head
        if old is not None and head_key is not None and old["head"][0] == head_key:
            out.old(old["head"][1], old["head"][2], b"")
            head = [head_key, 0, old["head"][2]]
        else:
            raw = make_head().encode()
            out.text(raw)
            head = [head_key, 0, len(raw)]
        first = not spliced.sep_first
        for key, produce in pieces:
            order.append(key)
            place = position.get(key) if key is not None else None
            kept = old_list[place] if place is not None else None
            if kept is not None and kept[2] == 0:
                placed.append([key, 0, 0])
                continue
            joint = b"" if first else sep
            if kept is not None:
                out.old(kept[1], kept[2], joint)
                start = out.offset - kept[2]
                length = kept[2]
            else:
                raw = produce().encode()
                if not raw:
                    if key is not None:
                        placed.append([key, 0, 0])
                    continue
                out.text(joint + raw)
                start, length = out.offset - len(raw), len(raw)
            first = False
            if key is not None:
                placed.append([key, start, length])
        out.text(spliced.tail.encode())
        out.close()
    finally:
        os.close(fd)
        if old_fd is not None:
            os.close(old_fd)
    os.replace(tmp, target)
    info = target.stat()
    index.parent.mkdir(parents=True, exist_ok=True)
    index_tmp = index.with_name(index.name + ".tmp")
    index_tmp.write_bytes(orjson.dumps({
        "version": INDEX_VERSION, "salt": salt, "sep": spliced.sep, "sep_first": spliced.sep_first,
        "stat": [info.st_size, info.st_mtime_ns, info.st_ino], "head": head,
        "tail": spliced.tail, "order": order, "pieces": placed}))
    os.replace(index_tmp, index)
    return True
