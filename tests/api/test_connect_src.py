"""An API on another host (search_api_url in portal.yaml, the address the
built pages call) is allowed in connect-src by the service's pages, by the
static pages it serves, and by nginx's generated header snippet; one
setting, no hand-editing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from search_api import create_app
from search_api.web.csp_policy import api_origin, static_policy
from tests.conftest import REPO

API = "https://api.yunhe.example.gov.cn:8443/opendata/"
ORIGIN = "https://api.yunhe.example.gov.cn:8443"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'portal.sqlite3'}"  # the policy does not depend on the store


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    root = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets", root)
    text = (root / "portal.yaml").read_text(encoding="utf-8")
    assert 'search_api_url: ""' in text
    (root / "portal.yaml").write_text(text.replace('search_api_url: ""',
                                                  f"search_api_url: {API}"), encoding="utf-8")
    return root


def _policies(config: dict[str, Any]) -> dict[str, str]:
    app = create_app(config)
    try:
        client = app.test_client()
        answers = {path: client.get(path) for path in ("/requests/status", "/", "/api/v1/search")}
        for answer in answers.values():
            answer.close()
        return {path: a.headers["Content-Security-Policy"] for path, a in answers.items()}
    finally:
        app.extensions["portal_engine"].close()


def test_the_service_allows_the_api_host(app_config: dict[str, Any], catalogue: Path) -> None:
    policies = _policies(dict(app_config, CATALOG_DIR=str(catalogue)))
    assert f"connect-src 'self' {ORIGIN};" in policies["/requests/status"]
    assert policies["/"] == static_policy(API)
    assert f"connect-src 'self' {ORIGIN};" in policies["/"]
    assert policies["/api/v1/search"].startswith("default-src 'none'")  # JSON: nothing
    same_host = _policies(app_config)  # the sample: the API on the site's host
    assert "connect-src 'self';" in same_host["/requests/status"]
    assert "connect-src 'self';" in same_host["/"]


def test_nginx_snippet_follows_the_same_setting(catalogue: Path) -> None:
    made = subprocess.run([sys.executable, "-m", "portal", "deploy", "nginx-headers",
                           "--catalog-dir", str(catalogue)], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert made.returncode == 0, made.stderr
    assert f'add_header Content-Security-Policy "{static_policy(API)}" always;' in made.stdout
    assert f"connect-src 'self' {ORIGIN};" in made.stdout


@pytest.mark.parametrize("url", ["ftp://api.example.gov.cn/", "https://user@api.example/",
                                 "api.example.gov.cn"])
def test_an_address_that_is_no_web_origin_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="search_api_url"):
        api_origin(url)
