"""Search throughput through the real HTTP server, beside Datasette.

`python -m bench.search_http_bench [--sizes 10000 100000] [--seconds 20]`

For each size: index synthetic records (bench.search_bench.make_records),
start the service under gunicorn (2 workers × 4 threads, API only) and
Datasette over the same records, both on loopback, and drive each with wrk
(Debian's `wrk`, installed by `make bench-search`) for a bounded time over
the same query mix. Prints requests/s, latency percentiles and errors.
"""

from __future__ import annotations

import argparse
import json
import os
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

from bench.search_bench import MIX, datasette, datasette_db, free_port, make_records
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


def api_paths() -> list[str]:
    paths = []
    for q, filters, sort, page in MIX:
        params: list[tuple[str, str]] = [("q", q)] if q else []
        for key, values in filters.items():
            params += [(key, v) for v in values]
        params += [("sort", sort), ("page", str(page))]
        paths.append("/api/v1/search?" + urllib.parse.urlencode(params))
    return paths


def datasette_paths(db_name: str) -> list[str]:
    return [f"/{db_name}/datasets.json?" + urllib.parse.urlencode({"_search": q, "_size": 20})
            for q, _, _, _ in MIX if q]


def wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError):
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
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def bench(n: int, seconds: int) -> list[tuple[str, dict[str, float]]]:
    folder = OUT / f"n{n}"
    folder.mkdir(parents=True, exist_ok=True)
    records = make_records(n)
    catalog_json = folder / "catalog.json"
    catalog_json.write_text(json.dumps({"datasets": records}, ensure_ascii=False), "utf-8")
    config = {**defaults(), "SEARCH_DB": str(folder / "search.sqlite3"),
              "LABELS_FILE": str(folder / "labels.json"), "CATALOG_JSON": str(catalog_json)}
    index_catalog(config)
    env = {"PORTAL_SEARCH_DB": config["SEARCH_DB"], "PORTAL_LABELS_FILE": config["LABELS_FILE"],
           "PORTAL_SITE_DIR": "", "PORTAL_SECRET_KEY": "bench"}
    results = []
    with gunicorn(env) as base:
        results.append(("portal API (gunicorn 2×4)", run_wrk(base, api_paths(), seconds)))
    db = datasette_db(folder / "datasette.db", records)
    with datasette(db) as base:
        results.append(("Datasette FTS", run_wrk(base, datasette_paths(db.stem), seconds)))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args(argv)
    print(f"wrk, {CONNECTIONS} connections, {args.seconds} s per server, loopback")
    print(f"{'datasets':>9} {'server':<28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7}")
    for n in args.sizes:
        for name, r in bench(n, args.seconds):
            print(f"{n:>9,} {name:<28} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                  f"{r['p99']:>8.1f} {r['errors']:>7.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
