"""What the catalogue-wide pages and files read of every public record,
kept between builds.

The navigation pages (counts, facets, statistics, the plan) and the
catalogue-wide files (catalog-index.json, feeds, sitemaps) scan every
published dataset, but read only a few fields of each; a handful of records
(the newest on the home page, the feeds' entries, the notices) are shown
whole. At 100,000 datasets making every public record for those scans was
most of a rebuild after one change. A :class:`Summary` holds the scanned
fields; the summaries are kept in the build cache (``FILE``) under each
record's key (``builder.records.record_digests``: the key of everything a
record is made of), so a rebuild makes the records of changed datasets only
and takes the others' summaries from the file. The functions that scan take
summaries or records alike (:class:`Listed`) and ask for a whole record
(``Full``) only for what they show of it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import orjson

from builder.descriptor_cache import no_gc
from domain.catalogue.freshness import Freshness
from domain.catalogue.model import OpenType, Status
from domain.catalogue.public_record import PublicRecord
from domain.catalogue.publication import dataset_path

log = logging.getLogger(__name__)

FILE = "summaries.json"
# Bump when a summary holds other fields or is made otherwise.
VERSION = 2
# A whole record by id, for the few a scan shows in full.
Full = Callable[[str], PublicRecord]


class _Score(Protocol):
    @property
    def score(self) -> int: ...


class _Since(Protocol):
    @property
    def since(self) -> date: ...
    @property
    def active(self) -> bool: ...


class _Dated(Protocol):
    @property
    def date(self) -> date: ...


class Listed(Protocol):
    """What the catalogue-wide scans read of a record: a public record, or
    its :class:`Summary` (the same values)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def department_name(self) -> str: ...
    @property
    def theme(self) -> str: ...
    @property
    def theme_name(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def open_type(self) -> OpenType: ...
    @property
    def formats(self) -> tuple[str, ...]: ...
    @property
    def update_frequency(self) -> str: ...
    @property
    def last_updated(self) -> date | None: ...
    @property
    def published(self) -> date | None: ...
    @property
    def freshness(self) -> Freshness: ...
    @property
    def status(self) -> Status: ...
    @property
    def data_public(self) -> bool: ...
    @property
    def files_held(self) -> bool: ...
    @property
    def download_count(self) -> int | None: ...
    @property
    def quality(self) -> _Score: ...
    @property
    def emergency(self) -> _Since | None: ...
    @property
    def withdrawal(self) -> _Dated | None: ...
    @property
    def invalidation(self) -> _Dated | None: ...
    @property
    def url(self) -> str: ...
    @property
    def open_type_name(self) -> str: ...


class Score(NamedTuple):
    """A record's quality score (its criteria are not kept)."""

    score: int


class Since(NamedTuple):
    """When a record's emergency notice began and whether it is active."""

    since: date
    active: bool


class Dated(NamedTuple):
    """The day of a withdrawal or invalidation notice (its reason is not kept)."""

    date: date


class Summary(NamedTuple):
    """The fields of a public record that :class:`Listed` names, with the
    same values (nested notices reduced to what the scans read): all that a
    row of a department page shows, too."""

    id: str
    title: str
    department: str
    department_name: str
    theme: str
    theme_name: str
    region: str
    open_type: OpenType
    formats: tuple[str, ...]
    update_frequency: str
    last_updated: date | None
    published: date | None
    freshness: Freshness
    status: Status
    data_public: bool
    files_held: bool
    download_count: int | None
    quality: Score
    emergency: Since | None
    withdrawal: Dated | None
    invalidation: Dated | None

    @property
    def url(self) -> str:
        """The dataset page's path (as ``PublicRecord.url``)."""
        return dataset_path(self.id)

    @property
    def open_type_name(self) -> str:
        """开放属性 in words (as ``PublicRecord.open_type_name``)."""
        return self.open_type.label


def summary(record: PublicRecord) -> Summary:
    """The summary of ``record``."""
    emergency, withdrawal, invalidation = record.emergency, record.withdrawal, \
        record.invalidation
    return Summary(
        record.id, record.title, record.department, record.department_name, record.theme,
        record.theme_name, record.region,
        record.open_type, tuple(record.formats), record.update_frequency, record.last_updated,
        record.published, record.freshness, record.status, record.data_public,
        record.files_held, record.download_count, Score(record.quality.score),
        Since(emergency.since, emergency.active) if emergency else None,
        Dated(withdrawal.date) if withdrawal else None,
        Dated(invalidation.date) if invalidation else None)


def whole(record: Listed, full: Full | None) -> PublicRecord:
    """The public record ``record`` stands for: itself when the caller passed
    records (``full`` None), else ``full(record.id)``."""
    if full is not None:
        return full(record.id)
    assert isinstance(record, PublicRecord), "summaries need the function making records"
    return record


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _row(s: Summary) -> list[Any]:
    """``s`` as JSON values (without its id: the file's key)."""
    return [s.title, s.department, s.department_name, s.theme, s.theme_name, s.region, s.open_type.value, list(s.formats),
            s.update_frequency, s.last_updated.isoformat() if s.last_updated else None,
            s.published.isoformat() if s.published else None, s.freshness.value,
            s.status.value, s.data_public, s.files_held, s.download_count, s.quality.score,
            [s.emergency.since.isoformat(), s.emergency.active] if s.emergency else None,
            s.withdrawal.date.isoformat() if s.withdrawal else None,
            s.invalidation.date.isoformat() if s.invalidation else None]


_OPEN = {t.value: t for t in OpenType}
_FRESH = {f.value: f for f in Freshness}
_STATUS = {s.value: s for s in Status}


def _from_row(identifier: str, row: list[Any]) -> Summary:
    (title, department, department_name, theme, theme_name, region, open_type, formats, frequency, updated, published,
     freshness, status, public, held, count, score, emergency, withdrawn, invalid) = row
    return Summary(
        identifier, title, department, department_name, theme, theme_name, region,
        _OPEN[open_type], tuple(formats),
        frequency, _day(updated), _day(published), _FRESH[freshness], _STATUS[status],
        public, held, count, Score(score),
        Since(date.fromisoformat(emergency[0]), emergency[1]) if emergency else None,
        Dated(date.fromisoformat(withdrawn)) if withdrawn else None,
        Dated(date.fromisoformat(invalid)) if invalid else None)


def listing(ids: Iterable[str], keys: Mapping[str, str], full: Full,
            cache_dir: Path | None) -> list[Summary]:
    """The summary of each record in ``ids`` (in that order): taken from the
    build cache's file where it was kept under the record's key (``keys``,
    by id), else made from ``full(id)``. The file is written again with this
    build's summaries when any was made or dropped (a damaged or foreign
    file is ignored: the summaries are made)."""
    path = cache_dir / FILE if cache_dir is not None else None
    kept: dict[str, Any] = {}
    if path is not None and path.is_file():
        try:
            data = orjson.loads(path.read_bytes())
            if isinstance(data, dict) and data.get("version") == VERSION \
                    and isinstance(data.get("rows"), dict):
                kept = data["rows"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("summaries not reused (%s): they are made again", exc)
            kept = {}
    made: list[Summary] = []
    rows: dict[str, Any] = {}  # what the file will hold: kept rows as they were read
    fresh = 0
    with no_gc():  # tuples without cycles: collections walking them freed nothing
        for identifier in ids:
            key = keys[identifier]
            found = kept.get(identifier)
            item = None
            if isinstance(found, list) and len(found) == 2 and found[0] == key:
                try:
                    item = _from_row(identifier, found[1])
                    rows[identifier] = found
                except (ValueError, KeyError, TypeError, IndexError):
                    item = None  # a damaged row: made again
            if item is None:
                item = summary(full(identifier))
                rows[identifier] = [key, _row(item)]
                fresh += 1
            made.append(item)
    if path is not None and (fresh or len(kept) != len(made)):
        _save(path, rows)
    return made


def _save(path: Path, rows: Mapping[str, Any]) -> None:
    """Write the summaries' rows through a temporary file and a rename (a
    crash leaves the old file or the new one; an old one's rows are only
    used under their records' keys)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(orjson.dumps({"version": VERSION, "rows": rows}))
    os.replace(tmp, path)
