"""The data checks of many datasets spread over the machine's cores.

A first build checks every dataset's files (``builder.check.check_data``):
at 10,000 datasets seconds of one core while the other waited (issue 17).
Each dataset's check is independent of the others, so they run in a process
pool, and the problems come back in the datasets' order, as one process
would have found them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from builder.check import check_data
from domain.catalogue.catalog import Catalog
from domain.catalogue.model import Dataset
from domain.catalogue.problems import Problem

# Below this many datasets a pool costs more to start than it saves.
POOL_THRESHOLD = 500

_catalog: Catalog | None = None
_validate = False


def _init_worker(catalog: Catalog, validate: bool) -> None:
    global _catalog, _validate
    _catalog, _validate = catalog, validate


def _check_one(index: int) -> list[Problem]:
    assert _catalog is not None, "pool worker not initialised"
    return check_data(_catalog, [_catalog.datasets[index]], validate=_validate)


def check_each(catalog: Catalog, indexes: Sequence[int], *, validate: bool,
               workers: int | None = None) -> list[list[Problem]]:
    """The problems ``check_data`` finds in each of ``catalog.datasets[i]``
    for ``i`` in ``indexes``, checked alone, in that order; in a process pool
    when there are many. Any worker error propagates."""
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers < 2 or len(indexes) < POOL_THRESHOLD:
        return [check_data(catalog, [catalog.datasets[i]], validate=validate) for i in indexes]
    # The workers are given the catalogue once (a forked worker shares the
    # parent's copy) and then only indexes: no dataset is pickled per job.
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(catalog, validate)) as pool:
        chunk = max(1, min(256, len(indexes) // (workers * 8)))
        return list(pool.map(_check_one, indexes, chunksize=chunk))


def checks_to_run(datasets: Sequence[Dataset], old: Mapping[str, Mapping[str, Any]],
                  key_of: Callable[[Dataset], str]) -> tuple[dict[str, str], list[int]]:
    """The data key (``key_of``) of each identifier's first dataset, and the
    indexes of the datasets whose files are to be checked: those whose key
    is not the one the last build's state (``old``, by identifier) kept
    problems for, and every later dataset of a repeated identifier
    (``check_identifiers`` withholds it; its files are checked all the same)."""
    keys: dict[str, str] = {}
    todo: list[int] = []
    for index, dataset in enumerate(datasets):
        if dataset.identifier in keys:
            todo.append(index)
            continue
        key = keys[dataset.identifier] = key_of(dataset)
        previous = old.get(dataset.identifier, {})
        if previous.get("data_key") != key or "problems" not in previous:
            todo.append(index)
    return keys, todo
