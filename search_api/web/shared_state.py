"""Where state shared by every worker lives (issues #11, #12): sessions and
rate-limit counters go to Redis when ``REDIS_URL`` is set, to the store
otherwise. :func:`install` wires them into the app; the command line uses
:func:`session_backend` to end a user's sessions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

from search_api.store import Store
from search_api.store.rate_store import StoreCounters
from search_api.store.session_store import StoreSessions
from search_api.web import ratelimit, sessions


def _redis(config: Mapping[str, Any]) -> Any | None:
    url = str(config.get("REDIS_URL") or "")
    if not url:
        return None
    from search_api.web.redis_backends import connect

    return connect(url)


def session_backend(config: Mapping[str, Any], store: Store) -> sessions.SessionBackend:
    """The sessions of the deployment described by ``config``."""
    client = _redis(config)
    if client is None:
        return StoreSessions(store)
    from search_api.web.redis_backends import RedisSessions

    idle = timedelta(minutes=float(config.get("SESSION_IDLE_MINUTES") or 60))
    return RedisSessions(client, str(config.get("REDIS_PREFIX") or ""), idle.total_seconds())


def counters(config: Mapping[str, Any], store: Store) -> ratelimit.Counters:
    """The rate-limit counters of the deployment described by ``config``."""
    client = _redis(config)
    if client is None:
        return StoreCounters(store)
    from search_api.web.redis_backends import RedisCounters

    return RedisCounters(client, str(config.get("REDIS_PREFIX") or ""))


def install(app: Flask) -> None:
    """Server-side sessions and shared rate limits for ``app`` (after
    :func:`search_api.service.install`, which opens the store)."""
    store: Store = app.extensions["portal_store"]
    sessions.install(app, session_backend(app.config, store))
    ratelimit.install(app, counters(app.config, store))
