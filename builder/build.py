"""``portal build``: the catalogue becomes a static portal.

Order of work:
1. load and check the catalogue (metadata rules every time; schema
   validation and the desensitization gate only for datasets whose files
   changed since the last build); a catalogue-wide error (vocabularies,
   portal settings) stops the build before a file is written, a dataset with
   errors is withheld and the others are published (``builder.withholding``);
2. build the navigation pages with the theme (``builder.theme``), which
   also yields the shell for dataset pages;
3. for each published dataset whose inputs changed: write its downloads
   (unconditional, active data only) and its page;
4. write the catalogue-wide files; copy the theme's output; delete files a
   previous build wrote that this one did not (e.g. a dataset that became
   not-open loses its page and files at once; a dataset that was online and
   is no longer published gets a 暂停发布 notice page instead);
5. write the operators' publication report beside the build cache.

Build state lives in a cache folder outside the site (it may name
conditional resources), never in the published output.
"""

from __future__ import annotations

import functools
import gc
import os
import time
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from builder import build_keys, dcat, pages, site_pages, statistics, summaries
from builder.audit_files import audit_files
from builder.build_config import (
    BUILDER_VERSION,
    BuildConfig,
    BuildFailed,
    BuildResult,
    UnsafeOutput,
    check_output_folder,
    code_digest,
    data_key,
    expected_download_count,
    file_digest,
    sha,
)
from builder.build_state import read_state, save_state
from builder.check import check_metadata
from builder.data_checks import check_datasets
from builder.dataset_pages import DatasetPageWriter, Job, write_all
from builder.descriptor_cache import CACHE_FILE, DescriptorCache, no_gc
from builder.files import write_if_changed
from builder.publication_changes import PUBLIC_KEY, changes
from builder.records import RECORD_FIELD, Records, public_records, record_digests
from builder.render import templates_digest
from builder.site_output import SiteOutput, one_file
from builder.take_downs import take_downs, was_online
from builder.theme import Shell, build_theme_pages
from builder.withholding import (
    REPORT_JSON,
    REPORT_TEXT,
    announcement_html,
    notice_html,
    split_errors,
    unapproved,
)
from domain.catalogue.catalog import Catalog, load_catalog
from domain.catalogue.freshness import Freshness, UpdateStatus, update_status
from domain.catalogue.model import Dataset
from domain.catalogue.problems import Severity
from domain.catalogue.publication import dataset_path

# The public face of `portal build` (BuildConfig and the rest live in
# builder.build_config; callers import them from here).
__all__ = ["BuildConfig", "BuildFailed", "BuildResult", "UnsafeOutput", "build", "data_key"]

STATE_FILE = "state.json"
# From this many datasets catalog.json is written by a child process.
CATALOGUE_BESIDE_AT = 1000


