"""The public /register page is valid HTML (issue 11): its <title> is the
page's name only (it once held the use-reports table), and no id is used
twice. Parsed with an HTML parser, not searched as text."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask

from tests.api.test_review_flow import app, clock  # noqa: F401


def test_register_title_and_ids(app: Flask, clock: Any) -> None:  # noqa: F811
    page = app.test_client().get("/register")
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    titles = soup.find_all("title")
    assert len(titles) == 1
    assert titles[0].find_all(True) == []  # no element inside the title
    assert titles[0].get_text().startswith("申请办理统计 - ")
    ids = Counter(str(tag["id"]) for tag in soup.find_all(id=True))
    assert [i for i, n in ids.items() if n > 1] == []
    assert ids["use-reports"] == 1 and ids["register-use-reports"] == 1
    assert soup.find(id="register-use-reports").find_parent("body") is not None  # type: ignore[union-attr]
