"""A wrong method on an API path is 405 in the one error shape, with an
Allow header, for every POST-only route under /api/ — also where the static
site's catch-all (GET /<path>) would otherwise make routing answer 404."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from search_api import create_app
from tests.api.conftest import index_once

ERROR_KEYS = {"ok", "error", "errors", "status"}
IMPLIED = {"HEAD", "OPTIONS"}


@pytest.fixture(params=["with-site", "api-only"])
def app(request: pytest.FixtureRequest, app_config: dict[str, Any]) -> Iterator[Flask]:
    config = dict(app_config)
    if request.param == "api-only":
        config["SITE_DIR"] = ""  # production: a web server serves the site
    index_once(config)
    application = create_app(config)
    yield application
    application.extensions["portal_engine"].close()


def post_only_urls(app: Flask) -> list[str]:
    """The API paths that only POST reaches (a path may have several rules)."""
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            methods.setdefault(rule.rule, set()).update(rule.methods or set())
    return sorted(re.sub(r"<(?:\w+:)?(\w+)>", r"\1", path)
                  for path, allowed in methods.items() if allowed - IMPLIED == {"POST"})


def test_every_post_only_api_route_answers_405_to_other_methods(app: Flask) -> None:
    urls = post_only_urls(app)
    assert {"/api/v1/requests", "/api/v1/consultations/token",
            "/api/v1/requests/number/action"} <= set(urls), urls
    client = app.test_client()
    for url in urls:
        for method in ("GET", "HEAD", "PUT", "PATCH", "DELETE"):
            answer = client.open(url, method=method)
            assert answer.status_code == 405, (method, url, answer.status_code)
            allowed = {m.strip() for m in answer.headers["Allow"].split(",")}
            assert "POST" in allowed and "GET" not in allowed, (url, allowed)
            if method != "HEAD":
                body = answer.get_json()
                assert set(body) == ERROR_KEYS and body["status"] == 405, (method, url, body)
                assert f"不支持 {method} 请求" in body["error"] and "POST" in body["error"]


def test_unknown_api_paths_stay_404(app: Flask) -> None:
    client = app.test_client()
    for method in ("GET", "POST", "DELETE"):
        answer = client.open("/api/v1/no-such-thing", method=method)
        assert answer.status_code == 404 and "Allow" not in answer.headers
        assert set(answer.get_json()) == ERROR_KEYS


def test_a_get_route_still_answers_get_and_refuses_post(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/api/v1/register").status_code == 200
    refused = client.post("/api/v1/register", json={})
    assert refused.status_code == 405 and "GET" in refused.headers["Allow"]
    assert set(refused.get_json()) == ERROR_KEYS
