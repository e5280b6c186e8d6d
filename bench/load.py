"""Sustained load from a second process on loopback (issue #6):
`python -m bench.load [--seconds 60] [--pg-url URL]` (`make bench-load`).

Three runs of ``--seconds`` each, every one against the real service under
gunicorn (``--workers`` × ``--threads``, gthread) on 127.0.0.1, driven by wrk
(Debian's ``wrk``) at a fixed target rate (each connection waits between
requests, wrk's ``delay()``, less when its thread is behind the rate):

  search     GET /api/v1/search over bench.search_http_bench's distinct query
             mix (each query sent about once: caches rarely help) on
             ``--search-size`` synthetic datasets, at ``--search-rate``;
  requests   POST /api/v1/requests (a conditional-open request filed with a
             valid identity) and GET /api/v1/requests/<number> with the
             access code the filing returned, alternately, at
             ``--request-rate`` over ``--request-connections``; on SQLite, and on PostgreSQL when
             ``--pg-url`` is given (a fresh schema, dropped afterwards). With
             ``--clients N`` the requests come from N client addresses, as
             through the deployment's nginx (``X-Forwarded-For`` with
             ``PORTAL_TRUSTED_PROXIES=1``, deploy/portal.env.example): each
             client's rate-limit row is then locked by its own requests only,
             not by every filing (one address, the default, serialises them
             on that row; on PostgreSQL that row was most of the waiting).

The default rates are the targets: search faster than Datasette's 133 req/s
measured on the same machine (issue #3), requests well above what a city
portal receives. Rate limits are raised for the run (all load comes from one
address). Prints achieved throughput, p50/p99 latency and the error rate per
run, with the machine's 1-minute load average before → after it (other
processes disturb the figures);
exits 1 when any run had errors or missed its rate by more than 10 %.
``--rate 0`` style: pass ``--search-rate 0 --request-rate 0`` for as fast as
possible (capacity, not a target). ``--rounds N`` runs the request runs N
times, the databases alternately, and prints each database's lowest, median
and highest filings/s: whether a rate holds, not what one run gave.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.crash import client as crash_client
from bench.crash.run import (
    build_site,
    conditional_datasets,
    drop_schema,
    fresh_database,
    service_env,
)
from bench.crash.server import Service, free_port
from bench.rows_load import _tree_cpu as tree_cpu
from bench.rows_load import processes_cpu
from bench.search_http_bench import api_paths, distinct_mix, load
from bench.search_http_bench import bench_env as search_env
from search_api.store import new_key

OUT = Path(__file__).resolve().parent / "out" / "load"
APPLICATIONS = 4000  # distinct request bodies cycled by the writers

_REPORT = """
threads = {}
function setup(thread)
  table.insert(threads, thread)
end
done = function(summary, latency, requests)
  local posts, gets, created = 0, 0, 0
  for _, t in ipairs(threads) do
    posts = posts + (t:get("posts") or 0)
    gets = gets + (t:get("gets") or 0)
    created = created + (t:get("created") or 0)
  end
  io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f %d %d %d %d\\n",
    summary.requests, summary.errors.status, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, posts, gets, created))
end
"""
_PACE = """
local rate_per_thread = %(rate)f / 2
local base_pause = %(pause)f
local start, sent = nil, 0
-- Each connection waits base_pause ms between requests; the wait shrinks when
-- the thread is behind its share of the target rate (answers take time too)
-- and grows when ahead (os.time() counts whole seconds: half a second is
-- assumed to have passed in the current one).
delay = function()
  if rate_per_thread <= 0 then return 0 end
  local now = os.time()
  if not start then start = now end
  sent = sent + 1
  local behind = rate_per_thread * (now - start + 0.5) - sent
  local factor = 1 - behind / rate_per_thread
  if factor < 0.05 then factor = 0.05 elseif factor > 3 then factor = 3 end
  return base_pause * factor
