"""The parsed-descriptor cache of the build (in the build cache folder,
never under the site).

``portal build`` reads every dataset folder of the catalogue on each run;
at 100,000 datasets parsing the YAML descriptors was most of a rebuild. The
datasets read from a folder are kept here, keyed by the folder's identity
(:func:`folder_identity`: name, size, modification time and inode of every
file below it, the targets of links), and reused while that identity is
unchanged: a descriptor whose folder did not change is never parsed again.

The file is:
- versioned: it records ``CACHE_VERSION`` and the digest of the loader's
  code; a cache written by other code is ignored (read anew, then replaced);
- crash-safe: written to a temporary file, flushed, then renamed over the
  old one, so a crash leaves the old cache or the new one, never half;
- bounded: one entry per dataset folder that exists now (entries of folders
  that are gone are dropped on every build), nothing else;
- never trusted blindly: a damaged or unreadable cache is ignored with a
  warning and costs only a slower build.

Directory listings are kept too: a directory whose identity (modification
time, inode) did not change still holds the same names, so it is not listed
again (each file is still looked at, to see edits made in place).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import stat
import time
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from domain.catalogue.model import Dataset
from domain.catalogue.problems import Problem

log = logging.getLogger(__name__)

CACHE_FILE = "descriptors.pickle"
# Bump when the layout of the file or of its entries changes.
CACHE_VERSION = 2
RACY_NS = 2_000_000_000

Entry = tuple[str, "Dataset | None", tuple[Problem, ...]]
Listing = tuple[tuple[int, int, int], tuple[str, ...]]


class DescriptorCache(MutableMapping[str, Entry]):
    """Folder name → (folder identity, dataset read or None, problems met):
    the ``datasets`` mapping of :func:`domain.catalogue.catalog.load_catalog`, with
    its own :meth:`identity` function that reuses directory listings."""

    def __init__(self, path: Path, code: str):
        self.path = path
        self.code = code
        self.entries: dict[str, Entry] = {}
        self.listings: dict[str, Listing] = {}
        self.changed = True  # nothing on disk yet, or it must be rewritten
        self._new_listings: dict[str, Listing] = {}

    # -- reading and writing -------------------------------------------
    @classmethod
    def load(cls, path: Path, code: str) -> DescriptorCache:
        """The cache at ``path`` if it was written by this code; otherwise an
        empty one (a damaged file is reported as a warning, never raised)."""
        cache = cls(path, code)
        # The cache of earlier versions (every dataset in one pickle).
        path.with_name("datasets.pickle").unlink(missing_ok=True)
        if not path.is_file():
            return cache
        try:
            # The cache folder is the operator's own, outside the site.
            raw = path.read_bytes()
            with no_gc():
                data = pickle.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not a mapping")
            if data.get("version") != CACHE_VERSION or data.get("code") != code:
                log.info("descriptor cache %s was written by other code; reading every "
                         "descriptor again", path)
                return cache
            entries, listings = data["entries"], data["listings"]
            if not isinstance(entries, dict) or not isinstance(listings, dict):
                raise ValueError("entries are not mappings")
        except Exception as error:  # any damage only costs a slower build
            log.warning("descriptor cache %s is damaged (%s); ignoring it and reading every "
                        "descriptor again", path, str(error)[:200] or type(error).__name__)
            return cache
        cache.entries, cache.listings = entries, listings
        cache.changed = False
        return cache

    def save(self) -> None:
        """Write the cache if anything changed (temporary file, then rename)."""
        if self._new_listings.keys() != self.listings.keys() \
                or self._new_listings != self.listings:
            self.changed = True
        if not self.changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": CACHE_VERSION, "code": self.code, "entries": self.entries,
                "listings": self._new_listings}
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        self.listings = self._new_listings
        self.changed = False

    # -- the mapping load_catalog reads and updates ----------------------
    def __getitem__(self, key: str) -> Entry:
        return self.entries[key]

    def __setitem__(self, key: str, value: Entry) -> None:
        self.entries[key] = value
        self.changed = True

    def __delitem__(self, key: str) -> None:
        del self.entries[key]
        self.changed = True

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    # -- identity --------------------------------------------------------
    def identity(self, folder: Path) -> str:
        """A fingerprint of everything the loader and the data checks read in
        ``folder``: name, size, modification time and inode of every file
        below it, and the target of every link (the folder itself included),
        so that re-pointing a link — perhaps out of the catalogue — changes
        it as surely as editing a file. Contents are not read: that would
        cost as much as parsing."""
        sha = hashlib.sha256()
        try:
            if folder.is_symlink():
                sha.update(f"link:{os.readlink(folder)}\0".encode())
            self._walk(sha, str(folder), "")
        except OSError as error:  # vanished or unreadable: never equal twice
            sha.update(f"error:{error}:{os.urandom(8).hex()}".encode())
        return sha.hexdigest()

    def _names(self, folder: str) -> tuple[str, ...]:
        """The sorted names in ``folder``, listed again only when the
        directory's identity changed (an entry added, removed or renamed
        changes its modification time)."""
        info = os.stat(folder)
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

    def _walk(self, sha: Any, folder: str, prefix: str) -> None:
        for name in self._names(folder):
            path = os.path.join(folder, name)
            rel = prefix + name
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                sha.update(f"{rel}:gone\0".encode())
                continue
            linked = stat.S_ISLNK(info.st_mode)
            if linked:
                sha.update(f"{rel}->{os.readlink(path)}\0".encode())
                try:
                    info = os.stat(path)
                except OSError:
                    sha.update(f"{rel}:dangling\0".encode())
                    continue
            if stat.S_ISDIR(info.st_mode):
                if linked:  # not followed: the loader refuses links leading out
                    sha.update(f"{rel}:linked-dir\0".encode())
                else:
                    self._walk(sha, path, rel + "/")
            elif stat.S_ISREG(info.st_mode):
                sha.update(f"{rel}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}\0".encode())
            else:
                sha.update(f"{rel}:other\0".encode())


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
