"""gunicorn's threaded worker that keeps no more than its share of the
connections (``worker_class`` of :mod:`search_api.gunicorn_conf`).

Why: a keep-alive client (wrk, nginx's ``keepalive 16`` upstream pool) opens
its connections once, and the kernel hands each to whichever worker calls
``accept`` first; the split stays as it fell (10/6, 14/2 measured for 16
connections on 2 workers) for as long as the connections live, and the
crowded worker's queue sets the latency's tail.

What: every worker publishes its number of open connections on a board
shared by the workers of one gunicorn (an anonymous shared memory map made
in the master, inherited at fork). A worker that holds more than one
connection above the least loaded other live worker answers the request in
hand with ``Connection: close`` (a clean end of the connection, RFC 9112
section 9.6), and stops counting it at once: the client opens a new
connection, which any worker may accept (often the crowded one again, whose
main thread is awake: then it sheds again). 16 kept-alive connections split
8/8 within about half a second of wrk's start, after some 40 reconnections,
and stay so. Nothing is refused or delayed:
the shed connection's request is answered in full, and a new connection is
accepted by any worker as before, so a stuck or stopped worker can cost
reconnections but never a stall. With one worker, or under ``portal
serve``, nothing changes.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import threading
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

# Slots for the workers of one gunicorn: more than any worker count it runs,
# with room for replacements booting while old workers stop (HUP).
SLOTS = 64
# A worker sheds a connection when it holds more than this many connections
# above the least loaded other worker: 1 lets an odd count split unevenly by
# one without a worker closing connections back and forth.
SLACK = 1


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a zombie does too, until reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process took the number: count it
        return True
    return True


class Board:
    """Per-worker counts of open connections, shared across ``fork``.

    ``slots`` pairs of 64-bit integers (process id, connections) in an
    anonymous shared map; a slot whose process id is 0 is free. Each slot has
    one writer, its worker's main thread; an aligned 64-bit store is read
    whole by the other workers, so no lock guards the counts. A lock guards
    only the choice of a free slot (workers can boot at the same moment).
    """

    def __init__(self, slots: int = SLOTS) -> None:
        self._map = mmap.mmap(-1, slots * 16)
        self._cells = memoryview(self._map).cast("q")
        self._slots = slots
        self._lock = multiprocessing.Lock()

    def claim(self, pid: int) -> int:
        """A slot for process ``pid`` (its count 0): a free one, or one whose
        process no longer exists (a worker killed without releasing it).
        RuntimeError when every slot belongs to a live process."""
        with self._lock:
            for slot in range(self._slots):
                owner = self._cells[2 * slot]
                if owner == 0 or owner == pid or not _alive(owner):
                    self._cells[2 * slot + 1] = 0
                    self._cells[2 * slot] = pid
                    return slot
        raise RuntimeError(f"no free slot among {self._slots} on the connection board for "
                           f"worker {pid}: more workers are alive than it holds; run "
                           f"fewer workers (--workers) or raise SLOTS")

    def release(self, slot: int) -> None:
        """Free ``slot``: its worker stops (its count no longer counts)."""
        self._cells[2 * slot] = 0
        self._cells[2 * slot + 1] = 0

    def publish(self, slot: int, connections: int) -> None:
        """Record that the worker of ``slot`` holds ``connections``."""
        self._cells[2 * slot + 1] = connections

    def least_other(self, slot: int) -> int | None:
        """The fewest connections any other live worker holds; None when
        there is no other (one worker). A slot whose process is gone is
        skipped: its count is stale."""
        least: int | None = None
        for other in range(self._slots):
            owner = self._cells[2 * other]
            if other == slot or owner == 0:
                continue
            count = self._cells[2 * other + 1]
            # Only a candidate for the minimum costs a liveness check.
            if (least is None or count < least) and _alive(owner):
                least = count
        return least

    def over_share(self, slot: int, slack: int = SLACK) -> bool:
        """Whether the worker of ``slot`` holds more than ``slack``
        connections above the least loaded other live worker."""
        least = self.least_other(slot)
        return least is not None and self._cells[2 * slot + 1] > least + slack


# Made at import, in the master (gunicorn loads the worker class before it
# forks): the workers of one gunicorn share it, another gunicorn has its own.
BOARD = Board()


class BalancedThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's ``gthread`` worker that publishes its open connections on
    :data:`BOARD` and, when over its share (:meth:`Board.over_share`),
    answers with ``Connection: close`` so that the client reconnects."""

    board = BOARD

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._slot = -1
        self._connections = 0
        # Connections answered with "Connection: close" and not closed yet:
        # not counted, or the client's new connection, accepted before the
        # old one is closed, would count twice and make a worker shed again.
        self._shedding = 0
        self._count_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    # ThreadWorker counts its connections in ``nr_conns`` (main thread only:
    # accept, finish_request, the keep-alive reaper); each change is published.
    @property
    def nr_conns(self) -> int:
        return self._connections

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:
        with self._count_lock:
            self._connections = value
            self._publish()

    def _publish(self) -> None:
        """Publish the connections kept (the caller holds ``_count_lock``)."""
        if self._slot >= 0:
            self.board.publish(self._slot, self._connections - self._shedding)

    def init_process(self) -> None:
        self._slot = self.board.claim(os.getpid())
        with self._count_lock:
            self._publish()
        super().init_process()

    def run(self) -> None:
        try:
            super().run()
        finally:
            self._leave()

    def handle_exit(self, sig: Any, frame: Any) -> None:
        # A stopping worker accepts nothing more: the others no longer
        # measure themselves against it.
        self._leave()
        super().handle_exit(sig, frame)

    def _leave(self) -> None:
        if self._slot >= 0:
            slot, self._slot = self._slot, -1
            self.board.release(slot)

    def handle_request(self, req: Any, conn: Any) -> bool:
        """Answer as gthread does; over its share, with ``Connection:
        close`` (gunicorn's request flag that makes the response say so and
        the worker close the connection after it). The connection stops
        counting at once; several threads shed no more than the excess."""
        if self._slot >= 0:
            with self._count_lock:
                if self.board.over_share(self._slot):
                    self._shedding += 1
                    self._publish()
                    conn.balance_shed = True
                    req.must_close = True
        result: bool = super().handle_request(req, conn)
        return result

    def finish_request(self, conn: Any, fs: Any) -> None:
        # A shed connection is closed here (its answer said close): it leaves
        # the count of those being shed as it leaves nr_conns, which publishes.
        if getattr(conn, "balance_shed", False):
            conn.balance_shed = False
            with self._count_lock:
                self._shedding -= 1
        super().finish_request(conn, fs)
