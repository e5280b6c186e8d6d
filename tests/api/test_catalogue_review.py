"""Catalogue governance over HTTP on SQLite and PostgreSQL (issue #16):
``portal catalogue propose`` files the changed entries, the big-data
authority approves or rejects them with reasons on /review/catalogue/
(CSRF, server-side access control), and ``portal build`` under
``catalogue_review: true`` publishes only the approved entries; the yearly
full-review reminder is queued once per department and year."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from portal.cli import main
from search_api import create_app
from search_api.governance.reminders import remind_catalogue
from search_api.governance.store import CatalogueChanges
from tests.api.conftest import index_once
from tests.api.test_review_flow import PASSWORD, csrf, sign_in
from tests.conftest import MINIMAL

# Keyed delivery, sandbox, supervision and governance are new store paths (#16):
# every test runs on SQLite and PostgreSQL.
pytestmark = pytest.mark.both_dbs

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """The minimal catalogue with the review turned on."""
    target = tmp_path / "catalog"
    shutil.copytree(MINIMAL, target)
    with (target / "portal.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\ncatalogue_review: true\n")
    return target


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    index_once(app_config)
    application = create_app(app_config)
    store = application.extensions["portal_store"]
    for name, role, department in [("authority", "authority_reviewer", None),
                                   ("jtj", "department_reviewer", "jtj"),
                                   ("rsj", "department_reviewer", "rsj"),
                                   ("auditor", "auditor", None)]:
        store.add_user(name, PASSWORD, role, department, at=NOW)
    yield application
    application.extensions["portal_engine"].close()


def propose(catalog: Path, url: str) -> str:
    result = CliRunner().invoke(main, ["catalogue", "propose", str(catalog), "--by",
                                       "data-officer", "--service-db", url])
    assert result.exit_code == 0, result.output
    return result.output


def build(catalog: Path, out: Path, url: str | None) -> Any:
    args = ["build", str(catalog), "--out", str(out), "--today", "2026-11-23", "--quiet"]
    return CliRunner().invoke(main, args + (["--service-db", url] if url else []))


def change_ids(client: FlaskClient) -> dict[str, int]:
    """Pending proposals on the queue page: dataset id -> change number."""
    page = client.get("/review/catalogue/").get_data(as_text=True)
    rows = re.findall(r'<tr data-change="(\d+)" data-dataset="([a-z0-9-]+)" '
                      r'data-status="pending">', page)
    return {dataset: int(number) for number, dataset in rows}


def decide(client: FlaskClient, number: int, action: str, reason: str = "") -> int:
    page = client.get("/review/catalogue/").get_data(as_text=True)
    version = re.search(rf'/review/catalogue/{number}/{action}".*?name="version" value="(\d+)"',
                        page, re.S)
    answer = client.post(f"/review/catalogue/{number}/{action}", data={
        "csrf_token": csrf(page), "version": version.group(1) if version else "1",
        "reason": reason})
    return answer.status_code


@pytest.mark.heavy  # among the longest of test-fast: started first (tests/conftest.py)
def test_propose_review_and_build_publishes_only_approved(
        app: Flask, app_config: dict[str, Any], catalog: Path, tmp_path: Path) -> None:
    url = app_config["DATABASE_URL"]
    out = propose(catalog, url)
    assert "jtj-0001 new" in out and "rsj-0001 new" in out and "gaj-0001 new" in out
    assert "0 proposal(s) filed" in propose(catalog, url)  # nothing changed: nothing new

    # Without the service database the review cannot be honoured: refuse.
    refused = build(catalog, tmp_path / "nosite", None)
    assert refused.exit_code == 1 and "catalogue_review is on" in refused.output

    # A department reviewer sees only its own department and cannot decide.
    jtj = sign_in(app, "jtj")
    assert set(change_ids(jtj)) == {"jtj-0001"}
    page = jtj.get("/review/catalogue/").get_data(as_text=True)
    assert "rsj-0001" not in page and 'data-action="approve"' not in page
    authority = sign_in(app, "authority")
    ids = change_ids(authority)
    assert set(ids) == {"jtj-0001", "rsj-0001", "gaj-0001"}
    assert decide(jtj, ids["jtj-0001"], "approve") == 403
    assert decide(sign_in(app, "auditor"), ids["jtj-0001"], "approve") == 403
    # CSRF: a post without the token is refused and changes nothing.
    assert authority.post(f"/review/catalogue/{ids['jtj-0001']}/approve",
                          data={"version": "1"}).status_code == 400
    # Bad input: a clear answer, never a 5xx, nothing decided.
    page = authority.get("/review/catalogue/").get_data(as_text=True)
    assert authority.post(f"/review/catalogue/{ids['jtj-0001']}/approve", data={
        "csrf_token": csrf(page), "version": "x"}).status_code == 302
    assert authority.post(f"/review/catalogue/{10**30}/approve", data={
        "csrf_token": csrf(page), "version": "1"}).status_code == 404
    assert "jtj-0001" in change_ids(authority)
    # Rejecting needs reasons.
    assert decide(authority, ids["rsj-0001"], "reject") == 302
    assert "rsj-0001" in change_ids(authority)
    assert decide(authority, ids["rsj-0001"], "reject", "法律依据条款不准确，请核对") == 302
    assert decide(authority, ids["jtj-0001"], "approve", "同意开放") == 302
    assert set(change_ids(authority)) == {"gaj-0001"}
    # The department sees the decision and its reasons.
    assert "法律依据条款不准确" not in jtj.get("/review/catalogue/").get_data(as_text=True)
    assert "法律依据条款不准确" in sign_in(app, "rsj").get("/review/catalogue/").get_data(
        as_text=True)

    site = tmp_path / "site"
    result = build(catalog, site, url)
    assert result.exit_code == 2, result.output
    assert "catalogue-not-approved" in result.output
    assert (site / "datasets" / "jtj-0001" / "index.html").is_file()
    assert not (site / "datasets" / "rsj-0001").exists()
    assert "rsj-0001" not in (site / "catalog.json").read_text("utf-8")

    # A changed entry of a published dataset waits for review again.
    descriptor = catalog / "bus-stops" / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text("utf-8").replace(
        "title: 公交站点信息", "title: 公交站点基础信息"), encoding="utf-8")
    assert "jtj-0001 change (title)" in propose(catalog, url)
    assert build(catalog, site, url).exit_code == 2
    assert "公交站点基础信息" not in (site / "catalog.json").read_text("utf-8")
    assert decide(authority, change_ids(authority)["jtj-0001"], "approve") == 302
    build(catalog, site, url)
    assert "公交站点基础信息" in (site / "catalog.json").read_text("utf-8")
    actions = [r.action for r in app.extensions["portal_store"].audit_records("jtj-0001")]
    assert actions.count("catalogue.approved") == 2 and "catalogue.proposed" in actions


def test_yearly_full_review_reminder_once_per_department(app: Flask) -> None:
    store = app.extensions["portal_store"]
    departments = [("jtj", "云河市交通运输局"), ("rsj", "云河市人力资源和社会保障局")]
    authority = sign_in(app, "authority")
    page = authority.get("/review/catalogue/").get_data(as_text=True)
    assert authority.post("/review/catalogue/full-review/jtj", data={
        "csrf_token": csrf(page), "note": "全部条目已核对"}).status_code == 302
    # A department reviewer cannot record its own full review.
    jtj = sign_in(app, "jtj")
    page = jtj.get("/review/catalogue/").get_data(as_text=True)
    assert jtj.post("/review/catalogue/full-review/jtj",
                    data={"csrf_token": csrf(page)}).status_code == 403
    assert CatalogueChanges(store).last_full_reviews() == {"jtj": date(2026, 11, 23)}
    assert remind_catalogue(store, departments, date(2026, 11, 23), NOW) == 1  # rsj only
    assert remind_catalogue(store, departments, date(2026, 11, 24), NOW) == 0  # once
    messages = [m for m in store.pending_messages() if m.kind == "catalogue.full_review_due"]
    assert [m.recipient for m in messages] == ["department:rsj"]
    # A year and a day later jtj is due again (003 §9: at least once a year).
    assert remind_catalogue(store, departments, date(2027, 11, 25), NOW) == 2
