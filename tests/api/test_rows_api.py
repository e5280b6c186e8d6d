"""The data API of open tables (数据接口): rows filtered, sorted, paged, in
JSON and CSV, typed by the Table Schema; checked against the published CSV
read independently with the csv module."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search_api import create_app
from search_api.indexing import index_rows
from search_api.tables.store import RowStore
from tests.api.conftest import index_once
from tests.conftest import REPO

AQI = "/api/v1/datasets/hbj-0001/resources/aqi-hourly/rows"


@pytest.fixture(scope="module")
def rows_app(sample_site_for_api: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("rows")
    config = {
        "TESTING": True, "SECRET_KEY": "test-secret", "SITE_DIR": str(sample_site_for_api),
        "CATALOG_JSON": str(sample_site_for_api / "catalog.json"),
        "SEARCH_DB": str(tmp / "search.sqlite3"), "LABELS_FILE": str(tmp / "labels.json"),
        "DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
        "CATALOG_DIR": str(REPO / "datasets"), "MAIL_LOG": str(tmp / "mail.log"),
    }
    index_once(config)
    stats = index_rows(config)
    assert stats.loaded >= 5 and stats.bad_cells == 0
    app = create_app(config)
    yield app
    app.extensions["portal_engine"].close()


@pytest.fixture
def http(rows_app: Flask) -> FlaskClient:
    return rows_app.test_client()


@pytest.fixture(scope="module")
def aqi(sample_site_for_api: Path) -> list[dict[str, str]]:
    path = sample_site_for_api / "datasets" / "hbj-0001" / "aqi-hourly.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ok(http: FlaskClient, url: str, **params: Any) -> dict[str, Any]:
    answer = http.get(url, query_string=params) if params else http.get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    body: dict[str, Any] = answer.get_json()
    return body


def test_resources_list_the_tables_of_an_open_dataset(http: FlaskClient) -> None:
    body = ok(http, "/api/v1/datasets/hbj-0001/resources")
    tables = {t["name"]: t for t in body["resources"]}
    assert tables["aqi-hourly"]["rows"] == 52_560
    assert tables["aqi-hourly"]["url"].endswith(AQI)
    fields = {f["name"]: f for f in tables["aqi-hourly"]["fields"]}
    assert fields["aqi"]["type"] == "integer" and fields["aqi"]["title"] == "空气质量指数（AQI）"


def test_filter_and_sort_match_the_file(http: FlaskClient, aqi: list[dict[str, str]]) -> None:
    body = ok(http, AQI, station_code="9901A", aqi__gte="150", sort="-aqi,monitor_time",
              limit="50")
    expected = sorted((r for r in aqi if r["station_code"] == "9901A" and r["aqi"]
                       and int(r["aqi"]) >= 150),
                      key=lambda r: (-int(r["aqi"]), r["monitor_time"]))
    assert 50 < len(expected) and body["total"] == len(expected)
    assert [(r["aqi"], r["monitor_time"]) for r in body["rows"]] == [
        (int(r["aqi"]), r["monitor_time"]) for r in expected[:50]]
    assert isinstance(body["rows"][0]["co"], float) and isinstance(body["rows"][0]["aqi"], int)


def test_ranges_on_times_and_contains_on_text(http: FlaskClient,
                                              aqi: list[dict[str, str]]) -> None:
    body = ok(http, AQI, monitor_time__gte="2026-01-01", monitor_time__lte="2026-01-01T05:00:00",
              station_name__contains="新城", limit="1000")
    expected = [r for r in aqi if "2026-01-01T00:00:00" <= r["monitor_time"]
                <= "2026-01-01T05:00:00" and "新城" in r["station_name"]]
    assert body["total"] == len(expected) > 0
    assert {r["monitor_time"] for r in body["rows"]} == {r["monitor_time"] for r in expected}


@pytest.mark.parametrize("params", [
    {"station_name__contains": "市", "quality_level": "良"},  # several of few values
    {"station_name__contains": "没有这个站"},  # none of them
    {"station_name__contains": ""},  # every value
    {"quality_level__contains": "污染", "aqi__gte": "120"},
    {"aqi__contains": "15", "station_code": "9902A"},  # a number read as text
])
@pytest.mark.parametrize("offset", ["0", "40", "60000"])
def test_contains_and_totals_match_the_file(http: FlaskClient, aqi: list[dict[str, str]],
                                            params: dict[str, str], offset: str) -> None:
    """``contains`` on a column of few values goes through its index; the
    total is the same whether the page shows it, it is counted, or it was
    counted before (the second call)."""
    def kept(r: dict[str, str]) -> bool:
        for name, value in params.items():
            field, _, op = name.partition("__")
            if op == "contains" and value not in r[field]:
                return False
            if op == "gte" and not (r[field] and int(r[field]) >= int(value)):
                return False
            if not op and r[field] != value:
                return False
        return True

    expected = [r["monitor_time"] + r["station_code"] for r in aqi if kept(r)]
    for _ in range(2):
        body = ok(http, AQI, **params, offset=offset, limit="50",
                  fields="monitor_time,station_code")
        assert body["total"] == len(expected)
        assert [r["monitor_time"] + r["station_code"] for r in body["rows"]] == \
            expected[int(offset):int(offset) + 50]


@pytest.mark.parametrize("params", [
    {"aqi__gte": "200", "sort": "monitor_time"},  # a rare range, another sort
    {"aqi__gte": "60", "station_code": "9904A", "sort": "-pm2_5,monitor_time"},  # a wide one
    {"aqi__lte": "20", "aqi__gte": "10", "quality_level": "优", "sort": "-no2,monitor_time"},
])
def test_a_rare_range_read_through_its_index_gives_the_same_rows(
        http: FlaskClient, aqi: list[dict[str, str]], params: dict[str, str]) -> None:
    """Whichever index the store chooses after probing the conditions, the
    rows, their order and the total are the file's."""
    def kept(r: dict[str, str]) -> bool:
        number = int(r["aqi"]) if r["aqi"] else None
        return ((number is not None and number >= int(params.get("aqi__gte", "-1"))
                 and number <= int(params.get("aqi__lte", "999")))
                and r["station_code"] == params.get("station_code", r["station_code"])
                and r["quality_level"] == params.get("quality_level", r["quality_level"]))

    rows = [r for r in aqi if kept(r)]
    for part in reversed(params["sort"].split(",")):
        name = part.lstrip("-")
        # Empty cells are NULL: first in an ascending sort, last in a descending one.
        rows.sort(key=lambda r: (r[name] != "", int(r[name]) if r[name] and name != "monitor_time"
                                 else r[name]), reverse=part.startswith("-"))
    body = ok(http, AQI, **params, limit="30", fields="monitor_time,station_code")
    assert body["total"] == len(rows) > 0
    got = [(r["monitor_time"], r["station_code"]) for r in body["rows"]]
    assert got == [(r["monitor_time"], r["station_code"]) for r in rows[:30]]


