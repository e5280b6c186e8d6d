"""An applicant files a conditional-open request from a dataset page,
keeps the receipt, follows the request with the access code and withdraws
it — over HTTP with the Flask test client, SQLite store (003 §24, 000 §31)."""

from __future__ import annotations

import logging
import re

import pytest
from flask.testing import FlaskClient

ID_NUMBER = "11010519491231002X"  # valid GB 11643 check character
PHONE = "13812345678"


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "form without CSRF token"
    return match.group(1)


def application(token: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": token, "applicant_type": "person", "applicant_name": "李明",
        "identity_number": ID_NUMBER, "phone": PHONE, "email": "liming@example.com",
        "purpose": "研究本市企业社会保险参保结构", "scope_of_use": "课题组内部分析",
        "period_of_use": "一年", "security_measures": "加密存储，专人管理，用后删除",
        "delivery_method": "download", "commitment": "yes",
    }
    form.update(changes)
    return form


def file_request(client: FlaskClient) -> tuple[str, str]:
    page = client.get("/apply/rsj-0003").get_data(as_text=True)
    answer = client.post("/apply/rsj-0003", data=application(csrf(page)))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    html = answer.get_data(as_text=True)
    number = re.search(r'id="receipt-number">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    code = re.search(r'id="access-code">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    return number, code


def test_form_shows_conditions_and_the_commitment(client: FlaskClient) -> None:
    page = client.get("/apply/rsj-0003").get_data(as_text=True)
    assert "开放条件" in page and "数据开放利用承诺书" in page
    assert client.get("/apply/jtj-0001").status_code == 404  # unconditional: no application
    assert client.get("/apply/gaj-0001").status_code == 404  # not open: unknown here


def test_post_without_csrf_token_is_refused(client: FlaskClient) -> None:
    client.get("/apply/rsj-0003")
    response = client.post("/apply/rsj-0003", data=application("forged"))
    assert response.status_code == 400
    assert "请刷新页面后重新提交" in response.get_data(as_text=True)


def test_invalid_application_lists_every_problem_and_does_not_echo_the_id(
        client: FlaskClient) -> None:
    page = client.get("/apply/rsj-0003").get_data(as_text=True)
    bad_id = "110105194912310021"  # wrong check character
    response = client.post("/apply/rsj-0003", data=application(
        csrf(page), identity_number=bad_id, purpose="", period_of_use="", commitment=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for problem in ("身份证号码校验位不正确", "请填写数据用途", "承诺书", "请填写使用期限"):
        assert problem in html
    assert bad_id not in html


def test_file_follow_and_withdraw(client: FlaskClient, app, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    number, code = file_request(client)
    assert re.fullmatch(r"YH-20261123-\d{4,}", number)
    # Received Monday 2026-11-23: 5 working days of normative review (000 §31),
    # the day of receipt not counted → Monday 2026-11-30.
    other = app.test_client()
    assert other.get(f"/requests/{number}").status_code == 302
    login = other.get("/requests/status").get_data(as_text=True)
    wrong = other.post("/requests/status", data={"csrf_token": csrf(login), "number": number,
                                                  "access_code": "guess"})
    assert wrong.status_code == 403
    right = other.post("/requests/status", data={"csrf_token": csrf(login), "number": number,
                                                  "access_code": code})
    assert right.status_code == 302
    status = other.get(f"/requests/{number}").get_data(as_text=True)
    assert "已受理，待审核转办" in status and "2026-11-30" in status
    assert ID_NUMBER not in status and PHONE not in status  # masked on the page
    withdrawn = other.post(f"/requests/{number}/withdraw",
                           data={"csrf_token": csrf(status), "text": "不再需要"})
    assert withdrawn.status_code == 302
    assert "申请人已撤回" in other.get(f"/requests/{number}").get_data(as_text=True)
    for record in caplog.records:
        assert ID_NUMBER not in record.getMessage() and PHONE not in record.getMessage()


def test_register_counts_without_personal_data(client: FlaskClient) -> None:
    file_request(client)
    page = client.get("/register").get_data(as_text=True)
    assert "云河市人力资源和社会保障局" in page
    assert ID_NUMBER not in page and "李明" not in page


@pytest.mark.parametrize("attempts", [12])
def test_guessing_access_codes_is_rate_limited(client: FlaskClient, attempts: int) -> None:
    number, _ = file_request(client)
    login = client.get("/requests/status").get_data(as_text=True)
    codes = []
    for _ in range(attempts):
        codes.append(client.post("/requests/status", data={
            "csrf_token": csrf(login), "number": number, "access_code": "nope"}).status_code)
    assert codes[:10] == [403] * 10 and codes[10:] == [429, 429]


def test_the_receipt_is_never_cached_and_a_mistyped_number_is_not_logged(
        client: FlaskClient, caplog) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/apply/rsj-0003").get_data(as_text=True)
    answer = client.post("/apply/rsj-0003", data=application(csrf(page)))
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"  # it shows the access code once
    caplog.set_level(logging.WARNING)
    login = client.get("/requests/status").get_data(as_text=True)
    for typed in ("91350100M000100Y43", "YH-20261123-0099"):  # a credit code; a receipt number
        refused = client.post("/requests/status", data={
            "csrf_token": csrf(login), "number": typed, "access_code": "wrong"})
        assert refused.status_code == 403
    logged = [r.getMessage() for r in caplog.records if "wrong access code" in r.getMessage()]
    assert len(logged) == 2
    assert "91350100M000100Y43" not in caplog.text and "(not a receipt number)" in logged[0]
    assert "YH-20261123-0099" in logged[1]
