"""`portal import` (another portal's catalogue in), `portal index` (the search
index and the data API's rows) and `portal serve` (the development server)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from portal.common import (
    service_config,
)

if TYPE_CHECKING:
    pass


@click.command(name="import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path),
              help="Catalogue folder to write dataset descriptors into (required unless "
                   "--write-plan).")
@click.option("--map", "column_map", multiple=True, metavar="COLUMN=FIELD",
              help="Map a source column to a catalogue field (or 'ignore'); repeatable.")
@click.option("--map-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML file of 'COLUMN: FIELD' lines; --map options win over it.")
@click.option("--values", "value_map", type=click.Path(exists=True, dir_okay=False,
                                                       path_type=Path),
              help="YAML file mapping unmapped values to codes, per field.")
@click.option("--defaults", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML file of values you state for rows that lack them, under an open "
                   "type or 'all' (legal_basis, open_conditions, level, usage_requirements, "
                   "region, contact, licenses).")
@click.option("--default-open-type", type=click.Choice(["unconditional", "conditional",
                                                        "not_open"]),
              help="Open type for rows whose open type is empty (never for text that "
                   "does not map).")
@click.option("--vocabularies", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="vocabularies.yaml to map onto (default: the one in --out, "
                   "else datasets/vocabularies.yaml).")
@click.option("--overwrite", is_flag=True, help="Replace dataset folders that exist.")
@click.option("--write-plan", type=click.Path(dir_okay=False, path_type=Path),
              help="Import nothing; write the mapping that would be used (columns with "
                   "evidence, unmapped values, defaults needed) to this YAML file to edit.")
@click.option("--plan", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Import with an edited plan (see --write-plan); other options win over it.")
def import_(source: Path, out_dir: Path | None, column_map: tuple[str, ...], map_file: Path | None,
            value_map: Path | None, defaults: Path | None, default_open_type: str | None,
            vocabularies: Path | None, overwrite: bool, write_plan: Path | None,
            plan: Path | None) -> None:
    """Import a catalogue spreadsheet or JSON export (metadata only).

    Prints a summary. Exits 1 when no row could be imported; skipped rows
    and unmapped values alone exit 0 (they are listed in the summary).
    """
    from builder.import_columns import parse_map_options
    from builder.import_operator import read_column_map
    from builder.import_sources import CatalogImportError
    from builder.importer import import_catalog
    from builder.importer import write_plan as plan_import

    try:
        mapping = parse_map_options(column_map)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from exc
    if out_dir is None and write_plan is None:
        raise click.UsageError("give --out DIR to import into, or --write-plan PLAN.yaml to "
                               "write the plan only")
    try:
        mapping = {**(read_column_map(map_file) if map_file else {}), **mapping}
        if write_plan is not None:
            report = plan_import(source, write_plan, out=out_dir, column_map=mapping or None,
                                 vocabularies=vocabularies, value_map=value_map,
                                 default_open_type=default_open_type, defaults=defaults,
                                 plan=plan)
            click.echo(f"wrote the import plan {write_plan} ({report.rows} rows; nothing "
                       f"imported); edit it and run: portal import {source} --plan "
                       f"{write_plan} --out DIR", err=True)
            return
        assert out_dir is not None
        report = import_catalog(source, out_dir, column_map=mapping or None,
                                vocabularies=vocabularies, value_map=value_map,
                                default_open_type=default_open_type, defaults=defaults,
                                overwrite=overwrite, plan=plan)
    except CatalogImportError as exc:
        raise click.ClickException(f"{exc} (nothing was written; fix this and run "
                                   "portal import again)") from exc
    click.echo(report.summary(), err=True)
    if report.imported == 0 and report.rows == 0:
        raise click.ClickException(f"no dataset was imported from {source.name}: it has "
                                   "column names but no row with a value under them; export "
                                   "the catalogue again with its rows")
    if report.imported == 0:
        raise click.ClickException(f"no dataset was imported from {source.name}; "
                                   "see the skipped rows and warnings above")


@click.command()
@click.option("--catalog", "catalog_json", type=click.Path(path_type=Path),
              help="catalog.json to index (default: PORTAL_CATALOG_JSON, site/catalog.json).")
def index(catalog_json: Path | None) -> None:
    """Load catalog.json into the search engine (incremental, atomic)."""
    run_index(catalog_json)


def run_index(catalog_json: Path | None) -> None:
    from search_api.indexing import CatalogFileError, index_catalog, index_rows

    config = service_config()
    try:
        stats = index_catalog(config, catalog_json)
        rows = index_rows(config, catalog_json.resolve() if catalog_json else None)
    except CatalogFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"data API tables in {config['ROWS_DB']}: {rows.loaded} loaded ({rows.rows} rows"
               f"{f', {rows.bad_cells} unreadable cells left empty' if rows.bad_cells else ''}), "
               f"{rows.unchanged} unchanged, {rows.removed} removed in {rows.seconds:.1f} s",
               err=True)
    from search_api.tables.keyed import keyed_rows_db, load_keyed_rows

    keyed = load_keyed_rows(Path(str(config["CATALOG_DIR"])), keyed_rows_db(config))
    click.echo(f"keyed (conditional) tables in {keyed_rows_db(config)}: {keyed.loaded} loaded, "
               f"{keyed.unchanged} unchanged, {keyed.removed} removed", err=True)
    engine = f"Meilisearch {config['MEILI_URL']}" if config["MEILI_URL"] else config["SEARCH_DB"]
    click.echo(f"indexed into {engine}: {stats.added} added, {stats.updated} updated, "
               f"{stats.removed} removed, {stats.unchanged} unchanged in {stats.seconds:.1f} s",
               err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--site", "site_dir", type=click.Path(path_type=Path),
              help="Static site to serve at / (default: PORTAL_SITE_DIR, site/).")
def serve(host: str, port: int, site_dir: Path | None) -> None:
    """Run the portal (static site + API) with the development server.

    Production: gunicorn behind nginx, from deploy/ (docs/operators.md).
    """
    from search_api import create_app

    # One process: a random key is safe here (gunicorn needs PORTAL_SECRET_KEY).
    overrides: dict[str, object] = {"ALLOW_RANDOM_SECRET_KEY": True}
    if site_dir is not None:
        overrides["SITE_DIR"] = str(site_dir)
    app = create_app(overrides)
    click.echo(f"Portal: http://{host}:{port}/   "
               f"(API: http://{host}:{port}/api/v1/search?q=%E5%85%AC%E4%BA%A4)",
               err=True)
    app.run(host=host, port=port, debug=False, use_reloader=False)
