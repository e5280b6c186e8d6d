"""Server-side sessions for the service's pages (issue #11).

The cookie carries only a random id (256 bits); the session's data lives in
the store (``sessions`` table) or in Redis, under the SHA-256 of that id.
Views keep using Flask's ``session`` as before; in addition:

- :func:`rotate` gives the session a new id at the next response (call it on
  every sign-in: reviewer, applicant access code, third-party link), so an
  id planted or seen before the sign-in is worth nothing after it;
- :func:`end` ends the session (logout): its record is deleted, so a copied
  cookie opens nothing afterwards.

A session ends by itself after ``SESSION_IDLE_MINUTES`` without a request
and ``SESSION_MAX_HOURS`` after it began (wall-clock UTC; tests inject a
clock as ``SESSION_CLOCK`` in the app config, apart from the procedure's
``CLOCK``, which they move by days). A reviewer's sessions all end when their
password changes or their account is disabled (the store deletes them and
raises the user's session epoch, which :func:`search_api.requests.review.signed_in`
compares).

Cookies are HttpOnly, SameSite=Lax, and Secure when ``PUBLIC_SITE_URL`` is
https or the request came over https (behind a trusted proxy: its
``X-Forwarded-Proto``). (Before, ``app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")``
had no effect: Flask's default configuration already holds that key, set to
None, so ``setdefault`` never replaced it.)
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from flask import Flask, Request, Response, has_request_context, request, session
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from search_api.store.session_store import SessionRecord

log = logging.getLogger(__name__)

TOUCH_EVERY = timedelta(seconds=60)
"""A session read without change records its activity at most this often."""
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{20,100}")
"""What an id this service made looks like; other cookie values are ignored unread."""
REVIEWER_KEY = "reviewer"
"""The session key holding the signed-in reviewer's name."""


class SessionBackend(Protocol):
    """Where sessions live: :class:`search_api.store.session_store.StoreSessions`
    or :class:`search_api.web.redis_backends.RedisSessions`."""

    def load(self, id_hash: str) -> SessionRecord | None: ...

    def save(self, id_hash: str, record: SessionRecord) -> None: ...

    def touch(self, id_hash: str, at: datetime) -> None: ...

    def delete(self, id_hash: str) -> None: ...

    def delete_user(self, username: str) -> int: ...

    def purge(self, *, idle_before: datetime, created_before: datetime) -> int: ...


def id_hash(session_id: str) -> str:
    """The SHA-256 hex digest under which a session id is stored."""
    return hashlib.sha256(session_id.encode()).hexdigest()


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """Flask's session dict, knowing the stored record it came from."""

    def __init__(self, initial: dict[str, Any] | None = None, *, key: str | None = None,
                 record: SessionRecord | None = None, had_cookie: bool = False) -> None:
        def on_update(self: ServerSession) -> None:
            self.modified = True

        super().__init__(initial, on_update)
        self.key = key  # the stored id hash; None: nothing stored yet
        self.record = record
        self.had_cookie = had_cookie
        self.rotate = False
        self.modified = False
        self.new = key is None


class ServerSessionInterface(SessionInterface):
    """Loads and saves :class:`ServerSession` through a :class:`SessionBackend`."""

    def __init__(self, backend: SessionBackend, clock: Callable[[], datetime],
                 idle: timedelta, absolute: timedelta) -> None:
        self.backend, self.clock = backend, clock
        self.idle, self.absolute = idle, absolute
        self._purged: datetime | None = None
        self._lock = threading.Lock()

    def expired(self, record: SessionRecord, now: datetime) -> bool:
        """Whether a session has been idle or open for too long at ``now``."""
        return now - record.last_seen_at >= self.idle or now - record.created_at >= self.absolute

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure under an https PUBLIC_SITE_URL, and on any answer to a
        request that came over https (a trusted proxy's X-Forwarded-Proto)."""
        return bool(app.config["SESSION_COOKIE_SECURE"]
                    or (has_request_context() and request.is_secure))

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return ServerSession()
        if not SESSION_ID.fullmatch(cookie):
            return ServerSession(had_cookie=True)
        key = id_hash(cookie)
        record = self.backend.load(key)
        if record is None:
            return ServerSession(had_cookie=True)
        if self.expired(record, self.clock()):
            self.backend.delete(key)
            log.info("session ended by its timeout")
            return ServerSession(had_cookie=True)
        return ServerSession(dict(record.data), key=key, record=record)

    def save_session(self, app: Flask, session: SessionMixin,
                     response: Response) -> None:
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        if not session:
            if session.key is not None:
                self.backend.delete(session.key)
            if session.key is not None or session.had_cookie:
                response.delete_cookie(name, domain=domain, path=path,
                                       secure=self.get_cookie_secure(app),
                                       httponly=self.get_cookie_httponly(app),
                                       samesite=self.get_cookie_samesite(app))
            return
        now = self.clock()
        response.vary.add("Cookie")
        username = session.get(REVIEWER_KEY)
        username = str(username) if username else None
        if session.key is None or session.rotate:
            if session.key is not None:
                self.backend.delete(session.key)
            session_id = secrets.token_urlsafe(32)
            self.backend.save(id_hash(session_id), SessionRecord(dict(session), username,
                                                                 now, now))
            response.set_cookie(name, session_id, domain=domain, path=path,
                                secure=self.get_cookie_secure(app),
                                httponly=self.get_cookie_httponly(app),
                                samesite=self.get_cookie_samesite(app))
            self._purge(now)
            return
        assert session.record is not None
        if session.modified:
            self.backend.save(session.key, SessionRecord(dict(session), username,
                                                         session.record.created_at, now))
        elif now - session.record.last_seen_at >= TOUCH_EVERY:
            self.backend.touch(session.key, now)

    def _purge(self, now: datetime) -> None:
        """Delete sessions that can no longer be used, at most once a minute per process."""
        with self._lock:
            if self._purged is not None and now - self._purged < TOUCH_EVERY:
                return
            self._purged = now
        self.backend.purge(idle_before=now - self.idle, created_before=now - self.absolute)


def rotate() -> None:
    """Give the current session a new id at the end of this request (sign-in)."""
    if isinstance(session, ServerSession):
        session.rotate = True
    session.modified = True


def end() -> None:
    """End the current session (logout): its data is dropped and its stored
    record deleted; anything set afterwards (a flash message) goes into a new
    session with a new id."""
    session.clear()
    rotate()


def install(app: Flask, backend: SessionBackend) -> None:
    """Use server-side sessions in ``backend`` with the app's cookie settings
    and the clock ``SESSION_CLOCK`` of the config (default: UTC now)."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = str(app.config.get("PUBLIC_SITE_URL") or "") \
        .lower().startswith("https://")
    idle = timedelta(minutes=float(app.config["SESSION_IDLE_MINUTES"]))
    absolute = timedelta(hours=float(app.config["SESSION_MAX_HOURS"]))
    if idle <= timedelta(0) or absolute <= timedelta(0):
        raise RuntimeError("PORTAL_SESSION_IDLE_MINUTES and PORTAL_SESSION_MAX_HOURS must be "
                           "positive")
    app.extensions["portal_sessions"] = backend
    clock: Callable[[], datetime] = app.config.get("SESSION_CLOCK") or (lambda: datetime.now(UTC))
    app.session_interface = ServerSessionInterface(backend, clock, idle, absolute)
