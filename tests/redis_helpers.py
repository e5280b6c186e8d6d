"""Redis for tests: the server on this machine (PORTAL_TEST_REDIS_URL
overrides ``redis://127.0.0.1:6379/0``). Tests that need it are skipped,
saying why, only when it cannot be reached or the client is missing."""

from __future__ import annotations

import functools
import os

import pytest

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@functools.cache
def redis_unreachable() -> str | None:
    try:
        import redis
    except ImportError:
        return "the redis package is not installed"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"Redis at {REDIS_URL} is unreachable: {type(exc).__name__}: {exc}"
    return None


def redis_url_or_skip() -> str:
    reason = redis_unreachable()
    if reason is not None:
        print(reason)
        pytest.skip(reason)
    return REDIS_URL
