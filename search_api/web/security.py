"""Security of the service's forms: CSRF tokens, rate limits on public
writes, unguessable access codes and links.

- CSRF: every HTML form carries a per-session token; a POST to a page route
  without the right token is refused (the JSON API is cookie-less and exempt).
- Rate limits: a sliding window per client address and bucket, shared by
  every worker (:mod:`search_api.web.ratelimit`); sessions are server-side
  (:mod:`search_api.web.sessions`).
- Access codes and link tokens: 128 random bits, stored only as SHA-256
  (they are high-entropy secrets, so a slow hash adds nothing), compared in
  constant time, and redacted from every log (:mod:`search_api.web.logredact`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Any

from flask import Flask, abort, request, session

from search_api.web.logredact import install as install_log_redaction
from search_api.web.logredact import redact
from search_api.web.ratelimit import RateLimiter, rate_limit

__all__ = ["RateLimiter", "client_key", "csrf_token", "new_secret", "rate_limit",
           "secret_hash", "secret_matches"]

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


# Access codes are copied by hand from a receipt: no look-alike characters
# (0/O, 1/I/l) and one case. 26 of these 31 characters carry 128 random bits.
SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SECRET_LENGTH = 26


_SECRETS = len(SECRET_ALPHABET) ** SECRET_LENGTH


def new_secret() -> str:
    """An access code or link token: 128 random bits, URL-safe, without
    look-alike characters. One draw among every possible code, its digits
    in base 31 (the same distribution as a random character at a time,
    but one read of the system's random source instead of 26: every filing
    makes one, issue #17)."""
    n = secrets.randbelow(_SECRETS)
    digits = []
    for _ in range(SECRET_LENGTH):
        n, digit = divmod(n, len(SECRET_ALPHABET))
        digits.append(SECRET_ALPHABET[digit])
    return "".join(digits)


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

        # One mechanism for what the proxies tell: the client's address
        # (rate limits) and the scheme the client used (https: HSTS, Secure
        # cookies, url_for(_external=True)). Headers are read only as far as
        # TRUSTED_PROXIES reach; with 0, a client's own X-Forwarded-* are ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app,  # type: ignore[method-assign]
                                x_for=proxies, x_proto=proxies)
    # Cookie flags and rate limiters: search_api.web.sessions, search_api.web.ratelimit.
    app.before_request(_check_csrf)

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        return {"csrf_token": csrf_token, "portal_name": app.config["PORTAL_NAME"]}
