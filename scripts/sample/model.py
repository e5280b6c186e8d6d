"""A dataset as the sample generator describes it (``Spec``), its CSV tables
(``Table``) and the data items of their schemas (``fld``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


class FlowMap(dict[str, Any]):
    """A mapping written on one line (data dictionary entries, contacts)."""


class FlowList(list[Any]):
    """A list written on one line (keywords, primary keys)."""


def fld(name: str, type_: str, title: str, description: str = "", unit: str = "") -> FlowMap:
    """One data item (信息项) of a Table Schema."""
    entry = FlowMap(name=name, type=type_, title=title)
    if description:
        entry["description"] = description
    if unit:
        entry["unit"] = unit
    return entry


@dataclass
class Table:
    """One CSV resource: its data dictionary and its rows.

    Related tables of one dataset name the key they refer to in the field
    description rather than in ``foreignKeys``: the portal checks each
    resource on its own, and frictionless needs the whole package to
    resolve a foreign key (tests/test_sample_catalog.py checks them).
    """

    name: str
    title: str
    fields: list[FlowMap]
    rows: list[list[Any]]
    description: str = ""
    primary_key: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"data/{self.name}.csv"


@dataclass
class Spec:
    """One dataset as the generator describes it."""

    identifier: str
    title: str
    description: str
    keywords: tuple[str, ...]
    theme: str
    open_type: str
    update_frequency: str
    last_updated: date
    published: date
    tables: list[Table]
    region: str = "990100"
    provision: tuple[str, ...] = ("download", "api")
    level: str = ""
    office: str = "数据管理科"
    open_conditions: str = ""
    legal_basis: str = ""
    usage_requirements: str = ""
    status: str = ""
    withdrawal: tuple[date, str] | None = None
    invalidation: tuple[date, str] | None = None
    emergency: tuple[str, date] | None = None
    # 时间范围: (start, end); end None while the data is still added to.
    temporal: tuple[date, date | None] | None = None

    @property
    def department(self) -> str:
        return self.identifier.split("-")[0]
