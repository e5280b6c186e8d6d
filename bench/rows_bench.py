"""Data API latency (数据接口, issue #15): rows of the 52,560-row
hbj-0001/aqi-hourly with a filter and a sort, over HTTP against gunicorn
(2 workers × 8 threads), 16 concurrent clients.

    python -m bench.rows_bench [--seconds 20] [--clients 16] [--client wrk|threads]
                               [--compare /path/to/other/checkout] [--rounds 2]

Builds the sample site, loads its tables into a fresh row store, starts the
server and sends a mix of queries (station + AQI threshold + sort; time
ranges; contains; deep offsets), printing p50/p95/p99 per mix, the CPU of
server and clients and the load average (see bench.rows_load for the
clients). ``--compare`` runs another checkout's service on the same row
store, alternately with this one, ``--rounds`` times each.
Target: p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from datetime import date
from pathlib import Path

from bench.rows_load import Server, report, run
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


def arguments(doc: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--client", choices=["wrk", "threads"], default="wrk")
    parser.add_argument("--compare", type=Path, default=None,
                        help="another checkout (e.g. main's) run alternately on the same data")
    parser.add_argument("--rounds", type=int, default=1)
    return parser.parse_args()


def trees(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """(label, source tree) of each server to run, in the order of a round."""
    if args.compare is None:
        return [("this", REPO)]
    return [("other", args.compare.resolve()), ("this", REPO)]


def main() -> None:
    args = arguments(__doc__ or "")
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
        env = {**os.environ, "PORTAL_SECRET_KEY": "bench", "PORTAL_SITE_DIR": "",
               "PORTAL_SEARCH_DB": config["SEARCH_DB"], "PORTAL_ROWS_DB": config["ROWS_DB"],
               "PORTAL_LABELS_FILE": config["LABELS_FILE"],
               "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
               "PORTAL_CATALOG_JSON": config["CATALOG_JSON"]}
        for round_ in range(args.rounds):
            for label, tree in trees(args):
                server = Server(tree, env, tmp, PATH + "?limit=1")
                try:
                    server.wait_ready()
                    measured = run(server, f"{label} {tree}, round {round_ + 1}", PATH, queries,
                                   seconds=args.seconds, clients=args.clients,
                                   client=args.client)
                finally:
                    server.stop()
                report(measured, args.clients, args.client)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
