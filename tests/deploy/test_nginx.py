"""The shipped nginx site (deploy/nginx/) with Debian's nginx in front of
gunicorn, on loopback, over TLS with a throwaway certificate: https with
TLS 1.2/1.3 and HTTP/2, plain http redirected, HSTS on https answers only,
the service seeing https through nginx's X-Forwarded-Proto, security
headers on every kind of page and on a download, gzip and cache headers, a
request filed through nginx, tokens redacted from nginx's access log,
downloads counted from that log with `portal downloads count`, and the
Chinese 502 page when the service is down.
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

from search_api.indexing import index_catalog
from search_api.web.csp_policy import STATIC_POLICY
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
    base: str  # https
    plain: str  # the port-80 server
    log: Path
    env: dict[str, str]
    gunicorn: subprocess.Popen[str]
    service: str  # gunicorn itself, bypassing nginx
    certificate: Path


def _replace(text: str, name: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text, f"{name} no longer has {old!r}; adapt this test"
        text = text.replace(old, new)
    return text


def _site_config(tmp: Path, site: Path, ports: dict[str, int], tls: tuple[Path, Path]) -> None:
    """portal.conf and portal-site.conf with this test's ports, folders and
    certificate in place of the server's, written into ``tmp``."""
    conf = _replace((NGINX_DIR / "portal.conf").read_text(encoding="utf-8"), "portal.conf", {
        "listen 80;": f"listen 127.0.0.1:{ports['http']};", "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{ports['https']} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{ports['service']};",
        "/var/log/nginx/": f"{tmp}/",
        "ssl_certificate /etc/letsencrypt/live/data.example.gov.cn/fullchain.pem;":
            f"ssl_certificate {tls[0]};",
        "ssl_certificate_key /etc/letsencrypt/live/data.example.gov.cn/privkey.pem;":
            f"ssl_certificate_key {tls[1]};",
        "root /var/www/letsencrypt;": f"root {tmp / 'acme'};",
        "include snippets/portal-site.conf;": f"include {tmp / 'portal-site.conf'};",
    })
    (tmp / "portal.conf").write_text(conf)
    body = _replace((NGINX_DIR / "portal-site.conf").read_text(encoding="utf-8"),
                    "portal-site.conf", {
        "root /srv/portal/site;": f"root {site};",
        "root /srv/portal/deploy/nginx;": f"root {NGINX_DIR};",
        "/var/log/nginx/": f"{tmp}/",
        "include snippets/portal-static-headers.conf;":
            f"include {NGINX_DIR / 'portal-static-headers.conf'};",
    })
    (tmp / "portal-site.conf").write_text(body)


