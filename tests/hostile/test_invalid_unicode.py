"""Invalid Unicode in any field of any endpoint is a 400, never a 500, and a
refused submission takes no receipt number (issue 11, "No 500 from any
text"), on SQLite and PostgreSQL.

Three kinds of bad text: a lone UTF-16 surrogate (``"\\ud800"``, which
``json.loads`` accepts; a form can carry its 3-byte encoding ``%ED%A0%80``,
which is not UTF-8), Unicode non-characters (U+FFFE, U+FFFF, U+FDD0,
U+1FFFF) and an overlong UTF-8 encoding (``%C0%AE``, a dot in 2 bytes).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from search_api.store.schema import receipt_counters
from tests.api.test_applicant_flow import application, csrf
from tests.api.test_requests_json_api import body as request_body

ERROR_KEYS = {"ok", "error", "errors", "status"}
BAD_TEXTS = ["\ud800", "a\udfffb", "\ufffe", "\uffff", "\ufdd0", "\U0001ffff"]
BAD_FORM_BYTES = ["%ED%A0%80", "%C0%AE", "%EF%BF%BE", "%F4%8F%BF%BF", "%FF"]

JSON_WRITES: dict[str, dict[str, Any]] = {
    "/api/v1/requests": request_body(),
    "/api/v1/datasets/jtj-0001/reports": {
        "kind": "data_error", "field": "longitude", "row": "12",
        "description": "经度应为121.4737", "evidence": "实地测量",
        "reporter_name": "王女士", "reporter_contact": "w@example.com"},
    "/api/v1/demands": {"title": "开放公交到站数据", "text": "希望按日更新", "name": "张先生",
                        "contact": "z@example.com"},
    "/api/v1/suggestions": {"title": "增加字段说明", "text": "希望增加字段说明"},
    "/api/v1/reuses": {"title": "公交查询应用", "text": "用公交数据做的查询", "dataset_ids":
                       ["jtj-0001"], "url": "https://example.org/app",
                       "contact": "a@example.org"},
}
FORM_WRITES: dict[str, dict[str, str]] = {
    "/apply/rsj-0003": {k: v for k, v in application("").items() if k != "csrf_token"},
    "/report/jtj-0001": {"kind": "data_error", "field": "longitude", "row": "12",
                         "description": "经度应为121.4737", "evidence": "实地测量",
                         "reporter_name": "王女士", "reporter_contact": "w@example.com"},
    "/demands/new": {"title": "开放公交到站数据", "text": "希望按日更新"},
    "/suggestions/new": {"title": "增加字段说明", "text": "希望增加字段说明"},
    "/showcase/new": {"title": "公交查询应用", "text": "用公交数据做的查询",
                      "dataset_ids": "jtj-0001", "url": "https://example.org/app",
                      "contact": "a@example.org"},
}
FORM_PAGES = {"/apply/rsj-0003": "/apply/rsj-0003", "/report/jtj-0001": "/report/jtj-0001",
              "/demands/new": "/demands/new", "/suggestions/new": "/suggestions/new",
              "/showcase/new": "/showcase/new?dataset=jtj-0001"}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "RATE_PUBLIC_WRITES": 10**6}


def receipts_taken(app: Flask) -> int:
    with app.extensions["portal_store"].engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.sum(receipt_counters.c.last), 0)))
                   .scalar_one())


def assert_error_shape(answer: Any) -> None:
    assert answer.status_code == 400, (answer.status_code, answer.get_data(as_text=True)[:300])
    data = answer.get_json()
    assert set(data) == ERROR_KEYS and data["ok"] is False and data["status"] == 400, data
    assert "无法识别的字符" in data["error"], data


def raw_json(data: dict[str, Any], field: str, bad: str) -> bytes:
    """The body with ``bad`` in ``field``, as a client sends it: JSON escapes
    (``\\ud800``), since a lone surrogate has no UTF-8 form."""
    return json.dumps({**data, field: bad}, ensure_ascii=True).encode()


def test_valid_bodies_are_filed(app: Flask) -> None:
    """The bodies below are valid: a refusal of them is due to the bad text."""
    client = app.test_client()
    for path, data in JSON_WRITES.items():
        answer = client.post(path, json=data)
        assert answer.status_code == 201, (path, answer.get_json())
    for path, data in FORM_WRITES.items():
        page = client.get(FORM_PAGES[path]).get_data(as_text=True)
        answer = client.post(path, data={"csrf_token": csrf(page), **data})
        assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:500])
    assert receipts_taken(app) == len(JSON_WRITES) + len(FORM_WRITES)


def test_surrogates_and_non_characters_on_every_json_write(app: Flask) -> None:
    client = app.test_client()
    for path, data in JSON_WRITES.items():
        for field in data:
            for bad in BAD_TEXTS:
                answer = client.post(path, data=raw_json(data, field, f"文字{bad}"),
                                     content_type="application/json")
                assert_error_shape(answer)
        # In a key, and deep inside a list.
        assert_error_shape(client.post(path, data=raw_json(data, "\ud800", "x"),
                                       content_type="application/json"))
        assert_error_shape(client.post(path, data=raw_json(data, "extra", ["ok", {"a": "\udc00"}]),
                                       content_type="application/json"))
    assert receipts_taken(app) == 0


def test_applicant_actions_and_consultations_refuse_surrogates(client: FlaskClient,
                                                               app: Flask) -> None:
    filed = client.post("/api/v1/requests", json=request_body()).get_json()
    before = receipts_taken(app)
    number, code = filed["number"], filed["access_code"]
    answer = client.post(f"/api/v1/requests/{number}/supplement",
                         data=json.dumps({"text": "补正\ud800"}),
                         content_type="application/json", headers={"X-Access-Code": code})
    assert_error_shape(answer)
    assert_error_shape(client.post("/api/v1/consultations/abc", data='{"answer": "\\ud800"}',
                                   content_type="application/json"))
    assert receipts_taken(app) == before


def test_bad_bytes_and_non_characters_on_every_form(app: Flask) -> None:
    client = app.test_client()
    for path, data in FORM_WRITES.items():
        page = client.get(FORM_PAGES[path]).get_data(as_text=True)
        token = csrf(page)
        for field in data:
            for bad in BAD_FORM_BYTES:
                raw = urlencode({"csrf_token": token, **data, field: "MARK"}).replace(
                    "MARK", quote("文字") + bad)
                answer = client.post(path, data=raw,
                                     content_type="application/x-www-form-urlencoded")
                html = answer.get_data(as_text=True)
                assert answer.status_code == 400, (path, field, bad, html[:300])
                assert "无法识别的字符" in html and "<html" in html, html[:300]
    assert receipts_taken(app) == 0


def test_query_strings_and_paths(client: FlaskClient) -> None:
    for url in ("/api/v1/search?q=%ED%A0%80", "/api/v1/search?q=%EF%BF%BF",
                "/api/v1/statistics/downloads?dataset=%C0%AE",
                "/api/v1/requests/YH-20261123-0001%EF%BF%BE"):
        assert_error_shape(client.get(url))
    ckan = client.get("/api/3/action/package_search?q=%ED%A0%80")
    assert ckan.status_code == 400 and ckan.get_json()["success"] is False
    page = client.get("/requests/status?number=%EF%BF%BE")
    assert page.status_code == 400 and "无法识别的字符" in page.get_data(as_text=True)


def test_valid_rare_text_passes(client: FlaskClient) -> None:
    """Characters outside the BMP, U+FFFD and private-use characters are text."""
    answer = client.post("/api/v1/suggestions", json={"title": "𠀀𪚥\ufffd\ue000",
                                                       "text": "说明 😀"})
    assert answer.status_code == 201, answer.get_json()


@pytest.mark.parametrize("query", [
    "to=0001-01-01", "from=0001-01-01", "to=9999-12-31", "from=9999-12-31&to=9999-12-31",
    "to=0001-01-01&from=0001-01-01", "from=0000-01-01"])
def test_statistics_dates_at_the_ends_of_the_calendar(client: FlaskClient, query: str) -> None:
    answer = client.get(f"/api/v1/statistics/downloads?{query}")
    assert answer.status_code in (200, 400), (query, answer.get_data(as_text=True)[:300])
    if answer.status_code == 400:
        data = answer.get_json()
        assert set(data) == ERROR_KEYS and not data["error"].isascii()


def test_statistics_to_0001_01_01_is_a_400(client: FlaskClient) -> None:
    answer = client.get("/api/v1/statistics/downloads?to=0001-01-01")
    assert answer.status_code == 400
    assert set(answer.get_json()) == ERROR_KEYS


def test_overlong_bodies_are_refused_not_read(client: FlaskClient, app: Flask) -> None:
    big = "长" * 400_000  # 1.2 MB of UTF-8
    form = client.post("/demands/new", data=f"title={quote(big)}&text=x",
                       content_type="application/x-www-form-urlencoded")
    assert form.status_code == 413 and "<html" in form.get_data(as_text=True)
    api = client.post("/api/v1/demands", json={"title": big, "text": "x"})
    assert api.status_code == 413 and set(api.get_json()) == ERROR_KEYS
    assert receipts_taken(app) == 0
