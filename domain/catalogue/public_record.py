"""The published record of a dataset as a typed value, and its JSON form.

``PublicRecord`` is what the public may read about one dataset (made by
``domain.catalogue.publication.public_record``); the pages, feeds, DCAT, the
search index and the CKAN API all read it. ``to_json`` gives the entry of
``catalog.json`` (a published interface: its keys, their order and their
values do not change) and ``from_json`` reads it back, so the service reads
the same record the builder wrote. ``CatalogEntry`` is one dataset of
``catalog.json``: the record and its published files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from domain.catalogue.freshness import Freshness
from domain.catalogue.model import Announcement, Contact, OpenType, Provision, Status

T = TypeVar("T")


def dataset_path(identifier: str) -> str:
    """The dataset page's URL path, relative to the site root (stable)."""
    return f"datasets/{identifier}/"


class RecordFormatError(ValueError):
    """A JSON record is not what ``PublicRecord.to_json`` writes (the message
    names the key)."""


@dataclass(frozen=True)
class Coverage:
    """The period the data covers (时间范围); no ``end``: still being added to."""

    start: date
    end: date | None = None

    @property
    def interval(self) -> str:
        """ISO 8601 interval, ".." for an open end: "2019-01-01/.."."""
        return f"{self.start.isoformat()}/{self.end.isoformat() if self.end else '..'}"


@dataclass(frozen=True)
class EmergencyNotice:
    """Data related to an emergency (001 §35); ``active`` on the record's day."""

    event: str
    since: date
    until: date | None
    active: bool


@dataclass(frozen=True)
class QualityCheck:
    """One criterion of the quality score as the public sees it (no hint for
    data officers); ``passed`` None: not applicable."""

    key: str
    label: str
    passed: bool | None


@dataclass(frozen=True)
class Quality:
    """The quality score (0–100) and its criteria, in order."""

    score: int
    criteria: tuple[QualityCheck, ...]


