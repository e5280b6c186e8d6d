"""The tables of the request store, as SQLAlchemy Core metadata.

The tables are defined one module per aggregate (``request_tables``,
``ledger_tables``, ``outbox_tables``, ``service_tables``, ``report_tables``,
``download_tables``, ``participation_tables``, ``governance_tables``,
``grant_tables`` and ``operation_tables`` for #16), all on the one ``metadata`` of
:mod:`search_api.store.schema_types`; every name is importable from here.

The migrations in ``migrations/`` create exactly these tables (a test compares
them with alembic's autogenerate); change both together, through a new
revision. Every table, in one line each:

``requests``          one row per request: columns for queues and the public
                      register, the snapshot (:func:`domain.procedures.request_codec.request_to_dict`
                      without the personal fields), the personal fields apart
                      in ``personal`` (encrypted when a key is configured),
                      the access-code hash and the optimistic-lock ``version``.
``request_events``    append-only: the events of each request, numbered 1.. per request.
``audit_log``         append-only, hash-chained record of every operation (003 §34).
``audit_head``        one row: the last sequence number and hash of the audit chain;
                      serialises appends and lets a deleted tail be detected.
``outbox``            messages to send (e-mail or role addresses), with retry state
                      and an optional unique ``dedupe_key``.
``receipt_counters``  the last receipt number issued per prefix and day.
``users``             reviewers: argon2 password hash, role, department, active.
``links``             third-party and download links: only the token's hash,
                      expiry, and a use count (optionally capped).
``reports``           data error reports and catalogue corrections (issue #5).
``idempotency_keys``  replays of POST /api/v1/requests: the key's hash, a hash
                      of the body, the receipt number and the sealed answer.
``download_counts``   downloads per day, dataset and file; no address, no person.
``download_sources``  how far each web-server access log has been counted.
``participation``     data demands, suggestions and reuses (issue #5): the filed and
                      the moderated public text, sealed submitter, status, reply.
``participation_datasets``  the datasets a participation item names (reuses per dataset).
``use_report_reviews``  moderation of a usage report (a ``use_reported`` event of a
                      request): its approved public text, or why it is not public.
``sessions``          server-side sessions of the service's pages (issue #11): the
                      SHA-256 of the cookie's random id (never the id), the session's
                      data, the signed-in reviewer, and the times that end it.
``rate_hits``         rate-limit counters shared by every worker (issue #12): per
                      bucket and client key, the times of the counted events.
``catalogue_changes`` proposed catalogue entries (issue #16): dataset, the entry's
                      hash and content, kind of change, the authority's decision.
``catalogue_reviews`` the yearly full review of each department's catalogue (003 §9).
``operations``        scenario applications for authorised operation (000 §34–36): state,
                      provider, the organisation's name, the term, the snapshot without
                      personal data, the sealed personal part, the access-code hash.

``outbox.claimed_by``/``claimed_until`` let one sender claim a message, so
two senders running at once never send it twice; ``outbox.reference`` names
the report or other record a message is about when it is not a request.

Timestamps are UTC: :class:`UTCDateTime` accepts only aware datetimes and
returns aware UTC datetimes on both databases.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table

from search_api.store.download_tables import download_counts, download_sources
from search_api.store.governance_tables import catalogue_changes, catalogue_reviews
from search_api.store.ledger_tables import audit_head, audit_log
from search_api.store.operation_tables import operations
from search_api.store.outbox_tables import outbox
from search_api.store.participation_tables import (
    participation,
    participation_datasets,
    use_report_reviews,
)
from search_api.store.report_tables import reports
from search_api.store.request_tables import (
    idempotency_keys,
    links,
    receipt_counters,
    request_events,
    requests,
)
from search_api.store.schema_types import NUMBER, Json, UTCDateTime, metadata
from search_api.store.service_tables import calendar_years, rate_hits, sessions, users

# The tables and their helpers, importable from this one module.
__all__ = [
    "APPEND_ONLY",
    "GENESIS",
    "NUMBER",
    "Json",
    "UTCDateTime",
    "audit_head",
    "audit_log",
    "calendar_years",
    "catalogue_changes",
    "catalogue_reviews",
    "check_row",
    "download_counts",
    "download_sources",
    "has_nul",
    "idempotency_keys",
    "links",
    "metadata",
    "operations",
    "outbox",
    "participation",
    "participation_datasets",
    "rate_hits",
    "receipt_counters",
    "reports",
    "request_events",
    "requests",
    "sessions",
    "use_report_reviews",
    "users",
]

APPEND_ONLY = ("request_events", "audit_log")
"""Tables whose rows are never updated or deleted; the migrations add
triggers that refuse it (the hash chain detects it anyway, 003 §34)."""

GENESIS = "0" * 64
"""``prev_hash`` of the first audit record."""


def check_row(table: Table, values: dict[str, Any]) -> None:
    """Refuse, the same way on both databases, what PostgreSQL would refuse
    and SQLite would silently keep: a string longer than its column, and
    the NUL character (U+0000) anywhere, JSON documents included.

    Raises:
        ValueError: naming the table and column, never the value.
    """
    lengths = _lengths(table)
    for name, value in values.items():
        length = lengths[name]  # KeyError: no such column
        if isinstance(value, str):
            if length is not None and len(value) > length:
                raise ValueError(f"{table.name}.{name} is {len(value)} characters long; "
                                 f"at most {length} are stored")
            if "\x00" in value:
                raise ValueError(f"{table.name}.{name} contains a NUL character (U+0000), "
                                 "which the database cannot store")
        elif isinstance(value, dict | list) and has_nul(value):
            raise ValueError(f"{table.name}.{name} contains a NUL character (U+0000), "
                             "which the database cannot store")


@cache
def _lengths(table: Table) -> dict[str, int | None]:
    """The longest string each column of ``table`` stores (None: unbounded),
    looked up once per table (:func:`check_row` runs several times a filing)."""
    return {column.key: getattr(column.type, "length", None) for column in table.c}


def has_nul(value: Any) -> bool:
    """Whether a NUL character is in ``value`` or, for a dict, list or
    tuple, in any string key or value nested in it. Iterative, each kind
    told by one ``type`` test (the usual plain types; subclasses by
    ``isinstance``): it runs on every JSON document a filing stores (issue #17)."""
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:
            if "\x00" in item:
                return True
        elif kind is dict:
            push(item.keys())
            push(item.values())
        elif kind is list or kind is tuple:
            push(item)
        elif kind is int or kind is float or kind is bool or item is None:
            continue
        elif isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            push(item.keys())
            push(item.values())
        elif isinstance(item, list | tuple):
            push(item)
    return False
