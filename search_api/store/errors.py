"""Errors of the request store. ``code`` and ``status`` feed the service's
JSON error shape, as the procedure's errors do (domain.procedures.request_states)."""

from __future__ import annotations


class StoreError(Exception):
    code = "store-error"
    status = 500


class RequestNotFound(StoreError, LookupError):
    """No request has this number."""

    code = "request-not-found"
    status = 404

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"no request numbered {number!r}")


class DuplicateRequest(StoreError):
    """A request with this number is already stored."""

    code = "duplicate-request"
    status = 409

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"a request numbered {number!r} is already stored")


class StaleRequest(StoreError):
    """Someone saved the request since it was loaded (optimistic concurrency):
    reload it and apply the operation again."""

    code = "stale-request"
    status = 409

    def __init__(self, number: str, expected: int, actual: int) -> None:
        self.number, self.expected, self.actual = number, expected, actual
        super().__init__(f"request {number} was changed by someone else: it is at version "
                         f"{actual}, not {expected}; reload it and try again")


class HistoryRewritten(StoreError, ValueError):
    """A save that would change what is already recorded: the application,
    the receipt day or an earlier event (events are append-only, 003 §34)."""

    code = "history-rewritten"
    status = 409


class PersonalDataRefused(StoreError, ValueError):
    """A clear identity number or mobile number in a message meant for the
    outbox (SPEC §7). The message names the kind and the field, never the value."""

    code = "personal-data-refused"
    status = 500


class PersonalDataKeyError(StoreError):
    """The personal data of a request is encrypted and no (or another) key is configured."""

    code = "personal-data-key"


class DuplicateUser(StoreError):
    code = "duplicate-user"
    status = 409

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"a user named {username!r} already exists")


class UserNotFound(StoreError, LookupError):
    code = "user-not-found"
    status = 404

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"no user named {username!r}")


class BackupError(StoreError):
    """A backup or restore could not be made; the message says why and what to do."""

    code = "backup-error"
