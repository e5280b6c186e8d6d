"""Reading a YAML or JSON file of a catalogue safely: UTF-8 only, and no
file nested or expanded beyond what any descriptor needs (hostile input
must not crash or stall the builder or the service)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from domain.catalogue import problems as P
from domain.catalogue.problems import Problem

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


def read_or_report(path: Path, rel: str, found: list[Problem]) -> Any:
    """``read_structured(path)``, or None with an ``encoding-invalid`` or
    ``yaml-invalid`` problem for ``rel`` appended to ``found``."""
    try:
        return read_structured(path)
    except UnicodeDecodeError as exc:
        found.append(P.make("encoding-invalid", rel, detail=f"byte {exc.start} is not UTF-8"))
    except ValueError as exc:
        found.append(P.make("yaml-invalid", rel, detail=str(exc)))
    return None
