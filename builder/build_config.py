"""What a build is given and what it returns (``BuildConfig``,
``BuildResult``, the failures), and the fingerprints that decide which pages
and files a rebuild may reuse."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from builder.publication_changes import PublicationChange
from builder.theme import DEFAULT_BACKEND
from builder.withholding import PublicationChanges
from domain.catalogue.catalog import Catalog
from domain.catalogue.model import Dataset
from domain.catalogue.paths import folder_fingerprint
from domain.catalogue.problems import Problem, Severity

BUILDER_VERSION = "1"
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


def sha(*parts: bytes | str) -> str:
    """SHA-256 of the parts, each followed by a NUL (so parts cannot run together)."""
    texts = [part for part in parts if isinstance(part, str)]
    if parts and len(texts) == len(parts):
        # The same bytes hashed at once: a build makes several keys per dataset
        # (100,000 datasets), and one update costs half of one per part.
        return hashlib.sha256(("\0".join(texts) + "\0").encode()).hexdigest()
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part.encode() if isinstance(part, str) else part)
        sha.update(b"\0")
    return sha.hexdigest()


def file_digest(path: Path) -> str:
    """The digest of a file's contents, or "" when there is no such file."""
    return sha(path.read_bytes()) if path.is_file() else ""


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
    return sha(BUILDER_VERSION, dataset.descriptor, fingerprint, checks)


def code_digest() -> str:
    """A fingerprint of the builder's and the domain's code: a new version of
    either renders pages anew without anyone bumping BUILDER_VERSION."""
    root = Path(__file__).resolve().parent.parent
    sha = hashlib.sha256()
    for package in ("builder", "domain"):
        # rglob: the domain lives in sub-packages (periods/, catalogue/, procedures/).
        for path in sorted((root / package).rglob("*.py")):
            sha.update(path.relative_to(root).as_posix().encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def check_output_folder(out: Path, state_exists: bool) -> None:
    """Refuse (``UnsafeOutput``) an output that is a file, or a non-empty
    folder no build of ours wrote (we would delete its files as stale)."""
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

