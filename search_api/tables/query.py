"""A rows request read from query parameters, checked against the table's
fields (pure: no Flask, no SQL).

``<field>=v`` (equals), ``<field>__gte=``, ``<field>__lte=``,
``<field>__contains=``, ``sort=a,-b``, ``limit`` (≤ 1000, default 100),
``offset``, ``fields=a,b``, ``format=json|csv``. Values are typed by the
field's Table Schema type, so ``aqi__gte=100`` compares numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_OFFSET = 10_000_000
OPERATORS = ("eq", "gte", "lte", "contains")
RESERVED = frozenset({"sort", "limit", "offset", "fields", "format"})
NUMERIC = frozenset({"integer", "number", "year"})


class RowQueryError(ValueError):
    """A parameter cannot be used; the message (Chinese, for the caller)
    says what to send instead."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type
    title: str = ""


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str  # one of OPERATORS
    value: str | int | float | bool


@dataclass(frozen=True)
class RowQuery:
    conditions: tuple[Condition, ...] = ()
    sort: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    fields: tuple[str, ...] = ()  # empty: every field
    format: str = "json"


def typed_value(f: Field, raw: str) -> str | int | float | bool:
    """``raw`` as the field's type, as the store keeps it.

    Raises:
        RowQueryError: ``raw`` is not a value of that type.
    """
    try:
        if f.type in ("integer", "year"):
            return int(raw.strip())
        if f.type == "number":
            number = float(raw.strip())
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError(raw)
            return number
        if f.type == "boolean":
            lowered = raw.strip().lower()
            if lowered in ("true", "1", "是"):
                return True
            if lowered in ("false", "0", "否"):
                return False
            raise ValueError(raw)
        if f.type == "date":
            return date.fromisoformat(raw.strip()).isoformat()
        if f.type == "datetime":
            text = raw.strip()
            # A date alone compares with the datetimes of that day's start.
            # Tables hold local times without a zone: a zone given is dropped.
            return (date.fromisoformat(text).isoformat() + "T00:00:00" if len(text) == 10
                    else datetime.fromisoformat(text.replace("Z", "+00:00"))
                    .replace(tzinfo=None).isoformat())
    except ValueError:
        raise RowQueryError(f"字段“{f.title or f.name}”（{f.name}）的值“{raw[:40]}”不是"
                            f"{_TYPE_NAMES.get(f.type, f.type)}，请改正后重试。") from None
    return raw


_TYPE_NAMES = {"integer": "整数", "number": "数字", "year": "年份", "boolean": "是/否（true/false）",
               "date": "日期（如 2026-01-31）", "datetime": "时间（如 2026-01-31T08:00:00）"}


def _whole(raw: str, name: str, default: int, upper: int) -> int:
    if raw.strip() == "":
        return default
    if not raw.strip().isascii() or not raw.strip().isdigit():
        raise RowQueryError(f"{name} 应为不小于 0 的整数，例如 {name}={default}。")
    value = int(raw.strip())
    if value > upper:
        raise RowQueryError(f"{name} 不能超过 {upper}。")
    return value


def parse_row_query(params: Sequence[tuple[str, str]], fields: Sequence[Field]) -> RowQuery:
    """The query of ``params`` (as (name, value) pairs, repeats allowed) on a
    table with ``fields``.

    Raises:
        RowQueryError: an unknown field or operator, a value of the wrong
            type, a bad sort, limit, offset, fields list or format.
    """
    by_name: Mapping[str, Field] = {f.name: f for f in fields}
    known = "、".join(f.name for f in fields)
    conditions: list[Condition] = []
    settings: dict[str, str] = {}
    for name, raw in params:
        if name in RESERVED:
            if name in settings:
                raise RowQueryError(f"参数 {name} 只能给一次。")
            settings[name] = raw
            continue
        field_name, _, operator = name.partition("__")
        operator = operator or "eq"
        if field_name not in by_name:
            raise RowQueryError(f"没有字段“{field_name[:40]}”。可用的字段：{known}。")
        if operator not in OPERATORS:
            raise RowQueryError(f"不支持的条件“__{operator[:20]}”，请用 __gte、__lte 或 "
                                "__contains（不加后缀表示等于）。")
        f = by_name[field_name]
        if operator == "contains":
            value: str | int | float | bool = raw
        elif operator in ("gte", "lte") and f.type == "boolean":
            raise RowQueryError(f"字段“{f.title or f.name}”是“是/否”，只能用等于条件。")
        else:
            value = typed_value(f, raw)
        conditions.append(Condition(field_name, operator, value))
    sort: list[tuple[str, bool]] = []
    for part in (p.strip() for p in settings.get("sort", "").split(",")):
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("-+")
        if name not in by_name:
            raise RowQueryError(f"不能按“{name[:40]}”排序：没有这个字段。可用的字段：{known}。")
        sort.append((name, descending))
    chosen = tuple(dict.fromkeys(p.strip() for p in settings.get("fields", "").split(",")
                                 if p.strip()))
    unknown = [n for n in chosen if n not in by_name]
    if unknown:
        raise RowQueryError(f"fields 中没有字段“{unknown[0][:40]}”。可用的字段：{known}。")
    fmt = settings.get("format", "json").strip().lower() or "json"
    if fmt not in ("json", "csv"):
        raise RowQueryError("format 只能是 json 或 csv。")
    limit = _whole(settings.get("limit", ""), "limit", DEFAULT_LIMIT, MAX_LIMIT)
    offset = _whole(settings.get("offset", ""), "offset", 0, MAX_OFFSET)
    return RowQuery(tuple(conditions), tuple(sort), limit, offset, chosen, fmt)
