"""``portal deploy``: commands for the server (see deploy/ and docs/operators.md)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click


@click.group()
def deploy() -> None:
    """Deployment: check a server's settings, print the environment file and
    nginx's header snippet."""


@deploy.command(name="check")
@click.option("--env-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the settings from this environment file (e.g. "
                   "/etc/portal/portal.env) instead of the environment.")
@click.option("--dev", is_flag=True,
              help="A development machine: https, keys and mail are warnings, not errors.")
@click.option("--today", help="Judge the calendars against this date (YYYY-MM-DD).")
def check(env_file: Path | None, dev: bool, today: str | None) -> None:
    """Report what is wrong with this deployment before it breaks; exit 1 on errors."""
    from portal.deploy_check import check_deployment

    environ: dict[str, str] = dict(os.environ)
    if env_file is not None:
        from dotenv import dotenv_values

        environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        environ.update({k: v or "" for k, v in dotenv_values(env_file).items()})
    day = date.fromisoformat(today) if today else date.today()
    findings = check_deployment(environ, today=day, production=not dev)
    for finding in findings:
        click.secho(str(finding), fg="red" if finding.error else "yellow", err=True)
    errors = sum(f.error for f in findings)
    click.echo(f"{errors} error(s), {len(findings) - errors} warning(s)", err=True)
    if errors:
        raise SystemExit(1)


@deploy.command(name="env-template")
def env_template() -> None:
    """Print the environment file listing every setting (deploy/portal.env.example)."""
    from portal.deploy_env import env_template as make

    click.echo(make(), nl=False)


@deploy.command(name="nginx-headers")
@click.option("--catalog-dir", type=click.Path(file_okay=False, path_type=Path),
              help="The catalogue whose portal.yaml names search_api_url (default: "
                   "PORTAL_CATALOG_DIR, else ./datasets).")
def nginx_headers(catalog_dir: Path | None) -> None:
    """Print nginx's header snippet for the static site
    (deploy/nginx/portal-static-headers.conf), connect-src from search_api_url."""
    from domain.catalogue.catalog import load_portal_info
    from portal.deploy_nginx import static_headers

    root = catalog_dir or Path(os.environ.get("PORTAL_CATALOG_DIR") or "datasets")
    found: list[object] = []
    info = load_portal_info(root, found)  # type: ignore[arg-type]
    if found:
        raise click.ClickException(f"{root / 'portal.yaml'} is invalid: "
                                   + "; ".join(map(str, found)))
    try:
        click.echo(static_headers(info.search_api_url or ""), nl=False)
    except ValueError as exc:
        raise click.ClickException(f"{root / 'portal.yaml'}: {exc}") from exc
