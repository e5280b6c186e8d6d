"""The SQLite write gate's ``flock`` waited for by blocking (before issue
#17's time limit) or by non-blocking tries and short sleeps (now), A B A B:
`python -m bench.gate_bench [--seconds 5] [--rounds 2]`.

Two processes × 8 threads write one-row transactions to one SQLite file
through the store's engine (gate included), with and without the fsync of a
durable commit; prints transactions per second, each process's count (is
one starved?) and CPU per transaction, with the load average before and after.
"""

from __future__ import annotations

import argparse
import fcntl
import multiprocessing as mp
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from search_api.store import write_gate
from search_api.store.engine import make_engine

THREADS = 8


def _blocking(self: write_gate.WriteGate, deadline: float, timeout: float) -> None:
    fcntl.flock(self._fd, fcntl.LOCK_EX)  # the gate before its time limit


def _worker(db: str, mode: str, seconds: float, out: Any, durable: bool) -> None:
    if mode == "blocking":
        write_gate.WriteGate._flock = _blocking  # type: ignore[method-assign]
    engine = make_engine(f"sqlite:///{db}", durable=durable)
    count = [0] * THREADS
    stop = time.monotonic() + seconds

    def loop(i: int) -> None:
        while time.monotonic() < stop:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (1)"))
            count[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(THREADS)]
    cpu = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((sum(count), time.process_time() - cpu))


def run(folder: Path, mode: str, seconds: float, durable: bool) -> None:
    db = str(folder / f"{mode}-{time.monotonic_ns()}.sqlite3")
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    queue: Any = mp.Queue()
    processes = [mp.Process(target=_worker, args=(db, mode, seconds, queue, durable))
                 for _ in range(2)]
    for p in processes:
        p.start()
    results = [queue.get() for _ in processes]
    for p in processes:
        p.join()
    counts = sorted(r[0] for r in results)
    cpu = sum(r[1] for r in results)
    print(f"{mode:<9} durable={durable!s:<5} {sum(counts) / seconds:8.0f} tx/s  per process "
          f"{counts}  CPU {1000 * cpu / max(1, sum(counts)):.3f} ms/tx", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    with tempfile.TemporaryDirectory(prefix="gate-bench-") as tmp:
        for durable in (False, True):
            for _ in range(args.rounds):
                for mode in ("blocking", "polling"):
                    run(Path(tmp), mode, args.seconds, durable)
    print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
