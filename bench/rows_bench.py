"""Data API latency (数据接口): rows of the 52,560-row hbj-0001/aqi-hourly
with a filter and a sort, over HTTP against gunicorn, 16 concurrent clients.

    python -m bench.rows_bench [--seconds 20] [--clients 16]

Builds the sample site, loads its tables into a fresh row store, starts
gunicorn (2 workers × 8 threads) on loopback and sends a mix of queries
(station + AQI threshold + sort; time ranges; contains; deep offsets),
printing p50/p95/p99 per mix and the load average before and after.
Target (issue "Speak every client's language"): p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from bench.crash.server import free_port
from builder.build import BuildConfig, build
from search_api.indexing import index_catalog, index_rows

REPO = Path(__file__).resolve().parents[1]
PATH = "/api/v1/datasets/hbj-0001/resources/aqi-hourly/rows"
STATIONS = ["9901A", "9902A", "9903A", "9904A", "9905A", "9906A"]


def queries(rng: random.Random) -> tuple[str, dict[str, str]]:
    kind = rng.choice(["filter+sort", "time range", "contains", "deep page"])
    if kind == "filter+sort":
        return kind, {"station_code": rng.choice(STATIONS), "aqi__gte": str(rng.randint(50, 200)),
                      "sort": rng.choice(["-aqi", "-pm2_5,monitor_time", "monitor_time"]),
                      "limit": "100"}
    if kind == "time range":
        day = date(2026, rng.randint(1, 10), rng.randint(1, 28)).isoformat()
        return kind, {"monitor_time__gte": day, "monitor_time__lte": f"{day}T23:00:00",
                      "sort": "-aqi", "limit": "200"}
    if kind == "contains":
        return kind, {"station_name__contains": rng.choice(["新城", "市", "江北", "河东"]),
                      "quality_level": rng.choice(["良", "轻度污染", "优"]), "limit": "100"}
    return kind, {"sort": "-o3", "offset": str(rng.randint(0, 50_000)), "limit": "100"}


Query = Callable[[random.Random], tuple[str, dict[str, str]]]


def client(port: int, until: float, seed: int, results: dict[str, list[float]],
           errors: list[str], *, path: str = PATH, query: Query | None = None,
           headers: dict[str, str] | None = None) -> None:
    """One client: GET ``path`` with the next ``query`` until ``until``,
    timing each answer per query kind (the keyed benchmark sends a key)."""
    rng = random.Random(seed)
    next_query = query or queries
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.perf_counter() < until:
        kind, params = next_query(rng)
        started = time.perf_counter()
        try:
            conn.request("GET", f"{path}?{urlencode(params)}", headers=headers or {})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{kind}: HTTP {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{kind}: {exc}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        results.setdefault(kind, []).append((time.perf_counter() - started) * 1000)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        site = tmp / "site"
        build(BuildConfig(catalog_dir=REPO / "datasets", out_dir=site, today=date.today(),
                          cache_dir=tmp / "cache"))
        config = {"CATALOG_JSON": str(site / "catalog.json"), "SEARCH_DB": str(tmp / "s.sqlite3"),
                  "LABELS_FILE": str(tmp / "labels.json"), "ROWS_DB": str(tmp / "rows.sqlite3")}
        index_catalog(config)
        loaded = index_rows(config)
        print(f"row store: {loaded.rows} rows in {loaded.loaded} tables, {loaded.seconds} s")
        port = free_port()
        env = {**os.environ, "PORTAL_SECRET_KEY": "bench", "PORTAL_SITE_DIR": "",
               "PORTAL_SEARCH_DB": config["SEARCH_DB"], "PORTAL_ROWS_DB": config["ROWS_DB"],
               "PORTAL_LABELS_FILE": config["LABELS_FILE"],
               "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
               "PORTAL_CATALOG_JSON": config["CATALOG_JSON"], "PYTHONPATH": str(REPO)}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "8",
             "-b", f"127.0.0.1:{port}", "--log-level", "warning", "search_api:create_app()"],
            env=env, cwd=tmp)
        try:
            for _ in range(100):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", PATH + "?limit=1")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            results: dict[str, list[float]] = {}
            errors: list[str] = []
            until = time.perf_counter() + args.seconds
            threads = [threading.Thread(target=client, args=(port, until, seed, results, errors))
                       for seed in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(results, errors, args.seconds, args.clients)


def report(results: dict[str, list[float]], errors: list[str], seconds: float,
           clients: int) -> None:
    """Requests per second and p50/p95/p99 per query mix, then the load."""
    everything = [v for values in results.values() for v in values]
    print(f"{clients} clients, {seconds:.0f} s, {len(everything)} requests "
          f"({len(everything) / seconds:.0f}/s), {len(errors)} errors {errors[:3]}")
    for kind, values in sorted(results.items()) + [("all", everything)]:
        print(f"  {kind:12} n={len(values):5}  p50 {statistics.median(values):6.1f} ms  "
              f"p95 {percentile(values, 95):6.1f} ms  p99 {percentile(values, 99):6.1f} ms")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
