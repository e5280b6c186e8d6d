"""Every page type, public and reviewers', has no axe-core violation in real
Chromium at 1366 px and 390 px (issue #15). axe-core (vendored in
tests/data/axe) runs with all its default rules: WCAG 2.x A and AA and its
best practices. The service serves the built sample site (`portal serve`
layout), so the static pages are checked as readers get them, with the
search page's results and the dataset pages' live parts filled in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.api.test_applicant_flow import ID_NUMBER
from tests.api.test_review_flow import PASSWORD, act, app, clock, sign_in  # noqa: F401
from tests.browser import axe_violations, chromium, inject_axe, settle, watch_requests

pytestmark = pytest.mark.browser

WIDTHS = {1366: {"width": 1366, "height": 900}, 390: {"width": 390, "height": 844}}
# One page of each type of the built site: home, catalogue (also filtered by
# a theme: themes have no pages of their own), an unconditional and a
# conditional dataset, departments, search with results, statistics,
# announcements, API page, guide, about, terms, and the site's 404 page.
STATIC_PAGES = ("/", "/catalog/", "/catalog/?theme=transport", "/datasets/jtj-0001/",
                "/datasets/hbj-0001/", "/datasets/rsj-0003/", "/departments/",
                "/departments/jtj/", "/search/?q=公交", "/statistics/", "/announcements/",
                "/developers/", "/guide/", "/plan/", "/evaluation/", "/about/", "/terms/",
                "/404.html")
# The service's pages reached by GET alone (forms and lists); pages behind a
# submission or a sign-in are walked in the second test.
SERVICE_PAGES = ("/apply/rsj-0003", "/requests/status", "/report/jtj-0001", "/demands",
                 "/demands/new", "/suggestions", "/suggestions/new", "/showcase",
                 "/showcase/new", "/register", "/find?q=公交", "/review/login",
                 "/operations/apply", "/operations/status", "/operations/register",
                 "/no-such-page")
PLAIN_PAGES = ("/apply/rsj-0003", "/requests/status", "/demands", "/review/login")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def database_url(tmp_path: Any) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'portal.sqlite3'}"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # As `portal serve` runs: the site beside the service, links on this host.
    return {**app_config, "PUBLIC_SITE_URL": ""}


class Checker:
    """Opens pages at both widths (one browser context each, CSP bypassed
    so axe can be injected) and gathers every violation."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.contexts = {width: browser.new_context(viewport=size, bypass_csp=True)
                         for width, size in WIDTHS.items()}
        for context in self.contexts.values():
            watch_requests(context)
            inject_axe(context)
        self.pages = {width: context.new_page() for width, context in self.contexts.items()}
        self.problems: list[str] = []
        self.checked = 0

    def check(self, width: int, label: str) -> None:
        page = self.pages[width]
        settle(page)  # the live parts filled in
        self.problems += axe_violations(page, f"{label} at {width} px")
        self.checked += 1

    def visit(self, path: str, status: int = 200, label: str = "") -> None:
        for width, page in self.pages.items():
            response = page.goto(self.base + path)
            assert response is not None and response.status == status, (path, width)
            self.check(width, label or path)

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


def test_static_and_public_service_pages_have_no_violation(live_server: str, browser: Any,
                                                           app: Flask) -> None:  # noqa: F811
    checker = Checker(browser, live_server)
    for path in STATIC_PAGES:
        checker.visit(path)
    for path in SERVICE_PAGES:
        checker.visit(path, 404 if path == "/no-such-page" else 200)
    # What the phone shows behind a tap: the menu drawer, the catalogue's filters.
    phone = checker.pages[390]
    phone.goto(live_server + "/")
    phone.locator("label.md-header__button[for=__drawer]").click()
    phone.locator("nav.md-nav--primary").first.wait_for(state="visible")
    checker.check(390, "/ with the menu open")
    phone.goto(live_server + "/catalog/")
    phone.locator("#pt-filter-box > summary").click()
    phone.locator("#pt-facets fieldset").first.wait_for(state="visible")
    checker.check(390, "/catalog/ with the filters open")
    # The service without a built site's layout: its own plain one.
    app.config["SITE_DIR"] = ""
    for path in PLAIN_PAGES:
        checker.visit(path, label=f"{path} (plain layout)")
        assert checker.pages[390].locator("body.sv-plain").count() == 1
    checker.close()
    assert checker.checked == 2 * (len(STATIC_PAGES) + len(SERVICE_PAGES) + len(PLAIN_PAGES)) + 2
    assert not checker.problems, f"{len(checker.problems)} violation(s):\n" + "\n".join(
        checker.problems)


