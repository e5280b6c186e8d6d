"""The load of the rows benchmarks (bench.rows_bench, bench.keyed_rows_bench):
a gunicorn server of a given source tree, and clients that send a fixed mix
of queries and time each answer by its kind.

Clients (``--client``):

- ``wrk`` (default; Debian's ``wrk``: ``apt-get install wrk``): one wrk
  thread per client, each with one
  connection, so a client has one request in flight like a program waiting
  for its answer. wrk is C and LuaJIT: it takes little of the CPU the server
  needs, and it times each request alone (LuaJIT's ffi reads the monotonic
  clock when the request is written and when its answer has been read),
  which gives percentiles per kind of query.
- ``threads``: the former client, Python threads in this process. They
  share one interpreter lock with the timing code and take CPU from the
  server: their queueing is counted as latency. Kept to compare.

Each run prints the CPU seconds used by the server (gunicorn and its
workers) and by the clients, the server's CPU per request, and the load
average before and after: the machine is shared and the figures move with it.
"""

from __future__ import annotations

import http.client
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

from bench.crash.server import free_port

Query = Callable[[random.Random], tuple[str, dict[str, str]]]
MIX = 20_000  # queries generated for wrk; each client starts at its own place

_LUA = """
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_ts;
           int clock_gettime(int, bench_ts *); ]]
local ts = ffi.new("bench_ts")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local paths = {%(paths)s}
local kinds = {%(kinds)s}
local headers = {%(headers)s}
local threads, counter = {}, 0
setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
local i, started, current = 0, 0, 1
took, kind_of, bad = {}, {}, 0
init = function(args) i = (id * 7919) %% #paths end
request = function()
  i = i %% #paths + 1
  current = i
  started = now_ms()
  return wrk.format("GET", paths[i], headers)
end
response = function(status, hdrs, body)
  took[#took + 1] = now_ms() - started
  kind_of[#kind_of + 1] = kinds[current]
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local out = io.open(%(out)s, "w")
  local errors = 0
  for _, t in ipairs(threads) do
    local ms, ks = t:get("took"), t:get("kind_of")
    errors = errors + t:get("bad")
    for j = 1, #ms do out:write(ks[j], "\\t", string.format("%%.3f", ms[j]), "\\n") end
  end
  out:close()
  io.write(string.format("RESULT %%d %%d %%d\\n", summary.requests, errors,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""


@dataclass
class Measured:
    """What one run measured: milliseconds per kind of query, errors, CPU."""

    label: str
    seconds: float
    results: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of process ``root`` and its children."""
    return processes_cpu(lambda pid, name, parent: root in (pid, parent))