end
"""
_SEARCH = """
local paths = {%(paths)s}
local i = math.random(#paths)
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""
_REQUESTS = """
local bodies = {%(bodies)s}
local clients = %(clients)d
local i = math.random(#bodies)
local known = {}
posts, gets, created = 0, 0, 0
-- With several clients, the address nginx would pass on (trusted by the service).
local function from(headers)
  if clients > 1 then
    local n = math.random(clients)
    headers["X-Forwarded-For"] = string.format("10.%%d.%%d.%%d", math.floor(n / 65536) %% 256,
                                               math.floor(n / 256) %% 256, n %% 256)
  end
  return headers
end
request = function()
  i = i + 1
  if i %% 2 == 0 and #known > 0 then
    local pick = known[math.random(#known)]
    gets = gets + 1
    return wrk.format("GET", "/api/v1/requests/" .. pick[1], from({["X-Access-Code"] = pick[2]}))
  end
  posts = posts + 1
  return wrk.format("POST", "/api/v1/requests", from({["Content-Type"] = "application/json"}),
                    bodies[(i %% #bodies) + 1])
end
response = function(status, headers, body)
  if status == 201 then
    local number = string.match(body, '"number"%%s*:%%s*"([^"]+)"')
    local code = string.match(body, '"access_code"%%s*:%%s*"([^"]+)"')
    if number and code then
      created = created + 1
      if #known < 5000 then table.insert(known, {number, code}) end
    end
  end
end
"""


@dataclass
class Run:
    """What wrk measured in one run."""

    name: str
    target: float
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    status_errors: int
    socket_errors: int
    posts: int = 0
    gets: int = 0
    created: int = 0
    load: float = 0.0  # 1-minute load average when wrk finished
    load_before: float = 0.0  # ... and when it started
    server_cpu: float = 0.0  # CPU seconds of gunicorn and its workers during the run
    db_cpu: float = 0.0  # ... and of the local PostgreSQL's processes (0 on SQLite)

    @property
    def cpu_ms(self) -> float:
        """The server's CPU milliseconds per request (steadier than the
        rates on a busy machine)."""
        return 1000 * self.server_cpu / max(1, self.requests)

    @property
    def db_cpu_ms(self) -> float:
        """The local PostgreSQL's CPU milliseconds per request (its backends,
        WAL writer...: the other half of a filing's cost, issue #17)."""
        return 1000 * self.db_cpu / max(1, self.requests)

    @property
    def filings_per_s(self) -> float:
        """Filings acknowledged per second (half the requests of a request run)."""
        return self.created / self.seconds if self.seconds else 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_rate(self) -> float:
        return (self.status_errors + self.socket_errors) / max(1, self.requests)

    @property
    def ok(self) -> bool:
        on_target = not self.target or self.rate >= 0.9 * self.target
        return self.status_errors == 0 and self.socket_errors == 0 and on_target


def lua_strings(values: Sequence[str]) -> str:
    """A Lua list of string literals: JSON strings without \\u escapes (raw UTF-8)
    are valid Lua."""
    return ", ".join(json.dumps(v, ensure_ascii=False) for v in values)


def run_wrk(name: str, base: str, script: str, seconds: int, connections: int,
            target: float, server: Service | None = None) -> Run:
    """Drive ``base`` with wrk and ``script`` (Lua); ``target`` req/s (0: as fast as
    possible); the CPU time of ``server`` (gunicorn and its workers) is measured too."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: `make bench-load` installs Debian's wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script + _REPORT)
    before = load()
    cpu, db = server_cpu(server), postgres_cpu()
    try:
        out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
                              "--timeout", "10s", "-s", handle.name, base],
                             capture_output=True, text=True, timeout=seconds + 120,
                             check=True).stdout
    finally:
        Path(handle.name).unlink()
    cpu, db = server_cpu(server) - cpu, postgres_cpu() - db
    match = re.search(r"RESULT " + " ".join([r"(\d+)"] * 3 + [r"([\d.]+)"] * 3 + [r"(\d+)"] * 4),
                      out)
    if not match:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    g = match.groups()
    return Run(name, target, int(g[0]), int(g[2]) / 1e6, float(g[3]), float(g[4]), float(g[5]),
               int(g[1]), int(g[6]), int(g[7]), int(g[8]), int(g[9]), load(), before, cpu, db)


def server_cpu(server: Service | None) -> float:
    """CPU seconds so far of ``server``'s gunicorn master and workers (0 without one)."""
    return tree_cpu(server.pgid) if server is not None and server.proc is not None else 0.0


def postgres_cpu() -> float:
    """CPU seconds so far of this machine's processes named ``postgres`` (a
    local server's backends and helpers; whatever else uses that server
    counts too), with that of the backends that ended (a connection closed
    during a run took its backend's CPU out of the live processes' sums)."""
    return processes_cpu(lambda pid, name, parent: name == "postgres", reaped=True)


def pacing(connections: int, rate: float) -> str:
    """Lua ``delay()`` keeping ``connections`` at ``rate`` req/s in all (wrk
    runs 2 threads): a pause of connections/rate per connection, corrected
    by how far each thread is behind or ahead of its share."""
    pause = connections * 1000.0 / rate if rate > 0 else 0.0
    return _PACE % {"rate": rate, "pause": pause}


def search_run(size: int, seconds: int, rate: float, workers: int, threads: int) -> Run:
    """The search API on ``size`` synthetic datasets."""
    folder = OUT / f"search-{size}"
    env = search_env(size, folder)
    port = free_port()
    service = Service(env, port, folder / "gunicorn.log", workers=workers, threads=threads)
    service.start()
    try:
        service.wait_ready()
        connections = 16
        script = (_SEARCH % {"paths": lua_strings(api_paths(distinct_mix()))}
                  + pacing(connections, rate))
        return run_wrk(f"search, {size:,} datasets", f"http://127.0.0.1:{port}", script,
                       seconds, connections, rate, service)
    finally:
        service.stop()


def applications(datasets: list[list[str]], n: int = APPLICATIONS) -> list[str]:
    """``n`` JSON bodies of complete conditional-open applications."""
    rng = random.Random(6)
    return [json.dumps(crash_client.application(rng, datasets[i % len(datasets)][0],
                                                f"load-{uuid.uuid4().hex}"), ensure_ascii=False)
            for i in range(n)]


def request_run(kind: str, pg_url: str, seconds: int, rate: float, workers: int,
                threads: int, connections: int = 16, clients: int = 1) -> Run:
    """Filing and status on ``kind`` ("sqlite" or "postgresql"), from
    ``clients`` addresses (more than one: through a trusted proxy)."""
    folder = OUT / f"requests-{kind}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = build_site(folder / "site")
    url, schema = fresh_database(kind, folder, pg_url)
    try:
        env = service_env(url, secrets.token_hex(32), new_key(), paths, folder)
        if clients > 1:
            env["PORTAL_TRUSTED_PROXIES"] = "1"
        port = free_port()
        service = Service(env, port, folder / "gunicorn.log", workers=workers, threads=threads)
        service.start()
        try:
            service.wait_ready()
            bodies = applications(conditional_datasets(port))
            script = _REQUESTS % {"bodies": lua_strings(bodies), "clients": clients} \
                + pacing(connections, rate)
            name = f"requests, {kind}" + (f", {clients} clients" if clients > 1 else "")
            return run_wrk(name, f"http://127.0.0.1:{port}", script, seconds,
                           connections, rate, service)
        finally:
            service.stop()
    finally:
        if schema:
            drop_schema(pg_url, schema)


def rate_spread(runs: Sequence[Run]) -> str:
    """Per database, the lowest, median and highest filings/s of the
    request runs and their highest p99 (``--rounds``)."""
    lines = []
    for kind in ("sqlite", "postgresql"):
        mine = [r for r in runs if r.posts and r.name.startswith(f"requests, {kind}")]
        if mine:
            rates = sorted(r.filings_per_s for r in mine)
            lines.append(f"{kind}: {len(mine)} runs, filings/s lowest {rates[0]:.1f}, median "
                         f"{statistics.median(rates):.1f}, highest {rates[-1]:.1f}; "
                         f"highest p99 {max(r.p99_ms for r in mine):.1f} ms")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--search-size", type=int, default=100_000)
    parser.add_argument("--search-rate", type=float, default=150.0,
                        help="target req/s of the search run (0: as fast as possible)")
    parser.add_argument("--request-rate", type=float, default=50.0,
                        help="target req/s of the request runs, half filings (0: as fast "
                             "as possible)")
    parser.add_argument("--pg-url", default="",
                        help="also run the request API on this PostgreSQL database, e.g. "
                             "postgresql://postgres@127.0.0.1:5432/test")
    # 2 × 8: on 2 cores, filings' group commits form larger batches than
    # with 4 × 4 and both cores still run Python (issue #17).
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--request-connections", type=int, default=16,
                        help="wrk connections of the request runs (clients at once; more "
                             "waiting filings make larger group commits)")
    parser.add_argument("--clients", type=int, default=1,
                        help="client addresses of the request runs, through a trusted proxy "
                             "as deployed (1: every request from 127.0.0.1)")
    parser.add_argument("--only", choices=["search", "requests"], default=None)
    parser.add_argument("--rounds", type=int, default=1,
                        help="request runs per database, alternating the databases (A B A B), "
                             "with the spread of filings/s per database at the end: one run "
                             "cannot show a rate held reliably on a machine whose speed swings")
    args = parser.parse_args(argv)
    runs: list[Run] = []
    print(f"wrk from a second process on 127.0.0.1, {args.seconds} s per run; gunicorn "
          f"{args.workers} workers × {args.threads} threads; request runs over "
          f"{args.request_connections} connections; load average before: "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}", flush=True)
    if args.only in (None, "search"):
        runs.append(search_run(args.search_size, args.seconds, args.search_rate, args.workers,
                               args.threads))
    if args.only in (None, "requests"):
        for number in range(1, args.rounds + 1):
            for kind in ("sqlite", "postgresql") if args.pg_url else ("sqlite",):
                run = request_run(kind, args.pg_url, args.seconds, args.request_rate,
                                  args.workers, args.threads, args.request_connections,
                                  args.clients)
                if args.rounds > 1:
                    run.name += f" #{number}"
                runs.append(run)
    print(f"\n{'run':<28} {'target/s':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'errors':>7} {'err %':>6} {'CPU ms/req':>10} {'PG ms/req':>9} "
          f"{'load':>11}  detail")
    for r in runs:
        detail = (f"{r.filings_per_s:.1f} filings/s: {r.posts} filings sent, {r.created} "
                  f"acknowledged; {r.gets} status reads" if r.posts else f"{r.requests} searches")
        print(f"{r.name:<28} {r.target or float('nan'):>8.0f} {r.rate:>8.1f} {r.p50_ms:>8.1f} "
              f"{r.p99_ms:>8.1f} {r.max_ms:>8.1f} {r.status_errors + r.socket_errors:>7} "
              f"{100 * r.error_rate:>6.2f} {r.cpu_ms:>10.2f} "
              f"{r.db_cpu_ms:>9.2f} {r.load_before:>5.2f}→{r.load:<5.2f}  {detail}")
    if args.rounds > 1:
        print(rate_spread(runs))
    print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    failed = [r.name for r in runs if not r.ok]
    if failed:
        print(f"FAILED (errors, or under 90 % of the target rate): {', '.join(failed)}")
        return 1
    print("no errors; every run reached at least 90 % of its target rate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
