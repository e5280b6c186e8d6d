"""Rate limits per client address, held per deployment (issue #12): the
counters live in the database, or in Redis when ``REDIS_URL`` is given, so
every gunicorn worker and every server behind the same database sees the
same counts.

Two buckets:

- ``public_write`` (``RATE_PUBLIC_WRITES`` per hour): every public
  submission counts; the one over the limit is refused with 429.
- ``secret_attempt`` (``RATE_SECRET_ATTEMPTS`` per 15 minutes): only *failed*
  attempts count — a wrong access code, password or link. A client with that
  many failures in the window is refused with 429 before anything is checked
  (so guessing stops), but an applicant reading their own request with the
  right code never uses up the limit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, cast

from flask import Flask, abort, current_app, request

from search_api.web.logredact import redact

if TYPE_CHECKING:
    from search_api.store import Store
    from search_api.store.rate_store import CountCheck
    from search_api.store.receipts import Wanted

log = logging.getLogger(__name__)

TOO_MANY = "提交过于频繁，请稍后再试。"


class Counters(Protocol):
    """Where the counts live: :class:`search_api.store.rate_store.StoreCounters`
    or :class:`search_api.web.redis_backends.RedisCounters`."""

    def count(self, bucket: str, client: str, now: float, window: float) -> int: ...

    def hit(self, bucket: str, client: str, now: float, window: float,
            limit: int | None = None) -> bool: ...

    def purge(self, before: float) -> int: ...


class InStore(Protocol):
    """Counters kept in a store (:class:`search_api.store.rate_store.StoreCounters`),
    which can count inside that store's own transactions (issue #17)."""

    store: Any

    def count_in(self, conn: Any, bucket: str, client: str, now: float,
                 window: float) -> int: ...

    def hit_and_number_in(self, conn: Any, bucket: str, client: str, now: float,
                          window: float, limit: int | None, number: Wanted) -> str | None: ...


def _in_store(limiter: RateLimiter, store: Store) -> InStore | None:
    """``limiter``'s counters when they are kept in ``store``."""
    counters = limiter.counters
    return cast(InStore, counters) if getattr(counters, "store", None) is store else None


