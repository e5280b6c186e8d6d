"""The parsed-descriptor cache of the build (in the build cache folder,
never under the site).

``portal build`` reads every dataset folder of the catalogue on each run;
at 100,000 datasets parsing the YAML descriptors was most of a rebuild. The
datasets read from a folder are kept here, keyed by the folder's identity
(:func:`folder_identity`: name, size, modification time and inode of every
file below it, the targets of links), and reused while that identity is
unchanged: a descriptor whose folder did not change is never parsed again.

The cache is a folder of ``SHARDS`` files, each holding the entries whose
folder name hashes to it (a change rewrites one file, not the whole cache),
and one file of directory listings (``LISTINGS_FILE``). Each file is:
- versioned: it records ``CACHE_VERSION`` and the digest of the loader's
  code; a file written by other code is ignored (read anew, then replaced);
- crash-safe: written to a temporary file, flushed, then renamed over the
  old one, so a crash leaves the old file or the new one, never half (and
  each entry is checked against its folder's identity before it is used);
- bounded: one entry per dataset folder that exists now (entries of folders
  that are gone are dropped on every build), nothing else;
- never trusted blindly: a damaged or unreadable cache is ignored with a
  warning and costs only a slower build.

Directory listings are kept too: a directory whose identity (modification
time, inode) did not change still holds the same names, so it is not listed
again (each file is still looked at, to see edits made in place).

In a large catalogue the folders' identities are taken by a child process
(``builder.folder_walk``) while this one reads the entries: the walk is
mostly system calls, the reading mostly unpickling, and a machine has two
cores or more (at 100,000 datasets each took two to three seconds of a
rebuild with nothing new).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import stat
import time
import zlib
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from builder.descriptor_pool import new_folders, read_new_folders
from builder.folder_walk import Walk
from domain.catalogue.model import Dataset
from domain.catalogue.problems import Problem

log = logging.getLogger(__name__)

CACHE_FILE = "descriptors"  # a folder of SHARDS pickles and the listings
LISTINGS_FILE = "listings.bin"  # a pickle too, named apart from the shards
# Bump when the layout of the files or of their entries changes.
CACHE_VERSION = 4
# Folders' identities are taken in a child process when the last build kept
# listings of at least this many directories (below it a fork costs more
# than it saves).
WALK_IN_CHILD_AT = 4000
# The entries are spread over this many files by a hash of the folder name:
# after one change one file is written again, not the whole cache.
SHARDS = 64
RACY_NS = 2_000_000_000

Entry = tuple[str, "Dataset | None", tuple[Problem, ...]]
Listing = tuple[tuple[int, int, int], tuple[str, ...]]


def shard(key: str) -> int:
    """The file (0 … SHARDS-1) an entry is kept in."""
    return zlib.crc32(key.encode("utf-8", "surrogateescape")) % SHARDS


class DescriptorCache(MutableMapping[str, Entry]):
    """Folder name → (folder identity, dataset read or None, problems met):
    the ``datasets`` mapping of :func:`domain.catalogue.catalog.load_catalog`, with
    its own :meth:`identity` function that reuses directory listings."""

    def __init__(self, path: Path, code: str):
        self.path = path
        self.code = code
        self.entries: dict[str, Entry] = {}
        self.listings: dict[str, Listing] = {}
        self.dirty = set(range(SHARDS))  # files to write: nothing on disk yet
        self._new_listings: dict[str, Listing] = {}
        self._walker: Walk | None = None  # identities being taken in a child process
        self._walked: dict[str, str] = {}

    # -- reading and writing -------------------------------------------
    @classmethod
    def load(cls, path: Path, code: str, root: Path | None = None) -> DescriptorCache:
        """The cache in the folder ``path``, each of its files kept if it was
        written by this code (a damaged file is reported as a warning, never
        raised; its entries are read again). ``root``: the catalogue whose
        folders' identities will be asked for; in a large one they are taken
        in a child process while the entries are read, and the descriptors
        of many folders it has no entry for are read in a pool of processes."""
        cache = cls(path, code)
        # The single-file caches of earlier versions.
        for old in ("datasets.pickle", "descriptors.pickle"):
            path.with_name(old).unlink(missing_ok=True)
        if path.is_dir():
            cache._load_files(root)
        if root is not None and root.is_dir():
            cache._read_new(root)
        return cache

    def _load_files(self, root: Path | None) -> None:
        listings = self._load_file(self.path / LISTINGS_FILE, "listings")
        self.listings = listings if listings is not None else {}
        if root is not None and len(self.listings) >= WALK_IN_CHILD_AT:
            self._walker = Walk.start(root, self._identity_here, self._new_listings,
                                       self.listings)
        for number in range(SHARDS):
            part = self._load_file(self.path / f"{number:02d}.pickle", "entries")
            if part is not None:
                self.entries.update(part)
                self.dirty.discard(number)

    def _read_new(self, root: Path) -> None:
        """Enter the folders under ``root`` this cache has no entry for, read
        in a pool of processes when they are many (``builder.descriptor_pool``;
        whatever it does not hand back, load_catalog reads as usual)."""
        # The catalogue's own listing is kept like a folder's: while nothing
        # was added or removed it is not listed again (a rebuild with nothing
        # new would pay for listing 100,000 names twice).
        new = new_folders(root, self._names(str(root), os.stat(root)), self.entries)
        for done, listings in read_new_folders(root, new, self._identity_here,
                                               self._new_listings):
            self._new_listings.update(listings)
            for path, print_, dataset, problems in done:
                self[os.path.basename(path)] = (print_, dataset, problems)
                self._walked[path] = print_  # taken: identity() need not walk it again

    def _load_file(self, file: Path, part: str) -> dict[str, Any] | None:
        """The mapping ``part`` of one of the cache's files, or None when it is
        missing, damaged (a warning) or written by other code."""
        try:
            # The cache folder is the operator's own, outside the site.
            raw = file.read_bytes()
        except FileNotFoundError:
            return None
        try:
            with no_gc():  # each collection would walk every object unpickled so far
                data = pickle.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not a mapping")
            if data.get("version") != CACHE_VERSION or data.get("code") != self.code:
                log.info("descriptor cache %s was written by other code; reading its "
                         "descriptors again", file)
                return None
            found = data[part]
            if not isinstance(found, dict):
                raise ValueError(f"{part} are not a mapping")
        except Exception as error:  # any damage only costs a slower build
            log.warning("descriptor cache %s is damaged (%s); ignoring it and reading its "
                        "descriptors again", file, str(error)[:200] or type(error).__name__)
            return None
        return found

    def save(self) -> None:
        """Write the files whose entries or listings changed (each to a
        temporary file, flushed, then renamed over the old one)."""
        self.finish_walk()
        if self._new_listings != self.listings or not (self.path / LISTINGS_FILE).is_file():
            self._write(self.path / LISTINGS_FILE, "listings", self._new_listings)
            self.listings = self._new_listings
        if not self.dirty:
            return
        entries: list[dict[str, Entry]] = [{} for _ in range(SHARDS)]
        for key, entry in self.entries.items():
            entries[shard(key)][key] = entry
        for number in sorted(self.dirty):
            self._write(self.path / f"{number:02d}.pickle", "entries", entries[number])
        self.dirty = set()

    def _write(self, file: Path, part: str, mapping: dict[str, Any]) -> None:
        data = {"version": CACHE_VERSION, "code": self.code, part: mapping}
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(file.name + ".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, file)

    def release(self) -> None:
        """Forget the entries and listings (after :meth:`save`: nothing is
        lost; the datasets read stay with whoever holds them)."""
        self.entries, self.listings, self._new_listings = {}, {}, {}
        self._walked = {}

    # -- the mapping load_catalog reads and updates ----------------------
    def __getitem__(self, key: str) -> Entry:
        return self.entries[key]

    def get(self, key: str, default: Entry | None = None) -> Entry | None:  # type: ignore[override]
        # The mixin's get goes through __getitem__ and a KeyError per miss.
        return self.entries.get(key, default)

    def __setitem__(self, key: str, value: Entry) -> None:
        self.entries[key] = value
        self.dirty.add(shard(key))

    def __delitem__(self, key: str) -> None:
        del self.entries[key]
        self.dirty.add(shard(key))

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    # -- identity --------------------------------------------------------
    def identity(self, folder: Path) -> str:
        """:meth:`_identity_here` of ``folder``, as the child process took it
        when it walked the catalogue (the same function, a moment earlier)."""
        self.finish_walk()
        found = self._walked.pop(str(folder), None)
        return found if found is not None else self._identity_here(folder)

    def finish_walk(self) -> None:
        """Wait for the child process's identities and listings (if one was
        started); when it failed, identities are taken here instead."""
        if self._walker is None:
            return
        walk, self._walker = self._walker, None
        result = walk.result()
        if result is not None:
            walked, listings = result
            self._walked.update(walked)
            self._new_listings.update(listings)

    def _identity_here(self, folder: Path) -> str:
        """A fingerprint of everything the loader and the data checks read in
        ``folder``: name, size, modification time and inode of every file
        below it, and the target of every link (the folder itself included),
        so that re-pointing a link — perhaps out of the catalogue — changes
        it as surely as editing a file. Contents are not read: that would
        cost as much as parsing."""
        parts: list[str] = []
        try:
            top = str(folder)
            info = os.lstat(top)
            if stat.S_ISLNK(info.st_mode):
                parts.append(f"link:{os.readlink(top)}\0")
                info = os.stat(top)
            self._walk(parts, top, "", info)
        except OSError as error:  # vanished or unreadable: never equal twice
            parts.append(f"error:{error}:{os.urandom(8).hex()}")
        # One digest of the joined parts: the same as hashing them one by one.
        return hashlib.sha256("".join(parts).encode()).hexdigest()

    def _names(self, folder: str, info: os.stat_result) -> tuple[str, ...]:
        """The sorted names in ``folder`` (whose stat is ``info``), listed
        again only when the directory's identity changed (an entry added,
        removed or renamed changes its modification time)."""
        ident = (info.st_mtime_ns, info.st_ino, info.st_dev)
        known = self.listings.get(folder)
        if known is not None and known[0] == ident:
            names = known[1]
        else:
            names = tuple(sorted(os.listdir(folder)))
        # A directory changed within the last seconds may change again
        # without its time moving (timestamps advance in coarse ticks): its
        # listing is not kept, so the next build lists it again.
        if time.time_ns() - info.st_mtime_ns > RACY_NS:
            self._new_listings[folder] = (ident, names)
        return names

    def _walk(self, parts: list[str], folder: str, prefix: str, info: os.stat_result) -> None:
        # Paths are joined as strings (os.path.join and pathlib cost more
        # than the system calls here, at 100,000 folders a build).
        for name in self._names(folder, info):
            path = folder + "/" + name
            rel = prefix + name
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                parts.append(f"{rel}:gone\0")
                continue
            linked = stat.S_ISLNK(info.st_mode)
            if linked:
                parts.append(f"{rel}->{os.readlink(path)}\0")
                try:
                    info = os.stat(path)
                except OSError:
                    parts.append(f"{rel}:dangling\0")
                    continue
            if stat.S_ISDIR(info.st_mode):
                if linked:  # not followed: the loader refuses links leading out
                    parts.append(f"{rel}:linked-dir\0")
                else:
                    self._walk(parts, path, rel + "/", info)
            elif stat.S_ISREG(info.st_mode):
                parts.append(f"{rel}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}\0")
            else:
                parts.append(f"{rel}:other\0")


@contextmanager
def no_gc() -> Iterator[None]:
    """Python's cycle collector paused: while a cache of 100,000 datasets is
    unpickled, each collection walks every object made so far (seconds of
    work that frees nothing)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
