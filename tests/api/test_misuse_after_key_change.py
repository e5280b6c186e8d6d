"""The misuse record follows the applicant, not the service's secret key: a
department that noted a misuse still sees it on the same applicant's later
request after SECRET_KEY changed (a rotation, or `portal serve` making a
random key at each start), and another applicant never sees it."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.api.keyed_helpers import app, approved, clock, file_for  # noqa: F401
from tests.api.test_applicant_flow import application, csrf
from tests.api.test_review_flow import Clock, sign_in

pytestmark = pytest.mark.both_dbs

NOTE = "以往数据使用的违规和处理记录"
OTHER_ID = "440306198808081230"  # another person (valid GB 11643 check character)


def test_a_new_secret_key_keeps_the_misuse_record_of_the_applicant(
        app: Flask, clock: Clock) -> None:  # noqa: F811
    applicant, number, provider = approved(app, "dsj-0001", "dsj", "api")
    page = provider.get("/review/uses").get_data(as_text=True)
    assert provider.post(f"/review/uses/{number}/misuse",
                         data={"csrf_token": csrf(page), "reason": "超出约定用途使用数据"}
                         ).status_code == 302
    app.config["SECRET_KEY"] = "a-new-key-after-rotation"
    later = file_for(app.test_client(), "dsj-0001", "sandbox")
    provider = sign_in(app, "dsj")
    shown = provider.get(f"/review/requests/{later}").get_data(as_text=True)
    assert NOTE in shown and "超出约定用途使用数据" in shown
    assert NOTE not in provider.get(f"/review/requests/{number}").get_data(as_text=True)
    # Another person asking for the same data sees nothing of it, nor does
    # their reviewer.
    other = app.test_client()
    form = other.get("/apply/dsj-0001").get_data(as_text=True)
    answer = other.post("/apply/dsj-0001", data=application(
        csrf(form), delivery_method="sandbox", applicant_name="王芳", identity_number=OTHER_ID))
    found = re.search(r'id="receipt-number">([^<]+)<', answer.get_data(as_text=True))
    assert answer.status_code == 200 and found
    assert NOTE not in provider.get(f"/review/requests/{found.group(1)}").get_data(as_text=True)