def _certificate(tmp: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 (the cryptography
    package), written as PEM: (certificate, key)."""
    import ipaddress
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    return cert_file, key_file


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory,
               built_sample: Path) -> Iterator[Deployment]:
    nginx = _nginx()
    tmp = tmp_path_factory.mktemp("nginx")
    site = built_sample  # read-only here: nginx and the service only serve it
    ports = {"service": _free_port(), "http": _free_port(), "https": _free_port()}
    service_port, port = ports["service"], ports["https"]
    tls = _certificate(tmp)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    settings = {
        "SECRET_KEY": "k" * 64, "SITE_DIR": "", "CATALOG_JSON": str(site / "catalog.json"),
        "SEARCH_DB": str(tmp / "search.sqlite3"), "LABELS_FILE": str(tmp / "labels.json"),
        "DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}", "TRUSTED_PROXIES": "1",
        "CATALOG_DIR": str(REPO / "datasets"), "MAIL_LOG": str(tmp / "mail.log"),
        "PUBLIC_SITE_URL": f"https://127.0.0.1:{port}/", "COUNT_DOWNLOADS": "false",
    }
    index_catalog(dict(settings))
    env.update({f"PORTAL_{k}": v for k, v in settings.items()})
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "python:search_api.gunicorn_conf",
         "-w", "2", "-b", f"127.0.0.1:{service_port}", "search_api:create_app()"],
        cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _site_config(tmp, site, ports, tls)
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
    base = f"https://127.0.0.1:{port}"
    # requests (here and in the tests below) trusts the throwaway certificate.
    trusted = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(tls[0])
    try:
        _wait(f"{base}/", server)
        _wait(f"http://127.0.0.1:{service_port}/api/v1/register", gunicorn)
        yield Deployment(base, f"http://127.0.0.1:{ports['http']}", tmp / "portal-access.log",
                         env, gunicorn, f"http://127.0.0.1:{service_port}", tls[0])
    finally:
        if trusted is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = trusted
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


def test_https_with_modern_tls_and_http2(deployment: Deployment) -> None:
    import ssl

    answer = requests.get(deployment.base + "/", timeout=10)
    assert answer.status_code == 200 and answer.url.startswith("https://")
    host, port = "127.0.0.1", int(deployment.base.rsplit(":", 1)[1])

    def handshake(version: ssl.TLSVersion, alpn: list[str] | None = None,
                  ciphers: str | None = None) -> tuple[str, str]:
        context = ssl.create_default_context(cafile=str(deployment.certificate))
        context.maximum_version = version
        if alpn:
            context.set_alpn_protocols(alpn)
        if ciphers:
            context.set_ciphers(ciphers)
        with socket.create_connection((host, port), timeout=10) as raw, \
                context.wrap_socket(raw, server_hostname=host) as tls:
            return str(tls.version()), str(tls.selected_alpn_protocol())

    assert handshake(ssl.TLSVersion.TLSv1_3, ["h2", "http/1.1"]) == ("TLSv1.3", "h2")
    assert handshake(ssl.TLSVersion.TLSv1_2, ["h2", "http/1.1"]) == ("TLSv1.2", "h2")
    # TLS 1.2 only with forward-secret AEAD ciphers: a CBC suite that
    # OpenSSL's defaults would still accept is refused.
    with pytest.raises(ssl.SSLError):
        handshake(ssl.TLSVersion.TLSv1_2, ciphers="ECDHE-ECDSA-AES128-SHA")


def test_plain_http_is_redirected_and_never_gets_hsts(deployment: Deployment) -> None:
    for path in ("/", "/datasets/jtj-0001/?x=1", "/requests/status", "/api/v1/search?q=a"):
        answer = requests.get(deployment.plain + path, timeout=10, allow_redirects=False)
        assert answer.status_code == 301, path
        assert answer.headers["Location"] == f"https://127.0.0.1{path}"
        assert "Strict-Transport-Security" not in answer.headers, path


def test_hsts_on_https_answers_only_once(deployment: Deployment) -> None:
    for path in ("/", "/datasets/jtj-0001/bus-stops.csv", "/no/such/page/", "/requests/status",
                 "/api/v1/search?q=%E5%85%AC%E4%BA%A4"):
        answer = requests.get(deployment.base + path, timeout=10)
        assert answer.headers.get("Strict-Transport-Security") == \
            "max-age=31536000; includeSubDomains", path
        assert "," not in answer.headers["Strict-Transport-Security"], path  # not twice


def test_the_service_learns_https_from_nginx_only(deployment: Deployment) -> None:
    """Through nginx the service sees https (its own HSTS and a Secure
    cookie: it sets them only on https requests); a client's own
    X-Forwarded-Proto is overwritten by nginx, and sent straight to gunicorn
    (which listens on loopback only) it is not the trusted proxy's word."""
    spoof = {"X-Forwarded-Proto": "http"}
    page = requests.get(deployment.base + "/requests/status", headers=spoof, timeout=10)
    assert page.status_code == 200
    assert "Strict-Transport-Security" in page.headers
    assert "Secure" in page.headers["Set-Cookie"]
    # gunicorn alone over plain http: the one proxy it trusts is nginx, so a
    # header a client sends itself passes ProxyFix only as the first of
    # several values (nginx appends); gunicorn's own scheme headers are off.
    for spoofed in ({"X-Forwarded-Proto": "https, http"},
                    {"X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}):
        direct = requests.get(deployment.service + "/requests/status", timeout=10,
                              headers=spoofed)
        assert direct.status_code == 200
        assert "Strict-Transport-Security" not in direct.headers, spoofed


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
    from tests.browser import chromium, settle, watch_requests

    listen = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
              "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    with chromium() as browser:
        page = browser.new_page(ignore_https_errors=True)  # the throwaway certificate
        watch_requests(page.context)
        page.add_init_script(listen)
        for path in ("/", "/datasets/jtj-0001/", "/statistics/", "/no/such/page/",
                     "/requests/status", "/apply/rsj-0003", "/demands"):
            page.goto(deployment.base + path)
            settle(page)
            assert page.evaluate("window.__csp") == [], path
            if not path.startswith(("/requests", "/apply", "/demands")):
                assert page.evaluate("String(window.__md_scope)") == deployment.base + "/", path
        page.goto(deployment.base + "/search/?q=%E5%85%AC%E4%BA%A4")
        settle(page)
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
