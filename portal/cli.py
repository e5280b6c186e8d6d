"""``portal``: check, build and import catalogues; serve the request service.

Each command only parses its arguments and calls the library; user errors
become ``click.ClickException`` with a sentence saying what to fix. The
commands live in one module per subject (portal/*_cmd.py, *_cmds.py); this
module is the group that gathers them.
"""

from __future__ import annotations

import logging

import click

from portal.failures import PortalGroup


@click.group(cls=PortalGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.version_option(package_name="opendata-portal")
def main(verbose: bool) -> None:
    """Open-data portal: check, build and serve a government data catalogue."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    if not verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)


def _register() -> None:
    from portal import build_cmd, calendar_cmds, db_cmds, import_cmd, mail_cmds, user_commands
    from portal.deploy_cmd import deploy
    from portal.governance_cmd import catalogue
    from portal.report_cmd import report

    for command in (build_cmd.check, build_cmd.build, import_cmd.import_, import_cmd.index,
                    import_cmd.serve, db_cmds.db, db_cmds.audit, mail_cmds.remind,
                    mail_cmds.downloads, mail_cmds.send_mail, calendar_cmds.periods,
                    calendar_cmds.deadline, calendar_cmds.calendar, deploy, catalogue, report,
                    user_commands.user):
        main.add_command(command)


_register()
