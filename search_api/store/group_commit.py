"""Group commit (issue #17): the filings waiting to be written are
written in ONE transaction, so that a batch of them waits for the disk once
(one fsync) instead of once each.

Leader and followers, per store and process: a filing that finds nobody
writing writes itself (no thread hand-over when there is no crowd); one
that finds a write under way waits. When a write ends, the first waiting
filing leads the next one and writes every filing waiting then (at most
:data:`MAX_BATCH`), its own among them.

- A job that raises is rolled back alone (its exception goes to its
  caller) and the others of the batch are kept: the batch is written
  without savepoints first and, when a job raised, written again with
  each job in a savepoint of its own (its work runs twice then). A job's
  rows (receipt number, request, events, audit records, messages,
  idempotency key) are thus all or nothing.
- A caller is answered only after its batch's COMMIT has returned, i.e.
  once the batch is durable; when the COMMIT fails, every job of the batch
  gets the error (nothing of it was stored).
- Jobs run one after another in the order they came, in one transaction
  that holds the database's write lock (SQLite) or the audit chain's head
  (PostgreSQL) until its commit: the audit chain stays a chain in commit
  order.
- A batch is what waits when the previous write ends; nobody waits for
  more (under light load a batch is one job: no latency added).
- A job runs in its caller's :mod:`contextvars` context (what the caller
  sees as its current application or request, it sees too), perhaps in
  another caller's thread; it must not use the store itself.

A process that dies leaves nothing acknowledged unwritten, since nothing
was acknowledged before its commit.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

log = logging.getLogger(__name__)

MAX_BATCH = 64
"""Most jobs written in one transaction."""

Work = Callable[[Connection], Any]


@dataclass(frozen=True)
class Done:
    """What a job returns to have ``later`` passed to the group commit's
    ``finish`` (if the job succeeded); its caller gets ``result``. A job
    that returns anything else has nothing for ``finish``."""

    result: Any
    later: Sequence[Any]


class _Job:
    __slots__ = ("context", "done", "error", "lead", "result", "work")

    def __init__(self, work: Work) -> None:
        self.work = work
        self.context = contextvars.copy_context()
        self.done = threading.Event()
        self.lead = False  # woken to write the next batch, not because it is written
        self.result: Any = None
        self.error: BaseException | None = None


class GroupCommit:
    """The group commit of one store in this process: :meth:`run` a job and
    get its result once the transaction that wrote it is durable.

    ``transaction`` opens a durable write transaction (the store's
    ``_write``). What a job returns as :attr:`Done.later` is passed, for
    the jobs of the batch that succeeded and in their order, to ``finish``
    once all of them ran, in the same transaction (the store appends their
    audit records to the chain there: its head is then locked only from
    there to the commit); when ``finish`` fails, the whole batch fails.
    ``on_commit`` (tests) is called with the batch's size right after each
    COMMIT returned, before anyone of it is answered.
    """

    def __init__(self, transaction: Callable[[], AbstractContextManager[Connection]], *,
                 finish: Callable[[Connection, list[Any]], object] | None = None,
                 max_batch: int = MAX_BATCH,
                 on_commit: Callable[[int], None] | None = None) -> None:
        self._transaction = transaction
        self._finish = finish
        self.max_batch = max_batch
        self.on_commit = on_commit
        self._reset()
        self.batches = 0
        self.jobs = 0

    def _reset(self) -> None:
        # Per process: a forked child starts with nobody writing.
        self._lock = threading.Lock()
        self._queue: deque[_Job] = deque()
        self._writing = False
        self._pid = os.getpid()

    @property
    def waiting(self) -> int:
        """How many jobs wait for a write."""
        with self._lock:
            return len(self._queue)

    def run(self, work: Work) -> Any:
        """Run ``work(conn)`` in a write transaction with the jobs waiting
        beside it; its result (a :class:`Done`'s ``result``) once that
        transaction is committed (durable).

        Raises:
            whatever ``work`` raised (its savepoint was rolled back, nothing
            of it is stored), or the error of the batch's COMMIT.
        """
        if self._pid != os.getpid():
            self._reset()
        job = _Job(work)
        with self._lock:
            self._queue.append(job)
            lead = not self._writing
            self._writing = True
        if not lead:
            try:
                job.done.wait()
            except BaseException:  # e.g. KeyboardInterrupt in the main thread
                self._abandon(job)
                raise
            lead = job.lead
        if lead:
            self._lead()
        if job.error is not None:
            raise job.error
        return job.result

    def _lead(self) -> None:
        """Write the waiting jobs (the leader's first), answer them, and
        hand the next write to the first job that came meanwhile."""
        with self._lock:
            batch = [self._queue.popleft()
                     for _ in range(min(len(self._queue), self.max_batch))]
        try:
            self._write(batch)
        except BaseException as error:  # the COMMIT (or BEGIN) failed: nothing stored
            log.error("group commit of %d job(s) failed: %s", len(batch),
                      error.__class__.__name__)
            for job in batch:
                if job.error is None:
                    job.error, job.result = error, None
        with self._lock:
            successor = self._queue[0] if self._queue else None
            self._writing = successor is not None
            if successor is not None:
                successor.lead = True  # under the lock: see _abandon
        if successor is not None:
            successor.done.set()
        for job in batch:
            job.lead = False
            job.done.set()

    def _abandon(self, job: _Job) -> None:
        """A waiting caller was interrupted: its job is withdrawn if it still
        waits (nothing of it is written), and a lead handed to it goes to the
        next waiting job, so the writes never stop for want of a leader. A
        job already in a batch is written all the same, unanswered (as when
        a process dies before answering)."""
        with self._lock:
            if job not in self._queue:
                return
            self._queue.remove(job)
            if job.lead:
                successor = self._queue[0] if self._queue else None
                self._writing = successor is not None
                if successor is not None:
                    successor.lead = True
                    successor.done.set()

    def _write(self, batch: list[_Job]) -> None:
        # Optimistic: no savepoints (two round trips per job on PostgreSQL,
        # issue #17) while every job succeeds, which is nearly always; when
        # one fails, nothing of the batch is kept and it is written again,
        # each job in a savepoint of its own, so that only the failing one
        # fails (its work runs twice: a job must not act outside ``conn``).
        try:
            self._write_jobs(batch, savepoints=False)
        except _JobFailed:
            for job in batch:
                job.error, job.result = None, None
            self._write_jobs(batch, savepoints=True)
        self.batches += 1
        self.jobs += len(batch)
        if self.on_commit is not None:
            try:
                self.on_commit(len(batch))
            except Exception:  # a hook's failure is not the batch's: it is durable
                log.exception("group commit hook failed")

    def _write_jobs(self, batch: list[_Job], *, savepoints: bool) -> None:
        """Run ``batch`` in one transaction and commit it. Without
        ``savepoints``, raises :class:`_JobFailed` (the transaction rolled
        back) as soon as a job raises."""
        with self._transaction() as conn:
            kept: list[Any] = []
            for job in batch:
                if savepoints:
                    # Plain SQL (both databases): nothing to compile per job.
                    conn.exec_driver_sql("SAVEPOINT filing")
                try:
                    out = job.context.run(job.work, conn)
                except BaseException as error:
                    if not savepoints:
                        raise _JobFailed from error
                    conn.exec_driver_sql("ROLLBACK TO SAVEPOINT filing")
                    job.error = error
                else:
                    if isinstance(out, Done):
                        job.result = out.result
                        kept.extend(out.later)
                    else:
                        job.result = out
                if savepoints:
                    conn.exec_driver_sql("RELEASE SAVEPOINT filing")
            if kept and self._finish is not None:
                self._finish(conn, kept)


class _JobFailed(Exception):
    """A job of a batch written without savepoints raised (see ``_write``)."""
