"""Valid applicant identities for the load, generated here (not with the
portal's own checker, which the tests use to cross-check these):

- resident ID numbers (GB 11643-1999): 6-digit address code, birth date,
  3-digit sequence, ISO 7064 MOD 11-2 check character;
- unified social credit codes (GB 32100-2015): registration authority, type,
  6-digit region, 9-character organisation code (GB 11714, with its own MOD 11
  check), weighted MOD 31 check character;
- mainland mobile numbers.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

# Real county-level address codes (Beijing Chaoyang, Shanghai Xuhui,
# Shenzhen Futian, Guiyang Nanming and Yunyan, Chengdu Wuhou).
ADDRESS_CODES = ("110105", "310104", "440304", "520102", "520103", "510107")
ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 ...
ID_CHECK = "10X98765432"  # indexed by (weighted sum mod 11)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 ...
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(body: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    if len(body) != 17 or not body.isdigit():
        raise ValueError(f"an ID number body is 17 digits, not {body!r}")
    return ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def id_number(rng: random.Random) -> str:
    """A valid 18-character resident ID number (born 1950-2005)."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(56 * 365))
    body = f"{rng.choice(ADDRESS_CODES)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_check_char(body)


def org_code(rng: random.Random) -> str:
    """A GB 11714 organisation code: 8 digits and a MOD 11 check character."""
    body = "".join(str(rng.randrange(10)) for _ in range(8))
    check = 11 - sum(int(d) * w for d, w in zip(body, ORG_WEIGHTS, strict=True)) % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def uscc_check_char(body: str) -> str:
    """The GB 32100 check character of the first 17 characters."""
    if len(body) != 17 or any(c not in USCC_ALPHABET for c in body):
        raise ValueError(f"a credit code body is 17 code characters, not {body!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def credit_code(rng: random.Random) -> str:
    """A valid unified social credit code of an enterprise (9 1 ...)."""
    body = "91" + rng.choice(ADDRESS_CODES) + org_code(rng)
    return body + uscc_check_char(body)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
