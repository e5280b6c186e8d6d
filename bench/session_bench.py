"""Cost of server-side sessions per request (issue #11): a signed-in
reviewer's page read N times, sessions in SQLite, PostgreSQL or Redis.

    python -m bench.session_bench --database sqlite:////tmp/b.sqlite3 [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from search_api import create_app

PASSWORD = "correct horse battery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--redis", default="")
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"SECRET_KEY": "bench", "SITE_DIR": "", "DATABASE_URL": args.database,
                      "SEARCH_DB": str(tmp / "search.sqlite3"), "LABELS_FILE": str(tmp / "l.json"),
                      "MAIL_LOG": str(tmp / "mail.log"), "REDIS_URL": args.redis,
                      "REDIS_PREFIX": f"bench-{uuid.uuid4().hex}:"})
    name = f"bench{uuid.uuid4().hex[:6]}"
    app.extensions["portal_store"].add_user(name, PASSWORD, "auditor",
                                            at=app.extensions["portal_clock"]())
    client = app.test_client()
    page = client.get("/review/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/review/login", data={"csrf_token": token, "username": name,
                                              "password": PASSWORD}).status_code == 302
    times = []
    for _ in range(args.n):
        start = time.perf_counter()
        assert client.get("/review/login").status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    anonymous = []
    for _ in range(args.n):
        start = time.perf_counter()
        assert app.test_client().get("/review/login").status_code == 200  # a new session each
        anonymous.append((time.perf_counter() - start) * 1000)
    where = "redis" if args.redis else args.database.split(":")[0]
    print(f"{where}: signed-in page p50 {statistics.median(times):.2f} ms, "
          f"p95 {sorted(times)[int(0.95 * len(times))]:.2f} ms; "
          f"new anonymous session p50 {statistics.median(anonymous):.2f} ms")


if __name__ == "__main__":
    main()
