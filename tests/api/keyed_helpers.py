"""The service with approved uses by API and sandbox (issue #16), on SQLite
and PostgreSQL: the sample catalogue (hard links) under the Guizhou
profile, with ``name`` of dsj-0001 marked personal in the copy, its
conditional tables loaded into the keyed row store, and reviewers of the
departments concerned."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search_api import create_app
from search_api.tables.keyed import keyed_rows_db, load_keyed_rows
from tests.api.conftest import index_once
from tests.api.test_applicant_flow import application, csrf
from tests.api.test_review_flow import PASSWORD, Clock, act, sign_in
from tests.conftest import catalog_with_profile


def _mark_personal(catalog: Path) -> None:
    descriptor = catalog / "dsj-0001" / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    descriptor.unlink()  # a hard link to the repository's file: write a new file
    descriptor.write_text(text.replace("{name: name, type: string, title: 企业名称}",
                                       "{name: name, type: string, title: 企业名称, personal: true}"),
                          encoding="utf-8")


def make_app(app_config: dict[str, Any], clock: Clock, tmp_path: Path,
             **settings: Any) -> Iterator[Flask]:
    catalog = catalog_with_profile(tmp_path / "catalog", "guizhou-regulation")
    _mark_personal(catalog)
    config = {**app_config, "CATALOG_DIR": str(catalog), "CLOCK": lambda: clock.now,
              "KEYED_ROWS_DB": str(tmp_path / "keyed.sqlite3"),
              "SANDBOX_DIR": str(tmp_path / "sandbox"), **settings}
    index_once(config)
    load_keyed_rows(catalog, keyed_rows_db(config))
    application_ = create_app(config)
    store = application_.extensions["portal_store"]
    for name, role, department in [("authority", "authority_reviewer", None),
                                   ("dsj", "department_reviewer", "dsj"),
                                   ("rsj", "department_reviewer", "rsj"),
                                   ("auditor", "auditor", None)]:
        store.add_user(name, PASSWORD, role, department, at=clock.now)
    yield application_
    application_.extensions["portal_engine"].close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(app_config: dict[str, Any], clock: Clock, tmp_path: Path) -> Iterator[Flask]:
    yield from make_app(app_config, clock, tmp_path, API_KEY_DAILY_QUOTA=50)


def file_for(client: FlaskClient, dataset: str, method: str) -> str:
    page = client.get(f"/apply/{dataset}").get_data(as_text=True)
    answer = client.post(f"/apply/{dataset}",
                         data=application(csrf(page), delivery_method=method))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    number = re.search(r'id="receipt-number">([^<]+)<', answer.get_data(as_text=True))
    assert number
    return number.group(1)


def approved(app: Flask, dataset: str, department: str, method: str,
             **terms: str | list[str]) -> tuple[FlaskClient, str, FlaskClient]:
    """A request for ``dataset`` approved for ``method`` with ``terms`` on the
    approval form: the applicant's client, the number, the provider's client."""
    applicant = app.test_client()
    number = file_for(applicant, dataset, method)
    act(sign_in(app, "authority"), number, "forward")
    provider = sign_in(app, department)
    page = provider.get(f"/review/requests/{number}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    answer = provider.post(f"/review/requests/{number}/approve", data={
        "csrf_token": csrf(page), "version": version.group(1), "scope": "企业用能研究",
        "delivery_method": method, **terms}, follow_redirects=True)
    assert "操作已完成" in answer.get_data(as_text=True), \
        re.findall(r'sv-flash[^>]*>([^<]+)', answer.get_data(as_text=True))
    return applicant, number, provider


def get_key(applicant: FlaskClient, number: str) -> str:
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    answer = applicant.post(f"/requests/{number}/api-key", data={"csrf_token": csrf(status)})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.headers["Cache-Control"] == "no-store"
    key = re.search(r'id="api-key">([^<]+)<', answer.get_data(as_text=True))
    assert key
    return key.group(1)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
