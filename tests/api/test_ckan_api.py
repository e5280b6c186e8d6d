"""The CKAN Action API subset, driven by the real `ckanapi` client over a
real HTTP server (it POSTs JSON, as harvesters do)."""

from __future__ import annotations

import ckanapi
import pytest


def test_ckanapi_lists_shows_and_searches(live_server: str) -> None:
    ckan = ckanapi.RemoteCKAN(live_server)
    ids = ckan.action.package_list()
    assert len(ids) == 33 and "jtj-0001" in ids and "gaj-0001" not in ids
    package = ckan.action.package_show(id="jtj-0001")
    assert package["title"] == "公交站点信息"
    assert package["organization"]["title"] == "云河市交通运输局"
    urls = [r["url"] for r in package["resources"]]
    assert "https://data.yunhe.example.gov.cn/datasets/jtj-0001/bus-stops.csv" in urls
    assert all(r["hash"].startswith("sha256:") for r in package["resources"])
    found = ckan.action.package_search(q="公交", rows=5)
    assert found["count"] >= 2
    assert {r["name"] for r in found["results"][:2]} == {"jtj-0001", "jtj-0002"}
    organisations = ckan.action.organization_list(all_fields=True)
    assert {"name": "jtj", "package_count": 6} == {
        k: v for k, v in next(o for o in organisations if o["name"] == "jtj").items()
        if k in ("name", "package_count")}


def test_ckanapi_get_only_and_paging(live_server: str) -> None:
    ckan = ckanapi.RemoteCKAN(live_server, get_only=True)
    first = ckan.action.package_search(rows=10, start=0, sort="title_string asc")
    second = ckan.action.package_search(rows=10, start=10, sort="title_string asc")
    names = [r["name"] for r in first["results"] + second["results"]]
    assert len(names) == len(set(names)) == 20
    filtered = ckan.action.package_search(fq="organization:jtj res_format:CSV", rows=100)
    assert filtered["count"] >= 4
    assert {r["organization"]["name"] for r in filtered["results"]} == {"jtj"}


def test_ckanapi_not_found_maps_to_its_exception(live_server: str) -> None:
    ckan = ckanapi.RemoteCKAN(live_server)
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="gaj-0001")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(fq="nosuchfield:1")
