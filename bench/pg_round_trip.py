"""What one PostgreSQL round trip costs under gunicorn as deployed (issue #17):
`python -m bench.pg_round_trip [--pg-url URL] [--trips 10] [--seconds 12] [--rounds 3]`.

A filing makes about nine round trips to PostgreSQL (BEGIN, statements,
COMMIT of two transactions) and a status read one. A ``SELECT 1`` loop in
one thread says a round trip costs ≈ 15 µs of client and ≈ 15 µs of
server CPU; under gunicorn's 2 workers × 8 threads with 16 requests in
flight it costs more (GIL hand-overs, wake-ups on both sides, more server
processes). This bench measures that directly: gunicorn (gthread, no
access log) serves a WSGI app that makes ``--trips`` ``SELECT 1`` round
trips per request on a connection of its thread, and the same app with
none, alternately (A B A B, ``--rounds`` pairs), under wrk. Prints, per
run, requests/s and the CPU milliseconds per request of the workers and of
the machine's ``postgres`` processes; per pair, the difference divided by
``--trips``: the CPU microseconds one round trip costs the worker and the
server. The machine's load average is printed before and after.

Raises SystemExit when wrk is missing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from bench.crash.server import free_port
from bench.rows_load import _tree_cpu as tree_cpu
from bench.rows_load import processes_cpu

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
_local = threading.local()


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The served app: ``PORTAL_BENCH_TRIPS`` round trips on this thread's
    connection (autocommit: no BEGIN or COMMIT), then ``ok``."""
    import psycopg2

    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = psycopg2.connect(os.environ["PORTAL_BENCH_PG_URL"])
        conn.autocommit = True
    cursor = conn.cursor()
    try:
        for _ in range(int(os.environ.get("PORTAL_BENCH_TRIPS", "0"))):
            cursor.execute("SELECT 1")
            cursor.fetchall()
    finally:
        cursor.close()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def postgres_cpu() -> float:
    """CPU seconds so far of this machine's ``postgres`` processes (with
    their reaped children)."""
    return processes_cpu(lambda pid, name, parent: name == "postgres", reaped=True)


def run(trips: int, seconds: int, pg_url: str) -> tuple[float, float, float]:
    """One run: (requests/s, worker CPU ms per request, server CPU ms per request)."""
    port = free_port()
    env = dict(os.environ, PORTAL_BENCH_TRIPS=str(trips), PORTAL_BENCH_PG_URL=pg_url)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen([gunicorn, "-w", "2", "--threads", "8", "-k", "gthread",
                             "-b", f"127.0.0.1:{port}", "bench.pg_round_trip:app"],
                            cwd=Path(__file__).resolve().parent.parent, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while True:  # until gunicorn answers
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer")
            time.sleep(0.1)
        subprocess.run(["wrk", "-t2", "-c16", "-d2s", url], capture_output=True, check=True)
        worker, server = tree_cpu(proc.pid), postgres_cpu()
        out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", url], capture_output=True,
                             text=True, check=True).stdout
        worker, server = tree_cpu(proc.pid) - worker, postgres_cpu() - server
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
    match = re.search(r"(\d+) requests in ([\d.]+)s", out)
    if not match or "Non-2xx" in out:
        raise RuntimeError(f"wrk's run failed:\n{out}")
    n = int(match.group(1))
    return n / float(match.group(2)), 1000 * worker / n, 1000 * server / n


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--trips", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: `make bench-load` installs Debian's wrk")
    print(f"gunicorn 2 workers × 8 threads, wrk 16 connections, {args.seconds} s per run; "
          f"load average before: {load_average()}", flush=True)
    worker_us, server_us = [], []
    for number in range(1, args.rounds + 1):
        results = {}
        for trips in (0, args.trips):
            rate, worker, server = run(trips, args.seconds, args.pg_url)
            results[trips] = (worker, server)
            print(f"#{number} {trips:>3} round trips/request: {rate:8.0f} req/s, CPU per request "
                  f"worker {worker:.3f} ms, PostgreSQL {server:.3f} ms (load {load_average()})",
                  flush=True)
        worker_us.append(1000 * (results[args.trips][0] - results[0][0]) / args.trips)
        server_us.append(1000 * (results[args.trips][1] - results[0][1]) / args.trips)
        print(f"#{number} one round trip: worker {worker_us[-1]:.1f} µs, "
              f"PostgreSQL {server_us[-1]:.1f} µs", flush=True)
    print(f"median of {args.rounds} pairs: one round trip costs {statistics.median(worker_us):.1f} "
          f"µs of worker CPU and {statistics.median(server_us):.1f} µs of PostgreSQL CPU")
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
