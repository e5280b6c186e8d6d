"""Personal data at rest and on the way out (SPEC §7).

:class:`PersonalCipher` seals a request's identity number and contacts for
the ``requests.personal`` column: AES-256-GCM with the request number as
associated data (a sealed value copied to another request does not open)
when a key is configured, plain JSON otherwise. A key is 32 random bytes,
URL-safe base64 (:func:`new_key`); its id (8 hex characters of its SHA-256)
is stored with each value, so a wrong key is reported as such.

:func:`mask_pii` and :func:`pii_problems` guard what is meant for logs: the
audit detail is masked, a message for the outbox with a clear ID or mobile
number is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from typing import Any

from domain.catalogue.desensitize import PiiKind, find_pii, mask_pii_text
from domain.catalogue.digitfold import compact
from search_api.store.errors import PersonalDataKeyError

_SEALED = "aesgcm1:"
_PLAIN = "plain:"
_NONCE = 12


def new_key() -> str:
    """A fresh key for :class:`PersonalCipher`."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class PersonalCipher:
    """Seals and opens the personal fields of one request.

    Raises:
        ValueError: on construction, when ``key`` is not 32 bytes of URL-safe base64.
    """

    def __init__(self, key: str | None) -> None:
        self._aead: Any = None
        self.key_id = ""
        if key:
            try:
                raw = base64.urlsafe_b64decode(key.encode())
            except ValueError:
                raise ValueError("the personal-data key is not URL-safe base64") from None
            if len(raw) != 32:
                raise ValueError("the personal-data key must be 32 bytes (URL-safe base64); "
                                 "make one with search_api.store.new_key()")
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            self._aead = AESGCM(raw)
            self.key_id = hashlib.sha256(raw).hexdigest()[:8]

    @property
    def encrypts(self) -> bool:
        return self._aead is not None

    def seal(self, number: str, fields: Mapping[str, str]) -> str:
        text = json.dumps(dict(fields), ensure_ascii=False, sort_keys=True)
        if self._aead is None:
            return _PLAIN + text
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, text.encode(), number.encode())
        return f"{_SEALED}{self.key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, number: str, value: str) -> dict[str, str]:
        """The fields sealed for request ``number``.

        Raises:
            PersonalDataKeyError: the value is encrypted and no key, or
                another key, is configured; or it does not belong to ``number``.
        """
        if value.startswith(_PLAIN):
            text = value[len(_PLAIN):]
        elif value.startswith(_SEALED):
            key_id, _, payload = value[len(_SEALED):].partition(":")
            if self._aead is None:
                raise PersonalDataKeyError(
                    f"the personal data of request {number} is encrypted (key {key_id}); "
                    "configure the personal-data key to read it")
            if key_id != self.key_id:
                raise PersonalDataKeyError(
                    f"the personal data of request {number} is encrypted with key {key_id}, "
                    f"not the configured key {self.key_id}")
            raw = base64.b64decode(payload)
            from cryptography.exceptions import InvalidTag

            try:
                text = self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], number.encode()).decode()
            except InvalidTag:
                raise PersonalDataKeyError(
                    f"the personal data stored for request {number} does not decrypt: "
                    "it was altered or belongs to another request") from None
        else:
            raise PersonalDataKeyError(f"the personal data of request {number} is unreadable")
        data = json.loads(text)
        return {str(k): str(v) for k, v in data.items()}


def mask_pii(value: Any, secrets: tuple[str, ...] = ()) -> Any:
    """``value`` (a JSON value) with every clear ID, mobile or bank-card
    number in its strings replaced by a masked preview, and every occurrence
    of ``secrets`` (e.g. a request's own identity number) by asterisks."""
    if isinstance(value, str):
        for secret in secrets:
            if len(secret) >= 4:
                value = value.replace(secret, "*" * len(secret))
        return mask_pii_text(value)
    if isinstance(value, list | tuple):
        return [mask_pii(v, secrets) for v in value]
    if isinstance(value, Mapping):
        return {k: mask_pii(v, secrets) for k, v in value.items()}
    return value


def pii_problems(fields: Mapping[str, str | None], *, also: tuple[str, ...] = ()) -> list[str]:
    """One line per field holding a clear ID number or mobile number, or one
    of the values ``also`` (e.g. the request's own identity number and phone),
    naming the field and the kind, never the value. The values ``also`` are
    looked for however they are written: full-width, spaced or dashed."""
    found = []
    also = tuple(compact(v) for v in also if v)
    for name, text in fields.items():
        if not text:
            continue
        kinds = {str(h.kind) for h in find_pii(text, ignore=frozenset({PiiKind.BANK_CARD}))}
        if also and any(v and v in compact(text) for v in also):
            kinds.add("applicant's identity or contact")
        found += [f"{name} holds a clear {kind}" for kind in sorted(kinds)]
    return found
