"""Download counts on dataset pages and in the catalogue's sort index:
written at build time from the request service's database (--service-db)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup
from click.testing import CliRunner

from portal.cli import main as cli
from search_api.store import Store
from search_api.store.download_store import DownloadStore
from tests.conftest import MINIMAL


def test_build_writes_the_counted_downloads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    store = Store.open(url)
    store.migrate()
    DownloadStore(store).count({(date(2026, 11, 1), "jtj-0001", "bus-stops.csv"): 5,
                                (date(2026, 11, 2), "jtj-0001", "bus-stops.json"): 2})
    store.close()
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["build", str(MINIMAL), "--out", str(out), "--quiet",
                                      "--today", "2026-11-23", "--service-db", url])
    assert result.exit_code == 0, result.output
    page = BeautifulSoup((out / "datasets/jtj-0001/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    count = page.select_one("#pt-download-count")
    assert count is not None and count.get_text() == "7 次"
    assert "dataset=jtj-0001" in count["data-api"]  # refreshed live by the page
    index = json.loads((out / "catalog-index.json").read_text(encoding="utf-8"))
    column = index["keys"].index("download_count")
    by_id = {row[0]: row[column] for row in index["rows"]}
    assert by_id["jtj-0001"] == 7 and all(v == 0 for k, v in by_id.items() if k != "jtj-0001")
