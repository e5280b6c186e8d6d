"""The data checks of a build: each dataset's files against its schema and
the desensitization gate, reused while the dataset's data key is unchanged.

A dataset's data check reads only that dataset's files, so when many
datasets need it (a first build: all of them) they are checked in a pool of
forked workers. The workers inherit the catalogue with the process (nothing
is pickled on the way in) and send back only the problems found; the
problems come out in catalogue order either way, so the build's report and
warnings are the same as when checked here. Whatever goes wrong in the pool
(no ``fork``, a worker killed, an error) only means the datasets not yet
checked are checked in this process, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from builder.check import check_data
from builder.fork_pool import fork_map, worth_forking
from domain.catalogue.catalog import Catalog
from domain.catalogue.model import Dataset
from domain.catalogue.problems import Problem

# Below this many datasets to check the pool costs more to start than it saves.
CHECK_IN_POOL_AT = 1000
CHUNK = 100  # datasets per task
PROGRESS_EVERY = 500

# What the workers check: set before the pool forks them.
_work: tuple[Catalog, Sequence[Dataset], bool] | None = None


def check_datasets(catalog: Catalog, key_of: Callable[[Dataset], str],
                   old: Mapping[str, Any], *, validate: bool,
                   progress: Callable[[int, int], None] | None = None,
                   ) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """Each dataset's data problems: those of the last build (``old``: its
    entries by identifier) while the dataset's ``key_of`` is the data key
    recorded there, found again otherwise.

    Returns the entries of this build by identifier (data key and problems;
    a repeated identifier's later dataset is checked but gets no entry: the
    identifier check withholds it) and every problem found, in catalogue
    order. ``progress(done, total)`` is called every few hundred datasets."""
    entries: dict[str, dict[str, Any]] = {}
    reused: dict[int, list[Problem]] = {}
    to_check: list[Dataset] = []
    for dataset in catalog.datasets:
        if dataset.identifier in entries:
            to_check.append(dataset)
            continue
        key = key_of(dataset)
        entries[dataset.identifier] = {"data_key": key}
        previous = old.get(dataset.identifier, {})
        if previous.get("data_key") == key and "problems" in previous:
            reused[id(dataset)] = [Problem(**p) for p in previous["problems"]]
        else:
            to_check.append(dataset)
    checked = dict(zip(map(id, to_check), _check_each(catalog, to_check, validate), strict=True))
    found: list[Problem] = []
    total = len(catalog.datasets)
    for count, dataset in enumerate(catalog.datasets, start=1):
        problems = reused.pop(id(dataset), None)
        if problems is None:
            problems = checked[id(dataset)]
        found.extend(problems)
        entry = entries[dataset.identifier]
        if "problems" not in entry:  # the first dataset of its identifier
            entry["problems"] = [{"code": p.code, "message": p.message, "file": p.file,
                                  "row": p.row, "field": p.field} for p in problems]
        if progress and (count % PROGRESS_EVERY == 0 or count == total):
            progress(count, total)
    return entries, found


def _check_each(catalog: Catalog, datasets: Sequence[Dataset],
                validate: bool) -> list[list[Problem]]:
    """The problems of each of ``datasets``, in order: in a pool of forked
    workers when there are many, here otherwise (and for whatever the pool
    did not check)."""
    done: list[list[Problem]] = []
    if worth_forking(len(datasets), CHECK_IN_POOL_AT):
        global _work
        _work = (catalog, datasets, validate)
        spans = [(at, min(at + CHUNK, len(datasets))) for at in range(0, len(datasets), CHUNK)]
        try:
            for part in fork_map(_check_span, spans, "checking data"):
                done.extend(part)
        finally:
            _work = None
    for dataset in datasets[len(done):]:
        done.append(check_data(catalog, [dataset], validate=validate))
    return done


def _check_span(span: tuple[int, int]) -> list[list[Problem]]:
    """In a worker: the problems of each dataset in ``span`` of the work."""
    assert _work is not None, "pool worker forked without work"
    catalog, datasets, validate = _work
    return [check_data(catalog, [dataset], validate=validate)
            for dataset in datasets[span[0]:span[1]]]
