"""The personal identifiers the desensitization gate knows, one kind at a
time: mainland resident ID numbers (GB 11643-1999), unified social credit
codes (GB 32100-2015, which identify organisations and so excuse an
18-digit run from being a card), bank card numbers (Luhn) and mobile
numbers; their validity checks and their masked forms. The gate that finds
them in free text is :mod:`domain.catalogue.desensitize`."""

from __future__ import annotations

import re

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

MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_SEPARATORS = str.maketrans("", "", " -+")  # what mask_mobile drops


def _birth_date_is_valid(yyyymmdd: str) -> bool:
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and day >= 1):
        return False
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= _DAYS_IN_MONTH[month - 1] + leap


def has_id_layout(value: str) -> bool:
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
    if not (body.isascii() and body.isdigit()) or not has_id_layout(body):
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
    if not MOBILE_RE.fullmatch(digits):
        raise ValueError("not a mainland mobile number: expected 11 digits starting 13-19")
    return digits[:3] + "****" + digits[7:]


def is_credit_code(digits: str) -> bool:
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
