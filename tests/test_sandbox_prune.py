"""Sandbox copies of conditional data do not linger: a copy no query used
for a day is deleted when the next copy is built (search_api.sandbox.runner)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from search_api.sandbox.runner import UNUSED_DAYS, _mark_used, prune

DAY = 86400


def _file(folder: Path, name: str, age_s: float) -> Path:
    path = folder / name
    path.write_bytes(b"x")
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))
    return path


def test_copies_unused_for_a_day_are_deleted_the_rest_kept(tmp_path: Path) -> None:
    old = _file(tmp_path, "a" * 32 + ".sqlite3", UNUSED_DAYS * DAY + 60)
    recent = _file(tmp_path, "b" * 32 + ".sqlite3", UNUSED_DAYS * DAY - 600)
    keep = _file(tmp_path, "c" * 32 + ".sqlite3", 10 * DAY)
    stray = _file(tmp_path, ".d.0a0b.partial", 2 * DAY)
    other = _file(tmp_path, "notes.txt", 10 * DAY)  # not a sandbox file: never touched
    assert sorted(prune(tmp_path, keep=keep)) == sorted([old, stray])
    assert not old.exists() and not stray.exists()
    assert recent.exists() and keep.exists() and other.exists()


def test_a_used_copy_is_marked_and_so_survives(tmp_path: Path) -> None:
    used = _file(tmp_path, "e" * 32 + ".sqlite3", 3 * DAY)
    _mark_used(used)
    assert time.time() - used.stat().st_mtime < 60
    assert prune(tmp_path, keep=tmp_path / "new.sqlite3") == []
    # Marked at most hourly: a copy used a minute ago is not rewritten.
    fresh = _file(tmp_path, "f" * 32 + ".sqlite3", 60)
    before = fresh.stat().st_mtime
    _mark_used(fresh)
    assert fresh.stat().st_mtime == before
