"""Search throughput through the real HTTP server, beside Datasette.

`python -m bench.search_http_bench [--sizes 10000 100000] [--seconds 20]`

For each size: index synthetic records (bench.search_bench.make_records),
start the service under gunicorn as production runs it (the workers and
threads of deploy/systemd/portal.service, with ``-c
python:search_api.gunicorn_conf``: its access log, written to /dev/null
here; ``--shapes 2x4 2x8`` try others, side by side) and Datasette over the same
records, both on loopback, and drive each with wrk (Debian's `wrk`,
installed by `make bench-search`) for a bounded time over two query mixes:

  repeated   the 62 queries of bench.search_bench.MIX, over and over: what a
             portal sees for its popular queries (the engine's caches of
             answers, facet counts and matches are warm after one round);
  distinct   different queries (subjects × districts × filters × sorts,
             deterministic), DISTINCT_PER_SECOND of them per second of a
             run: each sent once in a run (the "repeat" column says how
             many requests were not, when a server outran them), each
             round with queries of its own, so that only the engine's
             per-word caches help: the cost of a query not seen before;
  trivial    (``--trivial``, the portal only) /api/v1/datasets/<id> of
             different records: one record read, what a request costs
             outside the engine (gunicorn, Flask, JSON, the access log).

Both servers run side by side and each mix is sent to one then the other,
``--rounds`` times (A B A B), so that a change in the machine's load hits
both. ``--compare TREE`` adds the service of another source tree (a
checkout of an earlier commit, e.g. ``git archive HEAD~3 | tar -x -C
/tmp/old``) over the same index, in the same alternation. Each server gets
a few seconds of the repeated mix first (every worker has read the index
before the figures start). Prints requests/s, latency percentiles, errors
and the portal's server CPU per request (gunicorn and its workers, from
/proc: what the answers cost, which the machine's load disturbs less than
latency) and how the portal's workers shared wrk's connections halfway
through the run ("spread", most first: 16/0 is one worker holding all;
bench.worker_spread). The machine's load (from /proc/loadavg) before and
after is printed with each line: other processes disturb the figures.
``--mixes distinct`` runs only that mix.
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
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.rows_load import _tree_cpu as tree_cpu
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
from bench.worker_spread import spread
from search_api.indexing import index_catalog
from search_api.settings import defaults

OUT = Path(__file__).resolve().parent / "out" / "http"
CONNECTIONS = 16
WRK_THREADS = 2
# Each wrk thread runs the script in a Lua state of its own: ``setup`` gives
# thread k the offset k, and each thread walks every WRK_THREADS-th path from
# there, so that the threads send different paths (with a shared start both
# sent the same sequence, each query twice, at nearly the same moment).
WRK_SCRIPT = """
local paths = {%s}
local started = 0
setup = function(thread)
  thread:set("offset", started)
  started = started + 1
