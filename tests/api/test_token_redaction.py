"""Bearer tokens (third-party consultation links, download links) never
appear in a log: a whole third-party flow and a download over real HTTP
leave no token in any captured log record (the download link's token never
even reaches a URL, a header or a page), and gunicorn run with the shipped
configuration writes access-log lines with the tokens redacted."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from search_api import create_app
from search_api.requests import delivery as delivery_views
from search_api.web.logredact import redact
from search_api.web.security import new_secret
from tests.api.conftest import index_once
from tests.api.test_applicant_flow import application
from tests.conftest import REPO, catalog_with_profile

PASSWORD = "correct horse battery"
NOW = datetime(2026, 9, 21, 2, 0, tzinfo=UTC)  # Mon 10:00 in Beijing


@pytest.mark.parametrize(("line", "expected"), [
    ('GET /consult/AbC-12_xyz HTTP/1.1', 'GET /consult/[redacted] HTTP/1.1'),
    ('"GET /download/tok3n/rsj-0003.csv HTTP/1.1" 200',
     '"GET /download/[redacted]/rsj-0003.csv HTTP/1.1" 200'),
    ("POST /api/v1/consultations/tok3n?x=1", "POST /api/v1/consultations/[redacted]?x=1"),
    ("https://data.example.cn/consult/tok3n", "https://data.example.cn/consult/[redacted]"),
    ("GET /consult/ HTTP/1.1", "GET /consult/ HTTP/1.1"),  # the token-free page
    ("GET /requests/YH-20260921-0001 HTTP/1.1", "GET /requests/YH-20260921-0001 HTTP/1.1"),
    # the token-free download page and files: nothing to redact
    ("GET /requests/YH-20260921-0001/files/rsj-0003 HTTP/1.1",
     "GET /requests/YH-20260921-0001/files/rsj-0003 HTTP/1.1"),
])
def test_redact(line: str, expected: str) -> None:
    assert redact(line) == expected


@pytest.fixture
def app(app_config: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    # Plain HTTP on loopback: a site published over http (with an https
    # address the session cookie is Secure, and `requests` keeps it off http).
    catalog = catalog_with_profile(tmp_path / "catalog", "guizhou-regulation")
    config = {**app_config, "CATALOG_DIR": str(catalog), "CLOCK": lambda: NOW,
              "RATE_SECRET_ATTEMPTS": 1000, "PUBLIC_SITE_URL": "http://127.0.0.1/"}
    index_once(config)
    application_ = create_app(config)
    store = application_.extensions["portal_store"]
    for name, role, department in [("authority", "authority_reviewer", None),
                                   ("rsj", "department_reviewer", "rsj")]:
        store.add_user(name, PASSWORD, role, department, at=NOW)
    yield application_
    application_.extensions["portal_engine"].close()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _reviewer(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/review/login").text
    signed = session.post(f"{base}/review/login", data={
        "csrf_token": _csrf(page), "username": username, "password": PASSWORD})
    assert signed.ok
    return session


def _act(session: requests.Session, base: str, number: str, action: str,
         **fields: str) -> str:
    page = session.get(f"{base}/review/requests/{number}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version, f"no form for {action}"
    html = session.post(f"{base}/review/requests/{number}/{action}", data={
        "csrf_token": _csrf(page), "version": version.group(1), **fields}).text
    assert "操作已完成" in html, re.findall(r"sv-flash[^>]*>([^<]+)", html)
    return html


@pytest.mark.both_dbs  # a whole flow through the store on PostgreSQL too
def test_no_token_in_the_logs_of_a_whole_third_party_flow(
        live_server: str, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    issued: list[str] = []  # the download links' tokens, as the real generator makes them

    def recorded_secret() -> str:
        issued.append(new_secret())
        return issued[-1]

    monkeypatch.setattr(delivery_views, "new_secret", recorded_secret)
    base = live_server
    applicant = requests.Session()
    form = applicant.get(f"{base}/apply/rsj-0003").text
    receipt = applicant.post(f"{base}/apply/rsj-0003", data=application(_csrf(form))).text
    number = re.search(r'id="receipt-number">([^<]+)<', receipt).group(1)  # type: ignore[union-attr]
    access_code = re.search(r'id="access-code">([^<]+)<', receipt).group(1)  # type: ignore[union-attr]

    _act(_reviewer(base, "authority"), base, number, "forward")
    rsj = _reviewer(base, "rsj")
    html = _act(rsj, base, number, "start_consultation", parties="甲物业公司\n乙科技公司")
    first, second = re.findall(r"/consult/([A-Za-z0-9_-]+)", html)

    # The first party on the web page: the token URL redirects to a token-free page.
    third = requests.Session()
    letter = third.get(f"{base}/consult/{first}")
    assert letter.url == f"{base}/consult/" and [r.status_code for r in letter.history] == [303]
    answered = third.post(f"{base}/consult/", data={
        "csrf_token": _csrf(letter.text), "answer": "agree"})
    assert "您的意见已收到" in answered.text and first not in answered.url
    # The second over the JSON API.
    assert requests.post(f"{base}/api/v1/consultations/{second}",
                         json={"answer": "agree"}).json()["ok"]

    _act(rsj, base, number, "close_consultation")
    _act(rsj, base, number, "approve", scope="2025年度参保单位汇总数据", delivery_method="download")
    _act(rsj, base, number, "deliver", reference="下载")

    # The applicant's link binds the session and leads to token-free URLs.
    status = applicant.get(f"{base}/requests/{number}").text
    listing = applicant.post(f"{base}/requests/{number}/download-link",
                             data={"csrf_token": _csrf(status)})
    assert [r.status_code for r in listing.history] == [303]
    assert listing.url == f"{base}/requests/{number}/files/"
    link = re.search(rf'href="(/requests/{number}/files/[^"/]+)"', listing.text)
    assert link, "no file on the download page"
    got = applicant.get(f"{base}{link.group(1)}", headers={"Referer": listing.url})
    assert got.status_code == 200 and got.content
    [download] = issued
    exchanged = [*listing.history, listing, got]
    for response in exchanged:  # nor in any URL, header or page the applicant got
        assert download not in response.url and download not in str(response.headers)
        assert download not in response.text

    secrets = {"first link": first, "second link": second, "download link": download,
               "access code": access_code}
    # Every record of the server's side (the test's own HTTP client, urllib3,
    # logs the URLs it fetches: that is the client's business, not the portal's).
    server = [r for r in caplog.records if not r.name.startswith("urllib3")]
    lines = [r.getMessage() for r in server]
    for what, secret in secrets.items():
        leaked = [line for line in lines if secret in line]
        assert not leaked, f"the {what} is in the log: {leaked[:3]}"
    access = [line for r, line in zip(server, lines, strict=True) if r.name == "werkzeug"]
    assert any("GET /consult/[redacted] " in line for line in access), access
    assert any("POST /api/v1/consultations/[redacted] " in line for line in access)
    assert any(f"GET /requests/{number}/files/ " in line for line in access), access
    assert any(f"GET {link.group(1)} " in line for line in access), access
    assert not [line for line in access if "/download/[redacted]" in line]  # no token URL
    assert any("POST /consult/ " in line for line in access)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_with_the_shipped_config_redacts_access_log_lines(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ,
           "PORTAL_SECRET_KEY": "test-secret", "PORTAL_SITE_DIR": "",
           "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
           "PORTAL_SEARCH_DB": str(tmp_path / "search.sqlite3"),
           "PORTAL_LABELS_FILE": str(tmp_path / "labels.json"),
           "PORTAL_CATALOG_DIR": str(REPO / "datasets")}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "python:search_api.gunicorn_conf", "-w", "1",
         "-b", f"127.0.0.1:{port}", "search_api:create_app()"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to a minute on a busy machine
            try:
                requests.get(f"{base}/api/v1/register", timeout=5)
                break
            except requests.RequestException:  # not listening yet, or still importing
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        # A download path with a token: no longer issued, but a link issued by an
        # earlier version may still be requested, and must not be logged either.
        tokens = ["Tok1consultXYZ", "Tok2downloadXYZ", "Tok3apiXYZ", "Tok4refererXYZ"]
        assert requests.get(f"{base}/consult/{tokens[0]}", allow_redirects=False,
                            timeout=30).status_code == 404
        requests.get(f"{base}/download/{tokens[1]}/data.csv", timeout=30)
        requests.post(f"{base}/api/v1/consultations/{tokens[2]}", json={"answer": "agree"},
                      headers={"Referer": f"{base}/consult/{tokens[3]}"}, timeout=30)
    finally:
        server.terminate()  # our own child process, by its handle
        output, _ = server.communicate(timeout=30)
    assert output.count("[redacted]") >= 4, output[-2000:]
    for token in tokens:
        assert token not in output, output[-2000:]
    assert re.search(r'"GET /consult/\[redacted\] HTTP/1\.1" 404', output), output[-2000:]
