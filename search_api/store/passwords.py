"""Reviewers' passwords: argon2id (argon2-cffi's defaults, RFC 9106 low-memory).

:class:`Passwords` verifies against a dummy hash when the user does not
exist, so that a sign-in takes as long for a wrong name as for a wrong
password, and tells when a stored hash should be redone with today's parameters.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10


class Passwords:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        """Raises ValueError for a password shorter than :data:`MIN_LENGTH`."""
        if len(password) < MIN_LENGTH:
            raise ValueError(f"a password has at least {MIN_LENGTH} characters")
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored`` (None: no such user, still
        spends the time of one verification)."""
        if stored is None:
            if self._dummy is None:
                self._dummy = self.hasher.hash("not a password of anyone")
            stored = self._dummy
            password = password + "\x00"  # never matches
        try:
            return self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True
