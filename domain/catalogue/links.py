"""Which written links may be published: a licence path or a contact value
that a browser would run (``javascript:``) or render as a document
(``data:``, ``vbscript:``, ``file:``...) is refused by ``portal check``.

A value *has a scheme* when, after dropping what browsers drop (leading
spaces and control characters, tabs and line breaks anywhere), it starts
with letters, digits, ``+``, ``-`` or ``.`` up to a colon, the first being
a letter (RFC 3986). ``http``, ``https``, ``mailto`` and ``tel`` are the
schemes a licence or a contact may use; a value without a scheme (a plain
e-mail address, a telephone number, a relative path) is not a link and is
not judged here.
"""

from __future__ import annotations

import re

__all__ = ["SAFE_SCHEMES", "unsafe_scheme"]

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_DROPPED = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def unsafe_scheme(value: str) -> str | None:
    """The scheme of ``value`` in lower case when it is not one of
    :data:`SAFE_SCHEMES`, else None (a safe scheme or no scheme at all)."""
    text = _DROPPED.sub("", value).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
                                         "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
                                         "\x1a\x1b\x1c\x1d\x1e\x1f \u3000\u00a0")
    match = _SCHEME.match(text)
    if match is None:
        return None
    scheme = match.group(1).lower()
    return None if scheme in SAFE_SCHEMES else scheme
