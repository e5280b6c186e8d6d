"""The periods as each text sets them, over HTTP, per deployment profile
(set where a deployment sets it: ``profile:`` in portal.yaml).

Dates counted by hand on the 2026 calendar (no holiday between 2026-11-23
and 2026-12-31), the day of the starting event not counted:
from Mon 11-23, 5 WD → 11-30; 10 WD → 12-07; 15 WD → 12-14.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.periods.citations import REGULATIONS
from search_api import create_app
from search_api.mail.mailer import lapse_explanations
from tests.api.reviewer_apps import (  # noqa: F401  (PASSWORD, sign_in: used by other tests)
    AUTHORITY,
    PASSWORD,
    RSJ,
    RSJ_HEAD,
    Clock,
    app_factory,
    sign_in,
)
from tests.api.test_applicant_flow import application, csrf
from tests.conftest import catalog_with_profile

TITLES = {f"《{name}》" for name in REGULATIONS.values()}


@pytest.fixture
def clock() -> Clock:
    return Clock("2026-11-23")  # a Monday


@pytest.fixture
def make_app(app_config: dict[str, Any], clock: Clock,
             tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    with app_factory(app_config, clock, tmp_path, [AUTHORITY, RSJ, RSJ_HEAD],
                     RATE_SECRET_ATTEMPTS=1000, RATE_PUBLIC_WRITES=1000) as make:
        yield make


def file(app: Flask) -> tuple[FlaskClient, str, str]:
    """Filed on the clock's day; the applicant, the number and the receipt page."""
    applicant = app.test_client()
    page = applicant.get("/apply/rsj-0003").get_data(as_text=True)
    receipt = applicant.post("/apply/rsj-0003",
                             data=application(csrf(page))).get_data(as_text=True)
    number = re.search(r'id="receipt-number">([^<]+)<', receipt).group(1)  # type: ignore[union-attr]
    return applicant, number, receipt


def post(app: Flask, client: FlaskClient, number: str, action: str,
         **fields: str) -> list[str]:
    """A reviewer's form posted (even where the page offers no such form);
    the flash messages of the page after it."""
    page = client.get("/review/").get_data(as_text=True)
    _, version = app.extensions["portal_store"].load(number)
    html = client.post(f"/review/requests/{number}/{action}", data={
        "csrf_token": csrf(page), "version": str(version), **fields},
        follow_redirects=True).get_data(as_text=True)
    return re.findall(r"sv-flash[^>]*>([^<]+)", html)


def provider_due(client: FlaskClient, number: str) -> str:
    page = client.get(f"/review/requests/{number}").get_data(as_text=True)
    row = re.search(r"数据提供部门答复</td><td>([^<]+)</td>", page)
    assert row, "no provider period on the page"
    return row.group(1)


# profile → (the period shown on the receipt, its due date, its basis as shown)
AT_FILING = [
    ("guizhou-measures", "规范性审核", "2026-11-30", "《贵州省政务数据资源管理办法》第三十一条"),
    ("anhui", "规范性审核", "2026-11-30", "本局规定"),
    ("foshan", "规范性审核", "2026-11-30", "本局规定"),
    ("guizhou-regulation", "数据提供部门答复", "2026-12-14",
     "《贵州省政府数据共享开放条例》第二十五条第二款"),
    ("wanzhou", "数据提供部门答复", "2026-12-07", "《万州区政务数据资源管理办法》第三十一条"),
]


@pytest.mark.parametrize(("profile", "period", "due", "basis"), AT_FILING)
def test_the_receipt_shows_the_first_period_and_cites_only_the_deployments_text(
        make_app: Callable[..., Flask], profile: str, period: str, due: str,
        basis: str) -> None:
    app = make_app(profile)
    applicant, number, receipt = file(app)
    items = re.findall(r"<li>([^<]+)</li>", receipt)
    assert items == [f"{period}：{due} 前（{basis}，按工作日计算，受理当日不计入）"]
    own = f"《{app.extensions['portal_procedure'].profile.name}》"
    for page in (receipt, applicant.get(f"/requests/{number}").get_data(as_text=True)):
        assert not {t for t in TITLES if t in page} - {own}, "another jurisdiction cited"
        assert not re.search(r"\d{3} §\d+", page), "an internal code on a public page"


