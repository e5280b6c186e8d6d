"""Writing one dataset's page and downloads, in this process or in a pool.

Each dataset is independent of the others once the shell and the public
record are known, so a large first build spreads them over the machine's
cores (two here): the page render, CSV/JSON conversions and hashing are
CPU-bound.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from builder import dcat, feeds, pages
from builder.check import resource_file
from builder.downloads import (
    DownloadFile,
    package_descriptor,
    safe_filename,
    write_downloads,
)
from builder.files import write_if_changed
from builder.fork_pool import fork_map, worth_forking
from builder.render import render
from builder.tables import TableError, preview
from builder.theme import Shell
from domain.catalogue.catalog import Catalog
from domain.catalogue.freshness import update_status
from domain.catalogue.model import Dataset, Resource
from domain.catalogue.public_record import PublicRecord
from domain.catalogue.publication import dataset_path

PREVIEW_ROWS = 10
# Below this many pages a pool costs more to start than it saves.
POOL_THRESHOLD = 300


@dataclass(frozen=True)
class Written:
    """What writing one dataset produced (kept in the build state)."""

    identifier: str
    files: list[str]  # paths relative to the site root
    downloads: list[dict[str, Any]]
    # The dataset's DCAT fragment, when asked for (see builder.dcat.fragment_row).
    dcat: dcat.FragmentRow | None = None


class DatasetPageWriter:
    def __init__(self, out: Path, catalog: Catalog, shell: Shell, today: date):
        self.out = out
        self.catalog = catalog
        self.shell = shell
        self.today = today

    def write(self, dataset: Dataset, record: PublicRecord,
              fragment: str | None = None) -> Written:
        """Write the dataset's downloads (unconditional, active data only)
        and its page; return what was written (with the dataset's DCAT
        fragment when ``fragment``, the record's digest, is given: a page
        worker makes it beside the others, instead of the build's main
        process after them all)."""
        base = dataset_path(dataset.identifier)
        folder = self.out / base
        folder.mkdir(parents=True, exist_ok=True)
        files: list[str] = []
        views, published = self._resources(dataset, record, folder)
        for _, written in published:
            files += [base + f.filename for f in written]
        if published:
            descriptor = package_descriptor(dataset, published, self._package_metadata(
                dataset, record))
            write_if_changed(folder / "datapackage.json", (json.dumps(
                descriptor, ensure_ascii=False, separators=(",", ":")) + "\n").encode())
            files.append(base + "datapackage.json")
        status = update_status(dataset, self.catalog.vocab, self.today)
        context = pages.dataset_context(
            self.catalog.portal, record, views, age_days=status.age_days,
            next_due=status.next_due.isoformat() if status.next_due else None,
            root="../../", package_url="datapackage.json" if published else None)
        html = self.shell.fill(title=dataset.title, description=dataset.summary[:150],
                               content_html=render("dataset.html", **context),
                               canonical=base, head_html=feeds.department_feed_link(
                                   record.department, record.department_name))
        write_if_changed(folder / "index.html", html.encode("utf-8"))
        files.append(base + "index.html")
        downloads = pages.downloads_as_dicts([d for _, written in published for d in written])
        return Written(dataset.identifier, sorted(files), downloads, dcat.fragment_row(
            self.catalog.portal, record, downloads, fragment) if fragment else None)

    def _resources(self, dataset: Dataset, record: PublicRecord, folder: Path,
                   ) -> tuple[list[pages.ResourceView], list[tuple[Resource, list[DownloadFile]]]]:
        views: list[pages.ResourceView] = []
        published: list[tuple[Resource, list[DownloadFile]]] = []
        stems: set[str] = set()
        for index, resource in enumerate(dataset.resources):
            view = pages.ResourceView(
                name=resource.name, title=resource.title or resource.name,
                description=resource.description,
                fields=[{"name": f.name, "title": f.title, "type": f.type,
                         "description": f.description, "unit": f.unit}
                        for f in resource.fields])
            views.append(view)
            # 003 §21: only unconditional, active data is copied to the site.
            if not dataset.data_is_public:
                continue
            stem = safe_filename(resource.name, f"resource-{index + 1}")
            while stem in stems:
                stem += f"-{index + 1}"
            stems.add(stem)
            source = resource_file(self.catalog, dataset, resource)
            written = write_downloads(source, resource, folder, stem)
            view.downloads = written.files
            published.append((resource, view.downloads))
            if resource.is_tabular:
                try:
                    # A CSV resource's preview comes from the table just
                    # written (not the file again); another's from its source,
                    # read in its own format (the site's CSV copy read as TSV,
                    # JSON or XLSX gave one column or no preview at all).
                    if resource.format == "csv" and written.table is not None:
                        header, rows = written.table.preview(PREVIEW_ROWS)
                    else:
                        header, rows = preview(source, resource, PREVIEW_ROWS)
                    view.preview_header, view.preview_rows = pages.readable_preview(
                        view.fields, header, rows)
                except TableError:
                    pass  # the check validated the file; a preview is optional
                view.snippets = pages.snippets(self.catalog.portal, record, f"{stem}.csv")
        return views, published

    def _package_metadata(self, dataset: Dataset, record: PublicRecord) -> dict[str, Any]:
        portal = self.catalog.portal
        return {
            "name": dataset.identifier, "title": dataset.title,
            "description": dataset.summary, "keywords": list(dataset.keywords),
            "homepage": feeds.absolute(portal, record.url),
            "version": record.last_updated.isoformat() if record.last_updated else "",
            "licenses": [{"name": "portal-terms",
                          "title": portal.licence_name or "开放数据使用协议",
                          "path": feeds.absolute(portal, "terms/")}],
            "sources": [{"title": record.department_name}],
        }


# -- process pool --------------------------------------------------------
# A dataset, its record, and the record's digest when its DCAT fragment is to
# be made beside its page (None: not made; see DatasetPageWriter.write).
Job = tuple[Dataset, PublicRecord, str | None]

# What the forked page workers inherit (set just before the pool forks,
# cleared after): the writer and the build's jobs. Nothing of them is
# pickled on the way in (a dataset and its record were ≈ 1.2 kB of pickle,
# 80 µs to read back, in every job); a task names a span of the jobs.
_writer: DatasetPageWriter | None = None
_jobs: Sequence[Job] = ()
# Jobs per task: the queue costs nothing next to them, and the workers
# still end close together.
SPAN = 64


def _write_span(span: tuple[int, int]) -> list[Written]:
    """The inherited jobs ``span`` = [start, end), written by a forked worker."""
    assert _writer is not None, "the page pool's writer is set before it forks"
    return [_writer.write(*_jobs[i]) for i in range(*span)]


def write_all(writer: DatasetPageWriter, jobs: Sequence[Job]) -> Iterator[Written]:
    """Write every job, yielding what each wrote in job order: in forked
    worker processes when there are many (builder.fork_pool). When the pool
    fails (no fork here, a worker killed) the rest is written in this
    process after a warning; an error of the writing itself (a full disk)
    then happens again here and is raised."""
    done = 0
    if worth_forking(len(jobs), POOL_THRESHOLD):
        global _writer, _jobs
        _writer, _jobs = writer, jobs
        try:
            spans = [(start, min(start + SPAN, len(jobs))) for start in range(0, len(jobs), SPAN)]
            for written in fork_map(_write_span, spans, "writing dataset pages"):
                yield from written
                done += len(written)
        finally:
            _writer, _jobs = None, ()
    for dataset, record, _ in jobs[done:]:  # the fragment is made later, as it would be here
        yield writer.write(dataset, record)
