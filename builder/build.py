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

import gc
import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from builder import pages, site_pages
from builder.audit_files import audit_files
from builder.check import check_data, check_metadata
from builder.dataset_pages import DatasetPageWriter, write_all
from builder.descriptor_cache import CACHE_FILE, DescriptorCache
from builder.files import write_chunks_if_changed, write_if_changed
from builder.publication_changes import PUBLIC_KEY, PublicationChange, changes
from builder.render import templates_digest
from builder.theme import DEFAULT_BACKEND, UNPUBLISHED, Shell, build_theme_pages
from builder.withholding import (
    REPORT_JSON,
    REPORT_TEXT,
    PublicationChanges,
    TakeDown,
    announcement_html,
    carried_take_downs,
    notice_html,
    reason_for,
    split_errors,
    unapproved,
)
from domain.catalogue.catalog import Catalog, load_catalog
from domain.catalogue.freshness import update_status
from domain.catalogue.model import Dataset
from domain.catalogue.paths import folder_fingerprint
from domain.catalogue.problems import Problem, Severity
from domain.catalogue.publication import dataset_path, public_record

log = logging.getLogger(__name__)

BUILDER_VERSION = "1"
STATE_FILE = "state.json"
# Shipped inside the package so that `portal build` runs from any folder.
DEFAULT_MKDOCS_CONFIG = Path(__file__).resolve().parent / "mkdocs.yml"

Progress = Callable[[str, int, int], None]


