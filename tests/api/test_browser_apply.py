"""An applicant files a request from a dataset page and reads its status,
in real headless Chromium against the running service."""

from __future__ import annotations

import pytest

from tests.api.test_applicant_flow import ID_NUMBER
from tests.browser import chromium

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_apply_from_the_dataset_page_and_follow(live_server: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(live_server + "/datasets/rsj-0003/")
        page.get_by_role("link", name="申请使用本数据").click()
        page.wait_for_selector("form.sv-form")
        page.fill("#applicant_name", "李明")
        page.fill("#identity_number", ID_NUMBER)
        page.fill("#phone", "13812345678")
        page.fill("#purpose", "研究本市企业参保结构")
        page.fill("#scope_of_use", "课题组内部分析")
        page.fill("#period_of_use", "一年")
        page.fill("#security_measures", "加密存储，专人管理")
        page.check("input[name=commitment]")
        page.click("button[type=submit]")
        page.wait_for_selector("#receipt-number")
        number = page.inner_text("#receipt-number")
        code = page.inner_text("#access-code")
        assert number.startswith("YH-") and len(code) >= 20
        # A fresh browser context: follow the request with number and code.
        other = browser.new_context().new_page()
        other.goto(live_server + "/requests/status")
        other.fill("#number", number)
        other.fill("#access_code", code)
        other.click("button[type=submit]")
        other.wait_for_selector("#state")
        assert other.inner_text("#state") == "已受理，待审核转办"
        assert ID_NUMBER not in other.content()
