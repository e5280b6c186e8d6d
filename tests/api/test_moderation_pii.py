"""Moderation over HTTP refuses to approve a demand or a reuse whose public
text holds an ID, mobile or card number in any of the corpus's writings
(tests/pii_corpus.py), and approves the close negatives (issue 11, on SQLite
and PostgreSQL). Nothing refused reaches a public page or answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search_api import create_app
from tests.api.conftest import index_once
from tests.api.test_participation_flow import everything_public
from tests.api.test_review_flow import PASSWORD, Clock, clock  # noqa: F401
from tests.api.test_review_flow import sign_in as review_sign_in
from tests.conftest import catalog_with_profile
from tests.pii_corpus import Writing, negatives, positives

POSITIVES = positives()
NEGATIVES = negatives(per_kind=1)
REFUSED = "公开内容含有个人身份证号、手机号或银行卡号"


@pytest.fixture
def app(app_config: dict[str, Any], clock: Clock,  # noqa: F811
        tmp_path: Path) -> Iterator[Flask]:
    catalog = catalog_with_profile(tmp_path / "catalog", "guizhou-regulation")
    config = {**app_config, "CATALOG_DIR": str(catalog), "CLOCK": lambda: clock.now,
              "RATE_PUBLIC_WRITES": 100_000}
    index_once(config)
    application = create_app(config)
    application.extensions["portal_store"].add_user(
        "jtj", PASSWORD, "department_reviewer", "jtj", at=clock.now)
    yield application
    application.extensions["portal_engine"].close()


def file(app: Flask, kind: str, writing: Writing) -> str:
    body: dict[str, Any] = {"title": "公交数据需求", "text": f"需求说明：{writing.text}",
                            "contact": "a@example.org"}
    if kind == "reuses":
        body |= {"url": "https://example.org/app", "dataset_ids": ["jtj-0001"]}
    else:
        body["department"] = "jtj"
    answer = app.test_client().post(f"/api/v1/{kind}", json=body)
    assert answer.status_code == 201, answer.get_json()
    return str(answer.get_json()["number"])


def approve_all(client: FlaskClient, numbers: list[str]) -> None:
    """Post the approve form of each item, as the moderation page offers it."""
    page = client.get("/review/moderation/").get_data(as_text=True)
    forms = dict(re.findall(r'action="/review/moderation/([^/"]+)/approve"[^>]*>'
                            r'<input[^>]*value="([^"]+)"><input[^>]*name="version" '
                            r'value="\d+"', page))
    for number in numbers:
        answer = client.post(f"/review/moderation/{number}/approve",
                             data={"csrf_token": forms[number], "version": "1"})
        assert answer.status_code == 302, number


@pytest.mark.heavy  # among the longest of test-fast: started first (tests/conftest.py)
@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
@pytest.mark.parametrize("kind", ["demands", "reuses"])
def test_approval_refused_for_every_writing(app: Flask, kind: str) -> None:
    numbers = [file(app, kind, writing) for writing in POSITIVES]
    jtj = review_sign_in(app, "jtj")
    page = jtj.get("/review/moderation/").get_data(as_text=True)
    assert page.count("含个人信息") >= len(POSITIVES)  # flagged before anyone approves
    approve_all(jtj, numbers)
    approved = {item["number"] for item in
                app.test_client().get(f"/api/v1/{kind}").get_json()["items"]}
    missed = [w for w, n in zip(POSITIVES, numbers, strict=True) if n in approved]
    assert not missed, missed[:5]
    # The reviewer is told why, in Chinese.
    again = jtj.post(f"/review/moderation/{numbers[0]}/approve", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),  # type: ignore[union-attr]
        "version": "1"}, follow_redirects=True)
    assert REFUSED in again.get_data(as_text=True)
    text = everything_public(app)
    for writing in POSITIVES[::5]:
        assert writing.text not in text


@pytest.mark.both_dbs  # store paths no store test reaches on PostgreSQL
def test_close_negatives_are_approved(app: Flask) -> None:
    numbers = [file(app, "demands", writing) for writing in NEGATIVES]
    approve_all(review_sign_in(app, "jtj"), numbers)
    public = app.test_client().get("/api/v1/demands").get_json()["items"]
    assert {item["number"] for item in public} == set(numbers)