@pytest.mark.parametrize(("profile", "due"), [("guizhou-regulation", "2026-12-14"),
                                              ("wanzhou", "2026-12-07")])
def test_the_formal_check_does_not_move_the_providers_end(
        make_app: Callable[..., Flask], clock: Clock, profile: str, due: str) -> None:
    app = make_app(profile)
    _, number, _ = file(app)
    clock.set("2026-11-26")  # the platform forwards three days later
    assert post(app, sign_in(app, "authority"), number, "forward") == ["操作已完成。"]
    assert provider_due(sign_in(app, "rsj"), number) == due


@pytest.mark.parametrize(("profile", "due"), [("guizhou-measures", "2026-12-07"),
                                              ("guizhou-regulation", "2026-12-14"),
                                              ("wanzhou", "2026-12-07")])
def test_an_explanation_demand_does_not_stop_the_providers_clock(
        make_app: Callable[..., Flask], clock: Clock, profile: str, due: str) -> None:
    app = make_app(profile)
    applicant, number, _ = file(app)
    post(app, sign_in(app, "authority"), number, "forward")  # 11-23: 000's 10 WD → 12-07
    rsj = sign_in(app, "rsj")
    clock.set("2026-11-25")
    assert post(app, rsj, number, "request_explanation", question="请说明申请全部明细的必要性") \
        == ["操作已完成。"]
    assert provider_due(rsj, number) == due
    clock.set("2026-12-15")
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    assert "暂停计时" not in status and due in status and "已超期" in status
    # The department judges the unanswered demand itself (003 §26 不予处理).
    assert post(app, rsj, number, "judge_explanation", reasonable="no",
                reasons="未说明理由") == ["操作已完成。"]
    assert "不予处理" in applicant.get(f"/requests/{number}").get_data(as_text=True)


def test_a_bounded_policy_pause_ends_unanswered_as_not_processed(
        make_app: Callable[..., Flask], clock: Clock) -> None:
    app = make_app("guizhou-regulation", {"explanation_pause": 5})
    applicant, number, _ = file(app)
    rsj = sign_in(app, "rsj")
    post(app, sign_in(app, "authority"), number, "forward")
    clock.set("2026-11-25")
    post(app, rsj, number, "request_explanation", question="请说明申请全部明细的必要性")
    assert provider_due(rsj, number) == "暂停计时"
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    # The applicant's 5 WD: 11-26 27 30 12-01 02; labelled bureau policy.
    assert re.search(r"申请人说明理由</td><td>2026-12-02</td>.*?<td>本局规定</td>", status, re.S)
    store, procedure = app.extensions["portal_store"], app.extensions["portal_procedure"]
    assert lapse_explanations(store, procedure, date(2026, 12, 2), clock.now) == 0
    assert lapse_explanations(store, procedure, date(2026, 12, 3), clock.now) == 1
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    assert "不予处理" in status and "申请人未在2026-12-02前说明理由" in status
    mail = [m for m in store.pending_messages() if m.kind == "request.explanation_lapsed"]
    assert {m.recipient for m in mail} == {f"applicant:{number}", "department:rsj"}


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_the_third_partys_period_runs_from_the_day_it_received_the_letter(
        make_app: Callable[..., Flask], clock: Clock) -> None:
    app = make_app("guizhou-regulation")
    _, number, _ = file(app)
    post(app, sign_in(app, "authority"), number, "forward")
    rsj = sign_in(app, "rsj")
    clock.set("2026-11-27")  # sent on paper; the receipt is dated 11-26
    flashes = post(app, rsj, number, "start_consultation", parties="云河示例物业管理有限公司",
                   received_on="2026-11-26")
    assert flashes[-1] == "操作已完成。", flashes
    page = rsj.get(f"/review/requests/{number}").get_data(as_text=True)
    # 15 WD from 11-26: 11-27(1) 11-30..12-04(2-6) 12-07..11(7-11) 12-14..17(12-15).
    assert re.search(r"第三方提出意见（p1）</td><td>2026-12-17</td>", page)
    assert provider_due(rsj, number) == "暂停计时"
    flashes = post(app, rsj, number, "start_consultation", parties="x", received_on="2026-11-28")
    assert flashes and flashes[0].startswith("操作未执行：")  # not in consultation any more


