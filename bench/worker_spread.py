"""How a gunicorn's workers share the established connections of its port,
read from /proc (Linux): the search HTTP benchmark samples it during a run.

Each worker's count is the number of its socket descriptors whose inode is
an established TCP connection with the port as local port (IPv4 and IPv6).
"""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def _established_inodes(port: int) -> set[str]:
    """Inodes of established TCP connections whose local port is ``port``."""
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # local_address is ADDR:PORT in hex; state 01 is ESTABLISHED.
            if len(fields) > 9 and fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def workers(master: int) -> list[int]:
    """The child processes of ``master`` (gunicorn's workers)."""
    try:
        text = (PROC / str(master) / "task" / str(master) / "children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def spread(master: int, port: int) -> list[int]:
    """Established connections on ``port`` held by each worker of the
    gunicorn whose master is ``master``, most first (empty when /proc does
    not tell)."""
    inodes = _established_inodes(port)
    counts = []
    for pid in workers(master):
        held = 0
        try:
            for fd in (PROC / str(pid) / "fd").iterdir():
                try:
                    target = fd.readlink().name
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    held += 1
        except OSError:
            continue
        counts.append(held)
    return sorted(counts, reverse=True)
