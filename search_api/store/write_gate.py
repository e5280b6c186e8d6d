"""A queue for SQLite's write lock (issue #17).

SQLite makes a writer that finds the database locked sleep and try again
(1, 2, 5, 10 ... 100 ms): under load a writer that keeps coming back (the
group commit's writer, another worker's) takes the lock again and again
while the sleeping ones miss every chance, and a rate-limit count waits a
second. So every write transaction of the store's engines on one database
file first takes its gate: a lock of the threads of this process, then an
exclusive ``flock`` on ``<database>-gate`` beside it for the processes; a
waiter is woken by the kernel the moment the gate is free. The gate is
released when the transaction ends (commit, rollback or close).

The gate only orders the writers; SQLite's own lock still guards the file
(against programs that do not take the gate, as before). A thread that
cannot get this process's thread lock within the busy timeout goes on
without the gate (SQLite's busy timeout then decides, as it did before the
gate). The ``flock`` is waited for within what is left of that time: tried
without blocking, then again after short sleeps (0.1 ms doubling up to
:data:`POLL_MAX_S`: the kernel cannot bound a blocking ``flock``); a
process stopped inside a write transaction (SIGSTOP, a debugger) thus makes
the others' writers fail with :class:`GateTimeout` after the busy timeout,
as SQLite alone would have answered "database is locked", instead of
stalling them until it goes on or dies.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from typing import Any

POLL_MAX_S = 0.002
"""Longest sleep between two tries of a busy ``flock`` (another process
writes; a write transaction lasts milliseconds)."""


class GateTimeout(sqlite3.OperationalError):
    """Another process held the database's write gate for the whole busy
    timeout (stopped inside a write transaction?)."""


_GATES: dict[tuple[str, int], WriteGate] = {}
_GATES_LOCK = threading.Lock()


class WriteGate:
    """The gate of one database file in this process."""

    def __init__(self, database: str) -> None:
        self._threads = threading.Lock()
        # Beside the database, like SQLite's own -wal and -shm files: in a
        # folder only the service's user may write, so no other local user
        # can create the file first or hold its lock (which would make every
        # writer fail after the busy timeout). Empty: a
        # backup copies it as an empty file, a restore may leave it.
        self.path = f"{database}-gate"
        self._fd = -1

    def acquire(self, timeout: float) -> bool:
        """Whether the gate was taken: False when this process's other
        threads held it for ``timeout`` seconds (the caller goes on without).

        Raises:
            GateTimeout: another process held it until ``timeout`` ran out.
            OSError: the gate's file cannot be opened.
        """
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            return False
        try:
            # Opened per transaction (no descriptor kept per database; a
            # forked child never shares its parent's lock).
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            self._flock(deadline, timeout)
        except BaseException:
            self._close()
            self._threads.release()
            raise
        return True

    def _flock(self, deadline: float, timeout: float) -> None:
        pause = 0.0001
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise GateTimeout(
                        f"database is locked: another process held the write gate {self.path} "
                        f"for {timeout:g} s (stopped inside a write transaction?)") from None
                time.sleep(min(pause, left))
                pause = min(2 * pause, POLL_MAX_S)

    def release(self) -> None:
        try:
            self._close()  # closing the descriptor releases the flock
        finally:
            self._threads.release()

    def _close(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)


def gate_for(database: str) -> WriteGate:
    """The gate of ``database`` (a path) in this process."""
    key = (os.path.realpath(database), os.getpid())
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = WriteGate(key[0])
        return gate


class GatedConnection(sqlite3.Connection):
    """An SQLite connection that releases its gate when its write
    transaction ends (``sqlite3.connect(factory=...)``)."""

    gate: WriteGate | None = None
    _held = False

    def take_gate(self, timeout: float) -> None:
        """Take the gate before a write transaction begins."""
        if self.gate is not None and not self._held:
            self._held = self.gate.acquire(timeout)

    def drop_gate(self) -> None:
        """Release the gate unless a transaction is still open."""
        if self._held and not self.in_transaction:
            self._held = False
            assert self.gate is not None
            self.gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.drop_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.drop_gate()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._held:
                self._held = False
                assert self.gate is not None
                self.gate.release()


def attach(dbapi_connection: Any, database: str) -> None:
    """Give a new connection the gate of ``database``."""
    if isinstance(dbapi_connection, GatedConnection):
        dbapi_connection.gate = gate_for(database)
