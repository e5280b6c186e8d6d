"""Reading a catalogue exported as JSON, as real platforms write it.

A JSON list of objects; the list under a wrapper (``{"data": {"records":
[…]}}``, or any API's nesting: the longest list of objects under it); objects written back to back (``}{``, not valid JSON) or one per
line. Two kinds of broken text are read rather than refused: a ``\\ud800``
escape without its other half (a lone surrogate, which no file can hold, so
writing the dataset's descriptor would fail) becomes U+FFFD with a note; and
lists nested hundreds deep, which Python's parser cannot read, get a
sentence saying so instead of a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

LIST_KEYS = ("data", "result", "results", "datasets", "records", "items", "rows", "list")


class UnreadableJson(ValueError):
    """The text is no catalogue in JSON; the message says what to do."""


def json_items(text: str, name: str, dictionaries: list[str] | None = None
               ) -> tuple[list[Any], str]:
    """The catalogue's items (one per dataset) and a note on how they were
    read ("" when the file is one plain JSON document). ``dictionaries``,
    when given, receives the small code tables the answer carries beside its
    items, as text (see ``code_tables``).

    Raises:
        UnreadableJson: not JSON, nested too deep, or no list of objects.
    """
    data, note = _json_values(text, name)
    if dictionaries is not None:
        dictionaries.extend(code_tables(data))
    items = _json_list(data)
    pages = _pages(items)
    if pages is not None:
        items = [item for page in pages for item in page]
        note = "; ".join(filter(None, [note, (
            f"{name} holds {len(pages)} pages of an API's answers; the datasets of "
            "every page were read")]))
    if items is None:
        raise UnreadableJson(f"{name}: found JSON {type(data).__name__} holding no list of "
                             "objects; export one object per dataset, or convert the "
                             "catalogue to CSV (UTF-8)")
    return items, note


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_values(text: str, name: str) -> tuple[Any, str]:
    """The JSON document, or the list of the values written back to back
    (``}{``) or one per line (JSON lines); with a note saying which.

    Raises:
        UnreadableJson: not JSON, or nested deeper than Python reads.
    """
    try:
        data, note = _parsed_json(text, name)
    except RecursionError as exc:
        raise UnreadableJson(f"{name}: JSON nested too deeply to read (lists or objects "
                             "inside each other hundreds of levels down); export one object "
                             "per dataset, or convert the catalogue to CSV (UTF-8)") from exc
    if _SURROGATE_ESCAPE.search(text):
        replaced = _replace_surrogates(data)
        if replaced:
            note = "; ".join(filter(None, [note, (
                f"{replaced} texts held \\u escapes of half a character (a lone surrogate, "
                "not Unicode); each was replaced by \ufffd")]))
    return data, note


def _replace_surrogates(data: Any) -> int:
    """Replace lone surrogates (a JSON \\ud800 escape without its pair) in
    every text of ``data``, in place, without recursion; how many texts."""
    count, stack = 0, [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in list(node):
                value = node.pop(key)
                clean = _SURROGATE.sub("\ufffd", key)
                count += clean != key
                if isinstance(value, str) and _SURROGATE.search(value):
                    value, count = _SURROGATE.sub("\ufffd", value), count + 1
                node[clean] = value
                stack.append(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str) and _SURROGATE.search(value):
                    node[index], count = _SURROGATE.sub("\ufffd", value), count + 1
                stack.append(value)
    return count


def _parsed_json(text: str, name: str) -> tuple[Any, str]:
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        first = exc
    decoder = json.JSONDecoder()
    values, position = [], 0
    text = text.strip()
    try:
        while position < len(text):
            value, position = decoder.raw_decode(text, position)
            values.append(value)
            while position < len(text) and text[position] in " \t\r\n,":
                position += 1
    except json.JSONDecodeError:
        values = []  # not values written one after another either
    if len(values) < 2:
        raise UnreadableJson(f"{name}: not valid JSON at line {first.lineno} "
                             f"column {first.colno}: {first.msg}; export the catalogue "
                             "as a JSON list of objects, or as CSV (UTF-8)") from first
    return values, (f"{name} holds {len(values)} JSON values written one after another "
                    "(not one JSON list); each was read as a row")


def _json_list(data: Any) -> list[Any] | None:
    """The list of items: ``data`` itself, the list under the usual keys,
    else the longest list of objects anywhere under the wrapper (an API's
    ``{"result": {"page": {"items": [...]}}}``), the first when two tie."""
    found = _listed(data)
    if found is None:
        found = _longest_object_list(data)
    return found if found is not None else _keyed_objects(data)


_KEYED_MIN = 3  # objects keyed by id, for a map to be taken as the list of datasets


def _keyed_objects(data: Any) -> list[Any] | None:
    """The datasets of an answer that keys them by id instead of listing them
    (``{"data": {"1024": {...}, "1025": {...}}}``): the first map, level by
    level, whose values are all objects sharing a key; each keeps its key as
    ``id`` unless it has one. None when there is no such map."""
    level = [data] if isinstance(data, Mapping) else []
    for _ in range(_WRAPPER_DEPTH):
        below: list[Any] = []
        for node in level:
            values = list(node.values())
            if len(values) >= _KEYED_MIN and all(isinstance(v, Mapping) and v for v in values) \
                    and set.intersection(*(set(v) for v in values)):
                return [v if "id" in v else {"id": k, **v} for k, v in node.items()]
            below.extend(v for v in values if isinstance(v, Mapping))
        level = below
    return None


def _listed(data: Any, depth: int = 0) -> list[Any] | None:
    if isinstance(data, list):
        return data
    if not isinstance(data, Mapping) or depth > 2:
        return None
    for key in LIST_KEYS:
        if key in data and (found := _listed(data[key], depth + 1)) is not None:
            return found
    lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], Mapping)]
    return lists[0] if len(lists) == 1 else None


def _pages(items: list[Any] | None) -> list[list[Any]] | None:
    """The dataset lists of an API's pages saved one after another
    (``{"code": 200, "data": {"list": [...]}}`` per page), or None unless
    every item is such a page."""
    if not items:
        return None
    pages = []
    for item in items:
        page = _under_list_keys(item)
        if page is None:
            return None
        pages.append(page)
    return pages


def _under_list_keys(data: Any, depth: int = 0) -> list[Any] | None:
    """A non-empty list of objects under the usual wrapper keys, or None."""
    if not isinstance(data, Mapping) or depth > 2:
        return None
    for key in LIST_KEYS:
        value = data.get(key)
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            return value
        if (found := _under_list_keys(value, depth + 1)) is not None:
            return found
    return None


_WRAPPER_DEPTH = 6


def _longest_object_list(data: Any) -> list[Any] | None:
    best: list[Any] | None = None
    level = [data] if isinstance(data, Mapping) else []
    for _ in range(_WRAPPER_DEPTH):
        below: list[Any] = []
        for node in level:
            for value in node.values():
                if isinstance(value, Mapping):
                    below.append(value)
                elif isinstance(value, list) and value and isinstance(value[0], Mapping) \
                        and (best is None or len(value) > len(best)):
                    best = value
        level = below
    return best


# Keys that name a nested object for a reader, best first: an organisation
# {"name": "org-12", "title": "市交通运输局"} is its title.
_DISPLAY_KEYS = ("title", "display_name", "displayName", "label", "name", "text", "value")


def flat_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """One dataset object of an API export with its nested values as cells
    (as CKAN and similar platforms write them):

    - an object is its display text (``organization`` → its ``title``), and
      its other plain values are cells named ``key.sub``;
    - a list of ``{"key": …, "value": …}`` pairs (``extras``; also
      ``name``/``label``/``fieldName`` with ``value``) gives a cell per name;
    - a list of objects is the list of their display texts (``tags`` → their
      names), and each other plain key a list cell ``key.sub``
      (``resources.format`` → ["CSV", "JSON"]).

    Plain values and lists of plain values are kept as they are."""
    cells: dict[str, Any] = {}
    for key, value in item.items():
        key = str(key)
        if isinstance(value, Mapping):
            display = _display(value)
            if display is not None:
                cells[key] = display
            for sub, inner in value.items():
                if _plain(inner) and inner is not display:
                    cells.setdefault(f"{key}.{sub}", inner)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            if (names := _pair_keys(value)) is not None:
                for pair in value:
                    cells.setdefault(str(pair[names[0]]), pair[names[1]])
                continue
            displays = [_display(v) for v in value]
            if any(d is not None for d in displays):
                cells[key] = [d for d in displays if d is not None]
            subs = dict.fromkeys(s for v in value for s, inner in v.items() if _plain(inner))
            for sub in subs:
                texts = [v.get(sub) for v in value]
                if texts != cells.get(key):
                    cells.setdefault(f"{key}.{sub}", [t for t in texts if t not in (None, "")])
        else:
            cells[key] = value
    return cells


# A list of {name, value} objects is a list of fields (CKAN's extras use key;
# other platforms name, label or fieldName), each a cell of its own.
_PAIR_NAMES = ("key", "name", "label", "fieldName", "field", "attrName")
_PAIR_VALUES = ("value", "fieldValue", "attrValue", "val")
_PAIR_MAX_KEYS = 4  # beyond the name and the value: an id, a type


def _pair_keys(value: list[Mapping[str, Any]]) -> tuple[str, str] | None:
    """(name key, value key) when every object of ``value`` is such a pair
    with a text name, else None."""
    first = value[0]
    for name in _PAIR_NAMES:
        for val in _PAIR_VALUES:
            if name in first and val in first and all(
                    name in v and val in v and isinstance(v[name], str) and v[name].strip()
                    and len(v) <= _PAIR_MAX_KEYS for v in value):
                return name, val
    return None


def _display(value: Mapping[str, Any]) -> Any:
    return next((value[k] for k in _DISPLAY_KEYS
                 if isinstance(value.get(k), str) and value[k].strip()), None)


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


_TABLE_MAX = 30  # entries of a code table (a dictionary of codes, not data)
_TABLE_DEPTH = 4


def code_tables(data: Any, path: str = "", depth: int = 0) -> list[str]:
    """Small objects of texts found outside the lists of an API's answer
    (``{"dict": {"openType": {"1": "无条件开放", "2": "有条件开放"}}}``), each
    as ``openType: 1=无条件开放, 2=有条件开放``: a legend of codes the rows
    use (``builder.import_legend``). Lists (the rows themselves) are not
    entered."""
    if depth > _TABLE_DEPTH or not isinstance(data, Mapping):
        return []
    if 2 <= len(data) <= _TABLE_MAX and all(isinstance(v, str) for v in data.values()):
        return [f"{path}: " + ", ".join(f"{k}={v}" for k, v in data.items())]
    found: list[str] = []
    for key, value in data.items():
        found.extend(code_tables(value, str(key), depth + 1))
    return found
