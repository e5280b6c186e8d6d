"""The build's floor: plain jinja2 rendering of the pages a build renders.

    python -m bench.build_floor CATALOG OUT [--shell FILE] [--today YYYY-MM-DD]

What it does, and nothing else: load the catalogue (every descriptor parsed,
no cache), make each published dataset's public record, render with the
builder's templates and page models (``builder.pages``,
``builder.site_pages``) the same pages a build renders — every dataset page
(with its table preview read from the source file), every department page,
every navigation page's fragment — pour each into the theme's shell, and
write the files. Not done: downloads (CSV, JSON, XLSX, datapackage.json;
the dataset pages list none), the theme's generator, the catalogue-wide
files (catalog.json, DCAT, feeds, sitemaps), checks, change detection and
build state. ``bench.build_bench`` compares a full build with this, run
alternately.

``--shell``: the shell a build made (``<cache>/theme/shell.html``); without
it a bare HTML layout with the same markers is used.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from builder import feeds, pages, site_pages
from builder.build_config import expected_download_count
from builder.check import resource_file
from builder.dataset_pages import PREVIEW_ROWS
from builder.downloads import safe_filename
from builder.render import render
from builder.tables import TableError, preview
from builder.theme import Shell
from domain.catalogue.catalog import Catalog, load_catalog
from domain.catalogue.freshness import update_status
from domain.catalogue.model import Dataset
from domain.catalogue.public_record import PublicRecord
from domain.catalogue.publication import dataset_path, public_record

BARE_SHELL = ("<!doctype html><html lang=zh><head><meta charset=utf-8>"
              "<title>PORTALSHELLTITLE</title><meta name=description "
              "content=\"PORTALSHELLDESCRIPTION\"></head><body><p>PORTALSHELLCONTENT</p>"
              "</body></html>")


def _write(out: Path, rel: str, text: str) -> None:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def dataset_page(catalog: Catalog, shell: Shell, dataset: Dataset, record: PublicRecord,
                 today: date) -> str:
    """The dataset's page as a build renders it, without its download list."""
    views = []
    for index, resource in enumerate(dataset.resources):
        view = pages.ResourceView(
            name=resource.name, title=resource.title or resource.name,
            description=resource.description,
            fields=[{"name": f.name, "title": f.title, "type": f.type,
                     "description": f.description, "unit": f.unit} for f in resource.fields])
        views.append(view)
        if dataset.data_is_public and resource.is_tabular:
            stem = safe_filename(resource.name, f"resource-{index + 1}")
            try:
                header, rows = preview(resource_file(catalog, dataset, resource), resource,
                                       PREVIEW_ROWS)
                view.preview_header, view.preview_rows = pages.readable_preview(
                    view.fields, header, rows)
            except TableError:
                pass
            view.snippets = pages.snippets(catalog.portal, record, f"{stem}.csv")
    status = update_status(dataset, catalog.vocab, today)
    context = pages.dataset_context(
        catalog.portal, record, views, age_days=status.age_days,
        next_due=status.next_due.isoformat() if status.next_due else None, root="../../",
        package_url="datapackage.json" if dataset.data_is_public else None)
    return shell.fill(title=dataset.title, description=dataset.summary[:150],
                      content_html=render("dataset.html", **context),
                      canonical=dataset_path(dataset.identifier),
                      head_html=feeds.department_feed_link(record.department,
                                                           record.department_name))


def render_floor(catalog_dir: Path, out: Path, shell: Shell, today: date) -> int:
    """Load, render and write every page; returns how many files were written."""
    catalog, _ = load_catalog(catalog_dir)
    has_terms = bool(catalog.portal.licence_name)
    published = catalog.published()
    records = {d.identifier: public_record(d, catalog.vocab, today, portal_has_terms=has_terms)
               for d in published}
    record_list = sorted(records.values(), key=lambda r: r.id)
    written = 0
    for dataset in published:
        page = dataset_page(catalog, shell, dataset, records[dataset.identifier], today)
        _write(out, f"{dataset_path(dataset.identifier)}index.html", page)
        written += 1
    for rel, _, produce in site_pages.department_pages(catalog, record_list, shell,
                                                      lambda r: ""):
        _write(out, rel, produce())
        written += 1
    for nav in site_pages.nav_pages(catalog, record_list, expected_download_count(catalog),
                                    today.isoformat()):
        if nav.link:
            continue
        rel = f"{nav.path}/index.html" if nav.path else "index.html"
        _write(out, rel, shell.fill(title=nav.title, description=nav.description,
                                    content_html=nav.body_html, canonical=nav.path,
                                    head_html=nav.head_html))
        written += 1
    return written


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("catalog", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--shell", type=Path)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 23))
    args = parser.parse_args(argv)
    text = args.shell.read_text(encoding="utf-8") if args.shell else BARE_SHELL
    print("files written", render_floor(args.catalog, args.out, Shell(text), args.today))


if __name__ == "__main__":
    main(sys.argv[1:])