def test_a_receipt_date_after_today_is_refused_in_chinese(
        make_app: Callable[..., Flask], clock: Clock) -> None:
    app = make_app("wanzhou")
    _, number, _ = file(app)
    post(app, sign_in(app, "authority"), number, "forward")
    clock.set("2026-11-27")
    flashes = post(app, sign_in(app, "rsj"), number, "start_consultation",
                   parties="云河示例物业管理有限公司", received_on="2026-11-30")
    assert flashes == ["操作未执行：第三方收到征求意见书的日期 2026-11-30 晚于今天：请核对回执上的日期。"]


@pytest.mark.parametrize(("profile", "due"), [("guizhou-regulation", "2026-12-14"),
                                              ("wanzhou", "2026-12-07")])
def test_an_extension_asked_after_the_period_is_refused_with_the_reason(
        make_app: Callable[..., Flask], clock: Clock, profile: str, due: str) -> None:
    app = make_app(profile)
    _, number, _ = file(app)
    post(app, sign_in(app, "authority"), number, "forward")
    head = sign_in(app, "rsj-head")
    clock.set(f"{due[:8]}{int(due[8:]) + 1:02d}")  # the day after the due date
    assert 'data-action="extend"' not in head.get(f"/review/requests/{number}").get_data(
        as_text=True)
    flashes = post(app, head, number, "extend", days="5", reasons="数据量大")
    assert len(flashes) == 1 and "操作已完成" not in flashes[0]
    assert f"答复期限已于 {due} 届满，已超期的期限不能延长" in flashes[0]
    clock.set(due)  # on the due date itself it is still possible
    assert post(app, head, number, "extend", days="5", reasons="数据量大") == ["操作已完成。"]


def test_the_json_status_gives_the_basis_in_chinese(make_app: Callable[..., Flask]) -> None:
    app = make_app("wanzhou")
    client = app.test_client()
    filed = client.post("/api/v1/requests", json={
        "dataset_id": "rsj-0003", "applicant_type": "person", "applicant_name": "李明",
        "identity_number": "11010519491231002X", "phone": "13812345678",
        "purpose": "研究", "scope_of_use": "课题组", "period_of_use": "一年",
        "security_measures": "加密存储", "commitment_accepted": True})
    assert filed.status_code == 201, filed.get_json()
    body = filed.get_json()
    status = client.get(f"/api/v1/requests/{body['number']}",
                        headers={"X-Access-Code": body["access_code"]}).get_json()
    assert status["deadlines"] == [{
        "what": "provider_reply", "name": "数据提供部门答复", "due": "2026-12-07",
        "status": "running", "basis": "《万州区政务数据资源管理办法》第三十一条",
        "provisional": False}]


def test_one_profile_per_deployment(app_config: dict[str, Any], tmp_path: Path) -> None:
    from search_api.deployment import DeploymentError

    catalog = catalog_with_profile(tmp_path / "one", "wanzhou")
    # The transition setting may repeat portal.yaml, never contradict it.
    same = create_app({**app_config, "CATALOG_DIR": str(catalog), "PROFILE": "wanzhou"})
    assert same.extensions["portal_procedure"].profile.key == "wanzhou"
    same.extensions["portal_engine"].close()
    with pytest.raises(DeploymentError, match=r"PROFILE setting \('foshan'\) differs from "
                                              r"profile: 'wanzhou'"):
        create_app({**app_config, "CATALOG_DIR": str(catalog), "PROFILE": "foshan"})
    bad = catalog_with_profile(tmp_path / "bad", "wanzhou", {"provider_reply": 30})
    with pytest.raises(DeploymentError, match="004 §31 sets 10"):
        create_app({**app_config, "CATALOG_DIR": str(bad)})
