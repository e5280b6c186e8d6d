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

import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

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
from domain.catalogue.problems import Problem
from domain.catalogue.temporal import read_temporal
from domain.catalogue.vocabulary import Vocabularies, VocabularyError, vocabularies_from_mapping
from domain.periods.calendar import CalendarFileInvalid, WorkCalendar

DESCRIPTOR_NAMES = ("datapackage.yaml", "datapackage.json")
IDENTIFIER_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
# Folders of the catalogue root that are not datasets.
RESERVED_FOLDERS = frozenset({"calendars", "announcements", "plan", "evaluation"})
REQUIRED = ("name", "title", "description", "department", "theme", "open_type",
            "update_frequency", "last_updated", "published")
# Fields holding one piece of text (a number is read as text; a list or a
# mapping is a mistake worth naming, not something to print as "['a', 'b']").
TEXT_FIELDS = ("name", "title", "description", "department", "theme", "open_type",
               "update_frequency", "region", "open_conditions", "legal_basis", "level",
               "usage_requirements", "status")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A resource's format names its download file (<name>.<format>).
FORMAT_RE = re.compile(r"^[a-z0-9][a-z0-9_+-]{0,31}$")
# Department codes are part of page addresses (departments/<code>/).
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
        """Datasets that appear on the public site (not-open ones never do)."""
        return [d for d in self.datasets if d.is_published]

    def by_id(self) -> dict[str, Dataset]:
        return {d.identifier: d for d in self.datasets}


# Hostile YAML/JSON: libyaml's composer recurses in C (a file nested some
# 40,000 levels deep crashes the process), its scanner slows quadratically
# with flow nesting, and aliases let a small file expand into billions of
# nodes once the data is walked ("billion laughs"). No descriptor needs more.
MAX_NESTING = 100
MAX_ALIAS_NODES = 100_000
_YAML_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_YAML_LOADER):  # type: ignore[misc]
    """The safe loader (libyaml's when available), keeping an impossible
    date such as 2026-13-45 as text so that the field's check names it."""


def _timestamp(loader: Any, node: Any) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _line(event: Any) -> int:
    return int(event.start_mark.line) + 1 if event.start_mark else 0


# The indentation and block indicators ("- ", "? ", ": ") opening a line.
_LINE_PREFIX = re.compile(r"^[ \t?:-]*", re.MULTILINE)


def _shape_surely_bounded(text: str) -> bool:
    """Whether ``text`` cannot exceed MAX_NESTING nor hold an alias, judged
    from its characters alone (so the event pass of ``_check_yaml_shape`` is
    skipped for ordinary descriptors; it cost a quarter of each parse).

    Sound bound: with no ``&`` there are no anchors, hence no aliases (an
    alias to nothing is a parse error); with no ``!`` no tag can start a
    collection. Each flow collection opens with ``[`` or ``{``; along a chain
    of block collections the column grows at least every second level (only
    a sequence may sit at its mapping key's column), and a block collection
    starts at a column no further right than its line's run of indentation
    and indicators. So depth <= 2 * (longest run + 1) + count of [ and {.
    """
    if "&" in text or "!" in text:
        return False
    flow = text.count("[") + text.count("{")
    if flow >= MAX_NESTING:
        return False
    prefix = max((len(m) for m in _LINE_PREFIX.findall(text)), default=0)
    return 2 * (prefix + 1) + flow < MAX_NESTING


