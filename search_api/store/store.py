"""The :class:`Store`: requests, their events, the audit log, the outbox,
receipt numbers, reviewers and links, on SQLite or PostgreSQL.

One class for its callers, made of one part per aggregate, each in its own
module on the engines and transactions of :class:`~search_api.store.core.StoreCore`:

- :mod:`~search_api.store.receipts`: receipt numbers;
- :mod:`~search_api.store.request_store`: filing, saving, loading requests;
- :mod:`~search_api.store.request_queries`: queues and register counts;
- :mod:`~search_api.store.outbox_store`: the outbox;
- :mod:`~search_api.store.audit_store`: the audit chain;
- :mod:`~search_api.store.user_store`: reviewers;
- :mod:`~search_api.store.link_store`: consultation and download links.

Every public method that writes is one transaction, committed (and on disk)
when it returns. Timestamps come from the caller (``at``, ``now``): the store
never reads the clock. Concurrency, per write:

- receipt numbers: ``INSERT ... ON CONFLICT DO UPDATE SET last = last + 1
  RETURNING last`` (a row lock on PostgreSQL; SQLite writers are serial under
  ``BEGIN IMMEDIATE``);
- saving a request: the row is read ``FOR UPDATE`` (PostgreSQL) and its
  ``version`` compared with the one the caller loaded; a mismatch raises
  :class:`StaleRequest` (optimistic concurrency between reviewers);
- the audit chain: see :mod:`search_api.store.audit`.

Lock order (PostgreSQL) is always request row, then the audit head: no deadlock.
The stores of the other aggregates (grants, reports, participation, ...) take
a :class:`Store` and write in its transactions.
"""

from __future__ import annotations

from search_api.store.audit_store import AuditPart
from search_api.store.core import DEFAULT_URL, aware, dialect_insert
from search_api.store.link_store import LinkPart
from search_api.store.outbox_store import CLAIM_LEASE, MIN_SECRET_CHARS, OutboxPart
from search_api.store.receipts import ReceiptPart
from search_api.store.request_queries import RequestQueryPart
from search_api.store.request_store import Filing, RequestPart
from search_api.store.user_store import UserPart

__all__ = ["CLAIM_LEASE", "DEFAULT_URL", "MIN_SECRET_CHARS", "Filing", "Store"]

# The names these helpers had when they lived here, for code written against them.
_aware = aware
_dialect_insert = dialect_insert


class Store(ReceiptPart, RequestPart, RequestQueryPart, OutboxPart, AuditPart, UserPart,
            LinkPart):
    """The storage of the request service; open with :meth:`open`.

    Args (of :meth:`open`):
        url: ``sqlite:///path`` (default ``sqlite:///var/portal.sqlite3``) or
            ``postgresql://user[:password]@host[:port]/db`` (psycopg2); a
            ``?options=-csearch_path%3Dschema`` query selects a schema.
        personal_key: URL-safe base64 of 32 bytes (:func:`new_key`); when
            given, identity numbers and contacts are AES-GCM encrypted at rest.
        password_hasher: argon2 parameters for reviewers' passwords (tests
            use cheap ones); argon2-cffi's defaults otherwise.
    """
