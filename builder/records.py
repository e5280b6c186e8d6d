"""The public records of one build, made only when something needs them.

At 100,000 datasets making every public record (and the digest of its
public JSON) cost seconds on each rebuild, though a rebuild with nothing
changed renders nothing from them: the page and navigation keys need only
each record's digest. :class:`Records` makes a record when it is first
asked for; :func:`record_digests` takes a record's digest from the previous
build's state while everything the record is made of is unchanged, and
makes the record only when it is not.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import replace
from datetime import date
from typing import Any, NamedTuple

from builder import dcat
from builder.build_config import sha
from domain.catalogue.catalog import Catalog
from domain.catalogue.freshness import Freshness, UpdateStatus
from domain.catalogue.model import Dataset, OpenType, Status
from domain.catalogue.public_record import PublicRecord
from domain.catalogue.publication import public_record

# Bump when a record is made of something the keys below leave out.
RECORD_KEY_VERSION = "1"
# Key of a dataset's build-state entry: [record key, record digest].
RECORD_FIELD = "record"


class Records(Mapping[str, PublicRecord]):
    """The public record of each published dataset, by id (iterated in
    catalogue order), each made by ``make`` the first time it is asked for
    and kept for the rest of the build. ``in`` and ``len`` make nothing."""

    def __init__(self, datasets: Iterable[Dataset], make: Callable[[Dataset], PublicRecord]):
        # Later datasets win over earlier ones with the same identifier, as
        # in a dict comprehension (the build withholds repeated identifiers).
        self.datasets = {d.identifier: d for d in datasets}
        self._make = make
        self._made: dict[str, PublicRecord] = {}

    def __getitem__(self, identifier: str) -> PublicRecord:
        record = self._made.get(identifier)
        if record is None:
            record = self._made[identifier] = self._make(self.datasets[identifier])
        return record

    def __contains__(self, identifier: object) -> bool:
        return identifier in self.datasets

    def __iter__(self) -> Iterator[str]:
        return iter(self.datasets)

    def __len__(self) -> int:
        return len(self.datasets)

    @functools.cached_property
    def listed(self) -> list[PublicRecord]:
        """Every record, sorted by id (all of them made)."""
        return [self[identifier] for identifier in sorted(self.datasets)]

    def release(self) -> None:
        """Forget the records made so far (they are made again if asked for)."""
        self._made.clear()
        self.__dict__.pop("listed", None)

    def briefs(self, statuses: Mapping[str, UpdateStatus]) -> list[Brief]:
        """What the department pages' keys and counts read of each record,
        sorted by id, made from the datasets (no record is made)."""
        return [Brief(i, d.title, d.department, d.open_type, d.status, statuses[i].freshness)
                for i, d in sorted(self.datasets.items())]


def public_records(catalog: Catalog, today: date, overdue: Mapping[str, int] | None,
                   counts: Mapping[str, int] | None,
                   statuses: Mapping[str, UpdateStatus] | None = None) -> Records:
    """The public record of each published dataset of ``catalog``, with its
    overdue reports and download count when the service told us them (None:
    not known to this build). ``statuses``: the update status of datasets on
    ``today`` by id, where the caller made them already (each is made once)."""
    has_terms = bool(catalog.portal.licence_name)
    known: Mapping[str, UpdateStatus] = statuses or {}

    def make(dataset: Dataset) -> PublicRecord:
        record = public_record(
            dataset, catalog.vocab, today, portal_has_terms=has_terms,
            overdue_reports=None if overdue is None else overdue.get(dataset.identifier, 0),
            status=known.get(dataset.identifier))
        if counts is not None:
            record = replace(record, download_count=counts.get(dataset.identifier, 0))
        return record
    return Records(catalog.published(), make)


class Brief(NamedTuple):
    """The few fields of a public record that the department rows and the
    order of a department's datasets read; each equals the record's own
    (``domain.catalogue.publication.public_record`` copies them from the
    dataset and its update status). A named tuple: 100,000 of them are made
    on every rebuild, and a frozen dataclass costs three times as much."""

    id: str
    title: str
    department: str
    open_type: OpenType
    status: Status
    freshness: Freshness


def record_digests(records: Records, entries: MutableMapping[str, dict[str, Any]],
                   old: Mapping[str, Mapping[str, Any]], statuses: Mapping[str, UpdateStatus],
                   salt: str, overdue: Mapping[str, int] | None = None,
                   counts: Mapping[str, int] | None = None) -> dict[str, str]:
    """:func:`builder.dcat.record_digest` of each record, by id.

    A record is made of its dataset (stood for by the entry's ``data_key``:
    the folder's files, the code and the checks), its update status
    (``statuses``), its overdue reports and download count, and what
    ``salt`` stands for: the code, the catalogue's own files, the portal
    settings, the day, and whether the overdue reports and download counts
    are known. The key of all of these is kept in the entry with the
    digest; when the previous build's entry has the same key its digest is
    reused and the record is not made."""
    digests: dict[str, str] = {}
    for identifier in records:
        entry = entries[identifier]
        key = sha(RECORD_KEY_VERSION, salt, entry["data_key"], repr(statuses[identifier]),
                  str(overdue.get(identifier, 0) if overdue is not None else ""),
                  str(counts.get(identifier, 0) if counts is not None else ""))
        kept = old.get(identifier, {}).get(RECORD_FIELD)
        if isinstance(kept, list) and len(kept) == 2 and kept[0] == key:
            digest = str(kept[1])
        else:
            digest = dcat.record_digest(records[identifier])
        entry[RECORD_FIELD] = [key, digest]
        digests[identifier] = digest
    return digests