def _check_yaml_shape(text: str) -> None:
    """Refuse, before composing, a document nested deeper than MAX_NESTING or
    whose aliases expand to more than MAX_ALIAS_NODES nodes or refer to
    themselves. Streams libyaml's events, stopping at the first excess."""
    sizes: list[int] = [0]  # expanded node count of each open collection
    open_anchors: list[str | None] = [None]
    anchors: dict[str, int] = {}
    expanded = 0
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    events: Iterator[Any] = yaml.parse(text, Loader=_YAML_LOADER)
    for event in events:
        kind = type(event)
        if kind is scalar:
            sizes[-1] += 1
            if event.anchor:
                anchors[event.anchor] = 1
        elif kind in _OPEN:
            if len(sizes) > MAX_NESTING:
                raise ValueError(f"line {_line(event)}: nested more than {MAX_NESTING} "
                                 "levels deep")
            sizes.append(1)
            open_anchors.append(event.anchor)
        elif kind in _CLOSE:
            size, anchor = sizes.pop(), open_anchors.pop()
            sizes[-1] += size
            if anchor:
                anchors[anchor] = size
        elif kind is alias:
            if event.anchor in open_anchors:
                raise ValueError(f"line {_line(event)}: alias *{event.anchor} refers to a "
                                 "collection that contains it")
            size = anchors.get(event.anchor, 1)
            expanded += size
            sizes[-1] += size
            if expanded > MAX_ALIAS_NODES:
                raise ValueError(f"line {_line(event)}: aliases (*name) expand to more than "
                                 f"{MAX_ALIAS_NODES:,} values; write the values out instead")


def _check_json_depth(data: Any) -> None:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_NESTING:
                raise ValueError(f"nested more than {MAX_NESTING} levels deep")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)


def read_structured(path: Path) -> Any:
    """Parse a YAML or JSON file (by suffix), requiring UTF-8 (a BOM is
    accepted). Deep nesting and alias bombs are refused, not expanded.

    Raises:
        UnicodeDecodeError: the file is not UTF-8.
        ValueError: the file does not parse (message says where), or nests
            or expands beyond the limits above.
    """
    text = path.read_bytes().decode("utf-8-sig")
    try:
        if path.suffix == ".json":
            data = json.loads(text)
            _check_json_depth(data)
            return data
        if not _shape_surely_bounded(text):
            _check_yaml_shape(text)
        # libyaml's loader is ~10x faster; the pure-Python one is the fallback.
        return yaml.load(text, Loader=_Loader)
    except RecursionError:
        raise ValueError(f"nested more than {MAX_NESTING} levels deep") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
        raise ValueError(f"{where}{getattr(exc, 'problem', None) or exc}") from exc


def _read(path: Path, rel: str, found: list[Problem]) -> Any:
    try:
        return read_structured(path)
    except UnicodeDecodeError as exc:
        found.append(P.make("encoding-invalid", rel, detail=f"byte {exc.start} is not UTF-8"))
    except ValueError as exc:
        found.append(P.make("yaml-invalid", rel, detail=str(exc)))
    return None


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def load_portal_info(root: Path, found: list[Problem]) -> PortalInfo:
    path = root / "portal.yaml"
    if not path.exists():
        return PortalInfo()
    data = _read(path, "portal.yaml", found)
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
    _refuse_unsafe_links([(key, values.get(key)) for key in ("contact_email", "contact_phone")],
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


def _refuse_unsafe_links(values: list[tuple[str, Any]], rel: str, found: list[Problem]) -> None:
    """A ``link-unsafe`` problem for each text value with a scheme other than
    http(s), mailto or tel (:func:`domain.catalogue.links.unsafe_scheme`)."""
    for field_name, value in values:
        scheme = unsafe_scheme(value) if isinstance(value, str) else None
        if scheme is not None:
            found.append(P.make("link-unsafe", rel, field=field_name, value=scheme[:20]))


def load_vocabularies(root: Path, found: list[Problem]) -> Vocabularies:
    path = root / "vocabularies.yaml"
    empty = vocabularies_from_mapping({})
    if not path.exists():
        found.append(P.make("vocabulary-invalid", "vocabularies.yaml",
                            detail="vocabularies.yaml is missing; every catalogue needs its controlled lists"))
        return empty
    data = _read(path, "vocabularies.yaml", found)
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


def dataset_folders(root: Path) -> Iterator[Path]:
    """Every folder directly under ``root`` that should hold a dataset, sorted."""
    # os.scandir: the kind of each entry comes with the listing (no stat per
    # folder unless it is a link), which matters at 100,000 folders.
    with os.scandir(root) as scan:
        names = sorted(entry.name for entry in scan
                       if not entry.name.startswith((".", "_"))
                       and entry.name not in RESERVED_FOLDERS and entry.is_dir())
    for name in names:
        yield root / name


def safe_resource_path(dataset_dir: Path, raw: str, *, real_dir: str | None = None,
                       ) -> Path | None:
    """The resource file's path if ``raw`` stays inside ``dataset_dir``.

    Rejects URLs, absolute paths, ``..`` and links that resolve outside:
    a catalogue must never make the builder read or write elsewhere.
    ``real_dir`` is ``os.path.realpath(dataset_dir)`` when the caller has it.
    """
    if not raw or "://" in raw or raw.startswith(("/", "\\")) or "\\" in raw \
            or _CONTROL.search(raw):
        return None
    pure = PurePosixPath(raw)
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts):
        return None
    candidate = dataset_dir / pure
    base = real_dir or os.path.realpath(dataset_dir)
    resolved = real_join(base, pure.parts)
    if resolved != base and not resolved.startswith(base + os.sep):
        return None
    return candidate


