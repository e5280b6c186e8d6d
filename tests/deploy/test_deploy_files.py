"""The shipped deployment files agree with the code: nginx proxies every
route of the service and nothing of the static site, its static headers are
the builder's policy, and every periodic job is a real command, in systemd
and in cron alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.deploy_nginx import hsts_map, static_headers
from search_api import create_app
from search_api.web.csp_policy import STATIC_POLICY
from search_api.web.headers import PERMISSIONS_POLICY
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
CONF = (DEPLOY / "nginx" / "portal.conf").read_text(encoding="utf-8")
NGINX = CONF + (DEPLOY / "nginx" / "portal-site.conf").read_text(encoding="utf-8")
HEADERS = (DEPLOY / "nginx" / "portal-static-headers.conf").read_text(encoding="utf-8")
JOBS = {"remind": ["remind"], "send-mail": ["send-mail"],
        "downloads-count": ["downloads", "count"], "audit-checkpoint": ["audit", "checkpoint"]}


def _service_location() -> re.Pattern[str]:
    found = re.search(r"location ~ (\^/\([a-z|]+\)\(/\|\$\)) \{", NGINX)
    assert found, "no regex location for the service in portal.conf"
    return re.compile(found.group(1))


def _example_paths(rule: str) -> list[str]:
    """Concrete paths for a Flask rule (each choice of an any() converter)."""
    choices = re.search(r"<any\(([^)]*)\):[a-z_]+>", rule)
    if choices:
        return [p for c in choices.group(1).split(",")
                for p in _example_paths(rule.replace(choices.group(0), c.strip(), 1))]
    return [re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "x", rule)]


def test_nginx_proxies_every_service_route(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SITE_DIR": "",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                      "SEARCH_DB": str(tmp_path / "search.sqlite3"),
                      "LABELS_FILE": str(tmp_path / "labels.json")})
    try:
        rules = [r.rule for r in app.url_map.iter_rules()]
    finally:
        app.extensions["portal_engine"].close()
    location = _service_location()
    missing = [p for rule in rules for p in _example_paths(rule) if not location.match(p)]
    assert not missing, f"add these prefixes to deploy/nginx/portal.conf: {missing}"


def test_nginx_leaves_the_static_site_to_itself(minimal_site: Path) -> None:
    location = _service_location()
    taken = [p.name for p in minimal_site.iterdir()
             if location.match(f"/{p.name}/") or location.match(f"/{p.name}")]
    assert not taken, f"static site paths the service would answer instead: {taken}"


def test_static_headers_are_the_builders_policy() -> None:
    assert HEADERS == static_headers(""), "run: portal deploy nginx-headers --catalog-dir " \
        "datasets > deploy/nginx/portal-static-headers.conf"
    assert f'Content-Security-Policy "{STATIC_POLICY}" always;' in HEADERS
    assert "add_header Strict-Transport-Security $portal_hsts always;" in HEADERS
    assert hsts_map() in CONF  # the variable is https-only
    assert f'Permissions-Policy "{PERMISSIONS_POLICY}" always;' in HEADERS
    for header in ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
        assert f"add_header {header} " in HEADERS
    # nginx drops inherited add_header lines in a location with its own:
    # every location that adds a header includes the snippet.
    for block in re.findall(r"location [^{]*\{([^{}]*)\}", NGINX):
        if "add_header" in block:
            assert "include snippets/portal-static-headers.conf;" in block, block


def test_redacting_log_format_keeps_the_combined_layout() -> None:
    assert "access_log /var/log/nginx/portal-access.log portal_redacted;" in NGINX
    assert '"$request_method $portal_log_uri $server_protocol" $status' in NGINX


def _has_command(words: list[str]) -> bool:
    return CliRunner().invoke(main, [*words, "--help"]).exit_code == 0


@pytest.mark.parametrize("job", sorted(JOBS))
def test_every_job_has_a_timer_a_unit_and_a_cron_line(job: str) -> None:
    unit = (DEPLOY / "systemd" / f"portal-{job}.service").read_text(encoding="utf-8")
    timer = (DEPLOY / "systemd" / f"portal-{job}.timer").read_text(encoding="utf-8")
    cron = (DEPLOY / "cron" / "portal").read_text(encoding="utf-8")
    command = "/srv/portal/venv/bin/portal " + " ".join(JOBS[job])
    assert command in unit and "EnvironmentFile=/etc/portal/portal.env" in unit
    assert "OnCalendar=" in timer and "Persistent=true" in timer
    line = [x for x in cron.splitlines() if command in x]
    assert len(line) == 1 and ". /etc/portal/portal.env" in line[0]
    if job == "audit-checkpoint" and not _has_command(JOBS[job]):
        pytest.xfail("`portal audit checkpoint` comes with the audit work (issue 14 names it)")
    assert _has_command(JOBS[job])


def test_gunicorn_unit_restarts_always_and_binds_loopback() -> None:
    unit = (DEPLOY / "systemd" / "portal.service").read_text(encoding="utf-8")
    assert "Restart=always" in unit
    assert "--bind 127.0.0.1:8000" in unit and "server 127.0.0.1:8000;" in NGINX
    assert "-c python:search_api.gunicorn_conf" in unit


OPERATORS = (REPO / "docs" / "operators.md").read_text(encoding="utf-8")


def test_operators_guide_states_the_units_workers_and_threads() -> None:
    unit = (DEPLOY / "systemd" / "portal.service").read_text(encoding="utf-8")
    shape = re.search(r"--workers (\d+) --threads (\d+)", unit)
    assert shape, "portal.service names its gunicorn workers and threads"
    guide = re.search(r"--workers (\d+) --threads (\d+)", OPERATORS.replace("\n", " "))
    assert guide and guide.groups() == shape.groups()


def test_operators_guide_names_every_proxied_prefix() -> None:
    prefixes = re.search(r"\^/\(([a-z|]+)\)", _service_location().pattern).group(1)  # type: ignore[union-attr]
    for prefix in prefixes.split("|"):
        assert f"`/{prefix}" in OPERATORS, prefix


def test_every_portal_command_in_the_guides_exists() -> None:
    """Each `portal …` line of a shell block in the guides is a real command."""
    found, checked = [], 0
    for guide in ("operators.md", "service.md"):
        text = (REPO / "docs" / guide).read_text(encoding="utf-8")
        for block in re.findall(r"```sh\n(.*?)```", text, re.S):
            for match in re.finditer(r"(?:^|/bin/)portal ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)",
                                     block, re.M):
                words = match.group(1).split()
                checked += 1
                if not _has_command(words[:2]) and not _has_command(words[:1]):
                    found.append(match.group(0))
    assert len(found) == 0, f"not portal commands: {found}"
    assert checked >= 10  # the pattern still finds the guides' commands
    assert "127.0.0.1:8000" in OPERATORS and "0.0.0.0" not in OPERATORS


def test_tls_server_and_redirect() -> None:
    tls = CONF[CONF.index("listen 443 ssl http2;"):]
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in tls
    assert "include snippets/portal-site.conf;" in tls
    plain = CONF[CONF.index("listen 80;"):CONF.index("listen 443 ssl http2;")]
    assert "return 301 https://$host$request_uri;" in plain
    assert "/.well-known/acme-challenge/" in plain and "proxy_pass" not in plain
    for path in re.findall(r"ssl_certificate(?:_key)? (\S+);", tls):
        assert path in OPERATORS, f"docs/operators.md does not name {path}"
