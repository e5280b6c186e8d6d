"""Delivery by download (000 §31, 002 §36) with token-free URLs: the
applicant's "get a link" button binds a new link to their session and
redirects (303) to /requests/<number>/files/; the link expires, counts its
uses (listing the files is free), works only in the session that asked for
it, and every download is audited. SQLite and PostgreSQL, real files."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from search_api.requests.delivery import MAX_USES
from tests.api.test_applicant_flow import csrf, file_request
from tests.api.test_review_flow import Clock, act, app, clock, sign_in  # noqa: F401
from tests.conftest import REPO

SOURCE = next((REPO / "datasets" / "rsj-0003" / "data").glob("*.csv")).read_bytes()


def delivered(app: Flask) -> tuple[FlaskClient, str, str]:  # noqa: F811
    """A request approved for download and delivered; its applicant's
    client (signed in by filing), number and access code."""
    applicant = app.test_client()
    number, code = file_request(applicant)
    act(sign_in(app, "authority"), number, "forward")
    rsj = sign_in(app, "rsj")
    act(rsj, number, "approve", scope="2025年度参保单位汇总数据", delivery_method="download")
    act(rsj, number, "deliver", reference="下载")
    return applicant, number, code


def get_link(applicant: FlaskClient, number: str) -> str:
    """Press the page's button; the redirect's target (a path)."""
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    answer = applicant.post(f"/requests/{number}/download-link",
                            data={"csrf_token": csrf(status)})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    return answer.headers["Location"]


def file_path(applicant: FlaskClient, number: str) -> str:
    listing = applicant.get(f"/requests/{number}/files/").get_data(as_text=True)
    found = re.search(rf'href="(/requests/{number}/files/[^"/]+)"', listing)
    assert found, "no file on the download page"
    return found.group(1)


def test_the_link_leads_to_token_free_urls_and_counts_downloads(
        app: Flask) -> None:  # noqa: F811
    applicant, number, _ = delivered(app)
    assert get_link(applicant, number) == f"/requests/{number}/files/"
    page = applicant.get(f"/requests/{number}/files/").get_data(as_text=True)
    assert "下载链接已生成，72 小时内有效" in page and "已使用 0 次（上限 20 次）" in page
    path = file_path(applicant, number)
    for _ in range(MAX_USES):
        with applicant.get(path) as got:
            assert got.status_code == 200 and got.get_data() == SOURCE
    # Listing is free, but the link has no uses left for a file.
    listing = applicant.get(f"/requests/{number}/files/")
    assert listing.status_code == 410
    with applicant.get(path) as spent:
        assert spent.status_code == 410
        assert "已达使用次数上限" in spent.get_data(as_text=True)
    # A new link replaces the spent one in this session.
    get_link(applicant, number)
    with applicant.get(path) as again:
        assert again.status_code == 200
    store = app.extensions["portal_store"]
    downloads = [r for r in store.audit_records(number) if r.action == "download"]
    assert len(downloads) == MAX_USES + 1
    assert downloads[0].actor == f"applicant:{number}"
    assert json.loads(downloads[0].detail) == {"dataset": "rsj-0003",
                                               "resource": path.rsplit("/", 1)[1]}


def test_the_link_works_only_in_the_session_that_asked_for_it(
        app: Flask, clock: Clock) -> None:  # noqa: F811
    applicant, number, code = delivered(app)
    get_link(applicant, number)
    path = file_path(applicant, number)
    stranger = app.test_client()
    assert stranger.get(f"/requests/{number}/files/").status_code == 403
    assert stranger.get(path).status_code == 403
    # The applicant in another browser: signed in with the access code, but
    # the link was given to the first session only.
    other = app.test_client()
    login = other.get("/requests/status").get_data(as_text=True)
    assert other.post("/requests/status", data={"csrf_token": csrf(login), "number": number,
                                                 "access_code": code}).status_code == 302
    refused = other.get(path)
    assert refused.status_code == 403 and "获取链接的浏览器" in refused.get_data(as_text=True)
    assert other.get(f"/requests/{number}/files/").status_code == 403
    # Expiry: DOWNLOAD_LINK_HOURS (72) after it was issued.
    clock.now += timedelta(hours=71)
    with applicant.get(path) as still:
        assert still.status_code == 200
    clock.now += timedelta(hours=2)
    with applicant.get(path) as expired:
        assert expired.status_code == 410
    # Only the downloads that were served are audited: the one before expiry.
    store = app.extensions["portal_store"]
    assert [r.action for r in store.audit_records(number)].count("download") == 1


def test_no_link_before_delivery_or_without_signing_in(app: Flask) -> None:  # noqa: F811
    applicant = app.test_client()
    number, _ = file_request(applicant)
    status = applicant.get(f"/requests/{number}").get_data(as_text=True)
    early = applicant.post(f"/requests/{number}/download-link",
                           data={"csrf_token": csrf(status)})
    assert early.status_code == 400 and "尚未提供数据" in early.get_data(as_text=True)
    assert applicant.get(f"/requests/{number}/files/").status_code == 403
    stranger = app.test_client()
    page = stranger.get("/requests/status").get_data(as_text=True)
    refused = stranger.post(f"/requests/{number}/download-link",
                            data={"csrf_token": csrf(page)})
    assert refused.status_code == 403


def test_an_unknown_file_is_404(app: Flask) -> None:  # noqa: F811
    applicant, number, _ = delivered(app)
    get_link(applicant, number)
    assert applicant.get(f"/requests/{number}/files/no-such-file").status_code == 404


def test_the_link_expiry_is_shown_in_beijing_time(app: Flask) -> None:  # noqa: F811
    applicant, number, _ = delivered(app)
    get_link(applicant, number)
    page = applicant.get(f"/requests/{number}/files/").get_data(as_text=True)
    # The clock is 2026-09-21 10:00 Beijing (02:00 UTC); 72 hours later.
    assert "链接有效期至 2026-09-24 10:00（北京时间）" in page
    assert "UTC" not in page
