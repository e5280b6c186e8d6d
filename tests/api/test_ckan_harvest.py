"""The CKAN API as harvesters and ckanapi use it: the read actions they call,
the Solr filter subset they send, facets, and package/resource dicts with the
keys and value types of a stock CKAN (../shared/ckan-responses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ckanapi
import pytest
from werkzeug.serving import make_server

from search_api import create_app
from tests.api.conftest import index_once
from tests.conftest import REPO

STOCK = REPO.parent / "shared" / "ckan-responses"


@pytest.fixture(scope="module")
def server(sample_site_for_api: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ckan")
    config = {
        "TESTING": True, "SECRET_KEY": "test-secret", "SITE_DIR": str(sample_site_for_api),
        "CATALOG_JSON": str(sample_site_for_api / "catalog.json"),
        "SEARCH_DB": str(tmp / "search.sqlite3"), "LABELS_FILE": str(tmp / "labels.json"),
        "PUBLIC_SITE_URL": "https://data.yunhe.example.gov.cn/",
        "DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
        "CATALOG_DIR": str(REPO / "datasets"), "MAIL_LOG": str(tmp / "mail.log"),
    }
    index_once(config)
    app = create_app(config)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    app.extensions["portal_engine"].close()


@pytest.fixture(scope="module")
def records(sample_site_for_api: Path) -> list[dict[str, Any]]:
    """The published records, read from the built catalog.json (the oracle)."""
    data = json.loads((sample_site_for_api / "catalog.json").read_text(encoding="utf-8"))
    return list(data["datasets"] if isinstance(data, dict) else data)


def search_all(ckan: ckanapi.RemoteCKAN, **params: Any) -> tuple[int, list[dict[str, Any]]]:
    found = ckan.action.package_search(rows=1000, **params)
    return found["count"], found["results"]


def test_incremental_harvest_range_on_metadata_modified(server: str,
                                                        records: list[dict[str, Any]]) -> None:
    ckan = ckanapi.RemoteCKAN(server)
    since = "2026-10-01"
    expected = {r["id"] for r in records if (r.get("last_updated") or "") >= since}
    assert 0 < len(expected) < len(records)  # the range must cut the catalogue
    count, results = search_all(ckan, fq=f"metadata_modified:[{since}T00:00:00Z TO *]",
                                sort="id asc")
    assert count == len(expected)
    assert {p["id"] for p in results} == expected
    assert [p["id"] for p in results] == sorted(expected)
    # CKAN's own harvester form, with the dataset-type clause in front.
    count2, _ = search_all(ckan, fq=f"+dataset_type:dataset +metadata_modified:[{since}T00:00:00Z "
                                    "TO NOW]")
    assert count2 == len(expected)
    # Exclusive bounds and an upper bound.
    upper = {r["id"] for r in records if (r.get("last_updated") or "") < since}
    count3, results3 = search_all(ckan, fq=f"metadata_modified:[* TO {since}T00:00:00Z}}")
    assert {p["id"] for p in results3} == upper and count3 == len(upper)


def test_boolean_fq_or_not_and_parentheses(server: str, records: list[dict[str, Any]]) -> None:
    ckan = ckanapi.RemoteCKAN(server)
    departments = sorted({r["department"] for r in records})
    a, b = departments[0], departments[1]
    _, either = search_all(ckan, fq=f"(organization:{a} OR organization:{b})")
    assert {p["id"] for p in either} == {r["id"] for r in records if r["department"] in (a, b)}
    _, grouped = search_all(ckan, fq=f"organization:({a} OR {b})")
    assert {p["id"] for p in grouped} == {p["id"] for p in either}
    _, others = search_all(ckan, fq=f"-organization:{a}")
    assert {p["id"] for p in others} == {r["id"] for r in records if r["department"] != a}
    _, negated = search_all(ckan, fq=f"NOT organization:{a} AND NOT organization:{b}")
    assert {p["id"] for p in negated} == {r["id"] for r in records
                                          if r["department"] not in (a, b)}


def test_tags_and_res_format_look_at_what_is_there(server: str,
                                                   records: list[dict[str, Any]]) -> None:
    ckan = ckanapi.RemoteCKAN(server)
    tag = Counter(k for r in records for k in r["keywords"]).most_common(1)[0][0]
    _, tagged = search_all(ckan, fq=f'tags:"{tag}"')
    assert {p["id"] for p in tagged} == {r["id"] for r in records if tag in r["keywords"]}
    _, csv = search_all(ckan, fq="res_format:CSV")
    with_csv = {r["id"] for r in records
                if any(d["filename"].endswith(".csv") for d in r.get("downloads") or [])}
    assert {p["id"] for p in csv} == with_csv
    # Every package found has a CSV resource (conditional datasets list CSV as a
    # format but publish no file: they must not be found).
    assert all(any(res["format"] == "CSV" for res in p["resources"]) for p in csv)
    _, lower = search_all(ckan, fq="res_format:csv")
    assert {p["id"] for p in lower} == with_csv


def test_facets_count_the_results(server: str, records: list[dict[str, Any]]) -> None:
    ckan = ckanapi.RemoteCKAN(server)
    found = ckan.action.package_search(
        rows=0, fq="res_format:CSV",
        **{"facet.field": json.dumps(["organization", "res_format", "tags", "groups"]),
           "facet.limit": -1})
    assert found["results"] == []
    _, results = search_all(ckan, fq="res_format:CSV")
    by_org = Counter(p["organization"]["name"] for p in results)
    assert found["facets"]["organization"] == dict(by_org)
    items = {i["name"]: i for i in found["search_facets"]["organization"]["items"]}
    assert {k: v["count"] for k, v in items.items()} == dict(by_org)
    department = next(iter(by_org))
    title = next(r["department_name"] for r in records if r["department"] == department)
    assert items[department]["display_name"] == title
    assert found["facets"]["res_format"]["CSV"] == found["count"]
    tags = Counter(t["name"] for p in results for t in p["tags"])
    assert found["facets"]["tags"] == dict(tags)


@pytest.mark.heavy  # among the longest of test-fast: started first (tests/conftest.py)
def test_ckanapi_dumps_everything(server: str, tmp_path: Path,
                                  records: list[dict[str, Any]]) -> None:
    for thing in ("datasets", "organizations", "groups"):
        out = tmp_path / f"{thing}.jsonl"
        done = subprocess.run(
            [str(Path(sys.executable).parent / "ckanapi"), "dump", thing, "--all", "-O", str(out),
             "-r", server, "-p", "1", "-q"],
            capture_output=True, text=True, timeout=300,
            # ckanapi starts its workers as `ckanapi` from PATH.
            env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
        assert done.returncode == 0, done.stderr
        dumped = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        if thing == "datasets":
            assert {d["id"] for d in dumped} == {r["id"] for r in records}
        elif thing == "organizations":
            assert {d["name"] for d in dumped} == {r["department"] for r in records}
            assert all(d["is_organization"] for d in dumped)
        else:
            assert {d["name"] for d in dumped} == {r["theme"] for r in records}


def _same_shape(ours: dict[str, Any], stock: dict[str, Any], where: str) -> list[str]:
    """Keys of ``stock`` missing from ``ours``, or of another JSON type
    (null on either side is accepted: CKAN itself leaves many keys null)."""
    wrong = []
    for key, value in stock.items():
        if key in ("revision_id",):  # gone since CKAN 2.9
            continue
        if key not in ours:
            wrong.append(f"{where}.{key} missing")
        elif value is not None and ours[key] is not None and type(value) is not type(ours[key]):
            wrong.append(f"{where}.{key}: {type(ours[key]).__name__}, "
                         f"stock {type(value).__name__}")
    return wrong


def test_package_and_resource_dicts_have_the_stock_keys_and_types(server: str) -> None:
    ckan = ckanapi.RemoteCKAN(server)
    ours = ckan.action.package_show(id="jtj-0001")
    problems: list[str] = []
    for path in sorted(STOCK.glob("*-*-*.json")):
        stock = json.loads(path.read_text(encoding="utf-8"))["result"]
        problems += _same_shape(ours, stock, "package")
        if stock.get("organization"):
            problems += _same_shape(ours["organization"], stock["organization"], "organization")
        for stock_tag in stock["tags"]:
            problems += _same_shape(ours["tags"][0], stock_tag, "tag")
        for stock_resource in stock["resources"]:
            problems += _same_shape(ours["resources"][0], stock_resource, "resource")
    assert sorted(set(problems)) == []
    envelope = json.loads((STOCK / "packages.json").read_text(encoding="utf-8"))["result"]
    found = ckan.action.package_search(rows=1)
    assert set(envelope) - {"facets"} <= set(found) | {"facets"}
    assert ours["metadata_modified"].startswith(ours["metadata_modified"][:10] + "T")
    assert ours["license_id"] and ours["license_title"] and ours["isopen"] is True


def test_resource_ids_are_stable_uuids_and_resource_show_finds_them(server: str) -> None:
    ckan = ckanapi.RemoteCKAN(server)
    first = ckan.action.package_show(id="jtj-0001")["resources"]
    again = ckan.action.package_show(id="jtj-0001")["resources"]
    assert [r["id"] for r in first] == [r["id"] for r in again]
    assert all(len(r["id"]) == 36 and r["id"].count("-") == 4 for r in first)
    shown = ckan.action.resource_show(id=first[0]["id"])
    assert shown == first[0]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.resource_show(id="00000000-0000-0000-0000-000000000000")


def test_organization_group_tag_status_and_help(server: str,
                                                records: list[dict[str, Any]]) -> None:
    ckan = ckanapi.RemoteCKAN(server)
    org = ckan.action.organization_show(id="jtj", include_datasets=True)
    assert org["title"] == "云河市交通运输局"
    assert {p["id"] for p in org["packages"]} == {r["id"] for r in records
                                                  if r["department"] == "jtj"}
    assert org["package_count"] == len(org["packages"])
    theme = records[0]["theme"]
    group = ckan.action.group_show(id=theme, include_datasets=False)
    assert group["name"] == theme and "packages" not in group
    assert group["package_count"] == sum(1 for r in records if r["theme"] == theme)
    assert sorted(ckan.action.group_list()) == sorted({r["theme"] for r in records})
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="no-such-department")
    tags = ckan.action.tag_list()
    assert tags == sorted({k for r in records for k in r["keywords"]})
    assert ckan.action.tag_list(query="公交") == [t for t in tags if "公交" in t]
    status = ckan.action.status_show()
    assert status["ckan_version"].startswith("2.") and "site_url" in status
    assert "fq" in ckan.action.help_show(name="package_search")


@pytest.mark.parametrize("fq, says", [
    ("nosuchfield:1", "unsupported field"),
    ("(organization:jtj", "not closed"),
    ("metadata_modified:[yesterday TO *]", "needs a date"),
    ("organization:jtj AND", "missing"),
    ('tags:"open', "quotes"),
])
def test_unreadable_fq_is_a_validation_error_that_says_why(server: str, fq: str,
                                                           says: str) -> None:
    ckan = ckanapi.RemoteCKAN(server)
    with pytest.raises(ckanapi.ValidationError) as caught:
        ckan.action.package_search(fq=fq)
    assert says in str(caught.value)
