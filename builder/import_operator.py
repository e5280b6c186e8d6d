"""The operator's files for ``portal import``, checked in full before
anything is written (every problem named in one ``CatalogImportError``): a
column map (``数据提供方: department``), a value map (raw text → code, per
field) and defaults (values the operator states for rows that lack them, per
open type); and the catalogue's ``vocabularies.yaml``, which codes are mapped
onto and to which the new departments are appended at the end of an import.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from builder.import_columns import (
    OPEN_TYPE_SPELLINGS,
    PROVISION_SPELLINGS,
    cell_text,
    normalise,
)
from builder.import_dates import parse_date
from builder.import_sources import CatalogImportError
from domain.catalogue.model import OpenType
from domain.catalogue.vocabulary import Vocabularies, VocabularyError, vocabularies_from_mapping

DEFAULT_VOCABULARIES = Path(__file__).resolve().parent.parent / "datasets" / "vocabularies.yaml"
# Fields an operator's value map may resolve, and the vocabulary each uses.
VALUE_MAP_FIELDS = ("department", "theme", "update_frequency", "region", "level",
                    "open_type", "provision")
VOCAB_ATTR = {"department": "departments", "theme": "themes", "update_frequency": "frequencies",
              "region": "regions", "level": "levels"}
# Fields an operator's defaults may set, under an open type or "all".
DEFAULT_FIELDS = ("legal_basis", "open_conditions", "level", "usage_requirements", "region",
                  "contact", "licenses", "published", "last_updated", "update_frequency",
                  "department", "theme")
ALL = "all"
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _read_yaml(path: Path, what: str) -> Any:
    try:
        return yaml.safe_load(Path(path).read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogImportError(f"cannot read {what} {path}: {exc}") from exc


def _operator_mapping(given: Path | Mapping[str, Any] | None, what: str,
                      example: str) -> tuple[str, Mapping[str, Any]]:
    """(where, mapping) for an operator's file or an in-memory mapping."""
    where, data = what, given
    if given is not None and not isinstance(given, Mapping):
        where, data = str(given), _read_yaml(Path(given), what)
    if data is None:
        return where, {}
    if not isinstance(data, Mapping):
        raise CatalogImportError(f"{where}: expected a mapping such as {example}")
    return where, data


def read_column_map(path: Path) -> dict[str, str]:
    """A column map kept in a YAML file (``数据提供方: department``), for the
    CLI's ``--map-file``.

    Raises:
        CatalogImportError: the file cannot be read or is not a mapping.
    """
    _, data = _operator_mapping(Path(path), "column map",
                                "COLUMN: FIELD lines, e.g. '数据提供方: department'")
    return {str(k): str(v) for k, v in data.items()}


def read_vocabularies(out: Path, given: Path | None) -> tuple[Path, dict[str, Any], Vocabularies]:
    """The vocabularies to map onto: ``out``'s own, else ``given``, else the
    repository's sample. Returns (path, parsed file, vocabularies)."""
    target = out / "vocabularies.yaml"
    path = target if target.is_file() else Path(given or DEFAULT_VOCABULARIES)
    if given is None and not path.is_file():  # an installed package has no sample catalogue
        raise CatalogImportError(f"{out} has no vocabularies.yaml: pass --vocabularies FILE "
                                 "(the controlled lists to map onto)")
    data = _read_yaml(path, "vocabularies") or {}
    if not isinstance(data, dict):
        raise CatalogImportError(f"{path}: expected a mapping of controlled lists")
    try:
        return path, data, vocabularies_from_mapping(data)
    except VocabularyError as exc:
        raise CatalogImportError(f"{path}: {exc}") from exc