def real_join(real_base: str, parts: tuple[str, ...] | list[str]) -> str:
    """``os.path.realpath(os.path.join(real_base, *parts))`` for a base that
    is already a real path: only the added parts are looked at, so a path
    without links costs one ``lstat`` per part instead of one per component
    of the whole path (this runs for every folder, descriptor and resource
    of every build; at 10,000 datasets full ``realpath`` took 2.5 s).
    A link anywhere falls back to ``os.path.realpath`` of the whole rest.
    """
    current = real_base
    for index, part in enumerate(parts):
        if part in (".", ""):
            continue
        if part == "..":
            return os.path.realpath(os.path.join(current, *parts[index:]))
        current = os.path.join(current, part)
        try:
            mode = os.lstat(current).st_mode
        except OSError:
            # Missing: realpath keeps the rest as written (nothing to follow).
            return os.path.join(current, *parts[index + 1:])
        if stat.S_ISLNK(mode):
            return os.path.realpath(os.path.join(current, *parts[index + 1:]))
    return current


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
            type=_text(raw.get("type")) or "string",
            title=_text(raw.get("title")),
            description=_text(raw.get("description")),
            unit=_text(raw.get("unit")),
            required=bool((raw.get("constraints") or {}).get("required"))
            if isinstance(raw.get("constraints") or {}, Mapping) else False,
            pii_exempt=tuple(str(k) for k in (exempt if isinstance(exempt, list) else [exempt])),
        ))
    return tuple(fields)


