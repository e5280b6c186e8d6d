"""Idempotency keys of ``POST /api/v1/requests`` (issue #6): a client that
retries after a cut connection, with the same ``Idempotency-Key`` header and
the same body, gets the first answer again instead of filing twice.

A key is stored by the SHA-256 of its scope and value, with the SHA-256 of
the canonical JSON body and the answer to replay. That answer holds the
access code, of which the request row keeps only a hash, so it is sealed
like an applicant's personal fields (AES-GCM with the request number as
associated data when a personal-data key is configured). A key lives
:data:`TTL` (24 hours); expired rows are deleted when a new key is stored.
The row is written in the transaction that stores the request, so a key
never exists without its request, nor a keyed request without its key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from search_api.store.errors import StoreError
from search_api.store.personal import PersonalCipher
from search_api.store.schema import check_row, idempotency_keys

TTL = timedelta(hours=24)
SCOPE = "POST /api/v1/requests"


class IdempotencyKeyTaken(StoreError):
    """Another request was stored under this key meanwhile (a concurrent
    retry): look the key up again and replay its answer."""

    code = "idempotency-key-taken"
    status = 409


@dataclass(frozen=True)
class IdempotencyKey:
    """A key to store with a new request: the hashes and the answer to replay."""

    key_hash: str
    body_hash: str
    response: Mapping[str, Any]


@dataclass(frozen=True)
class Replay:
    """What a stored key answers: the hash of the body first sent with it,
    the request it filed and the answer given then."""

    body_hash: str
    request_number: str
    response: dict[str, Any]


def key_hash(key: str, scope: str = SCOPE) -> str:
    """The stored form of a client's key (keys are the client's, so they are
    hashed like any token; the scope keeps other operations' keys apart)."""
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()


def body_hash(body: Any) -> str:
    """The SHA-256 of ``body`` as canonical JSON (sorted keys, no spaces):
    the same JSON object sent again hashes the same, whatever its layout."""
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def store(conn: Connection, cipher: PersonalCipher, key: IdempotencyKey, number: str,
          at: datetime) -> None:
    """Store ``key`` for request ``number`` in the caller's transaction,
    deleting expired keys first.

    Raises:
        IdempotencyKeyTaken: a live key with this hash exists.
    """
    conn.execute(delete(idempotency_keys).where(idempotency_keys.c.expires_at <= at))
    row = {"key_hash": key.key_hash, "body_hash": key.body_hash, "request_number": number,
           "response": cipher.seal(number, {"response": json.dumps(
               dict(key.response), ensure_ascii=False, sort_keys=True)}),
           "created_at": at, "expires_at": at + TTL}
    check_row(idempotency_keys, row)
    if conn.execute(select(idempotency_keys.c.key_hash).where(
            idempotency_keys.c.key_hash == key.key_hash)).first() is not None:
        raise IdempotencyKeyTaken(f"idempotency key {key.key_hash[:12]}… is already used")
    try:
        # A savepoint would hide the conflict from the request's insert;
        # the whole filing rolls back instead, which is what a retry needs.
        conn.execute(insert(idempotency_keys).values(**row))
    except IntegrityError:
        raise IdempotencyKeyTaken(
            f"idempotency key {key.key_hash[:12]}… was used concurrently") from None


def find(conn: Connection, cipher: PersonalCipher, key_hash_: str, now: datetime) -> Replay | None:
    """The live key stored under ``key_hash_`` at ``now``, or None.

    Raises:
        PersonalDataKeyError: its answer is sealed with another key.
    """
    row = conn.execute(select(idempotency_keys).where(
        idempotency_keys.c.key_hash == key_hash_, idempotency_keys.c.expires_at > now)
    ).one_or_none()
    if row is None:
        return None
    opened = cipher.open(row.request_number, row.response)
    return Replay(body_hash=row.body_hash, request_number=row.request_number,
                  response=json.loads(opened["response"]))
