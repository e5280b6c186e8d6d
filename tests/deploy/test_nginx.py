"""The shipped nginx site (deploy/nginx/) with Debian's nginx in front of
gunicorn, on loopback: security headers on every kind of page and on a
download, gzip and cache headers, a request filed through nginx, tokens
redacted from nginx's access log, downloads counted from that log with
`portal downloads count`, and the Chinese 502 page when the service is down.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from builder.csp import STATIC_POLICY
from search_api.indexing import index_catalog
from tests.api.test_applicant_flow import application, csrf
from tests.conftest import REPO

pytestmark = pytest.mark.slow

NGINX_DIR = REPO / "deploy" / "nginx"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                       else None)
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], capture_output=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), timeout=300)
        found = shutil.which("nginx") or ("/usr/sbin/nginx"
                                          if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.skip("nginx is not installed and cannot be installed here")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[str]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise AssertionError(f"{process.args} exited: {process.stdout.read()}")  # type: ignore[union-attr]
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@dataclass
class Deployment:
    base: str
    log: Path
    env: dict[str, str]
    gunicorn: subprocess.Popen[str]


def _site_config(tmp: Path, site: Path, service_port: int, port: int) -> str:
    text = (NGINX_DIR / "portal.conf").read_text(encoding="utf-8")
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{port};", "listen [::]:80;": "",
        "root /srv/portal/site;": f"root {site};",
        "root /srv/portal/deploy/nginx;": f"root {NGINX_DIR};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{service_port};",
        "/var/log/nginx/": f"{tmp}/",
        "include snippets/portal-static-headers.conf;":
            f"include {NGINX_DIR / 'portal-static-headers.conf'};",
    }
    for old, new in replacements.items():
        assert old in text, f"portal.conf no longer has {old!r}; adapt this test"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory,
               built_sample: Path) -> Iterator[Deployment]:
    nginx = _nginx()
    tmp = tmp_path_factory.mktemp("nginx")
    site = built_sample  # read-only here: nginx and the service only serve it
    service_port, port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    settings = {
        "SECRET_KEY": "k" * 64, "SITE_DIR": "", "CATALOG_JSON": str(site / "catalog.json"),
        "SEARCH_DB": str(tmp / "search.sqlite3"), "LABELS_FILE": str(tmp / "labels.json"),
        "DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}", "TRUSTED_PROXIES": "1",
        "CATALOG_DIR": str(REPO / "datasets"), "MAIL_LOG": str(tmp / "mail.log"),
        "PUBLIC_SITE_URL": f"http://127.0.0.1:{port}/", "COUNT_DOWNLOADS": "false",
    }
    index_catalog(dict(settings))
    env.update({f"PORTAL_{k}": v for k, v in settings.items()})
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "python:search_api.gunicorn_conf",
         "-w", "2", "-b", f"127.0.0.1:{service_port}", "search_api:create_app()"],
        cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    (tmp / "portal.conf").write_text(_site_config(tmp, site, service_port, port))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read pytest's 0700 folders
    temp = " ".join(f"{kind}_temp_path {tmp}/{kind};" for kind in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\n"
        f"error_log {tmp}/nginx-error.log warn;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n include /etc/nginx/mime.types;\n default_type application/octet-stream;\n"
        f" {temp}\n include {tmp}/portal.conf;\n}}\n")
    test = subprocess.run([nginx, "-t", "-c", str(tmp / "nginx.conf"), "-p", str(tmp)],
                          capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    server = subprocess.Popen([nginx, "-c", str(tmp / "nginx.conf"), "-p", str(tmp)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/", server)
        _wait(f"http://127.0.0.1:{service_port}/api/v1/register", gunicorn)
        yield Deployment(base, tmp / "portal-access.log", env, gunicorn)
    finally:
        for process in (server, gunicorn):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout is not None:
                process.stdout.close()


def _static_headers(answer: requests.Response) -> None:
    assert answer.headers["Content-Security-Policy"] == STATIC_POLICY
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "camera=()" in answer.headers["Permissions-Policy"]


def test_static_pages_downloads_and_assets(deployment: Deployment) -> None:
    for path in ("/", "/catalog/", "/datasets/jtj-0001/", "/statistics/", "/search/"):
        answer = requests.get(deployment.base + path, timeout=10)
        assert answer.status_code == 200, path
        _static_headers(answer)
        assert answer.headers["Cache-Control"] == "no-cache", path
        assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
    missing = requests.get(deployment.base + "/no/such/page/", timeout=10)
    assert missing.status_code == 404 and "404" in missing.text
    _static_headers(missing)
    download = requests.get(deployment.base + "/datasets/jtj-0001/bus-stops.csv", timeout=10)
    assert download.status_code == 200
    _static_headers(download)
    assert download.headers["Cache-Control"] == "public, max-age=3600"
    asset = requests.get(deployment.base + "/assets/portal.css", timeout=10)
    _static_headers(asset)
    assert "max-age=86400" in asset.headers["Cache-Control"]
    catalogue = requests.get(deployment.base + "/catalog.json", timeout=10,
                             headers={"Accept-Encoding": "gzip"})
    assert catalogue.headers.get("Content-Encoding") == "gzip"


def test_service_pages_and_api_through_nginx(deployment: Deployment) -> None:
    page = requests.get(deployment.base + "/requests/status", timeout=10)
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "'nonce-" in policy and "frame-ancestors 'none'" in policy
    assert "," not in policy  # one policy: nginx adds none of its own here
    assert page.headers["X-Frame-Options"] == "DENY"
    found = requests.get(deployment.base + "/api/v1/search?q=%E5%85%AC%E4%BA%A4", timeout=10)
    assert found.status_code == 200 and found.json()["total"] > 0
    assert found.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_a_request_filed_through_nginx(deployment: Deployment) -> None:
    applicant = requests.Session()
    form = applicant.get(deployment.base + "/apply/rsj-0003", timeout=10)
    assert form.status_code == 200
    receipt = applicant.post(deployment.base + "/apply/rsj-0003",
                             data=application(csrf(form.text)), timeout=30)
    assert receipt.status_code == 200, receipt.text[:300]
    assert re.search(r'id="receipt-number">YH-\d{8}-\d{4}<', receipt.text)
    assert "Content-Security-Policy" in receipt.headers


def test_tokens_redacted_and_downloads_counted_from_nginx_log(deployment: Deployment) -> None:
    token = "SeCrEtToKeN0123456789"
    requests.get(f"{deployment.base}/consult/{token}", timeout=10)
    for _ in range(2):
        requests.get(deployment.base + "/datasets/jtj-0002/bus-lines.csv", timeout=10)
    time.sleep(0.5)  # nginx writes its log line after the answer
    log = deployment.log.read_text(encoding="utf-8")
    assert token not in log and "/consult/[redacted]" in log
    counted = subprocess.run([sys.executable, "-m", "portal", "downloads", "count",
                              str(deployment.log)], env=deployment.env, cwd=deployment.log.parent,
                             capture_output=True, text=True)
    assert counted.returncode == 0, counted.stderr
    assert re.search(r"\b[2-9]\d* download\(s\) counted", counted.stderr), counted.stderr


@pytest.mark.browser
def test_no_page_breaks_its_policy_in_a_browser(deployment: Deployment) -> None:
    """Real Chromium through nginx: no CSP violation on any kind of page, the
    theme's moved scripts run (its site scope is set) and search works."""
    from tests.browser import chromium

    listen = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
              "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    with chromium() as browser:
        page = browser.new_page()
        page.add_init_script(listen)
        for path in ("/", "/datasets/jtj-0001/", "/statistics/", "/no/such/page/",
                     "/requests/status", "/apply/rsj-0003", "/demands"):
            page.goto(deployment.base + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__csp") == [], path
            if not path.startswith(("/requests", "/apply", "/demands")):
                assert page.evaluate("String(window.__md_scope)") == deployment.base + "/", path
        page.goto(deployment.base + "/search/?q=%E5%85%AC%E4%BA%A4")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == []
        assert "公交" in page.inner_text("main")


def test_chinese_page_when_the_service_is_down(deployment: Deployment) -> None:
    deployment.gunicorn.send_signal(signal.SIGKILL)
    deployment.gunicorn.wait(timeout=20)
    for _ in range(300):  # orphaned workers notice their master is gone and exit
        down = requests.get(deployment.base + "/apply/rsj-0003", timeout=10)
        if down.status_code != 200:
            break
        time.sleep(0.1)
    assert down.status_code == 502
    down.encoding = "utf-8"
    assert "服务暂时不可用" in down.text and "nginx" not in down.text
    _static_headers(down)
    assert requests.get(deployment.base + "/", timeout=10).status_code == 200
