"""One dataset's descriptor (``datapackage.yaml``) read into the model.

Each part of the descriptor (required fields, open type, status, dates,
provision, keywords, resources, contact, licences, announcements) is read by
its own helper, which appends every problem it meets to ``found`` instead of
stopping: ``portal check`` reports them all at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from domain.catalogue import problems as P
from domain.catalogue.links import unsafe_scheme
from domain.catalogue.model import (
    Announcement,
    Contact,
    Dataset,
    Emergency,
    Field,
    OpenType,
    Provision,
    Resource,
    Status,
)
from domain.catalogue.paths import safe_resource_path
from domain.catalogue.problems import Problem
from domain.catalogue.structured import read_or_report
from domain.catalogue.temporal import calendar_day, read_temporal

IDENTIFIER_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
REQUIRED = ("name", "title", "description", "department", "theme", "open_type",
            "update_frequency", "last_updated", "published")
# Fields holding one piece of text (a number is read as text; a list or a
# mapping is a mistake worth naming, not something to print as "['a', 'b']").
TEXT_FIELDS = ("name", "title", "description", "department", "theme", "open_type",
               "update_frequency", "region", "open_conditions", "legal_basis", "level",
               "usage_requirements", "status")
# A resource's format names its download file (<name>.<format>).
FORMAT_RE = re.compile(r"^[a-z0-9][a-z0-9_+-]{0,31}$")


def text(value: Any) -> str:
    """A descriptor value as stripped text (None gives "")."""
    return "" if value is None else str(value).strip()


def refuse_unsafe_links(values: list[tuple[str, Any]], rel: str, found: list[Problem]) -> None:
    """A ``link-unsafe`` problem for each text value with a scheme other than
    http(s), mailto or tel (:func:`domain.catalogue.links.unsafe_scheme`)."""
    for field_name, value in values:
        scheme = unsafe_scheme(value) if isinstance(value, str) else None
        if scheme is not None:
            found.append(P.make("link-unsafe", rel, field=field_name, value=scheme[:20]))


def _fields(schema: Any, rel: str, where: str, found: list[Problem]) -> tuple[Field, ...]:
    if not isinstance(schema, Mapping):
        return ()
    fields = []
    for number, raw in enumerate(_list_of(schema, "fields", rel, f"{where}.schema", found)):
        if not isinstance(raw, Mapping) or not raw.get("name"):
            continue
        exempt = raw.get("pii_exempt") or ()
        if not isinstance(exempt, list | tuple | str):
            found.append(P.make("field-invalid", rel,
                                field=f"{where}.schema.fields[{number}].pii_exempt",
                                detail="must be a list of kinds, e.g. [bank-card]"))
            exempt = ()
        fields.append(Field(
            name=str(raw["name"]),
            type=text(raw.get("type")) or "string",
            title=text(raw.get("title")),
            description=text(raw.get("description")),
            unit=text(raw.get("unit")),
            required=bool((raw.get("constraints") or {}).get("required"))
            if isinstance(raw.get("constraints") or {}, Mapping) else False,
            pii_exempt=tuple(str(k) for k in (exempt if isinstance(exempt, list) else [exempt])),
        ))
    return tuple(fields)


def _resource(raw: Mapping[str, Any], index: int, dataset_dir: Path, rel: str,
              found: list[Problem], real_dir: str) -> Resource | None:
    path = text(raw.get("path"))
    name = text(raw.get("name")) or PurePosixPath(path).stem or f"resource-{index + 1}"
    where = f"resources[{index}]"
    if not path:
        found.append(P.make("field-missing", rel, field=f"{where}.path",
                            detail="every resource names its file"))
        return None
    if safe_resource_path(dataset_dir, path, real_dir=real_dir) is None:
        found.append(P.make("resource-path-unsafe", rel, field=f"{where}.path", value=path))
        return None
    schema = raw.get("schema")
    if isinstance(schema, str):
        schema_path = safe_resource_path(dataset_dir, schema, real_dir=real_dir)
        if schema_path is None:
            found.append(P.make("resource-path-unsafe", rel, field=f"{where}.schema", value=schema))
            schema = None
        elif schema_path.exists():
            schema = read_or_report(schema_path, f"{rel.rsplit('/', 1)[0]}/{schema}", found)
        else:
            found.append(P.make("resource-missing", rel, field=f"{where}.schema", value=schema))
            schema = None
    fmt = (text(raw.get("format")) or PurePosixPath(path).suffix.lstrip(".")).lower()
    if fmt and not FORMAT_RE.match(fmt):
        found.append(P.make("field-invalid", rel, field=f"{where}.format", detail=(
            f"{fmt[:40]!r} is not a format name; write e.g. csv, json, xlsx or pdf")))
        return None
    return Resource(
        name=name, path=path, format=fmt,
        title=text(raw.get("title")), description=text(raw.get("description")),
        fields=_fields(schema, rel, where, found),
        encoding=text(raw.get("encoding")) or "utf-8",
    )


def _list_of(data: Mapping[str, Any], key: str, rel: str, where: str, found: list[Problem],
             *, one_text: bool = False) -> list[Any]:
    """``data[key]`` as a list: absent or empty gives []; with ``one_text``
    a single text stands for a list of one. Anything else is reported."""
    value = data.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if one_text and isinstance(value, str):
        return [value]
    found.append(P.make("field-invalid", rel, field=f"{where}.{key}" if where else key,
                        detail=f"must be a list, e.g. [a, b] (got {type(value).__name__})"))
    return []


def _announcement(raw: Any, key: str, rel: str, found: list[Problem]) -> Announcement | None:
    if not isinstance(raw, Mapping) or not raw.get("date") or not text(raw.get("reason")):
        return None
    try:
        day = calendar_day(raw.get("date"))
    except ValueError:
        found.append(P.make("field-invalid", rel, field=f"{key}.date",
                            detail="must be a date written YYYY-MM-DD"))
        return None
    return Announcement(day, text(raw.get("reason"))) if day else None


def _emergency(raw: Any, rel: str, found: list[Problem]) -> Emergency | None:
    if not isinstance(raw, Mapping) or not text(raw.get("event")) or not raw.get("since"):
        return None
    try:
        since, until = calendar_day(raw.get("since")), calendar_day(raw.get("until"))
    except ValueError:
        found.append(P.make("field-invalid", rel, field="emergency",
                            detail="'since' and 'until' must be dates written YYYY-MM-DD"))
        return None
    return Emergency(text(raw["event"]), since, until) if since else None


# Required dates an imported row may lack when its source never gave them.
SOURCE_MAY_LACK = frozenset({"last_updated", "published"})
_KNOWN_KEYS = frozenset({
    *REQUIRED, "keywords", "region", "provision", "open_conditions", "legal_basis", "level",
    "usage_requirements", "contact", "resources", "status", "withdrawal", "invalidation",
    "emergency", "licenses", "declared_formats", "not_in_source", "temporal",
})


def _required(data: Mapping[str, Any], rel: str, found: list[Problem],
              ) -> tuple[bool, set[str]]:
    """Report required fields that are missing; returns (any missing, the
    dates the source catalogue never had)."""
    missing = False
    # Dates an imported catalogue never had (``not_in_source``): the page
    # says 来源目录未提供 rather than inventing one; a warning, not an error.
    lacking = data.get("not_in_source")
    not_in_source = {str(k) for k in lacking} & SOURCE_MAY_LACK \
        if isinstance(lacking, list) else set()
    for key in REQUIRED:
        if key not in data or text(data.get(key)) == "":
            if key in not_in_source:
                found.append(P.make("date-not-in-source", rel, field=key))
                continue
            found.append(P.make("field-missing", rel, field=key,
                                detail="see docs/catalogue-format.md for what it holds"))
            missing = True
    return missing, not_in_source


def _text_fields_ok(data: Mapping[str, Any], rel: str, found: list[Problem]) -> bool:
    """False (reported) when a text field holds a mapping or a list."""
    ok = True
    for key in TEXT_FIELDS:
        if isinstance(data.get(key), Mapping | list):
            found.append(P.make("field-invalid", rel, field=key, detail=(
                f"must be text, not a {'mapping' if isinstance(data[key], Mapping) else 'list'}")))
            ok = False
    return ok


def _open_type(data: Mapping[str, Any], rel: str, found: list[Problem]) -> tuple[OpenType, bool]:
    """The open type and whether it is usable. An unknown one reads as not
    open (the safe side); a missing one (reported elsewhere) as unconditional
    so that the personal-data gate still runs under ``lenient``."""
    try:
        return OpenType(text(data.get("open_type"))), True
    except ValueError:
        if data.get("open_type"):
            found.append(P.make("field-invalid", rel, field="open_type",
                                detail="must be one of unconditional, conditional, not_open"))
            return OpenType.NOT_OPEN, False
        return OpenType.UNCONDITIONAL, True


def _status(data: Mapping[str, Any], rel: str, found: list[Problem]) -> tuple[Status, bool]:
    try:
        return Status(text(data.get("status")) or "active"), True
    except ValueError:
        found.append(P.make("field-invalid", rel, field="status",
                            detail="must be one of active, withdrawn, invalid"))
        return Status.ACTIVE, False


def _dates(data: Mapping[str, Any], rel: str, found: list[Problem],
           ) -> tuple[dict[str, date | None], bool]:
    """``last_updated`` and ``published``; False (reported) if one is not a date."""
    dates: dict[str, date | None] = {}
    ok = True
    for key in ("last_updated", "published"):
        try:
            dates[key] = calendar_day(data.get(key))
        except ValueError:
            found.append(P.make("field-invalid", rel, field=key,
                                detail="must be a date written YYYY-MM-DD"))
            dates[key], ok = None, False
    return dates, ok


def _provision(data: Mapping[str, Any], rel: str, found: list[Problem]) -> tuple[Provision, ...]:
    """The ways the data are provided (download when none is given)."""
    provision: list[Provision] = []
    for raw in _list_of(data, "provision", rel, "", found, one_text=True) or ["download"]:
        try:
            provision.append(Provision(str(raw)))
        except ValueError:
            found.append(P.make("field-invalid", rel, field="provision",
                                detail=f"{raw!r} is not one of download, api, sandbox"))
    return tuple(provision) or (Provision.DOWNLOAD,)


def _keywords(data: Mapping[str, Any], rel: str, found: list[Problem]) -> tuple[str, ...]:
    """Keywords as a list, or one text split at commas, semicolons or spaces."""
    keywords = data.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [k for k in re.split(r"[,，;；、\s]+", keywords) if k]
    return tuple(str(k) for k in _list_of({"keywords": keywords}, "keywords", rel, "", found))


def _resources(data: Mapping[str, Any], rel: str, dataset_dir: Path, real_dir: str,
               found: list[Problem]) -> tuple[Resource, ...]:
    """The usable resources; each unusable one is reported and left out."""
    resources = []
    for index, raw_res in enumerate(_list_of(data, "resources", rel, "", found)):
        if not isinstance(raw_res, Mapping):
            found.append(P.make("field-invalid", rel, field=f"resources[{index}]",
                                detail="must be a mapping with at least 'path'"))
            continue
        res = _resource(raw_res, index, dataset_dir, rel, found, real_dir)
        if res is not None:
            resources.append(res)
    return tuple(resources)


@dataclass(frozen=True)
class _Terms:
    """The contact and the (first) licence of a descriptor."""

    contact: Contact
    licence: str
    licence_id: str
    licence_url: str


def _terms(data: Mapping[str, Any], rel: str, found: list[Problem]) -> _Terms:
    """Contact and licences; a link with an unsafe scheme is reported."""
    contact_value = data.get("contact")
    contact_raw: Mapping[str, Any] = contact_value if isinstance(contact_value, Mapping) else {}
    if contact_value and not isinstance(contact_value, Mapping):
        found.append(P.make("field-invalid", rel, field="contact",
                            detail="must be a mapping: {name: ..., phone: ..., email: ...}"))
    licences = data.get("licenses") or []
    licence = licence_id = licence_url = ""
    if not isinstance(licences, list):
        found.append(P.make("field-invalid", rel, field="licenses",
                            detail="must be a list of licences, e.g. [{name: ..., title: ...}]"))
        licences = []
    if licences and isinstance(licences[0], Mapping):
        licence = text(licences[0].get("title") or licences[0].get("name"))
        licence_id = text(licences[0].get("name"))
        licence_url = text(licences[0].get("path"))
    links = [(f"contact.{key}", contact_raw.get(key)) for key in ("name", "phone", "email", "url")]
    links += [(f"licenses[{i}].path", lic.get("path")) for i, lic in enumerate(licences)
              if isinstance(lic, Mapping)]
    refuse_unsafe_links(links, rel, found)
    contact = Contact(text(contact_raw.get("name")), text(contact_raw.get("phone")),
                      text(contact_raw.get("email")))
    return _Terms(contact, licence, licence_id, licence_url)


def dataset_from_descriptor(data: Mapping[str, Any], rel: str, dataset_dir: Path,
                            found: list[Problem], *, source_dir: str = "",
                            real_dir: str | None = None,
                            lenient: bool = False) -> Dataset | None:
    """Build a Dataset from a descriptor mapping, appending problems to ``found``.

    ``real_dir`` is the real path of ``dataset_dir`` when the caller knows it.

    Returns None when a required field is missing or unusable; the problems
    say which. With ``lenient`` (``portal check``), a dataset whose required
    fields are merely missing is still returned, with those fields empty (an
    open type missing reads as unconditional, so the data gate runs), so
    that every other rule can be checked too; it must never be published.
    """
    missing, not_in_source = _required(data, rel, found)
    ok = _text_fields_ok(data, rel, found)
    identifier = text(data.get("name"))
    if identifier and not IDENTIFIER_RE.match(identifier):
        found.append(P.make("identifier-invalid", rel, field="name", value=identifier,
                            folder=dataset_dir.name))
        ok = False
    open_type, open_ok = _open_type(data, rel, found)
    status, status_ok = _status(data, rel, found)
    dates, dates_ok = _dates(data, rel, found)
    provision = _provision(data, rel, found)
    keywords = _keywords(data, rel, found)
    resources = _resources(data, rel, dataset_dir, real_dir or os.path.realpath(dataset_dir),
                           found)
    terms = _terms(data, rel, found)
    declared_formats = _list_of(data, "declared_formats", rel, "", found, one_text=True)
    withdrawal = _announcement(data.get("withdrawal"), "withdrawal", rel, found)
    invalidation = _announcement(data.get("invalidation"), "invalidation", rel, found)
    emergency = _emergency(data.get("emergency"), rel, found)
    temporal = read_temporal(data.get("temporal"), rel, found)
    if not (ok and open_ok and status_ok and dates_ok) or (missing and not lenient):
        return None
    return Dataset(
        identifier=identifier or dataset_dir.name, title=text(data.get("title")),
        summary=text(data.get("description")),
        department=text(data.get("department")), theme=text(data.get("theme")),
        open_type=open_type, update_frequency=text(data.get("update_frequency")),
        last_updated=dates["last_updated"], published=dates["published"],
        region=text(data.get("region")), keywords=keywords, provision=provision,
        open_conditions=text(data.get("open_conditions")),
        legal_basis=text(data.get("legal_basis")), level=text(data.get("level")),
        usage_requirements=text(data.get("usage_requirements")),
        contact=terms.contact, resources=resources, status=status,
        withdrawal=withdrawal, invalidation=invalidation, emergency=emergency,
        temporal=temporal, licence=terms.licence,
        licence_id=terms.licence_id, licence_url=terms.licence_url,
        declared_formats=tuple(str(f).strip().lower() for f in declared_formats if str(f).strip()),
        source_dir=source_dir, descriptor=rel,
        not_in_source=tuple(sorted(k for k in not_in_source if dates.get(k) is None)),
        extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS},
    )