end
local i = 0
request = function()
  local path = paths[((offset + i * %d) %% #paths) + 1]
  i = i + 1
  return wrk.format("GET", path)
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
# Distinct queries made for each run of the distinct mix, per second of it:
# more than a server answers, so that no run sends a query twice, and each
# round gets queries of its own (a later round replaying an earlier one's
# would find them in the servers' caches).
DISTINCT_PER_SECOND = 1500
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


def round_slices(mix: Mix, rounds: int) -> list[Mix]:
    """``mix`` cut into ``rounds`` consecutive, disjoint parts of equal size
    (the remainder is left out): the distinct queries of each round."""
    size = len(mix) // rounds
    return [mix[r * size:(r + 1) * size] for r in range(rounds)]


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


UNIT = Path(__file__).resolve().parent.parent / "deploy" / "systemd" / "portal.service"


def production_workers(unit: Path = UNIT) -> tuple[int, int]:
    """(workers, threads) of gunicorn's command line in the shipped systemd unit."""
    text = unit.read_text(encoding="utf-8")
    workers = re.search(r"ExecStart=.*?(?:--workers|-w)[ =](\d+)", text)
    threads = re.search(r"ExecStart=.*?--threads[ =](\d+)", text)
    if not workers or not threads:
        raise RuntimeError(f"{unit}: no --workers and --threads on the ExecStart line")
    return int(workers[1]), int(threads[1])


@dataclass
class Portal:
    """A running gunicorn of the service: its address and process."""

    base: str
    process: subprocess.Popen[bytes]

    def cpu(self) -> float:
        """CPU seconds of gunicorn and its workers so far."""
        return tree_cpu(self.process.pid)

    def spread_later(self, seconds: float) -> tuple[threading.Timer, list[list[int]]]:
        """A started timer that reads, after ``seconds``, the connections
        each worker holds (into the returned list)."""
        port = int(self.base.rsplit(":", 1)[1])
        found: list[list[int]] = []
        timer = threading.Timer(seconds, lambda: found.append(spread(self.process.pid, port)))
        timer.start()
        return timer, found


@contextmanager
def gunicorn(env: dict[str, str], workers: int, threads: int,
             tree: Path | None = None) -> Iterator[Portal]:
    """The service (of ``tree``, default this checkout) under gunicorn with
    production's configuration module, ``workers`` × ``threads``: the
    worker class is the configuration's (no ``-k``), so that a compared tree
    runs its own (gthread where its configuration names none)."""
    port = free_port()
    if tree is not None:
        env = {**env, "PYTHONPATH": str(tree)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:search_api.gunicorn_conf",
         "-w", str(workers), "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "search_api:create_app()"],
        env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/api/v1/search?q=%E5%85%AC%E4%BA%A4", proc)
        yield Portal(base, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_wrk(base: str, paths: Sequence[str], seconds: int) -> dict[str, float]:
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: run `make bench-search` (installs Debian's wrk)")
    lua = WRK_SCRIPT % (", ".join(json.dumps(p) for p in paths), WRK_THREADS)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(lua)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(WRK_THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s",
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
            "max": float(match[7]),
            # requests that repeated a path of this run (the run outlasted its paths)
            "repeats": max(0, requests - len(paths)) / max(requests, 1)}


def trivial_paths(folder: Path, n: int = 50_000) -> list[str]:
    """The metadata paths of the first ``n`` records indexed into ``folder``
    (by ``bench_env``): one record read per request."""
    records = json.loads((folder / "catalog.json").read_text("utf-8"))["datasets"][:n]
    return [f"/api/v1/datasets/{urllib.parse.quote(str(r['id']))}" for r in records]


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


WARM_SECONDS = 3


@dataclass
class Options:
    """How ``bench`` runs: seconds per run, alternations, gunicorn's shape,
    another tree to compare, Datasette beside or not, the trivial mix or not."""

    seconds: int = 20
    rounds: int = 2
    shapes: tuple[tuple[int, int], ...] = ((2, 4),)  # (workers, threads) of each portal
    compare: Path | None = None
    datasette: bool = True
    trivial: bool = False
    mixes: tuple[str, ...] = ("repeated", "distinct")


def bench(n: int, options: Options) -> list[tuple[str, dict[str, Any]]]:
    """The servers up side by side; each mix run on each in turn, ``rounds``
    times (A B A B), so that a change in the machine's load hits all. Each
    line carries the load average before and after it."""
    folder = OUT / f"n{n}"
    env = bench_env(n, folder)
    rounds = round_slices(distinct_mix(options.seconds * DISTINCT_PER_SECOND * options.rounds),
                          options.rounds)
    with ExitStack() as stack:
        servers: list[tuple[str, str, Portal | None, list[str], list[list[str]]]] = []
        trees = [("portal", None)] + ([("compared", options.compare)] if options.compare else [])
        for workers, threads in options.shapes:
            for label, tree in trees:
                portal = stack.enter_context(gunicorn(env, workers, threads, tree))
                servers.append((f"{label} {workers}x{threads}", portal.base, portal,
                                api_paths(), [api_paths(part) for part in rounds]))
        if options.datasette:
            db = datasette_db(folder / "datasette.db", make_records(n))
            other = stack.enter_context(datasette(db))
            servers.append(("Datasette FTS", other, None, datasette_paths(db.stem),
                            [datasette_paths(db.stem, part) for part in rounds]))
        for _name, base, _portal, repeated, _distinct in servers:
            run_wrk(base, repeated, WARM_SECONDS)  # every worker has read the index
        results = []
        trivial = trivial_paths(folder) if options.trivial else []
        for mix in options.mixes + (("trivial",) if trivial else ()):
            for number in range(options.rounds):
                for name, base, server, repeated, distinct_paths in servers:
                    # Every server of a round gets the same distinct queries, each round others.
                    paths = {"repeated": repeated, "distinct": distinct_paths[number],
                             "trivial": trivial}[mix]
                    if mix == "trivial" and server is None:
                        continue  # Datasette has no such endpoint
                    before, cpu = load(), server.cpu() if server else 0.0
                    timer, found = (server.spread_later(options.seconds / 2) if server
                                    else (None, []))
                    figures: dict[str, Any] = dict(run_wrk(base, paths, options.seconds))
                    if timer is not None:
                        timer.join()
                    figures["spread"] = "/".join(map(str, found[0])) if found else "-"
                    figures["load_before"], figures["load"] = before, load()
                    figures["cpu_ms"] = ((server.cpu() - cpu) * 1000 / max(figures["requests"], 1)
                                         if server else float("nan"))
                    results.append((f"{name}, {mix}", figures))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternations of the servers per mix (default 2)")
    workers, threads = production_workers()
    parser.add_argument("--shapes", nargs="+", default=[f"{workers}x{threads}"],
                        help=f"gunicorn workers x threads of each portal (default "
                             f"{workers}x{threads}, as {UNIT.name})")
    parser.add_argument("--compare", type=Path, default=None,
                        help="another source tree whose service runs beside, alternately")
    parser.add_argument("--no-datasette", action="store_true", help="leave Datasette out")
    parser.add_argument("--mixes", nargs="+", choices=["repeated", "distinct"],
                        default=["repeated", "distinct"], help="the mixes run (default both)")
    parser.add_argument("--trivial", action="store_true",
                        help="also the trivial mix: /api/v1/datasets/<id>, the cost outside "
                             "the engine")
    args = parser.parse_args(argv)
    shapes = tuple((int(w), int(t)) for w, _, t in (s.partition("x") for s in args.shapes))
    options = Options(args.seconds, args.rounds, shapes, args.compare, not args.no_datasette,
                      args.trivial, tuple(args.mixes))
    print(f"wrk, {CONNECTIONS} connections, {args.seconds} s per server and mix, loopback; "
          f"portal under gunicorn workers x threads {' '.join(args.shapes)} "
          f"(-c python:search_api.gunicorn_conf); cpus={os.cpu_count()}")
    print(f"{'datasets':>9} {'server, mix':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7} {'CPU ms/req':>10} {'repeat':>6} "
          f"{'spread':>7} {'load before/after':>18}")
    for n in args.sizes:
        for name, r in bench(n, options):
            print(f"{n:>9,} {name:<30} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                  f"{r['p99']:>8.1f} {r['errors']:>7.0f} {r['cpu_ms']:>10.2f} "
                  f"{'-' if 'repeated' in name else format(r['repeats'], '.0%'):>6} "
                  f"{r['spread']:>7} {r['load_before']:>8.2f} / {r['load']:<7.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