class _Builder(SiteOutput):
    """One build: its stages, in order, in ``run``."""

    def __init__(self, cfg: BuildConfig):
        # The check stage starts here: reading the descriptor cache may read
        # every new descriptor (builder.descriptor_pool).
        self.started = time.perf_counter()
        self.cfg = cfg
        self.cache = cfg.resolved_cache()
        self.result = BuildResult()
        self.code = code_digest()  # read the code once per build
        self.titles: dict[str, str] = {}  # every dataset read, published or not
        self.all_ids: set[str] = set()
        self.folders: dict[str, str] = {}
        self.record_digests: dict[str, str] = {}  # dcat.record_digest of each record
        self.statuses: dict[str, UpdateStatus] = {}  # of each published dataset
        self.state_path = self.cache / STATE_FILE
        # Refused before anything is read (the descriptor cache may start
        # processes: builder.folder_walk, builder.descriptor_pool).
        check_output_folder(cfg.out_dir, self.state_path.is_file())
        self.old_state: dict[str, Any] = {}
        # The old state and the descriptor cache are read with the cycle
        # collector paused and then frozen: they live until the end of the
        # build (build() unfreezes), so no collection need ever walk them
        # (at 100,000 datasets the first collection after reading took seconds).
        with no_gc():
            # The datasets read from each folder, kept between builds and reused
            # while the folder is unchanged (only changed descriptors are parsed
            # again); ignored when the loader's code changes. Keyed by the
            # catalogue's real path too: whether a link stays inside the
            # catalogue depends on where it is. Read first (builder.folder_walk).
            self.datasets = DescriptorCache.load(self.cache / CACHE_FILE, sha(
                self.code, os.path.realpath(cfg.catalog_dir)), cfg.catalog_dir)
            self.old_state = read_state(self.state_path)  # {} when missing or damaged
            if self.old_state.get("version") != BUILDER_VERSION:
                self.old_state = {}
            gc.freeze()
        super().__init__(cfg.out_dir, self.old_state)
        self.splice_dir, self.splice_salt = self.cache / "spliced", self.code

    # -- helpers -------------------------------------------------------
    def progress(self, stage: str, done: int, total: int) -> None:
        if self.cfg.progress:
            self.cfg.progress(stage, done, total)

    def timed(self, name: str, start: float) -> float:
        now = time.perf_counter()
        self.result.timings[name] = round(now - start, 3)
        return now

    # -- stages --------------------------------------------------------
    def load(self) -> tuple[Catalog, dict[str, dict[str, Any]]]:
        cfg = self.cfg
        catalog, found = load_catalog(cfg.catalog_dir, datasets=self.datasets,
                                      identity=self.datasets.identity)
        portal = catalog.portal
        overrides: dict[str, Any] = {k: v for k, v in (("base_url", cfg.base_url),
                                       ("request_service_url", cfg.request_service_url),
                                       ("search_api_url", cfg.search_api_url)) if v}
        if overrides:
            catalog = Catalog(catalog.root, replace(portal, **overrides), catalog.vocab,
                              catalog.datasets)
        # Each published dataset's update status, made once for the rules, its keys and record.
        by_object = {id(d): update_status(d, catalog.vocab, cfg.today) for d in catalog.published()}
        found.extend(check_metadata(catalog, cfg.today, by_object))
        checks = sha(self.code, f"validate={cfg.validate}")

        def key_of(dataset: Dataset) -> str:
            cached = self.datasets.get(dataset.source_dir)
            return data_key(catalog, dataset, cached[0] if cached else None, checks)
        entries, problems = check_datasets(
            catalog, key_of, self.old_state.get("datasets", {}), validate=cfg.validate,
            progress=partial(self.progress, "check"))
        found.extend(problems)
        folders = set(self.datasets)  # load_catalog keeps one entry per folder found
        wide, by_folder = split_errors(found, folders)
        if wide:
            raise BuildFailed(found, wide)
        changes = self.result.changes
        kept = []
        for dataset in catalog.datasets:
            problems = by_folder.pop(dataset.source_dir, [])
            problems += unapproved(dataset, cfg.approved_entries)
            if problems:
                changes.withheld[dataset.identifier] = [p.code for p in problems]
                changes.problems[dataset.identifier] = problems
            else:
                kept.append(dataset)
        for folder, problems in by_folder.items():  # folders that could not be read at all
            changes.withheld[folder] = [p.code for p in problems]
            changes.problems[folder] = problems
            changes.unread.add(folder)
        self.titles = {d.identifier: d.title for d in catalog.datasets}
        self.folders = {d.identifier: d.source_dir for d in catalog.datasets}
        self.all_ids = set(self.titles)
        catalog = Catalog(catalog.root, catalog.portal, catalog.vocab, tuple(kept))
        self.statuses = {d.identifier: by_object[id(d)] for d in catalog.published()}
        self.result.warnings = [p for p in found if p.severity is not Severity.ERROR]
        return catalog, entries

    def run(self) -> BuildResult:
        cfg, started = self.cfg, self.started
        catalog, entries = self.load()
        # Nothing reads the descriptor cache after loading: written now, its
        # listings and entries need not be held through the build (at
        # 100,000 datasets they were a hundred megabytes at its peak).
        self.datasets.save()
        self.datasets.release()
        # The datasets and the state live until the end of the build: later
        # collections need not walk them again (undone by build()).
        gc.freeze()
        self.templates = templates_digest()  # read once: the page and navigation keys use it
        mark = self.timed("check", started)
        portal = catalog.portal
        old = self.old_state.get("datasets", {})
        records = public_records(catalog, cfg.today, cfg.overdue_reports, cfg.download_counts,
                                 self.statuses)
        root = build_keys.root_digest(catalog.root)
        self.record_digests = record_digests(records, entries, old, self.statuses, sha(
            self.code, root, pages.stable_json(portal.__dict__), cfg.today.isoformat(),
            repr(cfg.overdue_reports is None), repr(cfg.download_counts is None)),
            cfg.overdue_reports, cfg.download_counts)
        download_count = expected_download_count(catalog)

        # The theme's pages first: they give the shell of the dataset pages.
        taken_down = self.take_downs(records)
        # What the catalogue-wide scans read of each record (kept between builds).
        self.listing = functools.cache(lambda: summaries.listing(
            sorted(records), {i: entries[i][RECORD_FIELD][0] for i in records},
            records.__getitem__, self.cache))
        self.stats = functools.cache(lambda: statistics.statistics(
            catalog.vocab, self.listing(), cfg.today.isoformat()))  # made once, if needed
        shell = self.theme_pages(catalog, records, download_count, entries, root)
        global_key = sha(BUILDER_VERSION, self.code, shell.text, self.templates,
                          file_digest(catalog.root / "vocabularies.yaml"),
                          pages.stable_json(portal.__dict__))
        self.set_page_keys(catalog, entries, global_key)
        # A department page's rows show only what summaries hold: no record made.
        listed = functools.cache(lambda: {s.id: s for s in self.listing()})
        for rel, key, produce in site_pages.department_pages(
                catalog, records.briefs(self.statuses), shell,
                lambda r: entries[r.id]["page_key"], lambda i: listed()[i]):
            self.emit_keyed(rel, key, partial(one_file, rel, produce))
        self.statuses.clear()  # read by the keys (and records made so far) only
        mark = self.timed("theme", mark)
        downloads_by_id = self.dataset_pages(catalog, records, entries, old, shell)
        mark = self.timed("datasets", mark)
        self.result.downloads = sum(len(v) for v in downloads_by_id.values())
        # catalog.json, feeds, sitemaps: unchanged while every page key, the
        # downloads and the day are (a rebuild with nothing new skips them).
        files_key = build_keys.files_key(global_key, cfg.today.isoformat(), sorted(records),
                                         entries, downloads_by_id)
        # Collector paused: each full collection walked the spliced files' indexes
        # and pieces, no cycles among them (0.3 s of a 20,000 one-change rebuild).
        with no_gc():  # catalog.json written by a child while the DCAT files are here
            self.emit_keyed("catalogue-files", files_key, lambda: site_pages.catalogue_files(
                catalog, self.listing(), downloads_by_id, cfg.today, self.cache,
                self.record_digests, self.stats, records.__getitem__), beside=(
                    "catalog.json",) if len(records) >= CATALOGUE_BESIDE_AT else ())
        self.copy_theme_output(self.cache / "theme" / "site")
        if cfg.audit_dir is not None:
            for rel, data in audit_files(cfg.audit_dir).items():
                self.written.add(rel)
                write_if_changed(self.out / rel, data)
        self.emit_take_downs(shell)
        mark = self.timed("site-files", mark)
        records.release()  # nothing reads them any more: the state is written next
        self.result.files_removed = self.remove_stale()
        self.save_state(entries, taken_down)
        self.result.changes.published = sorted(records)
        self.write_report()  # after the count of published datasets is known
        self.result.events = changes(old, entries)
        self.result.datasets = len(records)
        self.result.seconds = round(time.perf_counter() - started, 3)
        return self.result

    def set_page_keys(self, catalog: Catalog,
                      entries: dict[str, dict[str, Any]], global_key: str) -> None:
        """Give each published dataset's entry its page key: its data, the
        site-wide key, its record and its lateness (a page changes with any)."""
        for dataset in catalog.published():
            # The page says how many days an overdue dataset is late and by
            # when it is due (working days move with a new calendar file):
            # both are part of the key.
            status = self.statuses[dataset.identifier]
            age = status.age_days if status.freshness is Freshness.OVERDUE else None
            entries[dataset.identifier][PUBLIC_KEY] = dataset.status.value
            entries[dataset.identifier]["page_key"] = sha(
                entries[dataset.identifier]["data_key"], global_key,
                self.record_digests[dataset.identifier], str(age), str(status.next_due))

    def dataset_pages(self, catalog: Catalog, records: Records,
                      entries: dict[str, dict[str, Any]], old: Mapping[str, Any],
                      shell: Shell) -> dict[str, list[dict[str, Any]]]:
        """Write the page and files of each published dataset whose page key
        changed (or whose page is gone), reuse the others; record what each
        wrote in ``entries``. Returns the downloads of each dataset by id."""
        downloads_by_id: dict[str, list[dict[str, Any]]] = {}
        jobs: list[Job] = []
        out = str(self.out)
        for dataset in catalog.published():
            entry = entries[dataset.identifier]
            previous = old.get(dataset.identifier, {})
            page_rel = f"{dataset_path(dataset.identifier)}index.html"
            # One stat per dataset: a deleted page is rebuilt with its files.
            if previous.get("page_key") == entry["page_key"] \
                    and os.path.isfile(f"{out}/{page_rel}"):
                entry.update(files=previous["files"], downloads=previous.get("downloads", []))
                self.result.pages_reused += 1
            else:
                # A new dataset's DCAT fragment is made beside its page (in
                # a worker); a known dataset's is most likely in the cache.
                jobs.append((dataset, records[dataset.identifier], None if previous else
                             self.record_digests[dataset.identifier]))
        writer = DatasetPageWriter(self.out, catalog, shell, self.cfg.today)
        made: list[dcat.FragmentRow] = []
        for count, written in enumerate(write_all(writer, jobs), start=1):
            entries[written.identifier].update(files=written.files, downloads=written.downloads)
            self.result.pages_written += 1
            if written.dcat is not None:
                made.append(written.dcat)
            if len(made) >= 1000 or (made and count == len(jobs)):
                dcat.store_fragments(self.cache, made)
                made = []
            if count % 500 == 0 or count == len(jobs):
                self.progress("pages", count, len(jobs))
        for dataset in catalog.published():
            entry = entries[dataset.identifier]
            self.written.update(entry["files"])
            downloads_by_id[dataset.identifier] = entry["downloads"]
        return downloads_by_id

    def take_downs(self, records: Mapping[str, Any]) -> dict[str, Any]:
        """The take-downs of this build (see ``builder.take_downs``)."""
        return take_downs(self.result.changes, was_online(self.old_state, self.out),
                          self.old_state.get("taken_down", {}), records, self.all_ids,
                          self.titles, self.cfg.today)

    def emit_take_downs(self, shell: Shell) -> None:
        """The 暂停发布 notice of each dataset taken down, and their list
        (suspended/, linked from the 公告 page)."""
        current = self.result.changes.taken_down
        for take_down in current.values():
            rel = f"{dataset_path(take_down.identifier)}index.html"
            self.emit(rel, shell.fill(title=f"{take_down.title}（暂停发布）",
                                      description="该数据集暂停发布", canonical=dataset_path(
                                          take_down.identifier),
                                      content_html=notice_html(take_down)))
        if current or "suspended/index.html" in self.old_state.get("files", []) \
                or (self.out / "suspended" / "index.html").is_file():
            self.emit("suspended/index.html", shell.fill(
                title="暂停发布公告", description="暂停发布的数据集及原因",
                canonical="suspended/", content_html=announcement_html(current.values())))

    def write_report(self) -> None:
        """The operators' publication report, JSON and text, in the build
        cache (outside the site: it names problems and values)."""
        self.cache.mkdir(parents=True, exist_ok=True)
        changes, today = self.result.changes, self.cfg.today
        json_path, text_path = self.cache / REPORT_JSON, self.cache / REPORT_TEXT
        json_path.write_bytes(changes.report_json(today))
        text_path.write_text(changes.report_text(today), encoding="utf-8")
        self.result.report_files = (json_path, text_path)

    def theme_pages(self, catalog: Catalog, records: Records, download_count: int,
                    entries: Mapping[str, Mapping[str, Any]], root: str) -> Shell:
        """The navigation pages, rendered only when their key changed."""
        today, suspended = self.cfg.today.isoformat(), len(self.result.changes.taken_down)
        key = build_keys.nav_key(
            self.code, self.templates, catalog, root, sorted(records), self.record_digests,
            {i: entries[i]["data_key"] for i in records},
            download_count=download_count, generated=today, suspended=suspended)
        return build_theme_pages(
            lambda: site_pages.nav_pages(catalog, self.listing(), download_count, today,
                                         suspended=suspended, stats=self.stats,
                                         full=records.__getitem__), pages_key=key,
            config_file=self.cfg.mkdocs_config, staging=self.cache / "theme",
            site_name=catalog.portal.name, site_url=catalog.portal.base_url,
            strict=self.cfg.strict, footer=site_pages.footer_text(catalog.portal),
            extra_files=site_pages.theme_files(catalog), backend=self.cfg.theme_backend)

    def save_state(self, entries: dict[str, dict[str, Any]],
                   taken_down: dict[str, Any]) -> None:
        self.cache.mkdir(parents=True, exist_ok=True)
        for ident, entry in entries.items():
            if "page_key" in entry:
                entry["title"] = self.titles.get(ident, "")
                entry["folder"] = self.folders.get(ident, "")
        state = {"version": BUILDER_VERSION, "datasets": entries, "files": self.written_files(),
                 "groups": self.groups, "taken_down": taken_down}
        # Only what changed is written (one shard after one change; nothing
        # after nothing new: the whole state took 1.5 s to write at 100,000).
        save_state(self.state_path, state, self.old_state)


def build(cfg: BuildConfig) -> BuildResult:
    """Build the portal described by ``cfg``.

    A dataset with errors is withheld and the rest published; what was
    published, withheld and taken down is ``BuildResult.changes``.

    Raises:
        BuildFailed: a catalogue-wide error (nothing was written).
        UnsafeOutput: the output folder holds files this builder did not write.
        builder.theme.ThemeError: the theme's generator (mkdocs or Zensical) failed.
    """
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        return _Builder(cfg).run()
    finally:
        gc.unfreeze()