def write_vocabularies(out: Path, source: Path, data: dict[str, Any],
                       entries: list[dict[str, str]],
                       themes: list[dict[str, str]] | None = None) -> list[str]:
    """Give ``out`` its vocabularies.yaml (a copy of ``source``, with
    portal.yaml) if it has none, and append the new departments ``entries``
    and the new ``themes``. Returns warnings for the operator."""
    warnings = []
    target = out / "vocabularies.yaml"
    if not target.is_file():
        shutil.copyfile(source, target)
        portal = source.parent / "portal.yaml"
        if portal.is_file() and not (out / "portal.yaml").exists():
            shutil.copyfile(portal, out / "portal.yaml")
        warnings.append(f"{target} started from {source}")
    added = {key: items for key, items in (("departments", entries), ("themes", themes or []))
             if items}
    if not added:
        return warnings
    text = target.read_bytes().decode("utf-8-sig")
    expected = dict(data)
    updated: str | None = text
    for key, items in added.items():
        expected[key] = [*(data.get(key) or []), *items]
        updated = _append_entries(updated, key, items) if updated is not None else None
    if updated is None or yaml.safe_load(updated) != expected:
        # The file's layout defeated a text edit: rewrite it whole (comments lost).
        updated = yaml.dump(expected, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
        warnings.append(f"{target} was rewritten in full; its comments were lost")
    target.write_text(updated, encoding="utf-8")
    return warnings


def _append_entries(text: str, key: str, entries: list[dict[str, str]]) -> str | None:
    """Add entries at the end of the ``key:`` list, keeping the rest of the
    file (comments, order) as it is; None if the list is not found."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if re.match(rf"{key}\s*:\s*(#.*)?$", line.rstrip("\r\n"))), None)
    if start is None:
        return None
    last, indent = start, "  "
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() == "" or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace() and not line.startswith("-"):
            break
        if (item := re.match(r"(\s*)-\s", line)) and last == start:
            indent = item.group(1)
        last = i
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    new = [f"{indent}- " + yaml.dump(e, Dumper=_DUMPER, allow_unicode=True, sort_keys=False,
                                     default_flow_style=True, width=10**6) for e in entries]
    return "".join(lines[:last + 1] + new + lines[last + 1:])


def load_value_map(value_map: Path | Mapping[str, Any] | None,
                   vocab: Vocabularies) -> dict[str, dict[str, str]]:
    """field -> {normalised raw text: code}, every code checked."""
    where, data = _operator_mapping(value_map, "value map", "'theme: {默认主题: urban}'")
    result: dict[str, dict[str, str]] = {}
    problems = []
    for name, entries in data.items():
        if name not in VALUE_MAP_FIELDS or not isinstance(entries, Mapping):
            problems.append(f"{name!r} is not one of {', '.join(VALUE_MAP_FIELDS)} "
                            "mapping raw text to a code")
            continue
        valid = _valid_codes(name, vocab)
        for raw, code in entries.items():
            code = str(code).strip()
            if code not in valid:
                problems.append(f"{name}: {raw!r} -> {code!r}, which is not a code of the "
                                f"catalogue's {VOCAB_ATTR.get(name, name)}")
            result.setdefault(name, {})[normalise(str(raw))] = code
    if problems:
        raise CatalogImportError(f"{where}: " + "; ".join(problems))
    return result


def _valid_codes(name: str, vocab: Vocabularies) -> set[str]:
    if name == "open_type":
        return {t.value for t in OpenType}
    if name == "provision":
        return {p.value for p in PROVISION_SPELLINGS.values()}
    return set(getattr(vocab, VOCAB_ATTR[name]).codes())


def parse_open_type(value: OpenType | str | None) -> OpenType | None:
    """The default open type for rows whose open type is empty."""
    if value is None or value == "":
        return None
    found = OPEN_TYPE_SPELLINGS.get(normalise(str(value)))
    if found is None:
        raise CatalogImportError(f"default open type {value!r} is not one of "
                                 "unconditional, conditional, not_open")
    return found


@dataclass(frozen=True)
class Defaults:
    """Values the operator states for rows that lack them. ``by_scope`` maps
    ``all`` or an open type to {field: value}; a row takes its open type's
    value, else the one under ``all``, and only where it has none itself."""

    by_scope: dict[str, dict[str, Any]] = field(default_factory=dict)

    def keys(self) -> list[str]:
        """``scope.field`` for every stated default, in file order."""
        return [f"{scope}.{name}" for scope, values in self.by_scope.items() for name in values]

    def for_open_type(self, open_type: str) -> dict[str, tuple[str, Any]]:
        """field -> (scope, value) for a row of ``open_type`` ("" if unknown)."""
        found = {name: (ALL, v) for name, v in self.by_scope.get(ALL, {}).items()}
        found.update((name, (open_type, v)) for name, v in self.by_scope.get(open_type, {}).items())
        return found


def load_defaults(defaults: Path | Mapping[str, Any] | None, vocab: Vocabularies) -> Defaults:
    """Read and check the operator's defaults (see ``Defaults``).

    Raises:
        CatalogImportError: unreadable file, or a key that is not an open type
            or ``all``, a field defaults may not set, or an unusable value.
    """
    where, data = _operator_mapping(defaults, "defaults", "'conditional: {legal_basis: ...}'")
    scopes: dict[str, dict[str, Any]] = {}
    problems = []
    for key, values in data.items():
        spelled = normalise(str(key))
        scope = ALL if spelled == ALL else getattr(OPEN_TYPE_SPELLINGS.get(spelled), "value", None)
        if scope is None or scope in scopes:
            problems.append(f"{key!r} is not an open type (unconditional, conditional, not_open) "
                            f"or {ALL!r}" if scope is None else f"{key!r} is stated twice")
            continue
        if not isinstance(values, Mapping):
            problems.append(f"{key}: expected FIELD: VALUE lines under it")
            continue
        scopes[scope] = {}
        for name, value in values.items():
            if name not in DEFAULT_FIELDS:
                problems.append(f"{key}.{name}: not a field defaults may set (use "
                                f"{', '.join(DEFAULT_FIELDS)})")
            elif name == "open_conditions" and scope != OpenType.CONDITIONAL.value:
                problems.append(f"{key}.open_conditions: open conditions are stated for "
                                "conditional data only (002 §15); put them under 'conditional'")
            else:
                try:
                    scopes[scope][name] = _default_value(name, value, vocab)
                except ValueError as exc:
                    problems.append(f"{key}.{name}: {exc}")
    if problems:
        raise CatalogImportError(f"{where}: " + "; ".join(problems))
    return Defaults(scopes)


def _default_value(name: str, value: Any, vocab: Vocabularies) -> Any:
    """The value as written to descriptors; ValueError says what is wrong."""
    if name in ("published", "last_updated"):
        found = parse_date(value)
        if found is None:
            raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD")
        return found
    if name in ("level", "region", "update_frequency", "theme", "department"):
        terms = getattr(vocab, VOCAB_ATTR[name])
        term = terms.match(cell_text(value)) if isinstance(value, str | int) else None
        if term is None:
            raise ValueError(f"{value!r} is not a code, name or alias of the catalogue's "
                             f"{VOCAB_ATTR[name]} ({', '.join(terms.codes())})")
        return term.code
    if name == "contact":
        if not isinstance(value, Mapping) or not value \
                or not {str(k) for k in value} <= {"name", "phone", "email"}:
            raise ValueError("write a mapping of name, phone and email, "
                             "e.g. {name: 数据开放科, email: open@example.gov.cn}")
        return {k: text for k in ("name", "phone", "email") if (text := cell_text(value.get(k)))}
    if name == "licenses":
        items = [value] if isinstance(value, Mapping) else value
        if not isinstance(items, list) or not items or not all(
                isinstance(i, Mapping) and {str(k) for k in i} <= {"name", "title", "path"}
                and (i.get("name") or i.get("path")) for i in items):
            raise ValueError("write a list of licences, each with a name or path and an "
                             "optional title (Frictionless 'licenses')")
        return [{str(k): cell_text(v) for k, v in i.items()} for i in items]
    if not isinstance(value, str) or not value.strip():
        raise ValueError("write the text itself (not empty, not a list or number)")
    return value.strip()
