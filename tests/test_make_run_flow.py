"""The whole conditional-open procedure, from filing to the applicant's
download, under exactly the settings `make run` uses: a copy of the project
files, `portal build datasets --out site --index` and `portal serve` started
from its root with PORTAL_SECRET_KEY as the only setting, reviewers added
with `portal user add`, everything driven over HTTP like a browser would.

The service code stays in the checkout (PYTHONPATH), so the code folder and
the working directory differ, as for a developer: a path setting resolved
against the code folder (the bug of issue 10) breaks the download here.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
# What `make run` needs from the checkout; its own output folders are left out.
SKIP = shutil.ignore_patterns(".git", ".venv", "var", "site", "build", ".portal-cache",
                              "*.egg-info", "__pycache__", ".mypy_cache", ".ruff_cache",
                              ".pytest_cache", "bench", "tests")


def _env() -> dict[str, str]:
    """The environment of `make run`: no PORTAL_* setting but the key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PORTAL_SECRET_KEY"] = "dev-only-not-secret"
    env["PYTHONPATH"] = str(REPO)
    return env


def _portal(root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "portal", *args], cwd=root, env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A copy of the project, built and indexed, served by `portal serve`."""
    root = tmp_path_factory.mktemp("project") / "portal"
    shutil.copytree(REPO, root, ignore=SKIP)
    _portal(root, "build", "datasets", "--out", "site", "--index", "--quiet")
    _portal(root, "user", "add", "authority", "--role", "authority_reviewer",
            "--password", PASSWORD)
    _portal(root, "user", "add", "rsj", "--role", "department_reviewer",
            "--department", "rsj", "--password", PASSWORD)
    _portal(root, "user", "add", "dsj", "--role", "department_reviewer",
            "--department", "dsj", "--password", PASSWORD)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to a minute on a busy machine
            try:
                requests.get(f"{base}/api/v1/register", timeout=5)
                break
            except requests.RequestException:
                if server.poll() is not None:
                    pytest.fail(f"portal serve stopped: {server.communicate()[0][-2000:]}")
                time.sleep(0.1)
        else:
            pytest.fail("portal serve did not start")
        yield root, base
    finally:
        server.terminate()  # our own child, by its handle
        server.communicate(timeout=30)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "form without CSRF token"
    return found.group(1)


def _file(base: str, dataset: str, method: str) -> tuple[requests.Session, requests.Response]:
    applicant = requests.Session()
    page = applicant.get(f"{base}/apply/{dataset}", timeout=30)
    assert page.status_code == 200
    answer = applicant.post(f"{base}/apply/{dataset}", timeout=30, data={
        "csrf_token": _csrf(page.text), "applicant_type": "person", "applicant_name": "李明",
        "identity_number": "11010519491231002X", "phone": "13812345678",
        "email": "liming@example.com", "purpose": "医保支付方式改革研究",
        "scope_of_use": "课题组内部分析", "period_of_use": "一年",
        "security_measures": "加密存储，专人管理，用后删除", "delivery_method": method,
        "commitment": "yes"})
    return applicant, answer


def _sign_in(base: str, username: str) -> requests.Session:
    client = requests.Session()
    page = client.get(f"{base}/review/login", timeout=30).text
    answer = client.post(f"{base}/review/login", timeout=30, allow_redirects=False, data={
        "csrf_token": _csrf(page), "username": username, "password": PASSWORD})
    assert answer.status_code == 302, answer.text[:300]
    return client


def _act(client: requests.Session, base: str, number: str, action: str,
         **fields: str) -> str:
    page = client.get(f"{base}/review/requests/{number}", timeout=30).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version, f"no action form for {action}"
    answer = client.post(f"{base}/review/requests/{number}/{action}", timeout=30, data={
        "csrf_token": _csrf(page), "version": version.group(1), **fields})
    return answer.text


def test_an_approved_download_reaches_the_applicant(project: tuple[Path, str]) -> None:
    root, base = project
    applicant, answer = _file(base, "rsj-0003", "download")
    assert answer.status_code == 200, answer.text[:500]
    number = re.search(r'id="receipt-number">([^<]+)<', answer.text).group(1)  # type: ignore[union-attr]
    assert "操作已完成" in _act(_sign_in(base, "authority"), base, number, "forward")
    rsj = _sign_in(base, "rsj")
    assert "操作已完成" in _act(rsj, base, number, "approve", scope="2025年度结算汇总",
                               delivery_method="download")
    assert "操作已完成" in _act(rsj, base, number, "deliver", reference="下载")
    status = applicant.get(f"{base}/requests/{number}", timeout=30)
    assert status.status_code == 200
    link = applicant.post(f"{base}/requests/{number}/download-link", timeout=30,
                          data={"csrf_token": _csrf(status.text)}, allow_redirects=False)
    assert link.status_code == 303, link.text[:300]
    listing = applicant.get(base + link.headers["Location"], timeout=30)
    assert listing.status_code == 200, listing.text[:300]
    path = re.search(rf'href="(/requests/{number}/files/[^"/]+)"', listing.text)
    assert path, "no file on the download page"
    got = applicant.get(base + path.group(1), timeout=30)
    assert got.status_code == 200, got.text[:300]
    source = next((root / "datasets" / "rsj-0003" / "data").glob("*.csv")).read_bytes()
    assert got.content == source
    # The developer's own folders were not touched: everything lives in the copy.
    assert (root / "var" / "portal.sqlite3").is_file()


def test_a_dataset_for_api_and_sandbox_only_is_never_approved_as_a_download(
        project: tuple[Path, str]) -> None:
    _, base = project
    # dsj-0001: 通过接口逐户查询或在数据沙箱中建模 … 原始明细不得带出.
    form = requests.get(f"{base}/apply/dsj-0001", timeout=30).text
    options = re.findall(r'<option value="(\w+)"', form)
    assert options == ["api", "sandbox"]
    _, refused = _file(base, "dsj-0001", "download")
    assert refused.status_code == 400
    assert "该数据集不提供所选的获取方式，请选择：接口调用、数据沙箱。" in refused.text
    _, filed = _file(base, "dsj-0001", "sandbox")
    assert filed.status_code == 200, filed.text[:500]
    number = re.search(r'id="receipt-number">([^<]+)<', filed.text).group(1)  # type: ignore[union-attr]
    _act(_sign_in(base, "authority"), base, number, "forward")
    dsj = _sign_in(base, "dsj")
    page = dsj.get(f"{base}/review/requests/{number}", timeout=30).text
    approve_form = page[page.index('name="scope"'):]
    assert re.findall(r'<option value="(\w+)"', approve_form)[:2] == ["api", "sandbox"]
    refusal = _act(dsj, base, number, "approve", scope="建模", delivery_method="download")
    assert "只允许以下提供方式：接口调用、数据沙箱" in refusal
    assert "操作已完成" not in refusal
    assert "操作已完成" in _act(dsj, base, number, "approve", scope="建模",
                               delivery_method="sandbox")
