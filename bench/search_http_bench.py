"""Search throughput through the real HTTP server, beside Datasette.

`python -m bench.search_http_bench [--sizes 10000 100000] [--seconds 20]`

For each size: index synthetic records (bench.search_bench.make_records),
start the service under gunicorn (2 workers × 4 threads, API only) and
Datasette over the same records, both on loopback, and drive each with wrk
(Debian's `wrk`, installed by `make bench-search`) for a bounded time over
two query mixes:

  repeated   the 62 queries of bench.search_bench.MIX, over and over: what a
             portal sees for its popular queries (the engine's caches of
             answers, facet counts and matches are warm after one round);
  distinct   DISTINCT_QUERIES different queries (subjects × districts ×
             filters × sorts × pages, deterministic), each sent about once,
             so that caches rarely help: the engine's cold cost.

Both servers run side by side and each mix is sent to one then the other,
``--rounds`` times (A B A B), so that a change in the machine's load hits
both. Prints requests/s, latency percentiles and errors. The machine's load
(from /proc/loadavg) before and after is printed with each line: other
processes disturb the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.search_bench import (
    DEPARTMENTS,
    FORMATS,
    MIX,
    REGIONS,
    datasette,
    datasette_db,
    free_port,
    make_records,
)
from search_api.indexing import index_catalog
from search_api.settings import defaults

OUT = Path(__file__).resolve().parent / "out" / "http"
CONNECTIONS = 16
WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%.3f %%.3f %%.3f %%.3f\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


DISTINCT_QUERIES = 6000
Mix = list[tuple[str, dict[str, tuple[str, ...]], str, int]]


def distinct_mix(n: int = DISTINCT_QUERIES, seed: int = 11) -> Mix:
    """``n`` different queries: a subject of the synthetic catalogue, alone or
    with a district or a second subject, with or without a filter, sorted by
    relevance (mostly), date or name; first pages only."""
    rng = random.Random(seed)
    subjects = sorted({s for d in DEPARTMENTS for s in d[3]})
    districts = [name for _, name in REGIONS[1:]]
    seen: set[str] = set()
    mix: Mix = []
    while len(mix) < n:
        q = rng.choice(subjects)
        shape = rng.random()
        if shape < 0.3:
            q = f"{rng.choice(districts)} {q}"
        elif shape < 0.4:
            q = f"{q} {rng.choice(subjects)}"
        filters: dict[str, tuple[str, ...]] = {}
        if rng.random() < 0.3:
            filters = rng.choice([{"department": (rng.choice(DEPARTMENTS)[0],)},
                                  {"format": (rng.choice(FORMATS),)},
                                  {"open_type": ("unconditional",)},
                                  {"region": (rng.choice(REGIONS)[0],)}])
        sort = rng.choices(["relevance", "updated", "name"], [8, 1, 1])[0]
        page = 1  # later pages are in MIX; here a page past the end would be a 400
        key = json.dumps([q, filters, sort, page], ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            mix.append((q, filters, sort, page))
    return mix


def api_paths(mix: Mix = MIX) -> list[str]:
    paths = []
    for q, filters, sort, page in mix:
        params: list[tuple[str, str]] = [("q", q)] if q else []
        for key, values in filters.items():
            params += [(key, v) for v in values]
        params += [("sort", sort), ("page", str(page))]
        paths.append("/api/v1/search?" + urllib.parse.urlencode(params))
    return paths


def datasette_paths(db_name: str, mix: Mix = MIX) -> list[str]:
    return [f"/{db_name}/datasets.json?" + urllib.parse.urlencode({"_search": q, "_size": 20})
            for q, _, _, _ in mix if q]


def load() -> float:
    """The 1-minute load average (/proc/loadavg; -1 where there is none)."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return -1.0


def wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    """Return once ``url`` answers; RuntimeError when ``proc`` exits or
    ``seconds`` pass. A first search at 100,000 datasets on a busy machine can
    take seconds (each worker reads the bitmaps once)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=30).read()
            return
        except (urllib.error.URLError, OSError):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server at {url} did not start") from None
            time.sleep(0.3)


@contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    exe = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(exe), "-w", "2", "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "search_api:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/api/v1/search?q=%E5%85%AC%E4%BA%A4", proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_wrk(base: str, paths: Sequence[str], seconds: int) -> dict[str, float]:
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: run `make bench-search` (installs Debian's wrk)")
    lua = WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(lua)
    try:
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s",
             "-s", handle.name, base], capture_output=True, text=True, timeout=seconds + 60,
            check=True).stdout
    finally:
        os.unlink(handle.name)
    match = re.search(r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    if not match:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    requests, errors, micros = int(match[1]), int(match[2]), int(match[3])
    return {"rps": requests / (micros / 1e6), "requests": requests, "errors": errors,
            "p50": float(match[4]), "p95": float(match[5]), "p99": float(match[6]),
            "max": float(match[7])}


def bench_env(n: int, folder: Path) -> dict[str, str]:
    """Index ``n`` synthetic records into ``folder`` (incrementally: a second
    run only compares hashes) and return the environment of a service that
    serves them (API only, its own request database)."""
    folder.mkdir(parents=True, exist_ok=True)
    records = make_records(n)
    catalog_json = folder / "catalog.json"
    catalog_json.write_text(json.dumps({"datasets": records}, ensure_ascii=False), "utf-8")
    config = {**defaults(), "SEARCH_DB": str(folder / "search.sqlite3"),
              "LABELS_FILE": str(folder / "labels.json"), "CATALOG_JSON": str(catalog_json)}
    index_catalog(config)
    return {**{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
            "PORTAL_SEARCH_DB": config["SEARCH_DB"], "PORTAL_LABELS_FILE": config["LABELS_FILE"],
            "PORTAL_SITE_DIR": "", "PORTAL_SECRET_KEY": "bench",
            "PORTAL_DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}"}


def bench(n: int, seconds: int, rounds: int = 2) -> list[tuple[str, dict[str, float]]]:
    """Both servers up side by side; each mix run on the portal then on
    Datasette, ``rounds`` times (A B A B), so that a change in the machine's
    load hits both. Each line carries the load average before and after it."""
    folder = OUT / f"n{n}"
    env = bench_env(n, folder)
    records = make_records(n)
    distinct = distinct_mix()
    db = datasette_db(folder / "datasette.db", records)
    results = []
    with gunicorn(env) as portal, datasette(db) as other:
        runs = [("repeated", api_paths(), datasette_paths(db.stem)),
                ("distinct", api_paths(distinct), datasette_paths(db.stem, distinct))]
        for mix, ours, theirs in runs:
            for _ in range(rounds):
                for name, base, paths in ((f"portal, {mix}", portal, ours),
                                          (f"Datasette FTS, {mix}", other, theirs)):
                    before = load()
                    figures = run_wrk(base, paths, seconds)
                    figures["load_before"], figures["load"] = before, load()
                    results.append((name, figures))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternations portal/Datasette per mix (default 2)")
    args = parser.parse_args(argv)
    print(f"wrk, {CONNECTIONS} connections, {args.seconds} s per server and mix, loopback; "
          f"portal under gunicorn 2 workers × 4 threads; cpus={os.cpu_count()}")
    print(f"{'datasets':>9} {'server, mix':<26} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7} {'load before/after':>18}")
    for n in args.sizes:
        for name, r in bench(n, args.seconds, args.rounds):
            print(f"{n:>9,} {name:<26} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                  f"{r['p99']:>8.1f} {r['errors']:>7.0f} "
                  f"{r['load_before']:>8.2f} / {r['load']:<7.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
