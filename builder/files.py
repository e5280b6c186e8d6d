"""Writing output files so that unchanged bytes keep their modification
time (rsync and CDNs then copy only what changed) and a reader never sees
a half-written file."""

from __future__ import annotations

import os
from pathlib import Path


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file and
    a rename, creating parent folders; leave the file alone when it already
    holds exactly these bytes. Returns whether it wrote."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_file() and path.stat().st_size == len(raw) and path.read_bytes() == raw:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(raw)
    os.replace(tmp, path)
    return True
