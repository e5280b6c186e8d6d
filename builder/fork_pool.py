"""Work spread over forked worker processes, for the build's optional pools.

A forked worker inherits what the build holds (the catalogue, the cache's
functions): nothing is pickled on the way in, only results come back. The
pools here only make a build faster: when one fails (no ``fork`` on this
system, a worker killed, a worker's error) the caller does whatever was not
handed back itself, after a warning.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def pool_size() -> int:
    """How many workers a build's pool gets: the cores, at most four."""
    return min(os.cpu_count() or 1, 4)


def worth_forking(count: int, at_least: int) -> bool:
    """Whether ``count`` pieces of work (a pool needs ``at_least``) go to a
    pool: enough of them, two cores or more, and ``fork`` on this system."""
    return count >= at_least and pool_size() >= 2 \
        and "fork" in multiprocessing.get_all_start_methods()


def fork_map(function: Callable[[T], R], tasks: Sequence[T], what: str) -> Iterator[R]:
    """``function(task)`` of each task, in order, computed by forked workers
    (``function`` and what it reads are inherited: set them before calling).
    Stops early with a warning naming ``what`` when the pool fails; the
    caller does the rest itself."""
    try:
        with ProcessPoolExecutor(max_workers=pool_size(),
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            yield from pool.map(function, tasks)
    except Exception as error:  # a killed worker, a worker's error, no processes
        log.warning("%s in a pool of processes failed (%s: %s); doing the rest in this "
                    "process", what, type(error).__name__, str(error)[:300] or "no detail")
