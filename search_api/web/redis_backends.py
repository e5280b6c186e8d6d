"""Sessions and rate-limit counters in Redis, used instead of the store when
the ``REDIS_URL`` setting is given (issues #11, #12). Same methods as
:class:`search_api.store.session_store.StoreSessions` and
:class:`search_api.store.rate_store.StoreCounters`.

Keys (all under the ``REDIS_PREFIX`` setting, default ``portal:``):

- ``session:<sha256 of the cookie id>``: a hash (data as JSON, username,
  created_at, last_seen_at) expiring after the idle timeout (every save and
  touch renews it; a touch never recreates a deleted session);
- ``user-sessions:<username>``: the ids of a reviewer's sessions, so that all
  of them can be ended at once (expiring with the last of them);
- ``rate:<bucket>:<client>``: a sorted set of event times; counting and
  adding run in one Lua script, atomic across every worker.
"""

from __future__ import annotations

import json
import math
import secrets
from datetime import datetime
from typing import Any

from search_api.store.session_store import SessionRecord

_HIT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if limit >= 0 and redis.call('ZCARD', key) >= limit then
  return 0
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('EXPIRE', key, math.ceil(window))
return 1
"""


_TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
local user = redis.call('HGET', KEYS[1], 'username')
if user and user ~= '' then
  redis.call('EXPIRE', ARGV[3] .. user, ARGV[2])
end
return 1
"""


def connect(url: str) -> Any:
    """A Redis client for ``url`` (``redis://host:port/db``), checked with a PING.

    Raises:
        RuntimeError: the ``redis`` package is not installed, or the server
            does not answer (the service does not start half-working).
    """
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("REDIS_URL is set but the redis package is not installed: "
                           "pip install redis") from exc
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"REDIS_URL is set but Redis does not answer there "
                           f"({type(exc).__name__}: {exc}); start it or unset REDIS_URL "
                           "to keep sessions and rate limits in the database") from exc
    return client


class RedisSessions:
    """Sessions in Redis hashes; ``idle_seconds`` is the keys' time to live."""

    def __init__(self, client: Any, prefix: str, idle_seconds: float):
        self.client, self.prefix = client, prefix
        self.ttl = max(1, math.ceil(idle_seconds))
        self._touch = client.register_script(_TOUCH)

    def _key(self, id_hash: str) -> str:
        return f"{self.prefix}session:{id_hash}"

    def _user_key(self, username: str) -> str:
        return f"{self.prefix}user-sessions:{username}"

    def load(self, id_hash: str) -> SessionRecord | None:
        raw = {k.decode(): v.decode() for k, v in self.client.hgetall(self._key(id_hash)).items()}
        try:
            return SessionRecord(data=dict(json.loads(raw["data"])),
                                 username=raw.get("username") or None,
                                 created_at=datetime.fromisoformat(raw["created_at"]),
                                 last_seen_at=datetime.fromisoformat(raw["last_seen_at"]))
        except (ValueError, KeyError, TypeError):
            return None  # none, or not a session this code wrote: treated as none

    def save(self, id_hash: str, record: SessionRecord) -> None:
        key = self._key(id_hash)
        pipe = self.client.pipeline()  # MULTI/EXEC: all or nothing
        pipe.delete(key)
        pipe.hset(key, mapping={"data": json.dumps(record.data, ensure_ascii=False),
                                "username": record.username or "",
                                "created_at": record.created_at.isoformat(),
                                "last_seen_at": record.last_seen_at.isoformat()})
        pipe.expire(key, self.ttl)
        if record.username:
            pipe.sadd(self._user_key(record.username), id_hash)
            pipe.expire(self._user_key(record.username), self.ttl)
        pipe.execute()

    def touch(self, id_hash: str, at: datetime) -> None:
        """Record activity (never recreates a session deleted meanwhile)."""
        self._touch(keys=[self._key(id_hash)],
                    args=[at.isoformat(), self.ttl, f"{self.prefix}user-sessions:"])

    def delete(self, id_hash: str) -> None:
        key = self._key(id_hash)
        username = self.client.hget(key, "username")
        pipe = self.client.pipeline()
        pipe.delete(key)
        if username:
            pipe.srem(self._user_key(username.decode()), id_hash)
        pipe.execute()

    def delete_user(self, username: str) -> int:
        ids = [m.decode() for m in self.client.smembers(self._user_key(username))]
        ended = 0
        for id_hash in ids:
            ended += int(self.client.delete(self._key(id_hash)))
        self.client.delete(self._user_key(username))
        return ended

    def purge(self, *, idle_before: datetime, created_before: datetime) -> int:
        """Nothing to do: Redis expires idle sessions itself."""
        return 0


class RedisCounters:
    """Rate-limit counters in Redis sorted sets."""

    def __init__(self, client: Any, prefix: str):
        self.client, self.prefix = client, prefix
        self._hit = client.register_script(_HIT)

    def _key(self, bucket: str, client: str) -> str:
        return f"{self.prefix}rate:{bucket}:{client}"

    def count(self, bucket: str, client: str, now: float, window: float) -> int:
        return int(self.client.zcount(self._key(bucket, client), f"({now - window}", "+inf"))

    def hit(self, bucket: str, client: str, now: float, window: float,
            limit: int | None = None) -> bool:
        member = f"{now}:{secrets.token_hex(4)}"
        return bool(self._hit(keys=[self._key(bucket, client)],
                              args=[now, window, -1 if limit is None else limit, member]))

    def purge(self, before: float) -> int:
        """Nothing to do: each set expires one window after its last event."""
        return 0
