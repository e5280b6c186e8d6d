"""The metadata rules of each dataset, kept between builds.

:func:`builder.check.check_metadata` runs every rule of
``domain.catalogue.rules`` over every dataset on each build; at 100,000
datasets that cost two seconds of a rebuild with nothing changed. A
dataset's rules read only the dataset, the vocabularies (with the working-day
calendars) and the day, so their verdict is kept in the dataset's build-state
entry with a key of all of these, and reused while the key is unchanged.

The dataset stands in the key by its folder's identity (the descriptor
cache's, which the parsed dataset is reused by), its folder and descriptor;
the vocabularies by the digest of the catalogue's own files
(:func:`builder.build_keys.root_digest`) and of the calendars shipped with
the code; the rules by the digest of the code. The one rule across datasets
(identifiers are unique) runs every time: it is cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from builder.build_config import sha
from domain.catalogue.catalog import Catalog
from domain.catalogue.model import Dataset
from domain.catalogue.problems import Problem
from domain.catalogue.rules import check_dataset, check_identifiers

# Key of a dataset's build-state entry: [metadata key, [problem, …]].
METADATA_FIELD = "metadata"
# Bump when the rules read something the key leaves out.
METADATA_KEY_VERSION = "1"
# Data files shipped with the domain (the working-day calendars): the code
# digest covers .py files only.
SHIPPED_DATA = Path(__file__).resolve().parent.parent / "domain" / "data"

Kept = list[Any]  # [key, [problem as a dict, …]]


def shipped_digest() -> str:
    """A digest of the data files shipped with the domain (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(SHIPPED_DATA.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(SHIPPED_DATA).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def metadata_salt(code: str, root: str, today: date) -> str:
    """What every dataset's key shares: the code, the catalogue's own files
    (``root``), the shipped calendars and the day."""
    return sha(METADATA_KEY_VERSION, code, root, shipped_digest(), today.isoformat())


def as_json(problem: Problem) -> dict[str, Any]:
    """``problem`` as the build state keeps it (``Problem(**it)`` gives it back)."""
    return {"code": problem.code, "message": problem.message, "file": problem.file,
            "row": problem.row, "field": problem.field}


def check_metadata_kept(catalog: Catalog, today: date, salt: str,
                        identity: Callable[[Dataset], str | None],
                        old: Mapping[str, Mapping[str, Any]]) -> tuple[list[Problem],
                                                                       dict[str, Kept]]:
    """The problems of :func:`builder.check.check_metadata` (the same, in the
    same order), each dataset's taken from ``old`` (the previous build's
    entries, by identifier) when its key is the one kept there.

    ``identity`` gives a dataset's folder identity, or None when it is not
    known (the dataset is then checked and nothing is kept for it); ``salt``
    is :func:`metadata_salt`. Returns the problems and what to keep in each
    dataset's new entry under ``METADATA_FIELD`` (by identifier; the first
    dataset of a repeated identifier, as the build's entries)."""
    found = check_identifiers(catalog.datasets)
    kept: dict[str, Kept] = {}
    for dataset in catalog.datasets:
        fingerprint = identity(dataset)
        key = None if fingerprint is None else sha(
            salt, dataset.source_dir, dataset.descriptor, fingerprint)
        previous = old.get(dataset.identifier, {}).get(METADATA_FIELD)
        if key is not None and isinstance(previous, list) and len(previous) == 2 \
                and previous[0] == key:
            found.extend(Problem(**p) for p in previous[1])
            made = previous  # kept as it is: no second copy of 100,000 entries
        else:
            problems = check_dataset(dataset, catalog.vocab, today)
            found.extend(problems)
            made = [key, [as_json(p) for p in problems]]
        if key is not None and dataset.identifier not in kept:
            kept[dataset.identifier] = made
    return found, kept