class BuildFailed(Exception):
    """The catalogue as a whole is broken (vocabularies, portal settings):
    nothing was written. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], wide: list[Problem] | None = None):
        self.problems = problems
        errors = wide if wide is not None else [p for p in problems
                                                if p.severity is Severity.ERROR]
        super().__init__(f"{len(errors)} catalogue-wide error(s); nothing was published")


class UnsafeOutput(Exception):
    """The output folder is not one this builder may write into."""


@dataclass
class BuildConfig:
    catalog_dir: Path
    out_dir: Path
    today: date
    cache_dir: Path | None = None
    mkdocs_config: Path = DEFAULT_MKDOCS_CONFIG
    # The generator of the theme's pages (builder.theme.THEME_BACKENDS).
    theme_backend: str = DEFAULT_BACKEND
    base_url: str | None = None
    request_service_url: str | None = None
    search_api_url: str | None = None
    # Error reports unanswered past their deadline, per dataset id, from the
    # request service (a quality criterion); None: not known to this build.
    overdue_reports: Mapping[str, int] | None = None
    # Downloads counted by the request service per dataset (--service-db),
    # shown on dataset pages and used to sort the catalogue; None: unknown.
    download_counts: Mapping[str, int] | None = None
    # Full frictionless validation (~10 ms per table); the fast built-in type
    # check runs either way. `portal check` always uses frictionless.
    validate: bool = False
    strict: bool = True
    progress: Progress | None = None
    # Folder of signed audit checkpoints and the public key, published
    # under audit/ (read only; see builder.audit_files).
    audit_dir: Path | None = None
    # Catalogue review on (portal.yaml catalogue_review: true): per dataset,
    # the entry hash the big-data authority approved last (from the service's
    # store, passed in by `portal build`); None: no review gate.
    approved_entries: Mapping[str, str] | None = None

    def resolved_cache(self) -> Path:
        if self.cache_dir:
            return self.cache_dir
        return self.out_dir.resolve().parent / ".portal-cache" / self.out_dir.resolve().name


@dataclass
class BuildResult:
    datasets: int = 0
    pages_written: int = 0
    pages_reused: int = 0
    files_removed: int = 0
    downloads: int = 0
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # What was published, withheld and taken down (the CLI summary, the exit
    # code and the operators' report).
    changes: PublicationChanges = field(default_factory=PublicationChanges)
    report_files: tuple[Path, ...] = ()
    # Datasets published, withdrawn or taken down since the last build, as
    # audit events (003 §34) for the `portal build` command to record.
    events: list[PublicationChange] = field(default_factory=list)


def _sha(*parts: bytes | str) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part.encode() if isinstance(part, str) else part)
        sha.update(b"\0")
    return sha.hexdigest()


def _file_digest(path: Path) -> str:
    return _sha(path.read_bytes()) if path.is_file() else ""


def data_key(catalog: Catalog, dataset: Dataset, fingerprint: str | None = None,
             checks: str = "") -> str:
    """Fingerprint of a dataset's inputs: every file of its folder (names,
    sizes, modification times, link targets; see ``folder_fingerprint``).

    Sizes and times, not contents: reading every file of a large catalogue on
    each rebuild would cost more than the rebuild. Every file of the folder
    counts (descriptor, resources, a schema kept in its own file), so no edit
    there leaves a stale page. ``fingerprint`` is the folder's, if known.
    ``checks`` names the checks the data went through (code and options): a
    better desensitization gate re-checks unchanged data, it does not trust
    the verdict of the old one.
    """
    if fingerprint is None:
        fingerprint = folder_fingerprint(catalog.root / dataset.source_dir)
    return _sha(BUILDER_VERSION, dataset.descriptor, fingerprint, checks)


def _one_file(rel: str, produce: Callable[[], str]) -> dict[str, str]:
    return {rel: produce()}


def code_digest() -> str:
    """A fingerprint of the builder's and the domain's code: a new version of
    either renders pages anew without anyone bumping BUILDER_VERSION."""
    root = Path(__file__).resolve().parent.parent
    sha = hashlib.sha256()
    for package in ("builder", "domain"):
        for path in sorted((root / package).glob("*.py")):
            sha.update(path.read_bytes())
    return sha.hexdigest()


def _check_output_folder(out: Path, state_exists: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UnsafeOutput(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not state_exists \
            and not (out / "index.html").is_file():
        raise UnsafeOutput(
            f"{out} is not empty and was not built by portal build; "
            "choose an empty or new folder for --out (nothing was written)")


def expected_download_count(catalog: Catalog) -> int:
    """How many download files the site will offer (shown on the home page
    before the files are written): every form of each public table, and each
    other public file once."""
    from builder.downloads import DOWNLOAD_FORMS

    return sum(len(DOWNLOAD_FORMS) if r.is_tabular else 1
               for d in catalog.published() if d.data_is_public for r in d.resources)


class _Builder:
    def __init__(self, cfg: BuildConfig):
        self.cfg = cfg
        self.out = cfg.out_dir
        self.cache = cfg.resolved_cache()
        self.result = BuildResult()
        self.written: set[str] = set()
        self.code = code_digest()  # read the code once per build
        self.groups: dict[str, dict[str, Any]] = {}
        self.titles: dict[str, str] = {}  # every dataset read, published or not
        self.all_ids: set[str] = set()
        self.folders: dict[str, str] = {}
        self.state_path = self.cache / STATE_FILE
        self.old_state: dict[str, Any] = {}
        if self.state_path.is_file():
            try:
                with no_gc():
                    self.old_state = orjson.loads(self.state_path.read_bytes())
            except ValueError:
                self.old_state = {}
        if self.old_state.get("version") != BUILDER_VERSION:
            self.old_state = {}
        # The datasets read from each folder, kept between builds and reused
        # while the folder is unchanged (only changed descriptors are parsed
        # again); ignored when the loader's code changes.
        # Keyed by the catalogue's real path too: whether a link stays inside
        # the catalogue depends on where the catalogue is.
        self.datasets = DescriptorCache.load(self.cache / CACHE_FILE, _sha(
            self.code, os.path.realpath(cfg.catalog_dir)))

    # -- helpers -------------------------------------------------------
    def progress(self, stage: str, done: int, total: int) -> None:
        if self.cfg.progress:
            self.cfg.progress(stage, done, total)

    def emit(self, rel: str, text: str | Iterable[str]) -> None:
        parts = rel.split("/")
        if not rel or rel.startswith("/") or "\\" in rel or ".." in parts:
            # Page paths come from checked codes; this is the last line of defence.
            raise UnsafeOutput(f"refusing to write {rel[:100]!r}: it leaves the output folder")
        self.written.add(rel)
        if isinstance(text, str):
            write_if_changed(self.out / rel, text)
        else:  # a large file in pieces (catalog.json, DCAT)
            write_chunks_if_changed(self.out / rel, text)

    def emit_keyed(self, group: str, key: str,
                   produce: Callable[[], Mapping[str, str | Iterable[str]]]) -> None:
        """Write the files ``produce`` gives, unless the previous build wrote
        this group with the same ``key`` and its files are all still there:
        then they are kept as they are (and count as written)."""
        previous = self.old_state.get("groups", {}).get(group)
        if previous and previous["key"] == key \
                and all((self.out / rel).is_file() for rel in previous["files"]):
            files = list(previous["files"])
            self.written.update(files)
        else:
            produced = produce()
            for rel, text in produced.items():
                self.emit(rel, text)
            files = sorted(produced)
        self.groups[group] = {"key": key, "files": files}

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
            from dataclasses import replace
            catalog = Catalog(catalog.root, replace(portal, **overrides), catalog.vocab,
                              catalog.datasets)
        found.extend(check_metadata(catalog, cfg.today))
        old = self.old_state.get("datasets", {})
        entries: dict[str, dict[str, Any]] = {}
        total = len(catalog.datasets)
        checks = _sha(self.code, f"validate={cfg.validate}")
        for count, dataset in enumerate(catalog.datasets, start=1):
            if dataset.identifier in entries:
                # A repeated identifier: the later dataset is withheld by
                # check_identifiers; its check runs, its entry is not kept.
                found.extend(check_data(catalog, [dataset], validate=cfg.validate))
                continue
            cached = self.datasets.get(dataset.source_dir)
            key = data_key(catalog, dataset, cached[0] if cached else None, checks)
            previous = old.get(dataset.identifier, {})
            if previous.get("data_key") == key and "problems" in previous:
                problems = [Problem(**p) for p in previous["problems"]]
            else:
                problems = check_data(catalog, [dataset], validate=cfg.validate)
            found.extend(problems)
            entries[dataset.identifier] = {
                "data_key": key,
                "problems": [{"code": p.code, "message": p.message, "file": p.file,
                              "row": p.row, "field": p.field} for p in problems],
            }
            if count % 500 == 0 or count == total:
                self.progress("check", count, total)
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
        self.result.warnings = [p for p in found if p.severity is not Severity.ERROR]
        return catalog, entries

    def run(self) -> BuildResult:
        cfg = self.cfg
        started = time.perf_counter()
        _check_output_folder(self.out, self.state_path.is_file())
        catalog, entries = self.load()
        # The datasets and the state live until the end of the build: later
        # collections need not walk them again (undone by build()).
        gc.freeze()
        mark = self.timed("check", started)
        portal = catalog.portal
        has_terms = bool(portal.licence_name)
        overdue = cfg.overdue_reports
        records = {d.identifier: public_record(
            d, catalog.vocab, cfg.today, portal_has_terms=has_terms,
            overdue_reports=None if overdue is None else overdue.get(d.identifier, 0))
            for d in catalog.published()}
        if cfg.download_counts is not None:
            for identifier, record in records.items():
                record["download_count"] = cfg.download_counts.get(identifier, 0)
        record_list = sorted(records.values(), key=lambda r: r["id"])
        old = self.old_state.get("datasets", {})
        download_count = expected_download_count(catalog)

        # The theme's pages first: they give the shell of the dataset pages.
        taken_down = self.take_downs(records)
        shell = self.theme_pages(catalog, record_list, download_count)
        global_key = _sha(BUILDER_VERSION, self.code, shell.text, templates_digest(),
                          _file_digest(catalog.root / "vocabularies.yaml"),
                          pages.stable_json(portal.__dict__))
        for dataset in catalog.published():
            record = records[dataset.identifier]
            # The page says how many days an overdue dataset is late and by
            # when it is due (working days move with a new calendar file):
            # both are part of the key.
            status = update_status(dataset, catalog.vocab, cfg.today)
            age = status.age_days if record["freshness"] == "overdue" else None
            entries[dataset.identifier][PUBLIC_KEY] = dataset.status.value
            entries[dataset.identifier]["page_key"] = _sha(
                entries[dataset.identifier]["data_key"], global_key,
                pages.stable_json(record), str(age), str(status.next_due))
        for rel, key, produce in site_pages.department_pages(
                catalog, record_list, shell, lambda r: entries[r["id"]]["page_key"]):
            self.emit_keyed(rel, key, partial(_one_file, rel, produce))
        mark = self.timed("theme", mark)
        downloads_by_id: dict[str, list[dict[str, Any]]] = {}
        jobs: list[tuple[Dataset, dict[str, Any]]] = []
        for dataset in catalog.published():
            record = records[dataset.identifier]
            entry = entries[dataset.identifier]
            previous = old.get(dataset.identifier, {})
            page_rel = f"{dataset_path(dataset.identifier)}index.html"
            # One stat per dataset: a deleted page is rebuilt with its files.
            if previous.get("page_key") == entry["page_key"] and (self.out / page_rel).is_file():
                entry.update(files=previous["files"], downloads=previous.get("downloads", []))
                self.result.pages_reused += 1
            else:
                jobs.append((dataset, record))
        writer = DatasetPageWriter(self.out, catalog, shell, cfg.today)
        for count, written in enumerate(write_all(writer, jobs), start=1):
            entries[written.identifier].update(files=written.files, downloads=written.downloads)
            self.result.pages_written += 1
            if count % 500 == 0 or count == len(jobs):
                self.progress("pages", count, len(jobs))
        for dataset in catalog.published():
            entry = entries[dataset.identifier]
            self.written.update(entry["files"])
            downloads_by_id[dataset.identifier] = entry["downloads"]
        mark = self.timed("datasets", mark)
        self.result.downloads = sum(len(v) for v in downloads_by_id.values())
        # catalog.json, feeds, sitemaps: unchanged while every page key, the
        # downloads and the day are (a rebuild with nothing new skips them).
        files_key = _sha(global_key, cfg.today.isoformat(), pages.stable_json(
            [(i, entries[i]["page_key"], downloads_by_id[i]) for i in sorted(records)]))
        self.emit_keyed("catalogue-files", files_key, lambda: site_pages.catalogue_files(
            catalog, record_list, downloads_by_id, cfg.today, self.cache))
        self.copy_theme_output()
        if cfg.audit_dir is not None:
            for rel, data in audit_files(cfg.audit_dir).items():
                self.written.add(rel)
                write_if_changed(self.out / rel, data)
        self.emit_take_downs(shell)
        mark = self.timed("site-files", mark)
        self.remove_stale()
        self.save_state(entries, taken_down)
        self.write_report()
        self.result.changes.published = sorted(records)
        self.result.events = changes(old, entries)
        self.result.datasets = len(records)
        self.result.seconds = round(time.perf_counter() - started, 3)
        return self.result

    def was_online(self) -> dict[str, dict[str, Any]]:
        """The datasets the previous build published (state entries with a
        page). Without a build state (the cache deleted, a new machine) they
        are read from the site itself: its catalog-index.json lists what was
        online, so a take-down is never forgotten with the cache."""
        if self.old_state:
            online: dict[str, dict[str, Any]] = self.old_state.get("datasets", {})
            return online
        index = self.out / "catalog-index.json"
        try:
            data = orjson.loads(index.read_bytes()) if index.is_file() else {}
            keys = data["keys"] if data else []
            at_id, at_title = keys.index("id"), keys.index("title")
            return {str(row[at_id]): {"page_key": "", "title": str(row[at_title])}
                    for row in (data["rows"] if data else [])}
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            log.warning("%s cannot be read; datasets the previous build published and this "
                        "one does not are not known to be taken down", index)
            return {}

    def take_downs(self, records: Mapping[str, Any]) -> dict[str, Any]:
        """Every dataset that was online and is not any more (its page
        becomes a 暂停发布 notice, see ``emit_take_downs``); returns the
        take-downs to remember (kept until republished)."""
        changes = self.result.changes
        current = carried_take_downs(self.old_state.get("taken_down", {}))
        today = self.cfg.today.isoformat()
        for ident, entry in self.was_online().items():
            if "page_key" not in entry or ident in records or ident in current:
                continue
            folder = entry.get("folder")
            if ident in changes.withheld:
                reason = reason_for(changes.withheld[ident])
            elif folder in changes.withheld:  # its descriptor could not be read at all
                reason = reason_for(changes.withheld[folder])
            elif ident in self.all_ids:
                reason = "not-open"
            else:
                reason = "removed"
            current[ident] = TakeDown(ident, self.titles.get(ident) or entry.get("title")
                                      or ident, reason, today, new=True)
        for ident in [i for i in current if i in records]:
            del current[ident]  # published again
        changes.taken_down = current
        return {i: {"title": t.title, "reason": t.reason, "since": t.since}
                for i, t in sorted(current.items())}

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

    def theme_pages(self, catalog: Catalog, records: list[dict[str, Any]],
                    download_count: int) -> Shell:
        return build_theme_pages(
            site_pages.nav_pages(catalog, records, download_count, self.cfg.today.isoformat(),
                                 suspended=len(self.result.changes.taken_down)),
            config_file=self.cfg.mkdocs_config, staging=self.cache / "theme",
            site_name=catalog.portal.name, site_url=catalog.portal.base_url,
            strict=self.cfg.strict, footer=site_pages.footer_text(catalog.portal),
            extra_files=site_pages.theme_files(catalog), backend=self.cfg.theme_backend)

    def copy_theme_output(self) -> None:
        staged = self.cache / "theme" / "site"
        for path in staged.rglob("*"):
            if path.is_dir():
                continue
            rel = path.relative_to(staged).as_posix()
            if rel in UNPUBLISHED:
                continue  # ours lists the dataset pages too; the search API searches
            self.written.add(rel)
            target = self.out / rel
            if target.is_file() and target.stat().st_size == path.stat().st_size \
                    and target.read_bytes() == path.read_bytes():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)

    def remove_stale(self) -> None:
        if "files" in self.old_state:
            previous = set(self.old_state["files"])
        else:
            # No state (a new cache folder, a version bump, a corrupt state):
            # every file already in the site counts as written before, so
            # nothing this build did not write survives — above all the files
            # of a dataset that is no longer unconditional.
            previous = {p.relative_to(self.out).as_posix()
                        for p in self.out.rglob("*") if p.is_file() or p.is_symlink()}
        emptied: set[Path] = set()
        for rel in sorted(previous - self.written):
            target = self.out / rel
            if target.is_file() or target.is_symlink():
                target.unlink()
                self.result.files_removed += 1
                emptied.add(target.parent)
        # Drop folders left empty (a dataset that disappeared), deepest first.
        out = self.out.resolve()
        for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
            while folder.resolve() != out and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent

    def save_state(self, entries: dict[str, dict[str, Any]],
                   taken_down: dict[str, Any]) -> None:
        self.cache.mkdir(parents=True, exist_ok=True)
        for ident, entry in entries.items():
            if "page_key" in entry:
                entry["title"] = self.titles.get(ident, "")
                entry["folder"] = self.folders.get(ident, "")
        state = {"version": BUILDER_VERSION, "datasets": entries, "files": sorted(self.written),
                 "groups": self.groups, "taken_down": taken_down}
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_bytes(orjson.dumps(state))
        os.replace(tmp, self.state_path)
        self.datasets.save()

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


@contextmanager
def no_gc() -> Iterator[None]:
    """Python's cycle collector paused: while a cache of 100,000 datasets is
    unpickled, each collection walks every object made so far (seconds of
    work that frees nothing)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
