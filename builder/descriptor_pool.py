"""The descriptors of new dataset folders, parsed in a pool of processes.

A build parses the descriptor of every folder its cache has no entry for:
all of them on a first build, or after the loader's code changed. At
100,000 datasets that is most of the check stage (YAML parsing, pure
Python), in one process while the machine's other cores idle. Each folder
is read on its own, so :func:`read_new_folders` spreads them over forked
workers and hands back, for each folder, exactly what the builder would
have put in its cache itself: the folder's identity taken just before its
descriptor was read, the dataset read (or None) and the problems met.
:func:`domain.catalogue.catalog.load_catalog` then finds every one of them
in the cache, as on a rebuild.

The workers run the builder's own identity and loading functions (inherited
with the process: nothing is pickled on the way in); only their results
come back. Whatever goes wrong in the pool (no ``fork`` on this system, a
worker killed, an error) only means the folders not handed back are read
by the builder itself, with a warning.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from builder.fork_pool import fork_map, worth_forking
from domain.catalogue.catalog import load_dataset
from domain.catalogue.model import Dataset
from domain.catalogue.paths import dataset_folder_names
from domain.catalogue.problems import Problem

# Below this many new folders the pool costs more to start than it saves.
READ_IN_POOL_AT = 1000
# Folders per task: few enough that a worker's results stay small, enough
# that sending them back is not most of the work.
CHUNK = 250

Read = tuple[str, str, "Dataset | None", tuple[Problem, ...]]
"""A folder's path as text, its identity, the dataset read (None when it
could not be used) and the problems met reading it."""

# What every worker needs: set before the pool forks them.
_job: tuple[Path, str, Callable[[Path], str], dict[str, Any]] | None = None


def new_folders(root: Path, names: Iterable[str], known: Container[str]) -> list[Path]:
    """The dataset folders among ``names`` (everything in ``root``, however
    listed) whose names are not in ``known``, sorted (a file, a hidden or
    reserved folder is none); none when too few names are new for a pool
    (the catalogue is then not listed again)."""
    fresh = {name for name in names if name not in known}
    if len(fresh) < READ_IN_POOL_AT:
        return []
    return [root / name for name in sorted(dataset_folder_names(root)) if name in fresh]


def read_new_folders(root: Path, folders: Sequence[Path], identity: Callable[[Path], str],
                     listings: dict[str, Any]) -> Iterator[tuple[list[Read], dict[str, Any]]]:
    """Read ``folders`` of the catalogue ``root`` in a pool of forked workers;
    yield, chunk by chunk as they are done, what each folder gave (see
    :data:`Read`) and the directory listings ``identity`` made while taking
    the identities (``listings`` is the mapping it fills: each worker's copy
    is emptied before a chunk and sent back after it).

    Yields nothing when the folders are too few for a pool, the machine has
    one core or cannot fork; stops early, with a warning, when the pool
    fails (the caller reads whatever was not yielded itself)."""
    if not worth_forking(len(folders), READ_IN_POOL_AT):
        return
    global _job
    _job = (root, os.path.realpath(root), identity, listings)
    chunks = [[str(f) for f in folders[at:at + CHUNK]] for at in range(0, len(folders), CHUNK)]
    try:
        yield from fork_map(_read_chunk, chunks, "reading new descriptors")
    finally:
        _job = None


def _read_chunk(paths: list[str]) -> tuple[list[Read], dict[str, Any]]:
    """In a worker: each folder's identity, then its descriptor read — in
    that order, as the builder does (a file edited in between changes the
    identity the next build sees, so the edit is read then)."""
    assert _job is not None, "pool worker forked without work"
    root, real_root, identity, listings = _job
    listings.clear()
    done: list[Read] = []
    for path in paths:
        folder = Path(path)
        print_ = identity(folder)
        problems: list[Problem] = []
        dataset = load_dataset(folder, root, problems, real_root=real_root)
        done.append((path, print_, dataset, tuple(problems)))
    return done, dict(listings)
