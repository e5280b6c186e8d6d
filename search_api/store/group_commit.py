"""Group commit (issue #17): one writer thread per store and process takes
the filings waiting for it and writes them in ONE transaction, so that a
batch of them waits for the disk once (one fsync) instead of once each.

- Each job runs in a savepoint of its own: a job that raises is rolled
  back alone (its exception goes to its caller) and the others of the
  batch are kept. A job's rows (receipt number, request, events, audit
  records, messages, idempotency key) are thus all or nothing.
- A caller is answered only after its batch's COMMIT has returned, i.e.
  once the batch is durable; when the COMMIT fails, every job of the batch
  gets the error (nothing of it was stored).
- Jobs run one after another in the order they came, in one transaction
  that holds the database's write lock (SQLite) or the audit chain's head
  (PostgreSQL) until its commit: the audit chain stays a chain in commit
  order.
- A batch is what waits when the writer is free again; the writer never
  waits for more (under light load a batch is one job: no latency added).
- A job runs in the caller's :mod:`contextvars` context (what the caller
  sees as its current application or request, it sees too); it must not
  use the store itself (the writer would wait for itself).

The writer thread is started on first use in each process (a forked
gunicorn worker starts its own) and is a daemon: a process that dies
leaves nothing acknowledged unwritten, since nothing was acknowledged
before its commit.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection

log = logging.getLogger(__name__)

MAX_BATCH = 64
"""Most jobs written in one transaction."""

Work = Callable[[Connection], Any]


class _Job:
    __slots__ = ("context", "done", "error", "result", "work")

    def __init__(self, work: Work) -> None:
        self.work = work
        self.context = contextvars.copy_context()
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class GroupCommit:
    """The writer of one store in this process: :meth:`run` a job and get
    its result once the transaction that wrote it is durable.

    ``transaction`` opens a durable write transaction (the store's
    ``_write``). ``on_commit`` (tests) is called in the writer thread with
    the batch's size right after each COMMIT returned, before anyone is
    answered.
    """

    def __init__(self, transaction: Callable[[], AbstractContextManager[Connection]], *,
                 max_batch: int = MAX_BATCH,
                 on_commit: Callable[[int], None] | None = None) -> None:
        self._transaction = transaction
        self.max_batch = max_batch
        self.on_commit = on_commit
        self._queue: deque[_Job] = deque()
        self._wake = threading.Condition(threading.Lock())
        self._pid = 0
        self.batches = 0
        self.jobs = 0

    def run(self, work: Work) -> Any:
        """Run ``work(conn)`` in the writer's next transaction; its result
        once that transaction is committed (durable).

        Raises:
            whatever ``work`` raised (its savepoint was rolled back, nothing
            of it is stored), or the error of the batch's COMMIT.
        """
        job = _Job(work)
        with self._wake:
            if self._pid != os.getpid():
                self._start()
            self._queue.append(job)
            self._wake.notify()
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    @property
    def waiting(self) -> int:
        """How many jobs wait for the writer."""
        with self._wake:
            return len(self._queue)

    def _start(self) -> None:
        # In a forked child the parent's thread does not exist: start ours.
        self._queue.clear()
        self._pid = os.getpid()
        threading.Thread(target=self._loop, name="group-commit", daemon=True).start()

    def _take(self) -> list[_Job]:
        with self._wake:
            while not self._queue:
                self._wake.wait()
            count = min(len(self._queue), self.max_batch)
            return [self._queue.popleft() for _ in range(count)]

    def _loop(self) -> None:
        while True:
            batch = self._take()
            try:
                self._write(batch)
            except BaseException as error:  # the COMMIT (or BEGIN) failed: nothing stored
                log.error("group commit of %d job(s) failed: %s", len(batch),
                          error.__class__.__name__)
                for job in batch:
                    if job.error is None:
                        job.error, job.result = error, None
            for job in batch:
                job.done.set()

    def _write(self, batch: list[_Job]) -> None:
        with self._transaction() as conn:
            for job in batch:
                # Plain SQL (both databases): nothing to compile per job.
                conn.exec_driver_sql("SAVEPOINT filing")
                try:
                    job.result = job.context.run(job.work, conn)
                except BaseException as error:
                    conn.exec_driver_sql("ROLLBACK TO SAVEPOINT filing")
                    job.error = error
                conn.exec_driver_sql("RELEASE SAVEPOINT filing")
        self.batches += 1
        self.jobs += len(batch)
        if self.on_commit is not None:
            try:
                self.on_commit(len(batch))
            except Exception:  # a hook's failure is not the batch's: it is durable
                log.exception("group commit hook failed")

