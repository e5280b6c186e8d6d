"""Storage of conditional-open requests and what goes with them (audit log,
outbox, receipt numbers, reviewers, links) on SQLite or PostgreSQL, behind
one API: :class:`Store`. See :mod:`search_api.store.store` for durability and
concurrency, :mod:`search_api.store.schema` for the tables.

    store = Store.open(app.config["DATABASE_URL"])
    store.migrate()
    number = store.next_receipt_number(today)
    store.add_request(procedure.submit(app, number=number, on=today, actor=who),
                      access_code_hash=..., actor=who, at=clock.now())
    req, version = store.load(number)
    store.save(procedure.forward(req, actor=reviewer, on=today),
               expected_version=version, actor=reviewer, at=clock.now())
"""

from __future__ import annotations

import hashlib

from search_api.store import grant_tables  # noqa: F401  (registers the tables of #16)
from search_api.store.errors import (
    BackupError,
    DuplicateRequest,
    DuplicateUser,
    HistoryRewritten,
    PersonalDataKeyError,
    PersonalDataRefused,
    RequestNotFound,
    StaleRequest,
    StoreError,
    UserNotFound,
)
from search_api.store.personal import new_key
from search_api.store.records import (
    MAX_ATTEMPTS,
    AuditRecord,
    Link,
    LinkKind,
    OutboxMessage,
    RegisterCounts,
    RequestSummary,
    User,
)
from search_api.store.store import DEFAULT_URL, Filing, Store

__all__ = [
    "DEFAULT_URL",
    "MAX_ATTEMPTS",
    "AuditRecord",
    "BackupError",
    "DuplicateRequest",
    "DuplicateUser",
    "Filing",
    "HistoryRewritten",
    "Link",
    "LinkKind",
    "OutboxMessage",
    "PersonalDataKeyError",
    "PersonalDataRefused",
    "RegisterCounts",
    "RequestNotFound",
    "RequestSummary",
    "StaleRequest",
    "Store",
    "StoreError",
    "User",
    "UserNotFound",
    "hash_token",
    "new_key",
]


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a link token is stored (tokens are
    128-bit random secrets, so a fast hash suffices)."""
    return hashlib.sha256(token.strip().encode()).hexdigest()
