"""Import plans: the mapping ``portal import`` would use, as an editable YAML file.

``portal import SOURCE --write-plan PLAN.yaml`` imports nothing and writes,
for each column, the field chosen and the evidence (sample values, share of
rows that fit, alternatives); every unmapped value with a suggested code (as
a comment: the value stays null, so nothing is guessed until the operator
writes the code); and the defaults the catalogue would need. ``portal import
SOURCE --plan PLAN.yaml --out DIR`` imports with the edited plan.

The file's sections (all optional when read back):

    columns:            # column -> field (or ignore); the rest is evidence
      开放条件: {field: open_type, ...}
    values:             # field -> raw text -> code (null: leave unmapped)
      update_frequency: {其他: irregular}
    default_open_type:  # for rows whose open type is empty
    defaults:           # like --defaults: scope (all or an open type) -> field -> value
      conditional: {legal_basis: ..., open_conditions: ...}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from builder.import_sources import CatalogImportError


@dataclass
class StatedPlan:
    """What an edited plan states, in the importer's terms."""

    column_map: dict[str, str] = field(default_factory=dict)
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    default_open_type: str | None = None


class _PlanLoader(yaml.SafeLoader):
    """The safe loader, refusing a key written twice in one mapping (YAML
    would keep the last value silently: an officer's first edit lost)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.setdefault(key, line)
            except TypeError:  # an unhashable key: the constructor reports it
                continue
            if first != line:
                raise DuplicateKey(f"line {line}: {str(key)[:60]!r} is written twice "
                                   f"(first on line {first}); keep one of them")
        return super().construct_mapping(node, deep=deep)


class DuplicateKey(yaml.YAMLError):
    pass


def read_plan(path: Path) -> StatedPlan:
    """Read an import plan; null entries (not yet decided) are left out.

    Raises:
        CatalogImportError: the file cannot be read, a key is written twice
            in one mapping (the message names the line), or a section has
            the wrong shape (the message names it).
    """
    try:
        data = yaml.load(Path(path).read_bytes().decode("utf-8-sig"), Loader=_PlanLoader)
    except DuplicateKey as exc:
        raise CatalogImportError(f"{path}: {exc}") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogImportError(f"cannot read the import plan {path}: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise CatalogImportError(f"{path}: an import plan is a mapping with columns, values "
                                 "and defaults; write one with --write-plan")
    problems: list[str] = []
    stated = StatedPlan()
    columns = data.get("columns") or {}
    if not isinstance(columns, Mapping):
        problems.append("columns: expected COLUMN: {field: FIELD} lines")
        columns = {}
    for column, entry in columns.items():
        chosen = entry.get("field") if isinstance(entry, Mapping) else entry
        if chosen is None or str(chosen).strip() == "":
            continue
        stated.column_map[str(column)] = str(chosen).strip()
    values = data.get("values") or {}
    if not isinstance(values, Mapping):
        problems.append("values: expected FIELD: {RAW TEXT: CODE} lines")
        values = {}
    for name, entries in values.items():
        if not isinstance(entries, Mapping):
            problems.append(f"values.{name}: expected RAW TEXT: CODE lines")
            continue
        chosen_codes = {str(raw): str(code) for raw, code in entries.items()
                        if code is not None and str(code).strip()}
        if chosen_codes:
            stated.value_map[str(name)] = chosen_codes
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        problems.append("defaults: expected SCOPE: {FIELD: VALUE} lines")
        defaults = {}
    for scope, entries in defaults.items():
        if not isinstance(entries, Mapping):
            problems.append(f"defaults.{scope}: expected FIELD: VALUE lines")
            continue
        kept = {k: v for k, v in entries.items() if v is not None and v != ""}
        if kept:
            stated.defaults[str(scope)] = kept
    open_type = data.get("default_open_type")
    stated.default_open_type = str(open_type) if open_type else None
    if problems:
        raise CatalogImportError(f"{path}: " + "; ".join(problems))
    return stated


def merge_value_maps(first: Mapping[str, Mapping[str, str]],
                     second: Path | Mapping[str, Mapping[str, str]] | None,
                     ) -> Path | Mapping[str, Mapping[str, str]] | None:
    """The plan's value map with the operator's ``--values`` over it (a file
    is read here so both can be combined)."""
    if not first:
        return second
    if second is None:
        return first
    if not isinstance(second, Mapping):
        try:
            loaded = yaml.safe_load(Path(second).read_bytes().decode("utf-8-sig")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CatalogImportError(f"cannot read value map {second}: {exc}") from exc
        if not isinstance(loaded, Mapping):
            raise CatalogImportError(f"{second}: expected a mapping such as "
                                     "'theme: {默认主题: urban}'")
        second = loaded
    merged: dict[str, dict[str, str]] = {k: dict(v) for k, v in first.items()}
    for name, entries in second.items():
        if isinstance(entries, Mapping):
            merged.setdefault(str(name), {}).update({str(k): v for k, v in entries.items()})
        else:
            merged[str(name)] = entries  # let load_value_map name the mistake
    return merged


def scalar(value: Any) -> str:
    """A value as a one-line YAML scalar (JSON strings are valid YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)