def test_paging_with_next_reaches_every_row_once(http: FlaskClient,
                                                 aqi: list[dict[str, str]]) -> None:
    url: str | None = AQI + "?station_code=9903A&aqi__lte=40&limit=100&fields=monitor_time"
    seen: list[str] = []
    pages = 0
    while url:
        parts = urlsplit(url)
        body = ok(http, f"{parts.path}?{parts.query}")
        seen += [r["monitor_time"] for r in body["rows"]]
        assert list(body["rows"][0]) == ["monitor_time"]
        url, pages = body["next"], pages + 1
    expected = [r["monitor_time"] for r in aqi
                if r["station_code"] == "9903A" and r["aqi"] and int(r["aqi"]) <= 40]
    assert pages > 2 and seen == expected  # file order when no sort is asked


def test_csv_format(http: FlaskClient, aqi: list[dict[str, str]]) -> None:
    answer = http.get(AQI, query_string={"station_code": "9901A", "limit": "3",
                                         "fields": "monitor_time,aqi", "format": "csv"})
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    first = [r for r in aqi if r["station_code"] == "9901A"][:3]
    assert rows == [["monitor_time", "aqi"]] + [[r["monitor_time"], r["aqi"]] for r in first]
    assert int(answer.headers["X-Total-Count"]) == sum(r["station_code"] == "9901A" for r in aqi)
    assert 'rel="next"' in answer.headers["Link"]