def _submit(checker: Checker, path: str, fields: dict[str, str], done: str) -> str:
    """Fill the form at ``path`` at every width (``check:`` ticks a box,
    ``select:`` picks an option), submit it and check the answer page;
    returns the text of ``done`` on the last answer."""
    text = ""
    for width, page in checker.pages.items():
        page.goto(checker.base + path)
        for selector, value in fields.items():
            if selector.startswith("check:"):
                page.check(selector[6:])
            elif selector.startswith("select:"):
                page.select_option(selector[7:], value)
            else:
                page.fill(selector, value)
        page.click("form.sv-form button[type=submit]")
        page.wait_for_selector(done)
        checker.check(width, f"answer of {path}")
        text = page.inner_text(done)
    return text


def test_forms_answers_status_review_and_consultation_have_no_violation(
        live_server: str, browser: Any, app: Flask) -> None:  # noqa: F811
    checker = Checker(browser, live_server)
    # A refused form comes back with its errors listed above it.
    _submit(checker, "/apply/rsj-0003", {
        "#applicant_name": "李明", "#identity_number": "12345", "#phone": "13812345678",
        "#purpose": "研究", "#scope_of_use": "内部", "#security_measures": "加密"}, ".sv-errors")
    number = _submit(checker, "/apply/rsj-0003", {
        "#applicant_name": "李明", "#identity_number": ID_NUMBER, "#phone": "13812345678",
        "#purpose": "研究本市企业参保结构", "#scope_of_use": "课题组内部分析",
        "#period_of_use": "一年", "#security_measures": "加密存储，专人管理",
        "check:input[name=commitment]": ""}, "#receipt-number")
    code = checker.pages[390].inner_text("#access-code")
    _submit(checker, "/requests/status", {"#number": number, "#access_code": code}, "#state")
    report = _submit(checker, "/report/rsj-0001", {"#description": "第3行参保人数有误，应为1200"},
                     "#report-number")
    demand = _submit(checker, "/demands/new", {
        "#title": "企业参保月度数据", "#text": "希望按月开放参保单位数", "select:#department": "rsj"},
        "#participation-number")

    # A department reviewer's pages with something to do on each: the queue,
    # the case before and during a consultation of a third party (whose
    # page is checked too), error reports and public participation.
    act(sign_in(app, "authority"), number, "forward")
    for width, page in checker.pages.items():
        page.goto(live_server + "/review/login")
        page.fill("#username", "rsj")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/review/?$"))
        assert page.locator(f"text={number}").count(), "the case is not in the queue"
        checker.check(width, "/review/")
    checker.visit(f"/review/requests/{number}")
    html = act(sign_in(app, "rsj"), number, "start_consultation", parties="云河示例物业管理有限公司")
    token = re.search(r"/consult/([A-Za-z0-9_-]+)", html).group(1)  # type: ignore[union-attr]
    checker.visit(f"/review/requests/{number}")
    for path, item in (("/review/reports", report), ("/review/moderation/", demand)):
        checker.visit(path)
        assert checker.pages[1366].locator(f'tr[data-number="{item}"] form').count(), (path, item)
    for width, page in checker.pages.items():
        page.goto(live_server + f"/consult/{token}")
        page.wait_for_selector("form")
        checker.check(width, "/consult/")
    checker.close()
    assert not checker.problems, f"{len(checker.problems)} violation(s):\n" + "\n".join(
        checker.problems)
