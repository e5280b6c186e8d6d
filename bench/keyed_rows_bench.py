"""Keyed data API latency (issue #16, 接口访问): rows of a conditional table
of 60,000 rows read with an approved applicant's key, over HTTP against
gunicorn, 16 concurrent clients.

    python -m bench.keyed_rows_bench [--seconds 20] [--clients 16] [--client wrk|threads]
                                     [--compare /path/to/other/checkout] [--rounds 2]

Copies the sample catalogue (hard links) and replaces the conditional
dsj-0001/enterprise-utilities table with 60,000 generated rows (its 150
enterprises over 400 months), builds the site, loads the keyed row store
from the catalogue, files a request through the service, has it approved
for API access with a field list and takes the key from the status page,
then starts gunicorn (2 workers × 8 threads) on the same store and sends a
mix of keyed queries. Every call checks the key, the grant and the day's
quota and counts the call in the store. Prints p50/p95/p99 per mix, the CPU
of server and clients and the load average (clients: bench.rows_load);
``--compare`` runs another checkout's service on the same stores,
alternately with this one, ``--rounds`` times each.
Target: p95 < 50 ms.
"""

from __future__ import annotations

import csv
import os
import random
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from bench.rows_bench import arguments, trees
from bench.rows_load import Server, report, run
from builder.build import BuildConfig, build
from search_api import create_app
from search_api.indexing import index_catalog
from search_api.tables.keyed import load_keyed_rows

REPO = Path(__file__).resolve().parents[1]
PATH = "/api/v1/datasets/dsj-0001/resources/enterprise-utilities/rows"
TABLE = Path("dsj-0001") / "data" / "enterprise-utilities.csv"
MONTHS = 400
FIELDS = ["credit_code", "sector", "month", "electricity_kwh", "water_t", "gas_m3"]


def make_catalog(dest: Path) -> int:
    """The sample catalogue at ``dest`` with a 60,000-row dsj-0001 table."""
    shutil.copytree(REPO / "datasets", dest, copy_function=os.link)
    source = (REPO / "datasets" / TABLE).read_text(encoding="utf-8-sig").splitlines()
    reader = csv.DictReader(source)
    firms = {(r["credit_code"], r["name"], r["sector"]) for r in reader}
    rng = random.Random(16)
    target = dest / TABLE
    target.unlink()  # a hard link to the repository's file
    rows = 0
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(source[0].split(","))
        for code, name, sector in sorted(firms):
            for m in range(MONTHS):
                month = f"{1994 + m // 12}-{m % 12 + 1:02d}"
                writer.writerow([code, name, sector, month, rng.randint(1_000, 900_000),
                                 rng.randint(100, 60_000), rng.randint(0, 20_000)])
                rows += 1
    return rows


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token"
    return found.group(1)


def approved_key(config: dict[str, Any]) -> tuple[str, list[str]]:
    """File, forward and approve a request for API access in-process; the
    key shown on the status page, and the credit codes to query."""
    app = create_app(config)
    store = app.extensions["portal_store"]
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    store.add_user("bench-authority", "bench-password-1", "authority_reviewer", None, at=now)
    store.add_user("bench-dsj", "bench-password-1", "department_reviewer", "dsj", at=now)
    applicant = app.test_client()
    page = applicant.get("/apply/dsj-0001").get_data(as_text=True)
    answer = applicant.post("/apply/dsj-0001", data={
        "csrf_token": csrf(page), "applicant_type": "person", "applicant_name": "李明",
        "identity_number": "11010519491231002X", "phone": "13812345678",
        "email": "liming@example.com", "purpose": "企业用能研究", "scope_of_use": "课题组",
        "period_of_use": "一年", "security_measures": "加密存储", "delivery_method": "api",
        "commitment": "yes"}).get_data(as_text=True)
    number = re.search(r'id="receipt-number">([^<]+)<', answer)
    assert number, answer[:300]
    for user, action, fields in [("bench-authority", "forward", {}),
                                 ("bench-dsj", "approve", {
                                     "scope": "企业用能研究", "delivery_method": "api",
                                     "grant_field": [f"enterprise-utilities/{f}"
                                                     for f in FIELDS]})]:
        reviewer = app.test_client()
        login = reviewer.get("/review/login").get_data(as_text=True)
        reviewer.post("/review/login", data={"csrf_token": csrf(login), "username": user,
                                             "password": "bench-password-1"})
        page = reviewer.get(f"/review/requests/{number.group(1)}").get_data(as_text=True)
        version = re.search(r'name="version" value="(\d+)"', page)
        assert version, page[:300]
        reviewer.post(f"/review/requests/{number.group(1)}/{action}", data={
            "csrf_token": csrf(page), "version": version.group(1), **fields})
    status = applicant.get(f"/requests/{number.group(1)}").get_data(as_text=True)
    shown = applicant.post(f"/requests/{number.group(1)}/api-key",
                           data={"csrf_token": csrf(status)}).get_data(as_text=True)
    key = re.search(r'id="api-key">([^<]+)<', shown)
    assert key, shown[:500]
    app.extensions["portal_engine"].close()
    store.close()
    codes = sorted({line.split(",")[0] for line in
                    (REPO / "datasets" / TABLE).read_text(encoding="utf-8-sig").splitlines()[1:]})
    return key.group(1), codes


