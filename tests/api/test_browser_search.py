"""The portal's search page in real headless Chromium against the running
service (static site and API from one server)."""

from __future__ import annotations

import pytest

from tests.browser import chromium

pytestmark = pytest.mark.browser


def test_search_box_shows_results_and_facets(live_server: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(live_server + "/")
        page.fill(".pt-hero input[name=q]", "公交")
        page.press(".pt-hero input[name=q]", "Enter")
        page.wait_for_selector("#pt-search-results li")
        titles = page.locator("#pt-search-results li a.pt-item-title").all_inner_texts()
        assert titles[:2] and {"公交站点信息", "公交线路信息"} == set(titles[:2])
        assert page.locator("#pt-search-results mark").first.inner_text() == "公交"
        # Narrow by a facet: the list and the count follow.
        page.locator("#pt-search-facets input[name=open_type][value=unconditional]").check()
        page.wait_for_function("location.search.includes('open_type=unconditional')")
        page.wait_for_selector("#pt-search-results li")
        assert "找到" in page.locator("#pt-search-count").inner_text()
        assert page.locator("#pt-search-offline").is_hidden()


def test_a_typing_slip_is_corrected_and_said(live_server: str) -> None:
    # 公焦 is a homophone slip of 公交: the page says which query it shows.
    with chromium() as browser:
        page = browser.new_page()
        page.goto(live_server + "/search/?q=公焦")
        page.wait_for_selector("#pt-search-count[data-corrected]")
        assert page.locator("#pt-search-count").get_attribute("data-corrected") == "公交"
        assert "以下是“公交”的结果" in page.locator("#pt-search-count").inner_text()
        titles = page.locator("#pt-search-results li a.pt-item-title").all_inner_texts()
        assert "公交站点信息" in titles


def test_without_javascript_the_forms_lead_to_results_rendered_by_the_service(
        live_server: str) -> None:
    with chromium() as browser:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(live_server + "/")
        page.fill(".pt-hero input[name=q]", "公交")
        page.press(".pt-hero input[name=q]", "Enter")
        page.wait_for_url("**/find?q=*")
        titles = page.locator("#sv-find-results li a.pt-item-title").all_inner_texts()
        assert {"公交站点信息", "公交线路信息"} == set(titles[:2])
        assert "找到" in page.locator("#sv-find-count").inner_text()
        assert "无法连接" not in page.content()
        # A facet is a link: following it narrows the results.
        page.locator("nav.sv-find-facets a", has_text="无条件开放").first.click()
        page.wait_for_url("**open_type=unconditional*")
        assert page.locator("nav.sv-find-facets a[aria-current=true]").count() == 1
        assert page.locator("#sv-find-results li").count() >= 1
        # The search page's own form works the same way.
        page.goto(live_server + "/search/?q=公交")
        # (Playwright disables script execution, not the parser's scripting
        # flag, so <noscript> is not rendered here: its text is checked in
        # tests/api/test_search_html.py.)
        page.fill("#pt-search-form input[name=q]", "公焦")
        page.press("#pt-search-form input[name=q]", "Enter")
        page.wait_for_url("**/find?q=*")
        assert "以下是“公交”的结果" in page.locator("#sv-find-count").inner_text()
        context.close()
