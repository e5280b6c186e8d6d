"""/api/v1/search and /api/v1/datasets over HTTP (Flask test client),
against the embedded engine on the sample catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

ERROR_KEYS = {"ok", "error", "errors", "status"}


def search(client: FlaskClient, query: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def test_two_character_query_finds_bus_datasets_first(client: FlaskClient) -> None:
    body = search(client, "q=公交")
    top = [hit["id"] for hit in body["hits"][:2]]
    assert set(top) == {"jtj-0001", "jtj-0002"}
    assert "<mark>公交</mark>" in body["hits"][0]["highlights"]["title"]
    assert body["took_ms"] >= 0


def test_facets_count_over_the_query_not_the_page(client: FlaskClient) -> None:
    body = search(client, "per_page=1")
    assert len(body["hits"]) == 1
    by_type = {f["value"]: f["count"] for f in body["facets"]["open_type"]}
    assert by_type == {"unconditional": 26, "conditional": 7}
    assert body["total"] == 33
    labels = {f["value"]: f["label"] for f in body["facets"]["department"]}
    assert labels["jtj"] == "云河市交通运输局"


def test_filters_take_several_values(client: FlaskClient) -> None:
    one = search(client, "department=jtj")["total"]
    two = search(client, "department=jtj&department=wjw")["total"]
    same = search(client, "department=jtj,wjw")["total"]
    assert 0 < one < two == same
    conditional = search(client, "open_type=conditional")
    assert {h["open_type"] for h in conditional["hits"]} == {"conditional"}


def test_sort_by_updated_and_name(client: FlaskClient) -> None:
    updated = [h["last_updated"] for h in search(client, "sort=updated&per_page=50")["hits"]]
    assert updated == sorted(updated, reverse=True)
    assert search(client, "sort=name")["total"] == 33


def test_dataset_metadata(client: FlaskClient) -> None:
    body = client.get("/api/v1/datasets/jtj-0001").get_json()
    assert body["ok"] and body["dataset"]["title"] == "公交站点信息"
    assert body["dataset"]["downloads"][0]["url"] == "datasets/jtj-0001/bus-stops.csv"


@pytest.mark.parametrize("path", [
    "/api/v1/datasets/gaj-0001",  # not open: never in the API
    "/api/v1/datasets/nosuch",
])
def test_unknown_or_unpublished_dataset_is_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert set(response.get_json()) == ERROR_KEYS


@pytest.mark.parametrize(("query", "fragment"), [
    ("departmnet=jtj", "不支持参数“departmnet”"),
    ("department=nosuch", "数据提供部门“nosuch”不存在"),
    ("page=0", "page 须为正整数"),
    ("page=99", "第 99 页超出范围"),
    ("per_page=1000", "per_page 须为 1 到 100"),
    ("sort=random", "sort 只能是"),
    ("q=" + "长" * 201, "搜索词过长"),
])
def test_bad_parameters_get_400_with_a_fix(client: FlaskClient, query: str,
                                           fragment: str) -> None:
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == ERROR_KEYS and body["ok"] is False and body["status"] == 400
    assert fragment in body["error"]


def test_unknown_api_path_uses_the_error_shape(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert set(response.get_json()) == ERROR_KEYS


def test_openapi_document(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/search" in doc["paths"]


def test_cross_origin_reads_are_allowed(client: FlaskClient) -> None:
    response = client.get("/api/v1/search?q=医院", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_static_site_is_served_at_root(client: FlaskClient) -> None:
    with client.get("/") as home:
        assert home.status_code == 200 and "云河市公共数据开放平台" in home.get_data(as_text=True)
    with client.get("/datasets/jtj-0001/bus-stops.csv") as csv_file:
        assert csv_file.status_code == 200
    with client.get("/../pyproject.toml") as outside:
        assert outside.status_code == 404


def test_query_that_matches_nothing_is_answered_for_its_correction(client: FlaskClient) -> None:
    body = search(client, "q=公焦")  # a homophone slip for 公交
    assert body["corrected"]["q"] == "公交"
    assert "公焦" in body["corrected"]["message"] and "公交" in body["corrected"]["message"]
    assert {h["id"] for h in body["hits"]} == {"jtj-0001", "jtj-0002"}
    assert search(client, "q=公交")["corrected"] is None


def test_pinyin_initials_find_and_highlight(client: FlaskClient) -> None:
    body = search(client, "q=gj")
    assert {h["id"] for h in body["hits"][:2]} == {"jtj-0001", "jtj-0002"}
    assert "<mark>公交</mark>" in body["hits"][0]["highlights"]["title"]


def test_a_search_request_reads_the_labels_once(app: Flask, client: FlaskClient,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The labels that checked the filters name the facets: one look at the
    # file (a stat) per request, not one for each use.
    store = app.extensions["portal_labels"]
    reads: list[int] = []
    original = store.get

    def counted() -> dict[str, dict[str, str]]:
        reads.append(1)
        return original()

    monkeypatch.setattr(store, "get", counted)
    body = client.get("/api/v1/search?q=公交&department=jtj").get_json()
    assert body["ok"] and body["facets"]["department"][0]["label"] == "云河市交通运输局"
    assert len(reads) == 1