def processes_cpu(chosen: Callable[[int, str, int], bool], *, reaped: bool = False) -> float:
    """CPU seconds (user + system) of the processes for which
    ``chosen(pid, name, parent pid)`` is true; with ``reaped``, also that
    of their children that ended and were waited for (e.g. PostgreSQL's
    backends of closed connections, counted in the postmaster's)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, stat = (entry / "stat").read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, IndexError, ValueError):
            continue
        fields = stat.split()
        if chosen(int(entry.name), name, int(fields[1])):  # fields[1]: the parent
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            if reaped:
                total += (int(fields[13]) + int(fields[14])) / tick  # cutime, cstime
    return total


class Server:
    """gunicorn (2 workers × 8 threads, gthread) running ``tree``'s service."""

    def __init__(self, tree: Path, env: dict[str, str], cwd: Path, probe: str,
                 headers: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.probe, self.headers = probe, headers or {}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "8",
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "search_api:create_app()"],
            env={**env, "PYTHONPATH": str(tree)}, cwd=cwd)

    def wait_ready(self) -> None:
        """Until ``probe`` answers 200 on both workers' socket (30 s).

        Raises:
            RuntimeError: it never did.
        """
        for _ in range(150):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", self.probe, headers=self.headers)
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server on port {self.port} never answered {self.probe}")

    def cpu(self) -> float:
        return _tree_cpu(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Target(Protocol):
    """What a run needs of a server: its port on 127.0.0.1 and its CPU seconds."""

    port: int

    def cpu(self) -> float: ...


def run(server: Target, label: str, path: str, query: Query, *, seconds: float, clients: int,
        client: str, headers: dict[str, str] | None = None) -> Measured:
    """``clients`` clients sending ``query``'s mix to ``path`` for ``seconds``."""
    measured = Measured(label, seconds, load_before=os.getloadavg())
    cpu = server.cpu()
    if client == "wrk":
        _wrk(server.port, path, query, seconds, clients, headers or {}, measured)
    else:
        started = time.process_time()
        _threads(server.port, path, query, seconds, clients, headers or {}, measured)
        measured.client_cpu = time.process_time() - started
    measured.server_cpu = server.cpu() - cpu
    measured.load_after = os.getloadavg()
    return measured


def _lua_list(values: list[str]) -> str:
    return ", ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)


def _wrk(port: int, path: str, query: Query, seconds: float, clients: int,
         headers: dict[str, str], measured: Measured) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk, or use --client threads")
    rng = random.Random(15)
    mix = [query(rng) for _ in range(MIX)]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        out = tmp / "samples.tsv"
        script = _LUA % {
            "paths": _lua_list([f"{path}?{urlencode(params)}" for _, params in mix]),
            "kinds": _lua_list([kind for kind, _ in mix]),
            "headers": ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items()),
            "out": f'"{out}"'}
        (tmp / "mix.lua").write_text(script, encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        answer = subprocess.run(
            ["wrk", "-t", str(clients), "-c", str(clients), "-d", f"{seconds:.0f}s",
             "--timeout", "10s", "-s", str(tmp / "mix.lua"), f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=seconds + 120, check=True).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        measured.client_cpu = (after.ru_utime - before.ru_utime
                               + after.ru_stime - before.ru_stime)
        for line in out.read_text(encoding="utf-8").splitlines():
            kind, ms = line.split("\t")
            measured.results.setdefault(kind, []).append(float(ms))
    result = next((line.split() for line in answer.splitlines()
                   if line.startswith("RESULT")), None)
    if result is None:
        raise RuntimeError(f"could not read wrk's output:\n{answer}")
    measured.errors += [f"{result[2]} HTTP errors"] * (int(result[2]) > 0)
    measured.errors += [f"{result[3]} socket errors"] * (int(result[3]) > 0)


def _threads(port: int, path: str, query: Query, seconds: float, clients: int,
             headers: dict[str, str], measured: Measured) -> None:
    until = time.perf_counter() + seconds

    def one(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < until:
            kind, params = query(rng)
            started = time.perf_counter()
            try:
                conn.request("GET", f"{path}?{urlencode(params)}", headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    measured.errors.append(f"{kind}: HTTP {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                measured.errors.append(f"{kind}: {exc}")
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            measured.results.setdefault(kind, []).append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=one, args=(seed,)) for seed in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def report(m: Measured, clients: int, client: str) -> None:
    """Requests per second, p50/p95/p99 per kind, CPU of server and clients, load."""
    everything = [v for values in m.results.values() for v in values]
    n = max(1, len(everything))
    print(f"[{m.label}] {clients} clients ({client}), {m.seconds:.0f} s, {len(everything)} "
          f"requests ({len(everything) / m.seconds:.0f}/s), errors: {m.errors[:3] or 'none'}")
    for kind, values in sorted(m.results.items()) + [("all", everything)]:
        if values:
            print(f"  {kind:12} n={len(values):6}  p50 {percentile(values, 50):6.1f} ms  "
                  f"p95 {percentile(values, 95):6.1f} ms  p99 {percentile(values, 99):6.1f} ms")
    print(f"  CPU: server {m.server_cpu:.1f} s ({1000 * m.server_cpu / n:.2f} ms/request), "
          f"clients {m.client_cpu:.1f} s; load average "
          f"{' '.join(f'{x:.2f}' for x in m.load_before)} → "
          f"{' '.join(f'{x:.2f}' for x in m.load_after)}", flush=True)
