"""A reuse submitted from a dataset page in real headless Chromium appears on
the dataset page (fetched by portal.js) and on the showcase only after a
reviewer approved it, also in the browser (issue #5)."""

from __future__ import annotations

import pytest

from tests.api.test_review_flow import PASSWORD, app, clock  # noqa: F401
from tests.browser import chromium

pytestmark = pytest.mark.browser
TITLE = "<b>公交线网地图</b>"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reuse_appears_only_after_moderation(live_server: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(live_server + "/datasets/jtj-0001/")
        page.wait_for_selector("#pt-reuses p")
        assert "暂无应用成果" in page.inner_text("#pt-reuses")
        page.get_by_role("link", name="提交应用成果").click()
        page.wait_for_selector("#dataset_ids")
        assert page.input_value("#dataset_ids") == "jtj-0001"
        page.fill("#title", TITLE)
        page.fill("#text", "交互式公交线网和站点地图")
        page.fill("#url", "https://example.org/bus-map")
        page.fill("#contact", "dev@example.org")
        page.click("button[type=submit]")
        page.wait_for_selector("#participation-number")
        number = page.inner_text("#participation-number")
        assert number.startswith("CG-") and page.inner_text("#participation-status") == "待审核"

        # Pending: neither the dataset page nor the showcase shows it.
        page.goto(live_server + "/datasets/jtj-0001/")
        page.wait_for_selector("#pt-reuses p")
        assert "暂无应用成果" in page.inner_text("#pt-reuses")
        page.goto(live_server + "/showcase")
        assert page.locator("#participation-empty").count() == 1

        reviewer = browser.new_context().new_page()
        reviewer.goto(live_server + "/review/login")
        reviewer.fill("input[name=username]", "jtj")
        reviewer.fill("input[name=password]", PASSWORD)
        reviewer.click("button[type=submit]")
        reviewer.goto(live_server + "/review/moderation/")
        row = reviewer.locator(f'tr[data-number="{number}"]')
        row.locator('form[data-action="approve"] button').click()
        reviewer.wait_for_selector(".sv-success")

        page.goto(live_server + "/datasets/jtj-0001/")
        page.wait_for_selector("#pt-reuses li a")
        link = page.locator("#pt-reuses li a")
        assert link.inner_text() == TITLE  # shown as text, never as HTML
        assert link.get_attribute("href") == "https://example.org/bus-map"
        assert page.locator("#pt-reuses b").count() == 0
        page.goto(live_server + "/showcase")
        assert TITLE in page.inner_text(f'[data-number="{number}"]')
