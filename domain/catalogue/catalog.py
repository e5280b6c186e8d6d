"""Reading a catalogue folder (``datasets/``) into the model.

Layout::

    datasets/
      portal.yaml            the portal: bureau, city, URLs, terms
      vocabularies.yaml      departments, themes, regions, frequencies, levels
      calendars/YYYY.json    optional working-day calendars (see domain.periods.calendar)
      <any-folder>/          one dataset: datapackage.yaml (or .json) + files

Loading never stops at the first problem: it returns what it could read and
every problem found, so ``portal check`` can report them all at once.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from domain.catalogue import problems as P
from domain.catalogue.descriptor import dataset_from_descriptor, refuse_unsafe_links
from domain.catalogue.descriptor import text as _text
from domain.catalogue.model import Dataset
from domain.catalogue.paths import dataset_folders, folder_fingerprint, real_join
from domain.catalogue.problems import Problem
from domain.catalogue.structured import read_or_report
from domain.catalogue.vocabulary import Vocabularies, VocabularyError, vocabularies_from_mapping
from domain.periods.calendar import CalendarFileInvalid, WorkCalendar

DESCRIPTOR_NAMES = ("datapackage.yaml", "datapackage.json")

DEPARTMENT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# portal.yaml settings that become links: only web addresses (or nothing).
URL_SETTINGS = ("base_url", "request_service_url", "search_api_url", "licence_url")
WEB_ADDRESS_RE = re.compile(r"^https?://[^\s\x00-\x1f\x7f\"<>\\^`{|}]+$", re.IGNORECASE)


@dataclass(frozen=True)
class PortalInfo:
    """Settings of the deploying bureau, from ``portal.yaml``."""

    name: str = "公共数据开放平台"
    bureau: str = ""
    city: str = ""
    region: str = ""
    base_url: str = "http://127.0.0.1:8000/"
    request_service_url: str = ""  # empty: the same host as the site
    search_api_url: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    contact_address: str = ""
    licence_name: str = ""
    licence_url: str = ""
    profile: str = "guizhou-measures"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Catalog:
    root: Path
    portal: PortalInfo
    vocab: Vocabularies
    datasets: tuple[Dataset, ...]

    def published(self) -> list[Dataset]:
        """Datasets that appear on the public site (not-open ones never do),
        in catalogue order (a new list each call: callers may change it)."""
        return list(self._published)

    @functools.cached_property
    def _published(self) -> tuple[Dataset, ...]:
        # Found once: a build asks five times, over 100,000 datasets.
        return tuple(d for d in self.datasets if d.is_published)

    def by_id(self) -> dict[str, Dataset]:
        return {d.identifier: d for d in self.datasets}



def load_portal_info(root: Path, found: list[Problem]) -> PortalInfo:
    path = root / "portal.yaml"
    if not path.exists():
        return PortalInfo()
    data = read_or_report(path, "portal.yaml", found)
    if data is None:
        return PortalInfo()
    if not isinstance(data, Mapping):
        found.append(P.make("portal-config-invalid", "portal.yaml", detail="expected a mapping of settings"))
        return PortalInfo()
    known = {f for f in PortalInfo.__dataclass_fields__ if f != "extra"}
    values = {k: _text(v) for k, v in data.items() if k in known}
    for key in URL_SETTINGS:
        if values.get(key) and not WEB_ADDRESS_RE.match(values[key]):
            found.append(P.make("portal-config-invalid", "portal.yaml", field=key, detail=(
                f"{key} {values[key][:80]!r} must be a web address starting with http:// or "
                "https:// (or be left out)")))
            del values[key]
    before = len(found)
    refuse_unsafe_links([(key, values.get(key)) for key in ("contact_email", "contact_phone")],
                         "portal.yaml", found)
    for problem in found[before:]:
        values.pop(problem.field or "", None)
    extra = {k: v for k, v in data.items() if k not in known}
    if not isinstance(extra.get("catalogue_review", False), bool):
        found.append(P.make("portal-config-invalid", "portal.yaml", field="catalogue_review",
                            detail="catalogue_review must be true or false"))
        extra["catalogue_review"] = True  # a typo must not switch the review off
    if "profile" in values:
        from domain.periods.profiles import PROFILES

        if values["profile"] not in PROFILES:
            found.append(P.make("portal-config-invalid", "portal.yaml", field="profile", detail=(
                f"profile {values['profile'][:40]!r} is not one of: {', '.join(PROFILES)}")))
            del values["profile"]
    return PortalInfo(**values, extra=extra)


def load_vocabularies(root: Path, found: list[Problem]) -> Vocabularies:
    path = root / "vocabularies.yaml"
    empty = vocabularies_from_mapping({})
    if not path.exists():
        found.append(P.make("vocabulary-invalid", "vocabularies.yaml",
                            detail="vocabularies.yaml is missing; every catalogue needs its controlled lists"))
        return empty
    data = read_or_report(path, "vocabularies.yaml", found)
    if not isinstance(data, Mapping):
        if data is not None:
            found.append(P.make("vocabulary-invalid", "vocabularies.yaml", detail="expected a mapping"))
        return empty
    try:
        vocab = vocabularies_from_mapping(data)
    except VocabularyError as exc:
        found.append(P.make("vocabulary-invalid", "vocabularies.yaml", detail=str(exc)))
        return empty
    except (TypeError, ValueError) as exc:
        found.append(P.make("vocabulary-invalid", "vocabularies.yaml", detail=(
            f"a value has the wrong kind ({exc}): codes and names are text, aliases a list, "
            "max_age_days and max_age_working_days whole numbers")))
        return empty
    for index, term in enumerate(vocab.departments):
        if not DEPARTMENT_CODE_RE.match(term.code):
            found.append(P.make("vocabulary-invalid", "vocabularies.yaml", detail=(
                f"departments[{index}]: code {term.code[:80]!r} must be letters, digits, '-' "
                "or '_' (it is part of the department page's address)")))
    # Frequencies promised in working days count on the shipped calendars
    # plus the catalogue's own calendars/YYYY.json (a new year's notice).
    try:
        calendar = WorkCalendar(folders=[root / "calendars"])
    except CalendarFileInvalid as exc:
        rel = exc.path.relative_to(root).as_posix() if exc.path.is_relative_to(root) \
            else exc.path.name
        found.append(P.make("calendar-invalid", rel, detail=str(exc)))
        calendar = WorkCalendar()
    return replace(vocab, calendar=calendar)


DESCRIPTOR_PARSED: list[Callable[[Path], None]] = []
"""Called with each descriptor's path just before it is parsed: how tests
(and profiling) count parses without timing anything."""


def load_dataset(folder: Path, root: Path, found: list[Problem], *,
                 real_root: str | None = None, lenient: bool = False) -> Dataset | None:
    """Read one dataset folder; None (with problems) if it cannot be used.

    A folder or descriptor that is a link leading out of the catalogue is
    refused: the builder reads nothing outside the catalogue.
    """
    rel_dir = folder.relative_to(root).as_posix()
    base = real_root or os.path.realpath(root)
    real_folder = real_join(base, rel_dir.split("/"))
    if not real_folder.startswith(base + os.sep):
        found.append(P.make("dataset-folder-unsafe", rel_dir, value=rel_dir))
        return None
    descriptor = next((folder / n for n in DESCRIPTOR_NAMES if (folder / n).is_file()), None)
    if descriptor is None:
        found.append(P.make("descriptor-missing", rel_dir))
        return None
    rel = f"{rel_dir}/{descriptor.name}"
    if not real_join(real_folder, (descriptor.name,)).startswith(real_folder + os.sep):
        found.append(P.make("dataset-folder-unsafe", rel, value=descriptor.name))
        return None
    known = len(found)
    for hook in DESCRIPTOR_PARSED:
        hook(descriptor)
    data = read_or_report(descriptor, rel, found)
    if data is None:
        if len(found) == known:
            found.append(P.make("descriptor-invalid", rel, detail="the file is empty"))
        return None
    if not isinstance(data, Mapping):
        found.append(P.make("descriptor-invalid", rel, detail=f"got {type(data).__name__}"))
        return None
    return dataset_from_descriptor(data, rel, folder, found, source_dir=rel_dir,
                                   real_dir=real_folder, lenient=lenient)


DatasetCache = MutableMapping[str, tuple[str, "Dataset | None", tuple[Problem, ...]]]
"""Folder name → (folder fingerprint, the dataset read from it or None, the
problems met reading it): what ``load_catalog`` reuses for unchanged folders."""


def load_catalog(root: Path, datasets: DatasetCache | None = None, *,
                 lenient: bool = False,
                 identity: Callable[[Path], str] = folder_fingerprint,
                 ) -> tuple[Catalog, list[Problem]]:
    """Read the whole catalogue under ``root``.

    ``datasets`` (optional) maps folder names to the dataset read from them,
    keyed by ``identity`` (:func:`folder_fingerprint` unless the caller has
    a cheaper one of the same meaning); it is read and updated, so a
    caller can keep it between runs (the builder does: at 10,000 datasets
    reusing unchanged folders saves about two seconds a rebuild). Entries
    of folders that are gone are removed from ``datasets``.

    Returns the catalogue of every dataset that could be read, and the list
    of problems met while reading (never raises for bad content). With
    ``lenient`` (checking only) datasets missing required fields are kept
    too (see ``dataset_from_descriptor``); never build from such a catalogue.
    """
    found: list[Problem] = []
    if not root.is_dir():
        found.append(P.make("catalog-missing", str(root), detail=f"{root} is not a folder"))
        return Catalog(root, PortalInfo(), vocabularies_from_mapping({}), ()), found
    portal = load_portal_info(root, found)
    vocab = load_vocabularies(root, found)
    loaded = []
    real_root = os.path.realpath(root)
    folders = list(dataset_folders(root))
    if datasets is not None:
        for gone in set(datasets) - {f.name for f in folders}:
            del datasets[gone]
    for folder in folders:
        if datasets is None:
            dataset = load_dataset(folder, root, found, real_root=real_root, lenient=lenient)
        else:
            print_ = identity(folder)
            hit = datasets.get(folder.name)
            if hit is not None and hit[0] == print_:
                dataset, problems = hit[1], list(hit[2])
            else:
                problems = []
                dataset = load_dataset(folder, root, problems, real_root=real_root)
                datasets[folder.name] = (print_, dataset, tuple(problems))
            found.extend(problems)
        if dataset is not None:
            loaded.append(dataset)
    return Catalog(root, portal, vocab, tuple(loaded)), found