def _resource(raw: Mapping[str, Any], index: int, dataset_dir: Path, rel: str,
              found: list[Problem], real_dir: str) -> Resource | None:
    path = _text(raw.get("path"))
    name = _text(raw.get("name")) or PurePosixPath(path).stem or f"resource-{index + 1}"
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
            schema = _read(schema_path, f"{rel.rsplit('/', 1)[0]}/{schema}", found)
        else:
            found.append(P.make("resource-missing", rel, field=f"{where}.schema", value=schema))
            schema = None
    fmt = (_text(raw.get("format")) or PurePosixPath(path).suffix.lstrip(".")).lower()
    if fmt and not FORMAT_RE.match(fmt):
        found.append(P.make("field-invalid", rel, field=f"{where}.format", detail=(
            f"{fmt[:40]!r} is not a format name; write e.g. csv, json, xlsx or pdf")))
        return None
    return Resource(
        name=name, path=path, format=fmt,
        title=_text(raw.get("title")), description=_text(raw.get("description")),
        fields=_fields(schema, rel, where, found),
        encoding=_text(raw.get("encoding")) or "utf-8",
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
    if not isinstance(raw, Mapping) or not raw.get("date") or not _text(raw.get("reason")):
        return None
    try:
        day = _as_date(raw.get("date"))
    except ValueError:
        found.append(P.make("field-invalid", rel, field=f"{key}.date",
                            detail="must be a date written YYYY-MM-DD"))
        return None
    return Announcement(day, _text(raw.get("reason"))) if day else None


def _emergency(raw: Any, rel: str, found: list[Problem]) -> Emergency | None:
    if not isinstance(raw, Mapping) or not _text(raw.get("event")) or not raw.get("since"):
        return None
    try:
        since, until = _as_date(raw.get("since")), _as_date(raw.get("until"))
    except ValueError:
        found.append(P.make("field-invalid", rel, field="emergency",
                            detail="'since' and 'until' must be dates written YYYY-MM-DD"))
        return None
    return Emergency(_text(raw["event"]), since, until) if since else None


# Required dates an imported row may lack when its source never gave them.
SOURCE_MAY_LACK = frozenset({"last_updated", "published"})
_KNOWN_KEYS = frozenset({
    *REQUIRED, "keywords", "region", "provision", "open_conditions", "legal_basis", "level",
    "usage_requirements", "contact", "resources", "status", "withdrawal", "invalidation",
    "emergency", "licenses", "declared_formats", "not_in_source", "temporal",
})


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
    ok = True
    missing = False
    # Dates an imported catalogue never had (``not_in_source``): the page
    # says 来源目录未提供 rather than inventing one; a warning, not an error.
    lacking = data.get("not_in_source")
    not_in_source = {str(k) for k in lacking} & SOURCE_MAY_LACK \
        if isinstance(lacking, list) else set()
    for key in REQUIRED:
        if key not in data or _text(data.get(key)) == "":
            if key in not_in_source:
                found.append(P.make("date-not-in-source", rel, field=key))
                continue
            found.append(P.make("field-missing", rel, field=key,
                                detail="see docs/catalogue-format.md for what it holds"))
            missing = True
    for key in TEXT_FIELDS:
        if isinstance(data.get(key), Mapping | list):
            found.append(P.make("field-invalid", rel, field=key, detail=(
                f"must be text, not a {'mapping' if isinstance(data[key], Mapping) else 'list'}")))
            ok = False
    identifier = _text(data.get("name"))
    if identifier and not IDENTIFIER_RE.match(identifier):
        found.append(P.make("identifier-invalid", rel, field="name", value=identifier,
                            folder=dataset_dir.name))
        ok = False
    try:
        open_type = OpenType(_text(data.get("open_type")))
    except ValueError:
        if data.get("open_type"):
            found.append(P.make("field-invalid", rel, field="open_type",
                                detail="must be one of unconditional, conditional, not_open"))
            open_type, ok = OpenType.NOT_OPEN, False
        else:  # reported as missing above
            open_type = OpenType.UNCONDITIONAL
    try:
        status = Status(_text(data.get("status")) or "active")
    except ValueError:
        found.append(P.make("field-invalid", rel, field="status",
                            detail="must be one of active, withdrawn, invalid"))
        status, ok = Status.ACTIVE, False
    dates: dict[str, date | None] = {}
    for key in ("last_updated", "published"):
        try:
            dates[key] = _as_date(data.get(key))
        except ValueError:
            found.append(P.make("field-invalid", rel, field=key,
                                detail="must be a date written YYYY-MM-DD"))
            dates[key], ok = None, False
    provision: list[Provision] = []
    for raw in _list_of(data, "provision", rel, "", found, one_text=True) or ["download"]:
        try:
            provision.append(Provision(str(raw)))
        except ValueError:
            found.append(P.make("field-invalid", rel, field="provision",
                                detail=f"{raw!r} is not one of download, api, sandbox"))
    keywords = data.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [k for k in re.split(r"[,，;；、\s]+", keywords) if k]
    keywords = _list_of({"keywords": keywords}, "keywords", rel, "", found)
    resources = []
    real_dir = real_dir or os.path.realpath(dataset_dir)
    for index, raw_res in enumerate(_list_of(data, "resources", rel, "", found)):
        if not isinstance(raw_res, Mapping):
            found.append(P.make("field-invalid", rel, field=f"resources[{index}]",
                                detail="must be a mapping with at least 'path'"))
            continue
        res = _resource(raw_res, index, dataset_dir, rel, found, real_dir)
        if res is not None:
            resources.append(res)
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
        licence = _text(licences[0].get("title") or licences[0].get("name"))
        licence_id = _text(licences[0].get("name"))
        licence_url = _text(licences[0].get("path"))
    links = [(f"contact.{key}", contact_raw.get(key)) for key in ("name", "phone", "email", "url")]
    links += [(f"licenses[{i}].path", lic.get("path")) for i, lic in enumerate(licences)
              if isinstance(lic, Mapping)]
    _refuse_unsafe_links(links, rel, found)
    declared_formats = _list_of(data, "declared_formats", rel, "", found, one_text=True)
    withdrawal = _announcement(data.get("withdrawal"), "withdrawal", rel, found)
    invalidation = _announcement(data.get("invalidation"), "invalidation", rel, found)
    emergency = _emergency(data.get("emergency"), rel, found)
    temporal = read_temporal(data.get("temporal"), rel, found)
    if not ok or (missing and not lenient):
        return None
    return Dataset(
        identifier=identifier or dataset_dir.name, title=_text(data.get("title")),
        summary=_text(data.get("description")),
        department=_text(data.get("department")), theme=_text(data.get("theme")),
        open_type=open_type, update_frequency=_text(data.get("update_frequency")),
        last_updated=dates["last_updated"], published=dates["published"],
        region=_text(data.get("region")), keywords=tuple(str(k) for k in keywords),
        provision=tuple(provision) or (Provision.DOWNLOAD,),
        open_conditions=_text(data.get("open_conditions")),
        legal_basis=_text(data.get("legal_basis")), level=_text(data.get("level")),
        usage_requirements=_text(data.get("usage_requirements")),
        contact=Contact(_text(contact_raw.get("name")), _text(contact_raw.get("phone")),
                        _text(contact_raw.get("email"))),
        resources=tuple(resources), status=status,
        withdrawal=withdrawal, invalidation=invalidation, emergency=emergency,
        temporal=temporal, licence=licence,
        licence_id=licence_id, licence_url=licence_url,
        declared_formats=tuple(str(f).strip().lower() for f in declared_formats if str(f).strip()),
        source_dir=source_dir, descriptor=rel,
        not_in_source=tuple(sorted(k for k in not_in_source if dates.get(k) is None)),
        extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS},
    )


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
    data = _read(descriptor, rel, found)
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


def folder_fingerprint(folder: Path) -> str:
    """A fingerprint of everything the loader reads in a dataset folder: the
    name, size and modification time of every file below it, and the target
    of every link (the folder itself included), so that re-pointing a link —
    perhaps out of the catalogue — changes it as surely as editing a file.
    Contents are not read: that would cost as much as loading."""
    sha = hashlib.sha256()
    try:
        if folder.is_symlink():
            sha.update(f"link:{os.readlink(folder)}\0".encode())
        _fingerprint_into(sha, str(folder), "")
    except OSError as error:  # a vanished or unreadable folder: never equal twice
        sha.update(f"error:{error}".encode())
    return sha.hexdigest()


def _fingerprint_into(sha: Any, folder: str, prefix: str) -> None:
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        rel = prefix + entry.name
        if entry.is_symlink():
            sha.update(f"{rel}->{os.readlink(entry.path)}\0".encode())
        if entry.is_dir(follow_symlinks=False):
            _fingerprint_into(sha, entry.path, rel + "/")
        elif entry.is_file():
            info = entry.stat()
            sha.update(f"{rel}:{info.st_size}:{info.st_mtime_ns}\0".encode())
        else:
            sha.update(f"{rel}:other\0".encode())


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