class RateLimiter:
    """At most ``limit`` counted events per ``window`` seconds per client key
    in ``bucket``, counted in ``counters`` (shared by every process using
    them). ``clock`` gives epoch seconds (wall time: it is shared between
    processes, unlike a monotonic clock). ``limit`` may be changed at run time.
    """

    def __init__(self, counters: Counters, bucket: str, limit: int, window: float,
                 clock: Callable[[], float] = time.time):
        self.counters, self.bucket = counters, bucket
        self.limit, self.window, self.clock = limit, window, clock
        self._purged = 0.0
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one event of ``key`` if it is under the limit; whether it was."""
        now = self.clock()
        self._purge(now)
        return self.counters.hit(self.bucket, key, now, self.window, self.limit)

    def blocked(self, key: str) -> bool:
        """Whether ``key`` has used up its limit (nothing is counted)."""
        return self.counters.count(self.bucket, key, self.clock(), self.window) >= self.limit

    def record(self, key: str) -> None:
        """Count one event of ``key`` (a failed attempt), whatever the limit."""
        now = self.clock()
        self._purge(now)
        self.counters.hit(self.bucket, key, now, self.window)

    def purge(self, now: float | None = None) -> None:
        """Forget clients idle for a whole window, at most once a window per
        process (``now``: the clock's time)."""
        self._purge(self.clock() if now is None else now)

    def _purge(self, now: float) -> None:
        with self._lock:
            if now - self._purged < self.window:
                return
            self._purged = now
        self.counters.purge(now - self.window)


def client_key() -> str:
    """A key for the client that does not keep its address in clear (see
    :func:`search_api.web.security.client_key`)."""
    from search_api.web.security import client_key as key

    return key()


def _limiter(app: Flask, bucket: str) -> RateLimiter:
    limiter: RateLimiter = app.extensions["portal_limits"][bucket]
    return limiter


def _refuse(bucket: str) -> None:
    log.warning("rate limit %s exceeded by client %s on %s", bucket, client_key(),
                redact(request.path))
    abort(429, description=TOO_MANY)


def rate_limit(app: Flask, bucket: str) -> None:
    """Count this request in ``bucket``; refuse it with 429 when over the limit."""
    if not _limiter(app, bucket).allow(client_key()):
        _refuse(bucket)


class LimitReached(Exception):
    """A count inside a store transaction found the limit used up."""


class StoreHit:
    """One event of this client in a bucket, counted inside the store
    transaction of what it limits (:meth:`Store.file_request`'s ``count``,
    issue #17) instead of in a transaction of its own: call it with the
    connection and the receipt number wanted (a
    :class:`search_api.store.receipts.Wanted`); it returns that number,
    taken with the count, or raises :class:`LimitReached` when the limit is
    used up."""

    def __init__(self, limiter: RateLimiter, key: str, counters: InStore) -> None:
        self.limiter, self.key, self._counters = limiter, key, counters
        self.kept = False  # set by the caller: that transaction is committed

    def __call__(self, conn: Any, number: Wanted) -> str:
        limiter = self.limiter
        taken = self._counters.hit_and_number_in(conn, limiter.bucket, self.key,
                                                 limiter.clock(), limiter.window,
                                                 limiter.limit, number)
        if taken is None:
            raise LimitReached(limiter.bucket)
        return taken


@contextmanager
def counted_in_store(app: Flask, bucket: str, store: Store) -> Iterator[StoreHit | None]:
    """Count this request in ``bucket`` as :func:`rate_limit` does, but in
    ``store``'s transaction of the block's filing when it can (counters in
    that store): yields a :class:`StoreHit` to pass on (None: counted
    already, e.g. in Redis). The block must set ``hit.kept = True`` once the
    store returned: otherwise (the block failed or did not file) the event
    is counted when the block ends, with a 429 when over the limit — so
    every submission counts once, whatever its answer, and a client over
    the limit gets 429 whatever it sent.
    """
    limiter = _limiter(app, bucket)
    counters = _in_store(limiter, store)
    if counters is None:
        rate_limit(app, bucket)
        yield None
        return
    limiter.purge()  # its own transaction, never inside the filing's
    hit = StoreHit(limiter, client_key(), counters)
    try:
        yield hit
    except LimitReached:
        _refuse(bucket)
    except BaseException:
        if not hit.kept:
            rate_limit(app, bucket)
        raise
    if not hit.kept:
        rate_limit(app, bucket)


def attempts_check(store: Store, bucket: str = "secret_attempt") -> CountCheck | None:
    """:func:`check_attempts` to read with what it guards in ``store`` (one
    statement for it and the read it guards, issue #17): a
    :class:`~search_api.store.rate_store.CountCheck` that raises
    :class:`LimitReached` (answer with :func:`refuse`); None when the
    counters are elsewhere (Redis): checked here already, 429 if so."""
    from search_api.store.rate_store import CountCheck

    limiter = _limiter(current_app, bucket)
    counters = _in_store(limiter, store)
    if counters is None:
        check_attempts(bucket)
        return None

    def refuse(count: int) -> None:
        if count >= limiter.limit:
            raise LimitReached(bucket)
    return CountCheck(bucket, client_key(), limiter.clock(), limiter.window, refuse)


def refuse(reached: LimitReached) -> None:
    """Answer 429 for the bucket whose limit was ``reached`` (logged)."""
    _refuse(str(reached.args[0]))


def check_attempts(bucket: str = "secret_attempt") -> None:
    """Refuse with 429 a client that has used up its failed attempts; counts nothing."""
    if _limiter(current_app, bucket).blocked(client_key()):
        _refuse(bucket)


def failed_attempt(bucket: str = "secret_attempt") -> None:
    """Count a failed attempt (wrong access code, password or link) of this client."""
    _limiter(current_app, bucket).record(client_key())


def install(app: Flask, counters: Counters) -> None:
    """The app's limiters (``app.extensions["portal_limits"]``), counting in ``counters``."""
    limits: dict[str, Any] = {
        # Filing requests and reports: a person files a few a day.
        "public_write": RateLimiter(counters, "public_write",
                                    int(app.config["RATE_PUBLIC_WRITES"]), 3600),
        # Failed access-code, link and sign-in attempts: brute force is slowed and logged.
        "secret_attempt": RateLimiter(counters, "secret_attempt",
                                      int(app.config["RATE_SECRET_ATTEMPTS"]), 900),
    }
    app.extensions["portal_limits"] = limits
