"""Keyed API delivery (issue #16; 002 §36 接口访问) over HTTP on SQLite and
PostgreSQL: a key approved for dsj-0001 reads that dataset's conditional
table within the approved fields only, under its period, daily quota and
the provider's revocation; the key is shown once and stored hashed; calls
are counted per key and audited per key and minute."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from flask import Flask

from search_api.store import hash_token
from search_api.store.grant_tables import api_keys
from tests.api.keyed_helpers import app, approved, bearer, clock, get_key  # noqa: F401
from tests.api.test_applicant_flow import csrf
from tests.api.test_review_flow import Clock

# Keyed delivery, sandbox, supervision and governance are new store paths (#16):
# every test runs on SQLite and PostgreSQL.
pytestmark = pytest.mark.both_dbs

ROWS = "/api/v1/datasets/dsj-0001/resources/enterprise-utilities/rows"
FIELDS = ["enterprise-utilities/credit_code", "enterprise-utilities/month",
          "enterprise-utilities/electricity_kwh"]


def test_a_key_reads_only_its_approved_fields_and_dataset(app: Flask) -> None:  # noqa: F811
    applicant, number, _ = approved(app, "dsj-0001", "dsj", "api", grant_field=FIELDS,
                                    valid_to="2027-09-20")
    key = get_key(applicant, number)
    client = app.test_client()
    got = client.get(f"{ROWS}?limit=3", headers=bearer(key))
    assert got.status_code == 200, got.get_json()
    body = got.get_json()
    assert [f["name"] for f in body["fields"]] == ["credit_code", "month", "electricity_kwh"]
    assert set(body["rows"][0]) == {"credit_code", "month", "electricity_kwh"}
    assert body["total"] == 1500
    # A field not approved can be neither read, nor filtered, nor sorted on.
    for query in ("fields=water_t", "water_t__gte=1", "sort=-water_t", "name__contains=云河"):
        refused = client.get(f"{ROWS}?{query}", headers=bearer(key))
        assert refused.status_code == 400 and refused.get_json()["ok"] is False, query
    listing = client.get("/api/v1/datasets/dsj-0001/resources", headers=bearer(key)).get_json()
    assert [f["name"] for f in listing["resources"][0]["fields"]] == [
        "credit_code", "month", "electricity_kwh"]
    # Another conditional dataset, and an open one, are refused to this key.
    other = client.get("/api/v1/datasets/rsj-0002/resources/social-insurance-payments/rows",
                       headers=bearer(key))
    assert other.status_code == 403 and "获批的数据集" in other.get_json()["error"]
    # Without the key the conditional table does not exist for the public API.
    assert client.get(ROWS).status_code == 404
    # The key is stored as its hash only.
    store = app.extensions["portal_store"]
    with store.engine.connect() as conn:
        stored = [r.key_hash for r in conn.execute(api_keys.select())]
    assert stored == [hash_token(key)] and key not in stored


def test_the_default_field_list_leaves_out_personal_fields(app: Flask) -> None:  # noqa: F811
    applicant, number, _ = approved(app, "dsj-0001", "dsj", "api")
    key = get_key(applicant, number)
    body = app.test_client().get(f"{ROWS}?limit=1", headers=bearer(key)).get_json()
    names = [f["name"] for f in body["fields"]]
    assert "name" not in names  # marked personal: true in the descriptor
    assert names == ["credit_code", "sector", "month", "electricity_kwh", "water_t", "gas_m3"]


def test_bad_keys_are_refused_in_the_json_error_shape(app: Flask) -> None:  # noqa: F811
    client = app.test_client()
    for header in ({"Authorization": "Bearer"}, {"Authorization": "Basic abc"},
                   {"Authorization": "Bearer yhk_not-a-key"}):
        answer = client.get(ROWS, headers=header)
        assert answer.status_code == 401
        body = answer.get_json()
        assert body["ok"] is False and body["status"] == 401 and not body["error"].isascii()


def test_a_new_key_replaces_the_old_one(app: Flask) -> None:  # noqa: F811
    applicant, number, _ = approved(app, "dsj-0001", "dsj", "api")
    first = get_key(applicant, number)
    second = get_key(applicant, number)
    client = app.test_client()
    assert client.get(ROWS, headers=bearer(first)).status_code == 401
    assert client.get(ROWS, headers=bearer(second)).status_code == 200
    # A stranger cannot have a key made.
    stranger = app.test_client()
    page = stranger.get("/requests/status").get_data(as_text=True)
    assert stranger.post(f"/requests/{number}/api-key",
                         data={"csrf_token": csrf(page)}).status_code == 403


def test_the_period_and_revocation_stop_the_key(app: Flask, clock: Clock) -> None:  # noqa: F811
    applicant, number, provider = approved(app, "dsj-0001", "dsj", "api",
                                           valid_from="2026-09-21", valid_to="2026-09-30")
    key = get_key(applicant, number)
    client = app.test_client()
    assert client.get(ROWS, headers=bearer(key)).status_code == 200
    clock.set("2026-10-01")
    expired = client.get(ROWS, headers=bearer(key))
    assert expired.status_code == 403 and "已过期" in expired.get_json()["error"]
    clock.set("2026-09-25")
    assert client.get(ROWS, headers=bearer(key)).status_code == 200
    page = provider.get("/review/uses").get_data(as_text=True)
    answer = provider.post(f"/review/uses/{number}/revoke",
                           data={"csrf_token": csrf(page), "reason": "超出获批范围向第三方提供数据"})
    assert answer.status_code == 302
    revoked = client.get(ROWS, headers=bearer(key))
    assert revoked.status_code == 401


def test_the_daily_quota_and_the_audit_per_minute(app: Flask, clock: Clock) -> None:  # noqa: F811
    applicant, number, _ = approved(app, "dsj-0001", "dsj", "api")
    key = get_key(applicant, number)
    client = app.test_client()
    for i in range(50):  # API_KEY_DAILY_QUOTA in the fixture
        if i == 30:
            clock.now += timedelta(minutes=1)
        assert client.get(f"{ROWS}?limit=1", headers=bearer(key)).status_code == 200
    over = client.get(ROWS, headers=bearer(key))
    assert over.status_code == 429 and "上限（50 次）" in over.get_json()["error"]
    store = app.extensions["portal_store"]
    access = [r for r in store.audit_records(number) if r.action == "api_access"]
    # The first minute was audited when the second began, as one record.
    assert [json.loads(r.detail)["calls"] for r in access] == [30]
    assert key not in json.dumps([r.detail for r in store.audit_records(number)])
    clock.now += timedelta(days=1)  # a new Beijing day: a new quota
    assert client.get(ROWS, headers=bearer(key)).status_code == 200
    access = [r for r in store.audit_records(number) if r.action == "api_access"]
    assert [json.loads(r.detail)["calls"] for r in access] == [30, 20]
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    assert "近期调用次数" in status and "50 次" in status


def test_concurrent_calls_never_pass_the_quota(app: Flask) -> None:  # noqa: F811
    """80 calls from 8 threads at once on a quota of 50: exactly 50 answered
    and counted, whichever path (a new minute, or the current one) counted
    each."""
    applicant, number, _ = approved(app, "dsj-0001", "dsj", "api")
    key = get_key(applicant, number)
    statuses: list[int] = []

    def calls() -> None:
        client = app.test_client()
        for _ in range(10):
            statuses.append(client.get(f"{ROWS}?limit=1", headers=bearer(key)).status_code)

    threads = [threading.Thread(target=calls) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 50 + [429] * 30
    assert sum(app.extensions["portal_keys"].usage_by_day(number).values()) == 50


def test_the_approval_refuses_unknown_fields_and_a_bad_period(app: Flask) -> None:  # noqa: F811
    import re

    from tests.api.keyed_helpers import file_for
    from tests.api.test_review_flow import act, sign_in

    applicant = app.test_client()
    number = file_for(applicant, "dsj-0001", "api")
    act(sign_in(app, "authority"), number, "forward")
    provider = sign_in(app, "dsj")
    for terms, message in [({"grant_field": "enterprise-utilities/secret"}, "没有数据项"),
                           ({"valid_from": "2026-10-01", "valid_to": "2026-09-01"}, "早于"),
                           ({"no_raw_rows": "yes"}, "请选择数据沙箱方式")]:
        page = provider.get(f"/review/requests/{number}").get_data(as_text=True)
        version = re.search(r'name="version" value="(\d+)"', page)
        assert version
        html = provider.post(f"/review/requests/{number}/approve", data={
            "csrf_token": csrf(page), "version": version.group(1), "scope": "研究",
            "delivery_method": "api", **terms}, follow_redirects=True).get_data(as_text=True)
        assert "操作未执行" in html and message in html, terms
    assert app.extensions["portal_store"].load(number)[0].state.value == "forwarded"
