"""The reviewers' pages share one navigation (templates/review/base.html):
from the queue a signed-in reviewer reaches the moderation page, the
error reports, catalogue review, authorised operation and the supervision
of approved uses, and every reviewer page carries the same links back."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_review_flow import app, clock, file, sign_in  # noqa: F401

NAV = {"/review/": "待办申请", "/review/moderation/": "公众参与审核", "/review/reports": "数据纠错",
       "/review/catalogue/": "目录审核", "/review/operations/": "授权运营",
       "/review/uses": "数据使用监管"}


def navigation(client: FlaskClient, path: str) -> dict[str, str]:
    """The review navigation of the page at ``path``: href → label."""
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    nav = BeautifulSoup(answer.get_data(as_text=True), "html.parser").find(id="review-nav")
    assert nav is not None, f"no review navigation on {path}"
    return {str(a["href"]): a.get_text(strip=True) for a in nav.find_all("a")}


@pytest.mark.parametrize("username", ["rsj", "authority", "auditor"])
def test_a_reviewer_reaches_moderation_and_reports_from_the_queue(
        app: Flask, username: str) -> None:  # noqa: F811
    reviewer = sign_in(app, username)
    links = navigation(reviewer, "/review/")
    assert links == NAV
    moderation = reviewer.get("/review/moderation/").get_data(as_text=True)
    assert "公众参与：审核与答复" in moderation
    reports = reviewer.get("/review/reports").get_data(as_text=True)
    assert "数据纠错与目录更正" in reports
    # The way back is the same navigation on every page.
    assert navigation(reviewer, "/review/moderation/") == NAV
    assert navigation(reviewer, "/review/reports") == NAV
    assert navigation(reviewer, "/review/catalogue/") == NAV
    assert navigation(reviewer, "/review/uses") == NAV


def test_the_current_page_is_marked_and_the_request_page_has_the_navigation(
        app: Flask) -> None:  # noqa: F811
    _, number = file(app)
    reviewer = sign_in(app, "authority")
    page = BeautifulSoup(reviewer.get("/review/moderation/").get_data(as_text=True),
                         "html.parser")
    current = page.select('#review-nav a[aria-current="page"]')
    assert [a["href"] for a in current] == ["/review/moderation/"]
    assert navigation(reviewer, f"/review/requests/{number}") == NAV
    # Signing out is part of the navigation too (a CSRF-protected form).
    nav = page.find(id="review-nav")
    assert nav is not None and nav.find("form", action="/review/logout") is not None


def test_no_navigation_before_signing_in(app: Flask) -> None:  # noqa: F811
    login = app.test_client().get("/review/login").get_data(as_text=True)
    assert BeautifulSoup(login, "html.parser").find(id="review-nav") is None
