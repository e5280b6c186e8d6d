"""Work spread over forked worker processes, for the build's optional pools.

A forked worker inherits what the build holds (the catalogue, the cache's
functions): nothing is pickled on the way in, only results come back. The
pools here only make a build faster: when one fails (no ``fork`` on this
system, a worker killed, a worker's error) the caller does whatever was not
handed back itself, after a warning.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import traceback
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


class Beside:
    """``work()`` done in a forked child process while this one goes on (the
    child inherits what ``work`` reads, as a pool's workers do); ``done()``
    waits for it and says whether it was done there. Nothing is started
    (``done()`` is False) without ``fork`` or a second core; a child that
    cannot be started or fails (its error is printed by the child, its exit
    status reported here) gives a warning naming ``what`` and False: the
    caller then does the work itself (``work`` must allow being done twice,
    e.g. writing files through a temporary file and a rename)."""

    def __init__(self, work: Callable[[], object], what: str) -> None:
        self.what = what
        self.pid: int | None = None
        if not worth_forking(1, 1):
            return
        try:
            pid = os.fork()
        except OSError as error:
            log.warning("%s in a child process failed (%s); doing it in this process",
                        what, error)
            return
        if pid == 0:  # the child: the work, then out without the parent's clean-up
            # Collections never walk what the child inherited: walking writes
            # to every object and would copy the parent's memory page by page.
            gc.freeze()
            status = 1
            try:
                work()
                status = 0
            except BaseException:  # the parent is told by the exit status
                traceback.print_exc()
            finally:
                os._exit(status)
        self.pid = pid

    def done(self) -> bool:
        """Wait for the child; whether it did the work."""
        if self.pid is None:
            return False
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            log.warning("%s in a child process failed (exit status %s); doing it in this "
                        "process", self.what, code)
        return code == 0