def queries(rng: random.Random, codes: list[str]) -> tuple[str, dict[str, str]]:
    kind = rng.choice(["firm+sort", "month range", "contains", "deep page"])
    if kind == "firm+sort":
        return kind, {"credit_code": rng.choice(codes), "sort": "-electricity_kwh",
                      "limit": "100"}
    if kind == "month range":
        year = rng.randint(1994, 2026)
        return kind, {"month__gte": f"{year}-01", "month__lte": f"{year}-03",
                      "sort": "-water_t", "limit": "200"}
    if kind == "contains":
        return kind, {"sector__contains": rng.choice(["制造", "服务", "批发", "建筑"]),
                      "month": f"{rng.randint(1994, 2026)}-06", "limit": "100"}
    return kind, {"sort": "-gas_m3", "offset": str(rng.randint(0, 59_000)), "limit": "100"}


def main() -> None:
    args = arguments(__doc__ or "")
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        generated = make_catalog(tmp / "catalog")
        site = tmp / "site"
        build(BuildConfig(catalog_dir=tmp / "catalog", out_dir=site, today=date.today(),
                          cache_dir=tmp / "cache"))
        config: dict[str, Any] = {
            "SECRET_KEY": "bench", "CATALOG_DIR": str(tmp / "catalog"),
            "CATALOG_JSON": str(site / "catalog.json"), "SEARCH_DB": str(tmp / "s.sqlite3"),
            "LABELS_FILE": str(tmp / "labels.json"), "ROWS_DB": str(tmp / "rows.sqlite3"),
            "KEYED_ROWS_DB": str(tmp / "keyed.sqlite3"),
            "DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
            "MAIL_LOG": str(tmp / "mail.log"), "API_KEY_DAILY_QUOTA": 100_000_000}
        index_catalog(config)
        loaded = load_keyed_rows(tmp / "catalog", Path(config["KEYED_ROWS_DB"]))
        print(f"keyed row store: {loaded.rows} rows ({generated} generated) in "
              f"{loaded.loaded} tables, {loaded.seconds} s")
        key, codes = approved_key(config)
        env = {**os.environ, **{f"PORTAL_{k}": str(v) for k, v in config.items()},
               "PORTAL_SITE_DIR": ""}
        headers = {"Authorization": f"Bearer {key}"}
        for round_ in range(args.rounds):
            for label, tree in trees(args):
                server = Server(tree, env, tmp, PATH + "?limit=1", headers)
                try:
                    server.wait_ready()
                    measured = run(server, f"{label} {tree}, round {round_ + 1}", PATH,
                                   lambda rng: queries(rng, codes), seconds=args.seconds,
                                   clients=args.clients, client=args.client, headers=headers)
                finally:
                    server.stop()
                report(measured, args.clients, args.client)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