@pytest.mark.parametrize("params, says", [
    ({"nosuch": "1"}, "没有字段"),
    ({"aqi__gte": "很多"}, "不是整数"),
    ({"aqi__near": "1"}, "不支持的条件"),
    ({"limit": "1001"}, "不能超过 1000"),
    ({"limit": "-1"}, "limit"),
    ({"sort": "nosuch"}, "不能按"),
    ({"fields": "aqi,nosuch"}, "fields"),
    ({"format": "xml"}, "format"),
    ({"monitor_time__gte": "yesterday"}, "不是时间"),
])
def test_bad_parameters_are_400_saying_what_to_change(http: FlaskClient,
                                                      params: dict[str, str], says: str) -> None:
    answer = http.get(AQI, query_string=params)
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["ok"] is False and says in body["error"]


def test_conditional_and_unknown_datasets_have_no_rows(http: FlaskClient) -> None:
    # The conditional dataset's data exists in the catalogue folder…
    assert list((REPO / "datasets" / "dsj-0001" / "data").glob("*.csv"))
    for url in ("/api/v1/datasets/dsj-0001/resources",  # …but is never served
                "/api/v1/datasets/dsj-0001/resources/enterprise-utilities/rows",
                "/api/v1/datasets/gaj-0001/resources",
                "/api/v1/datasets/no-such/resources/x/rows"):
        answer = http.get(url)
        assert answer.status_code == 404, url
        assert "无条件开放" in answer.get_json()["error"]
    answer = http.get("/api/v1/datasets/hbj-0001/resources/nosuch/rows")
    assert answer.status_code == 404 and "aqi-hourly" in answer.get_json()["error"]


def test_reloading_follows_the_site(sample_site_for_api: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "datasets").mkdir(parents=True)
    for ident in ("hbj-0001", "jtj-0001"):
        shutil.copytree(sample_site_for_api / "datasets" / ident, site / "datasets" / ident)
    store = RowStore(tmp_path / "rows.sqlite3")
    first = store.load_site(site)
    assert first.loaded >= 3 and first.unchanged == first.removed == 0
    again = store.load_site(site)
    assert again.loaded == 0 and again.unchanged == first.loaded
    # A changed file (new hash) is loaded again; a dataset gone from the site is dropped.
    package_file = site / "datasets" / "jtj-0001" / "datapackage.json"
    package = json.loads(package_file.read_text(encoding="utf-8"))
    package["resources"][0]["hash"] = "sha256:" + "0" * 64
    package_file.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(site / "datasets" / "hbj-0001")
    third = store.load_site(site)
    assert third.loaded == 1 and third.removed == first.loaded - len(
        [r for r in package["resources"] if str(r.get("path", "")).endswith(".csv")
         and r.get("schema")])
    assert store.tables_of("hbj-0001") == [] and store.tables_of("jtj-0001")


def test_the_api_page_example_reads_real_rows(http: FlaskClient,
                                              sample_site_for_api: Path) -> None:
    import re

    page = (sample_site_for_api / "developers" / "index.html").read_text(encoding="utf-8")
    paths = re.findall(r"(/api/v1/datasets/[a-z0-9-]+/resources/[a-z0-9_-]+/rows)", page)
    assert paths
    body = ok(http, paths[0] + "?limit=5")
    assert body["count"] == 5 and body["total"] > 5
