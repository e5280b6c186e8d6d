"""The catalogue model: a dataset (数据集) and its resources, as the portal
understands them (SPEC §2; 002 §12, 000 §9, 001 §13).

These are plain immutable values. Reading them from files is
``domain.catalogue.catalog``; deciding what may be published is ``domain.catalogue.rules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any


class OpenType(StrEnum):
    """Open type (开放属性): 000 §28, 001 §36, 002 §15, 003 §21, 004 §28."""

    UNCONDITIONAL = "unconditional"  # 无条件开放
    CONDITIONAL = "conditional"  # 有条件开放
    NOT_OPEN = "not_open"  # 不予开放

    @property
    def label(self) -> str:
        return _OPEN_TYPE_LABELS[self]


_OPEN_TYPE_LABELS = {
    OpenType.UNCONDITIONAL: "无条件开放",
    OpenType.CONDITIONAL: "有条件开放",
    OpenType.NOT_OPEN: "不予开放",
}


class Provision(StrEnum):
    """How data is provided (提供方式, 002 §36)."""

    DOWNLOAD = "download"
    API = "api"
    SANDBOX = "sandbox"

    @property
    def label(self) -> str:
        return {"download": "文件下载", "api": "接口调用", "sandbox": "数据沙箱"}[self.value]


class Status(StrEnum):
    """Lifecycle of a published dataset."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # 撤回, announced with a reason (000 §33)
    INVALID = "invalid"  # 失效, marked and announced (002 §39)

    @property
    def label(self) -> str:
        return {"active": "正常", "withdrawn": "已撤回", "invalid": "已失效"}[self.value]


# Formats a program can read without a human (可以机器读取的格式, 003 §23).
MACHINE_READABLE_FORMATS = frozenset(
    {"csv", "json", "xlsx", "xls", "xml", "geojson", "jsonl", "ndjson", "rdf", "tsv", "parquet"}
)
# Formats whose text the desensitization gate reads line by line.
TEXT_FORMATS = frozenset({"xml", "geojson", "jsonl", "ndjson", "rdf", "txt", "md"})
# Formats copied to the site as they are. Anything else (html, svg, js…)
# could run in the site's origin, so it is never published.
PUBLISHABLE_FORMATS = MACHINE_READABLE_FORMATS | TEXT_FORMATS | {"pdf"}
# Formats the builder can parse, preview and convert into CSV/JSON downloads.
TABULAR_FORMATS = frozenset({"csv", "tsv", "xlsx", "json"})


@dataclass(frozen=True)
class Field:
    """One data item (信息项) of a table's data dictionary."""

    name: str
    type: str = "string"
    title: str = ""
    description: str = ""
    unit: str = ""
    required: bool = False  # Table Schema constraints.required
    # Declared exempt from the desensitization gate for these kinds, with a
    # reason (e.g. a column of 16-digit equipment numbers that pass Luhn).
    pii_exempt: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resource:
    """One file of a dataset, with its Table Schema."""

    name: str
    path: str  # POSIX path relative to the dataset folder
    format: str
    title: str = ""
    description: str = ""
    fields: tuple[Field, ...] = ()
    encoding: str = "utf-8"

    @property
    def filename(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def is_machine_readable(self) -> bool:
        return self.format in MACHINE_READABLE_FORMATS

    @property
    def is_tabular(self) -> bool:
        return self.format in TABULAR_FORMATS


@dataclass(frozen=True)
class Contact:
    """The office that answers questions about a dataset (not a person's
    private data: an office phone and a mailbox)."""

    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Announcement:
    """A dated public notice: why a dataset was withdrawn or marked invalid."""

    date: date
    reason: str


@dataclass(frozen=True)
class Temporal:
    """The period the data covers (时间范围): from ``start`` to ``end``
    inclusive; no ``end`` means the data is still being added to."""

    start: date
    end: date | None = None

    def interval(self) -> str:
        """ISO 8601 interval, ".." for an open end: "2019-01-01/2025-12-31"."""
        return f"{self.start.isoformat()}/{self.end.isoformat() if self.end else '..'}"


@dataclass(frozen=True)
class Emergency:
    """Data related to an emergency (突发事件), opened promptly and updated
    dynamically (001 §35); shown first while ``until`` is not past."""

    event: str
    since: date
    until: date | None = None

    def is_active(self, today: date) -> bool:
        return self.since <= today and (self.until is None or today <= self.until)


@dataclass(frozen=True)
class Dataset:
    """One catalogue entry (SPEC §2)."""

    identifier: str  # 资源代码; also the folder name and the URL slug
    title: str  # 数据名称
    summary: str  # 摘要
    department: str  # code in the departments vocabulary
    theme: str  # code in the themes vocabulary
    open_type: OpenType
    update_frequency: str  # code in the frequencies vocabulary
    last_updated: date | None
    published: date | None
    region: str = ""
    keywords: tuple[str, ...] = ()
    provision: tuple[Provision, ...] = (Provision.DOWNLOAD,)
    open_conditions: str = ""  # 开放条件、使用约束 (002 §15), conditional only
    legal_basis: str = ""  # 法律、法规或国家有关规定依据 (003 §21)
    level: str = ""
    usage_requirements: str = ""  # 使用要求
    contact: Contact = field(default_factory=Contact)
    resources: tuple[Resource, ...] = ()
    status: Status = Status.ACTIVE
    withdrawal: Announcement | None = None
    invalidation: Announcement | None = None
    emergency: Emergency | None = None
    temporal: Temporal | None = None  # 时间范围, optional
    licence: str = ""  # title (or name) of the first licence
    licence_id: str = ""  # its name, e.g. "cc-by-4.0"
    licence_url: str = ""  # its path
    # Formats a metadata-only entry declares (e.g. imported from another
    # portal's catalogue) while its files are not held here.
    declared_formats: tuple[str, ...] = ()
    # Required dates an imported catalogue never gave (shown as 来源目录未提供).
    not_in_source: tuple[str, ...] = ()
    # Where the descriptor was read from, relative to the catalogue root.
    source_dir: str = ""
    # The descriptor file, relative to the catalogue root (for error reports).
    descriptor: str = ""
    # Properties the portal does not interpret, kept for round-tripping.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def formats(self) -> tuple[str, ...]:
        """Distinct resource formats in resource order (数据格式); the declared
        formats of a metadata-only entry."""
        seen: dict[str, None] = {}
        for resource in self.resources:
            seen.setdefault(resource.format, None)
        if not seen:
            for declared in self.declared_formats:
                seen.setdefault(declared, None)
        return tuple(seen)

    @property
    def has_data_files(self) -> bool:
        return bool(self.resources)

    @property
    def is_published(self) -> bool:
        """Whether the dataset appears on the public site and API at all.

        Not-open datasets never do (SPEC §3). Withdrawn and invalid ones stay
        visible as entries so that their announcement can be read.
        """
        return self.open_type is not OpenType.NOT_OPEN

    @property
    def data_is_public(self) -> bool:
        """Whether the data files themselves may be copied to the public site:
        unconditional, active data only (003 §21, 002 §15)."""
        return self.open_type is OpenType.UNCONDITIONAL and self.status is Status.ACTIVE
