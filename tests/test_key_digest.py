"""``builder.build_config.sha``, the digest of every build key: text parts
hashed at once give the digest of the parts hashed one by one (keys kept in
a build state stay valid)."""

from __future__ import annotations

import hashlib

from builder.build_config import sha


def _one_by_one(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def test_text_parts_give_the_digest_of_the_parts_one_by_one() -> None:
    for parts in [(), ("",), ("a", "b"), ("ab",), ("数据", "\0", "x" * 1000), ("a", "", "")]:
        assert sha(*parts) == _one_by_one(*parts)
    assert sha("a", "b") != sha("ab")  # parts cannot run together
    assert sha(b"\xff", "a") == _one_by_one(b"\xff", "a")  # bytes parts too
