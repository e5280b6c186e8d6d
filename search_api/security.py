"""Security of the service's forms: CSRF tokens, rate limits on public
writes, unguessable access codes and links.

- CSRF: every HTML form carries a per-session token; a POST to a page route
  without the right token is refused (the JSON API is cookie-less and exempt).
- Rate limits: a sliding window per client address and bucket, in process
  memory (per gunicorn worker: the effective limit is workers × limit; a
  shared store is the next step for large deployments).
- Access codes and link tokens: 128 random bits, stored only as SHA-256
  (they are high-entropy secrets, so a slow hash adds nothing), compared in
  constant time, and redacted from every log (:mod:`search_api.logredact`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, request, session

from search_api.logredact import install as install_log_redaction
from search_api.logredact import redact

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"


def csrf_token() -> str:
    token = session.get("_csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["_csrf"] = token
    return str(token)


def _check_csrf() -> None:
    if request.method != "POST" or request.path.startswith("/api/"):
        return
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get("_csrf", "")
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        log.warning("CSRF token missing or wrong on %s from %s", redact(request.path),
                    client_key())
        abort(400, description="页面已过期或来源不明：请刷新页面后重新提交。")


def client_key() -> str:
    """A key for the client that does not keep its address in clear. The
    address is the connection's (behind a proxy, TRUSTED_PROXIES makes
    ProxyFix put the real client there); a header the client sends itself
    is never trusted, or it could pick a fresh key per attempt."""
    address = request.remote_addr or "unknown"
    return hashlib.sha256(address.encode()).hexdigest()[:16]


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds per key."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 10_000:  # forget idle clients; memory stays bounded
                for stale in [k for k, v in self._events.items()
                              if not v or v[-1] <= now - self.window]:
                    del self._events[stale]
            return True


def rate_limit(app: Flask, bucket: str) -> None:
    """Refuse with 429 when this client exceeds the bucket's limit."""
    limiter: RateLimiter = app.extensions["portal_limits"][bucket]
    if not limiter.allow(client_key()):
        log.warning("rate limit %s exceeded by client %s on %s", bucket, client_key(),
                    redact(request.path))
        abort(429, description="提交过于频繁，请稍后再试。")


# Access codes are copied by hand from a receipt: no look-alike characters
# (0/O, 1/I/l) and one case. 26 of these 31 characters carry 128 random bits.
SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SECRET_LENGTH = 26


def new_secret() -> str:
    """An access code or link token: 128 random bits, URL-safe, without
    look-alike characters."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.strip().encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    if not stored_hash:
        return False
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def install(app: Flask) -> None:
    install_log_redaction()  # link tokens never reach the access logs
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.extensions["portal_limits"] = {
        # Filing requests and reports: a person files a few a day.
        "public_write": RateLimiter(int(app.config["RATE_PUBLIC_WRITES"]), 3600),
        # Access-code and sign-in attempts: brute force is slowed and logged.
        "secret_attempt": RateLimiter(int(app.config["RATE_SECRET_ATTEMPTS"]), 900),
    }
    app.before_request(_check_csrf)

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        return {"csrf_token": csrf_token, "portal_name": app.config["PORTAL_NAME"]}

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith(("/api/",)) and response.mimetype == "text/html" \
                and not request.path.startswith(("/datasets/", "/catalog", "/search")):
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response