@dataclass(frozen=True)
class PublicRecord:
    """Everything the public may know about one published dataset."""

    id: str
    title: str
    summary: str
    keywords: tuple[str, ...]
    department: str
    department_name: str
    theme: str
    theme_name: str
    region: str
    region_name: str
    open_type: OpenType
    formats: tuple[str, ...]
    provision: tuple[Provision, ...]
    update_frequency: str
    update_frequency_name: str
    last_updated: date | None
    published: date | None
    not_in_source: tuple[str, ...]  # dates the source catalogue never gave (来源目录未提供)
    freshness: Freshness
    level: str
    level_name: str
    open_conditions: str
    legal_basis: str
    usage_requirements: str
    contact: Contact
    status: Status
    emergency: EmergencyNotice | None
    withdrawal: Announcement | None
    invalidation: Announcement | None
    licence: str
    licence_id: str
    licence_url: str
    data_public: bool
    files_held: bool
    temporal: Coverage | None
    quality: Quality
    download_count: int | None = None  # None: the build had no download statistics

    def __post_init__(self) -> None:
        if self.open_type is OpenType.NOT_OPEN:  # SPEC §3: never public
            raise RecordFormatError(f"dataset {self.id} is not_open and has no public record")

    @property
    def open_type_name(self) -> str:
        """开放属性 in words (无条件开放, 有条件开放)."""
        return self.open_type.label

    @property
    def url(self) -> str:
        """The dataset page's path relative to the site root (stable)."""
        return dataset_path(self.id)

    def to_json(self) -> dict[str, Any]:
        """The record as the entry of ``catalog.json`` (without its files):
        dates as ISO text, enums as their values, keys in the published order;
        ``download_count`` only when known."""
        data: dict[str, Any] = {
            "id": self.id, "title": self.title, "summary": self.summary,
            "keywords": list(self.keywords),
            "department": self.department, "department_name": self.department_name,
            "theme": self.theme, "theme_name": self.theme_name,
            "region": self.region, "region_name": self.region_name,
            "open_type": self.open_type.value, "open_type_name": self.open_type_name,
            "formats": list(self.formats), "provision": [p.value for p in self.provision],
            "update_frequency": self.update_frequency,
            "update_frequency_name": self.update_frequency_name,
            "last_updated": _iso(self.last_updated), "published": _iso(self.published),
            "not_in_source": list(self.not_in_source), "freshness": self.freshness.value,
            "level": self.level, "level_name": self.level_name,
            "open_conditions": self.open_conditions, "legal_basis": self.legal_basis,
            "usage_requirements": self.usage_requirements,
            "contact": {"name": self.contact.name, "phone": self.contact.phone,
                        "email": self.contact.email},
            "status": self.status.value,
            "emergency": None if self.emergency is None else {
                "event": self.emergency.event, "since": self.emergency.since.isoformat(),
                "until": _iso(self.emergency.until), "active": self.emergency.active},
            "withdrawal": _notice_json(self.withdrawal),
            "invalidation": _notice_json(self.invalidation),
            "licence": self.licence, "licence_id": self.licence_id,
            "licence_url": self.licence_url,
            "data_public": self.data_public, "files_held": self.files_held, "url": self.url,
            "temporal": None if self.temporal is None else {
                "start": self.temporal.start.isoformat(), "end": _iso(self.temporal.end),
                "interval": self.temporal.interval},
            "quality": {"score": self.quality.score, "criteria": [
                {"key": c.key, "label": c.label, "passed": c.passed}
                for c in self.quality.criteria]},
        }
        if self.download_count is not None:
            data["download_count"] = self.download_count
        return data

    @classmethod
    def from_json(cls, data: Any) -> PublicRecord:
        """The record ``to_json`` wrote, from its JSON object (a dict; keys it
        does not write are ignored; ``open_type_name`` and ``url``, derived
        from the open type and the id, are recomputed).

        Raises:
            RecordFormatError: a key is missing or holds a value of the wrong type.
        """
        if not isinstance(data, dict):
            raise RecordFormatError(f"a record must be a JSON object, not {type(data).__name__}")
        get = _Reader(data)
        contact = get.mapping("contact")
        quality = get.mapping("quality")
        return cls(
            id=get.text("id"), title=get.text("title"), summary=get.text("summary"),
            keywords=get.texts("keywords"),
            department=get.text("department"), department_name=get.text("department_name"),
            theme=get.text("theme"), theme_name=get.text("theme_name"),
            region=get.text("region"), region_name=get.text("region_name"),
            open_type=get.enum("open_type", OpenType),
            formats=get.texts("formats"),
            provision=tuple(_enum(Provision, p, "provision") for p in get.texts("provision")),
            update_frequency=get.text("update_frequency"),
            update_frequency_name=get.text("update_frequency_name"),
            last_updated=get.day("last_updated"), published=get.day("published"),
            not_in_source=get.texts("not_in_source"),
            freshness=get.enum("freshness", Freshness),
            level=get.text("level"), level_name=get.text("level_name"),
            open_conditions=get.text("open_conditions"), legal_basis=get.text("legal_basis"),
            usage_requirements=get.text("usage_requirements"),
            contact=Contact(**{k: _Reader(contact, "contact").text(k)
                               for k in ("name", "phone", "email")}),
            status=get.enum("status", Status),
            emergency=get.optional("emergency", _emergency),
            withdrawal=get.optional("withdrawal", _notice),
            invalidation=get.optional("invalidation", _notice),
            licence=get.text("licence"), licence_id=get.text("licence_id"),
            licence_url=get.text("licence_url"),
            data_public=get.flag("data_public"), files_held=get.flag("files_held"),
            temporal=get.optional("temporal", _coverage),
            quality=_quality(quality),
            download_count=get.count("download_count") if "download_count" in data else None,
        )


@dataclass(frozen=True)
class PublishedFile:
    """One file published with a dataset, as ``catalog.json`` lists it:
    ``url`` relative to the site root; ``rows`` None for a file that is not a
    table; ``form`` the download form ("csv", "json" …, "original")."""

    form: str
    label: str
    filename: str
    bytes: int
    sha256: str
    media_type: str
    rows: int | None
    url: str

    def to_json(self) -> dict[str, Any]:
        """The file as an item of a ``catalog.json`` entry's ``downloads``."""
        return {"form": self.form, "label": self.label, "filename": self.filename,
                "bytes": self.bytes, "sha256": self.sha256, "media_type": self.media_type,
                "rows": self.rows, "url": self.url}

    @classmethod
    def from_json(cls, data: Any) -> PublishedFile:
        """Raises: RecordFormatError: not what ``to_json`` writes."""
        if not isinstance(data, dict):
            raise RecordFormatError("each item of 'downloads' must be a JSON object")
        get = _Reader(data, "downloads")
        return cls(form=get.text("form"), label=get.text("label"),
                   filename=get.text("filename"), bytes=get.count("bytes"),
                   sha256=get.text("sha256"), media_type=get.text("media_type"),
                   rows=get.count("rows") if data.get("rows") is not None else None,
                   url=get.text("url"))


