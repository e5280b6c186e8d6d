"""Access codes and link tokens are copied by hand: no look-alikes, full strength."""

from __future__ import annotations

import math

from search_api.web.security import SECRET_ALPHABET, new_secret


def test_codes_avoid_look_alike_characters_and_keep_128_bits() -> None:
    codes = {new_secret() for _ in range(500)}
    assert len(codes) == 500
    used = set("".join(codes))
    assert not used & set("0O1Il"), used & set("0O1Il")
    assert used <= set(SECRET_ALPHABET)
    assert all(len(c) == len(next(iter(codes))) for c in codes)
    assert len(next(iter(codes))) * math.log2(len(SECRET_ALPHABET)) >= 128
