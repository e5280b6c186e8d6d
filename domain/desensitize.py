"""Desensitization gate: find unmasked personal identifiers in table cells.

Sensitive data must be desensitized (脱敏) before it is opened (003 §22; also
000 §28 and 001 §36). The build calls :func:`find_pii` on every cell of every
open dataset and fails when a cell still holds a clear identifier. Three kinds
are recognised:

* mainland resident ID numbers (GB 11643-1999): 18 characters with a plausible
  province code, a valid birth date in 1900..2099 and a correct ISO 7064
  MOD 11-2 check character; optionally grouped 6-8-4 by one space or hyphen;
* mainland mobile numbers: ``1[3-9]`` plus 9 digits, optionally prefixed by
  ``+86``, ``0086`` or ``86`` and optionally grouped 3-4-4;
* bank card numbers: 16-19 digits starting with 3, 4, 5 or 6, Luhn-valid,
  optionally grouped by fours.

A candidate must stand alone: a digit run touching another digit, an ASCII
letter or a mask character (``*``, ``×``, ``＊``) belongs to a longer code or to
a masked value and is ignored. Chinese characters and punctuation are
boundaries, so ``身份证号110101199003074514`` is caught while ``138****5678`` and
``110101********1234`` pass. A run that is the fractional part of a decimal
(``0.13812345678``), that has a fractional part other than a bare ``.0``,
that follows a currency sign (``¥``, ``￥``) or that is followed by 元, 万 or
亿 is a quantity, not an identifier; ``13812345678.0`` is still caught because
spreadsheets often render phone columns as floats. Full-width digits are read
as ASCII digits.

Design choice on bank cards: one random 16-19-digit number in ten passes the
Luhn check, so order numbers or meter readings that start with 3-6 are flagged
as cards about one time in ten. The gate errs towards safety and flags them;
a publisher resolves a false alarm by masking the value or by declaring the
field exempt from a kind through ``find_pii(text, ignore=...)``. Two
exclusions keep the rate down at almost no cost in real cards: an 18-digit
run laid out like an ID number (province code and birth date) is never called
a card, and neither is a plausible unified social credit code (GB 32100-2015),
which identifies an organisation, not a person. One or two 18-digit cards in
a thousand fall under them and is missed when written without separators;
16- and 19-digit cards, the usual lengths, and cards grouped by fours are
unaffected. An ID-shaped run whose check character is wrong is not flagged
at all: the check character is what tells an ID number from other 18-digit
codes.

Throughput and accuracy on a labelled corpus are measured by
``bench/pii_gate_accuracy.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "PiiHit",
    "PiiKind",
    "find_pii",
    "id_number_is_valid",
    "luhn_is_valid",
    "mask_id_number",
    "mask_mobile",
    "unified_credit_code_is_valid",
]


class PiiKind(StrEnum):
    """Kind of personal identifier; the value is the slug used in reports."""

    ID_NUMBER = "id-number"
    MOBILE = "mobile"
    BANK_CARD = "bank-card"


@dataclass(frozen=True)
class PiiHit:
    """One clear identifier found in a cell.

    ``start``/``end`` index the cell text (``text[start:end]`` is the value as
    written, separators and country prefix included). ``masked_preview`` shows
    the identifier without separators or prefix, keeping only its first three
    and last two characters, so reports never repeat the clear value.
    """

    kind: PiiKind
    start: int
    end: int
    masked_preview: str


_PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 91".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {char: value for value, char in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check

_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)

# Every candidate below is at least 11 characters long and contains 11 adjacent
# digits, a 3-4-4 grouping or a 6-8 grouping. Testing that first is several
# times cheaper than running the full pattern with its look-behinds.
_MIN_LENGTH = 11
_PREFILTER = re.compile(r"[0-9]{3}(?:[0-9]{8}|[ -][0-9]{4}[ -][0-9]{4}|[0-9]{3}[ -][0-9]{8})")
_FULLWIDTH = re.compile("[\uff10-\uff19\uff0b\uff0d\u3000]")
_TO_ASCII = str.maketrans("０１２３４５６７８９＋－\u3000", "0123456789+- ")

# A digit run touching one of these belongs to a longer token or a masked value;
# a currency sign before it or 元/万/亿 after it makes it an amount.
_TOKEN = "0-9A-Za-z*×＊"
_CANDIDATE = re.compile(
    rf"(?<![{_TOKEN}¥￥])(?<![0-9]\.)"
    r"(?:"
    r"(?P<run>[0-9]{11,19}[Xx]?)"
    r"|(?P<id>[1-9][0-9]{5}(?P<ids>[ -])[0-9]{8}(?P=ids)[0-9]{3}[0-9Xx])"
    r"|(?P<card>[3-6][0-9]{3}(?P<cs>[ -])[0-9]{4}(?P=cs)[0-9]{4}(?P=cs)[0-9]{4}"
    r"(?:(?P=cs)[0-9]{1,3})?(?!(?P=cs)[0-9]))"
    r"|(?P<mobile>(?:(?:\+|00)86[ -]?|86[ -])?"
    r"1[3-9][0-9](?P<ms>[ -]?)[0-9]{4}(?P=ms)[0-9]{4}(?!(?P=ms)[0-9]))"
    r")"
    rf"(?![{_TOKEN}元万亿])(?!\.[1-9]|\.0[0-9])"
)
_SEPARATORS = str.maketrans("", "", " -+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _birth_date_is_valid(yyyymmdd: str) -> bool:
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and day >= 1):
        return False
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= _DAYS_IN_MONTH[month - 1] + leap


def _has_id_layout(value: str) -> bool:
    """Whether 17+ ASCII digits start with a province code and a birth date."""
    return value[:2] in _PROVINCE_CODES and _birth_date_is_valid(value[6:14])


def id_number_is_valid(value: str) -> bool:
    """Check an 18-character mainland resident ID number (GB 11643-1999).

    True when ``value`` is exactly 17 ASCII digits plus a check character
    (digit, ``X`` or ``x``), starts with a province code, carries a valid
    birth date in 1900..2099 and its ISO 7064 MOD 11-2 check character is
    right. Whitespace is not stripped; 15-digit legacy numbers are False.
    """
    if len(value) != 18:
        return False
    body = value[:17]
    if not (body.isascii() and body.isdigit()) or not _has_id_layout(body):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True))
    return value[17].upper() == _ID_CHECK_CHARS[total % 11]


def luhn_is_valid(digits: str) -> bool:
    """Whether a non-empty string of ASCII digits passes the Luhn check.

    Any other character, including spaces, makes the result False.
    """
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        total += _LUHN_DOUBLED[digit] if position % 2 else digit
    return total % 10 == 0


def unified_credit_code_is_valid(code: str) -> bool:
    """Check an 18-character unified social credit code (GB 32100-2015).

    True when every character is in the code alphabet (digits and upper-case
    letters except I, O, S, V, Z), characters 3-8 (the registration
    authority's region code) are digits, and the last character is the
    weighted MOD 31 check character of the first 17. Lower case is False.
    """
    if len(code) != 18 or not code[2:8].isascii() or not code[2:8].isdigit():
        return False
    values = [_USCC_VALUES.get(char, -1) for char in code]
    if -1 in values:
        return False
    total = sum(value * weight for value, weight in zip(values[:17], _USCC_WEIGHTS, strict=True))
    return values[17] == (31 - total % 31) % 31


def mask_id_number(value: str) -> str:
    """Mask an ID number, keeping its first 6 and last 4 characters.

    ``"110101199003074516"`` becomes ``"110101********4516"``. The check
    character is not verified: an invalid number still deserves masking.

    Raises:
        ValueError: ``value`` is not 18 characters (17 digits and a digit or
            X) nor a 15-digit legacy number.
    """
    if not re.fullmatch(r"[0-9]{17}[0-9Xx]|[0-9]{15}", value):
        raise ValueError(f"not an ID number: expected 15 or 18 characters, got {len(value)}")
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_mobile(value: str) -> str:
    """Mask a mainland mobile number as ``"138****5678"``.

    A ``+86``/``0086``/``86`` prefix and space or hyphen separators are
    dropped, so ``"+86 138-1234-5678"`` also gives ``"138****5678"``.

    Raises:
        ValueError: ``value`` is not a mainland mobile number.
    """
    digits = value.translate(_SEPARATORS)
    for prefix in ("0086", "86"):
        if len(digits) == 11 + len(prefix) and digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if not _MOBILE.fullmatch(digits):
        raise ValueError("not a mainland mobile number: expected 11 digits starting 13-19")
    return digits[:3] + "****" + digits[7:]


def _is_credit_code(digits: str) -> bool:
    """Whether 18 digits read as a plausible, valid unified social credit code.

    Beyond the GB 32100 check character, the organisation type (second digit)
    must be one in use, the region code must start with a province code (or
    10, central level), and characters 9-17, the organisation code, must
    carry their own GB 11714 check digit. A random 18-digit card number
    passes all that at most once in 341 (1/31 x 1/11, when its prefix fits).
    """
    if not (digits[1] in "123459" and (digits[2:4] in _PROVINCE_CODES or digits[2:4] == "10")):
        return False
    organisation = sum(int(d) * w for d, w in zip(digits[8:16], _ORG_WEIGHTS, strict=True))
    if str((11 - organisation % 11) % 11) != digits[16]:  # 10 would be X, not a digit
        return False
    return unified_credit_code_is_valid(digits)


def _preview(value: str) -> str:
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def _classify(digits: str, ignore: frozenset[PiiKind], *, in_fours: bool) -> PiiKind | None:
    """Kind of a separator-free candidate, or None when it is no identifier.

    ``in_fours`` says the value was written in groups of four, as only card
    numbers are; such a value is not excused for looking like an ID number
    or a credit code.
    """
    length = len(digits)
    if length == 18 and PiiKind.ID_NUMBER not in ignore and id_number_is_valid(digits):
        return PiiKind.ID_NUMBER
    if not digits.isdigit():
        return None  # a trailing X is only legal in an ID number
    if length in (11, 13, 15):
        is_mobile = _MOBILE.fullmatch(digits, length - 11) is not None and (
            length == 11 or digits.startswith("86" if length == 13 else "0086")
        )
        return PiiKind.MOBILE if is_mobile and PiiKind.MOBILE not in ignore else None
    if (
        16 <= length
        and digits[0] in "3456"
        and PiiKind.BANK_CARD not in ignore
        and (in_fours or length != 18 or not (_has_id_layout(digits) or _is_credit_code(digits)))
        and luhn_is_valid(digits)
    ):
        return PiiKind.BANK_CARD
    return None


def find_pii(text: str, *, ignore: frozenset[PiiKind] = frozenset()) -> list[PiiHit]:
    """Find clear personal identifiers in one cell, left to right.

    Returns one :class:`PiiHit` per ID number, mobile number or bank card
    number written in clear (see the module docstring for the exact rules);
    masked values, numbers inside longer digit/letter tokens and unified
    social credit codes give no hit. Kinds listed in ``ignore`` are never
    reported, which lets a publisher declare a field exempt from a kind (for
    example a column of Luhn-valid order numbers that are not cards).

    Cells shorter than 11 characters, or without 11 adjacent digits or a
    3-4-4 or 6-8 digit grouping, return after one cheap check; that keeps
    typical cells well under a microsecond each.
    """
    if len(text) < _MIN_LENGTH:
        return []
    if not text.isascii() and _FULLWIDTH.search(text) is not None:
        text = text.translate(_TO_ASCII)  # one char to one char: offsets survive
    if _PREFILTER.search(text) is None:
        return []
    hits: list[PiiHit] = []
    for match in _CANDIDATE.finditer(text):
        if match.group("mobile") is not None:
            digits = match.group("mobile").translate(_SEPARATORS)[-11:]
            kind: PiiKind | None = None if PiiKind.MOBILE in ignore else PiiKind.MOBILE
        else:
            digits = match.group().translate(_SEPARATORS)
            kind = _classify(digits, ignore, in_fours=match.group("card") is not None)
            if kind is PiiKind.MOBILE:
                digits = digits[-11:]
            elif match.group("id") is not None and kind is not PiiKind.ID_NUMBER:
                kind = None  # 6-8-4 grouping is only meaningful for ID numbers
        if kind is not None:
            hits.append(PiiHit(kind, match.start(), match.end(), _preview(digits)))
    return hits
