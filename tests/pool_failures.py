"""What the build's tests share: the files of a built site; and, for the
tests of its pools of processes, the ways a worker fails (killed, or raising)."""

from __future__ import annotations

import os
from pathlib import Path


def site_tree(site: Path) -> dict[str, bytes]:
    """Every file of a built site, by path, with its bytes."""
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def worker_dies(*args: object) -> object:
    """A pool worker killed mid-task (its process ends at once)."""
    os._exit(3)


def worker_raises(*args: object) -> object:
    """A pool worker whose task raises."""
    raise RuntimeError("worker trouble")