@dataclass(frozen=True)
class CatalogEntry:
    """One dataset of ``catalog.json``: its public record and its files."""

    record: PublicRecord
    downloads: tuple[PublishedFile, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The entry exactly as ``catalog.json`` holds it."""
        return {**self.record.to_json(), "downloads": [d.to_json() for d in self.downloads]}

    @classmethod
    def from_json(cls, data: Any) -> CatalogEntry:
        """An entry of ``catalog.json`` (no ``downloads``: no files).

        Raises:
            RecordFormatError: the entry is not what ``to_json`` writes.
        """
        record = PublicRecord.from_json(data)
        files = data.get("downloads", [])
        if not isinstance(files, list):
            raise RecordFormatError(f"record {record.id}: 'downloads' must be a list")
        return cls(record, tuple(PublishedFile.from_json(f) for f in files))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _notice_json(notice: Announcement | None) -> dict[str, str] | None:
    return None if notice is None else {"date": notice.date.isoformat(), "reason": notice.reason}


def _enum(kind: Callable[[str], T], value: Any, key: str) -> T:
    try:
        return kind(value)
    except ValueError:
        raise RecordFormatError(f"{key!r} has an unknown value {value!r}") from None


def _notice(data: Mapping[str, Any]) -> Announcement:
    get = _Reader(data, "notice")
    return Announcement(get.required_day("date"), get.text("reason"))


def _emergency(data: Mapping[str, Any]) -> EmergencyNotice:
    get = _Reader(data, "emergency")
    return EmergencyNotice(get.text("event"), get.required_day("since"), get.day("until"),
                           get.flag("active"))


def _coverage(data: Mapping[str, Any]) -> Coverage:
    get = _Reader(data, "temporal")
    return Coverage(get.required_day("start"), get.day("end"))


def _quality(data: Mapping[str, Any]) -> Quality:
    get = _Reader(data, "quality")
    criteria = data.get("criteria")
    if not isinstance(criteria, list) or not all(isinstance(c, dict) for c in criteria):
        raise RecordFormatError("'quality.criteria' must be a list of objects")
    checks = []
    for item in criteria:
        one = _Reader(item, "quality.criteria")
        passed = item.get("passed")
        if passed is not None and not isinstance(passed, bool):
            raise RecordFormatError("'quality.criteria.passed' must be true, false or null")
        checks.append(QualityCheck(one.text("key"), one.text("label"), passed))
    return Quality(get.count("score"), tuple(checks))


class _Reader:
    """Typed values of one JSON object; every failure names the key."""

    def __init__(self, data: Mapping[str, Any], where: str = "") -> None:
        self.data = data
        self.where = f"{where}." if where else ""

    def _fail(self, key: str, want: str) -> RecordFormatError:
        return RecordFormatError(f"'{self.where}{key}' must be {want}, "
                                 f"not {self.data.get(key, 'missing')!r}")

    def _value(self, key: str) -> Any:
        try:
            return self.data[key]
        except KeyError:
            raise RecordFormatError(f"'{self.where}{key}' is missing") from None

    def text(self, key: str) -> str:
        value = self._value(key)
        if not isinstance(value, str):
            raise self._fail(key, "text")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._value(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of texts")
        return tuple(value)

    def flag(self, key: str) -> bool:
        value = self._value(key)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def count(self, key: str) -> int:
        value = self._value(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._fail(key, "a whole number of at least 0")
        return value

    def day(self, key: str) -> date | None:
        value = self._value(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._fail(key, "a date (YYYY-MM-DD) or null")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self._fail(key, "a date (YYYY-MM-DD) or null") from None

    def required_day(self, key: str) -> date:
        found = self.day(key)
        if found is None:
            raise self._fail(key, "a date (YYYY-MM-DD)")
        return found

    def enum(self, key: str, kind: Callable[[str], T]) -> T:
        return _enum(kind, self._value(key), self.where + key)

    def mapping(self, key: str) -> Mapping[str, Any]:
        value = self._value(key)
        if not isinstance(value, dict):
            raise self._fail(key, "an object")
        return value

    def optional(self, key: str, read: Callable[[Mapping[str, Any]], T]) -> T | None:
        value = self._value(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self._fail(key, "an object or null")
        return read(value)
