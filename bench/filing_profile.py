"""The serial cost of one filing (issue #17):
`python -m bench.filing_profile [--db sqlite|postgresql|both] [-n 300] [--profile]`.

Files ``-n`` requests one after another through ``POST /api/v1/requests``
with the Flask test client (no HTTP, no gunicorn), on a fresh SQLite file
or PostgreSQL schema, with the deployment's shared state in the store
(server-side rate-limit counters, as in production without Redis) and the
rate limit raised for the run. Prints, per database, the wall time and the
process CPU time per filing (mean and p50/p99 wall; on PostgreSQL also the
CPU time of the machine's ``postgres`` processes) and the number of
commits (durable ones, which wait for the disk, and volatile ones); on a
busy machine the CPU time is the steadier figure. With ``--profile`` prints
cProfile's top functions as well (``--sort cumulative`` or ``tottime``), in
this process's CPU time (time spent waiting for the database or the disk
is not counted).
The machine's load average is printed before and after.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.crash import client as crash_client
from bench.crash.run import build_site, drop_schema, fresh_database, service_env
from bench.load import postgres_cpu
from search_api.store import new_key

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _app(url: str, paths: dict[str, Path], folder: Path) -> Any:
    env = service_env(url, secrets.token_hex(32), new_key(), paths, folder)
    for key in [k for k in os.environ if k.startswith("PORTAL_")]:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if k.startswith("PORTAL_")})
    from search_api import create_app

    return create_app()


def _bodies(app: Any, n: int) -> list[dict[str, Any]]:
    client = app.test_client()
    hits = client.get("/api/v1/search?open_type=conditional&per_page=100").get_json()["hits"]
    ids = []
    for hit in hits:
        record = client.get(f"/api/v1/datasets/{hit['id']}").get_json() or {}
        if "download" in ((record.get("dataset") or {}).get("provision") or []):
            ids.append(hit["id"])
    rng = random.Random(17)
    return [crash_client.application(rng, ids[i % len(ids)], crash_client.new_marker())
            for i in range(n)]


def measure(kind: str, n: int, profile: bool, paths: dict[str, Path], folder: Path,
            sort: str = "cumulative") -> None:
    """File ``n`` requests serially on ``kind`` and print the costs."""
    url, schema = fresh_database(kind, folder, PG_URL)
    try:
        app = _app(url, paths, folder)
        store = app.extensions["portal_store"]
        commits = [0, 0]  # durable, volatile (rate counters, PostgreSQL's receipt number)
        engines = [store.engine, getattr(store, "_volatile", None)]
        for i, engine in enumerate(engines):
            if engine is not None:
                event.listen(engine, "commit",
                             lambda conn, i=i: commits.__setitem__(i, commits[i] + 1))
        bodies = _bodies(app, n + 20)
        client = app.test_client()
        for body in bodies[:20]:  # warm-up: imports, caches, pool
            assert client.post("/api/v1/requests", json=body).status_code == 201
        commits[:] = [0, 0]
        walls: list[float] = []
        profiler = cProfile.Profile(time.process_time) if profile else None
        cpu0 = time.process_time()
        server0 = postgres_cpu() if schema else 0.0
        start = time.perf_counter()
        for body in bodies[20:]:
            t = time.perf_counter()
            if profiler:
                profiler.enable()
            reply = client.post("/api/v1/requests", json=body)
            if profiler:
                profiler.disable()
            walls.append(time.perf_counter() - t)
            if reply.status_code != 201:
                raise SystemExit(f"filing failed: {reply.status_code} {reply.get_data(True)}")
        total = time.perf_counter() - start
        cpu = time.process_time() - cpu0
        server = (postgres_cpu() - server0) if schema else 0.0
        walls.sort()
        print(f"{kind:<11} {n} filings: wall {1000 * total / n:.2f} ms/filing "
              f"(p50 {1000 * statistics.median(walls):.2f}, "
              f"p99 {1000 * walls[int(0.99 * (n - 1))]:.2f}), "
              f"CPU {1000 * cpu / n:.2f} ms/filing"
              + (f" + PostgreSQL {1000 * server / n:.2f}" if schema else "")
              + f", commits/filing: {commits[0] / n:.2f} "
              f"durable + {commits[1] / n:.2f} volatile",
              flush=True)
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(45)
            print(out.getvalue())
        store.close()
    finally:
        if schema:
            drop_schema(PG_URL, schema)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime")
    args = parser.parse_args(argv)
    print(f"load average before: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="filing-profile-") as tmp:
        folder = Path(tmp)
        paths = build_site(folder / "site")
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            measure(kind, args.n, args.profile, paths, folder, args.sort)
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
