"""``portal catalogue``: file a department's catalogue changes for the
big-data authority's review (000 §9, §40; 003 §9), and the approved entries
``portal build`` publishes when ``catalogue_review: true`` is set in
portal.yaml. The review itself happens in the service (/review/catalogue/)."""

from __future__ import annotations

from pathlib import Path

import click

from domain.catalogue.catalog import load_catalog, load_portal_info


def review_enabled(catalog_dir: Path) -> bool:
    """Whether portal.yaml turns the catalogue review on
    (``catalogue_review: true``; ``portal check`` reports other values)."""
    return load_portal_info(catalog_dir, []).extra.get("catalogue_review") is True


def approved_entries(catalog_dir: Path, service_db: str | None) -> dict[str, str] | None:
    """The approved entry hash per dataset when the review is on, else None.

    Raises:
        click.ClickException: the review is on and no service database is given.
    """
    if not review_enabled(catalog_dir):
        return None
    if not service_db:
        raise click.ClickException(
            "catalogue_review is on in portal.yaml: give the service's database "
            "(--service-db or PORTAL_DATABASE_URL) so the build publishes only approved "
            "catalogue entries")
    from search_api.governance.store import CatalogueChanges
    from search_api.store import Store

    store = Store.open(service_db)
    try:
        return CatalogueChanges(store).approved_entries()
    finally:
        store.close()


@click.group()
def catalogue() -> None:
    """Catalogue governance: propose changes for the authority's review."""


@catalogue.command()
@click.argument("catalog_dir", type=click.Path(path_type=Path), default="datasets")
@click.option("--by", "proposer", required=True,
              help="Who proposes (the department's data officer or operator account).")
@click.option("--service-db", envvar="PORTAL_DATABASE_URL", metavar="URL", required=True,
              help="Database of the request service (default: $PORTAL_DATABASE_URL).")
def propose(catalog_dir: Path, proposer: str, service_db: str) -> None:
    """File every catalogue entry that differs from its last approved state
    (new datasets, changed open type, legal basis or data items, withdrawals)
    as a proposal for the big-data authority's review. Entries already
    approved or already waiting are skipped; run it after each change."""
    from datetime import UTC, datetime

    from domain.catalogue.governance import catalogue_entry, entry_hash
    from search_api.governance.store import CatalogueChanges
    from search_api.store import Store

    catalog, problems = load_catalog(catalog_dir)
    if not catalog_dir.is_dir():
        raise click.ClickException(f"{catalog_dir} is not a catalogue folder")
    entries = [(entry_hash(d), catalogue_entry(d)) for d in catalog.datasets]
    store = Store.open(service_db)
    try:
        store.migrate()
        filed = CatalogueChanges(store).propose(entries, by=proposer, at=datetime.now(UTC))
    finally:
        store.close()
    for change in filed:
        fields = f" ({', '.join(change.changed)})" if change.changed else ""
        click.echo(f"proposed #{change.id}: {change.dataset_id} {change.kind.value}{fields}")
    click.echo(f"{len(filed)} proposal(s) filed, {len(entries) - len(filed)} entr(ies) "
               "unchanged or already waiting", err=True)
    if problems:
        click.echo(f"note: {len(problems)} problem(s) reading the catalogue; run "
                   "`portal check` (datasets that cannot be read are not proposed)", err=True)
