"""Spellings of real catalogues, for ``portal import``: which column means
which field, and how to read a cell.

Chinese portals name the same thing many ways (数据提供方, 提供部门, 数源部门…)
and write dates, lists and contacts many ways (2023年4月6日, Excel serial
numbers, "csv、xlsx"). This module holds those spellings as data and small
pure functions. Free-text values that should become *codes* are mapped
elsewhere, through the controlled vocabularies (``TermList.match``); only the
open types and provision methods, enums of the model rather than
vocabularies, are spelled out here. Last, how a source identifier becomes a
URL-safe one (or a generated ``<department>-<NNNN>``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from builder.import_headers import guessed_field
from domain.catalogue.descriptor import IDENTIFIER_RE
from domain.catalogue.digitfold import without_format_chars
from domain.catalogue.model import OpenType, Provision
from domain.catalogue.paths import RESERVED_FOLDERS

# Import fields, each with the header spellings that mean it. Earlier spellings
# win when a source has two columns for the same field (e.g. 标题 and 名称).
# The English ones include the crawler's common names (see the real catalogues'
# *.mapping.json): category, update_time, publish_time, is_open, data_formats...
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "identifier": ("资源代码", "目录编码", "标识符", "数据集编码", "目录代码", "资源编码",
                   "identifier", "id", "code"),
    "title": ("数据集名称", "数据目录名称", "资源名称", "标题", "数据名称", "名称",
              "title", "dataset", "dataset name"),
    "description": ("摘要", "数据摘要", "描述", "简介", "资源摘要", "数据描述",
                    "description", "summary", "abstract"),
    "department": ("数据提供方", "提供部门", "来源部门", "数源部门", "责任部门",
                   "数据提供部门", "提供单位", "责任单位",
                   "department", "publisher", "provider", "organization"),
    "open_type": ("开放属性", "开放类型", "开放方式", "open type", "open_type", "is_open",
                  "access level"),
    "update_frequency": ("更新频度", "更新频率", "更新周期", "update frequency",
                         "update_frequency", "frequency", "accrual periodicity"),
    "formats": ("数据格式", "格式", "资源格式", "文件格式", "formats", "format", "data_formats"),
    "theme": ("数据领域", "主题", "主题名称", "所属领域", "主题分类", "行业分类",
              "theme", "category", "topic"),
    "last_updated": ("更新时间", "更新日期", "最后更新", "最后更新时间", "数据更新时间",
                     "last updated", "last_updated", "update_time", "modified", "updated"),
    "published": ("发布时间", "首次发布日期", "发布日期", "首次发布时间", "上线时间",
                  "published", "publish_time", "issued", "release date"),
    "keywords": ("数据标签", "关键词", "关键字", "标签", "keywords", "tags"),
    "contact": ("联系方式", "联系邮箱", "联系电话", "咨询电话", "contact", "email", "phone",
                "contact email", "contact phone"),
    "open_conditions": ("开放条件", "使用约束", "open conditions", "open_conditions"),
    "legal_basis": ("法律依据", "不予开放依据", "有条件开放依据", "开放依据",
                    "legal basis", "legal_basis"),
    "region": ("所属区域", "行政区划", "所属地区", "region", "spatial"),
    "level": ("数据分级", "数据级别", "级别", "level"),
    "provision": ("提供方式", "共享方式", "provision"),
    "usage_requirements": ("使用要求", "usage requirements", "usage_requirements"),
    # 时间范围 (builder.import_period): one range column, or start and end.
    "temporal": ("数据时间范围", "时间范围", "数据时间跨度", "时间跨度", "temporal coverage",
                 "temporal"),
    "temporal_start": ("数据起始时间", "起始时间", "数据开始时间", "起始日期",
                       "temporal start", "temporal_start", "start date"),
    "temporal_end": ("数据截止时间", "截止时间", "数据结束时间", "截止日期",
                     "temporal end", "temporal_end", "end date"),
    "source_url": ("详情页网址", "链接", "详情链接", "网址", "source url", "source_url",
                   "url", "landing page"),
}
# Fields that several columns may feed together (联系邮箱 + 联系电话).
MULTI_COLUMN_FIELDS = frozenset({"contact"})
# A column mapped to this is dropped without a warning.
IGNORE = "ignore"
FIELDS = frozenset(COLUMN_ALIASES)

OPEN_TYPE_SPELLINGS: dict[str, OpenType] = {
    **{s: OpenType.UNCONDITIONAL for s in ("无条件开放", "无条件", "开放", "unconditional")},
    **{s: OpenType.CONDITIONAL for s in ("有条件开放", "有条件", "依申请开放", "受限开放",
                                         "conditional")},
    **{s: OpenType.NOT_OPEN for s in ("不予开放", "不开放", "禁止开放", "非开放", "not_open",
                                      "not open")},
}
PROVISION_SPELLINGS: dict[str, Provision] = {
    **{s: Provision.DOWNLOAD for s in ("download", "下载", "文件下载", "数据下载")},
    **{s: Provision.API for s in ("api", "接口", "接口调用", "数据接口", "api接口")},
    **{s: Provision.SANDBOX for s in ("sandbox", "沙箱", "数据沙箱")},
}
# Cell texts that mean "nothing written here" in real catalogues.
PLACEHOLDERS = frozenset({"无", "暂无", "空", "-", "--", "/", "null", "none", "n/a", "na"})

_SUFFIX = re.compile(r"[(（][^)）]*[)）]$")


def normalise(text: str) -> str:
    """Fold white space and case, as ``TermList.match`` does."""
    return "".join(text.split()).casefold()


def _header_key(header: str) -> str:
    return normalise(header).strip("*＊:：")


_ALIAS_INDEX: dict[str, tuple[str, int]] = {
    _header_key(alias): (name, rank)
    for name, aliases in COLUMN_ALIASES.items() for rank, alias in enumerate(aliases)
}


def known_field(header: str) -> tuple[str, int] | None:
    """(field, rank) for a header spelling, trying it without a trailing
    parenthesised note too (更新日期(yyyy-mm-dd)); None when unknown."""
    key = _header_key(header)
    return _ALIAS_INDEX.get(key) or _ALIAS_INDEX.get(_SUFFIX.sub("", key))


def header_score(cells: Iterable[str], column_map: Mapping[str, str] | None = None) -> int:
    """How many cells of a row are column names (listed, mapped, or read by
    their words): tells a header row from a title line above it."""
    mapped = {_header_key(k) for k in column_map or {}}
    return sum(1 for c in cells if c and (known_field(c) or _header_key(c) in mapped
                                          or guessed_field(c)))


@dataclass
class ColumnPlan:
    """How each source column is used: ``fields`` maps a field to its
    columns; ``extra`` lists the columns kept under ``import_extra``."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    guessed: set[str] = field(default_factory=set)  # columns placed by their headers' words

    def column(self, name: str) -> str | None:
        columns = self.fields.get(name)
        return columns[0] if columns else None


def plan_columns(headers: Iterable[str], column_map: Mapping[str, str] | None = None) -> ColumnPlan:
    """Assign the source's columns to import fields.

    ``column_map`` (header → field, or ``"ignore"``) is applied first and wins;
    the remaining headers go through ``COLUMN_ALIASES``, then, for a spelling
    not listed there, through the words in the header
    (``builder.import_headers.guessed_field``). When two columns claim the
    same single-column field, a listed spelling beats a guess, the
    better-ranked spelling wins, and the other is kept as an extra column,
    with a warning.

    Raises:
        ValueError: ``column_map`` names a field that does not exist.
    """
    headers = list(headers)
    overrides = {_header_key(k): v.strip() for k, v in (column_map or {}).items()}
    bad = sorted({v for v in overrides.values() if v not in FIELDS and v != IGNORE})
    if bad:
        raise ValueError(f"unknown import field(s) in the column map: {', '.join(bad)}; "
                         f"use one of {', '.join(sorted(FIELDS))} or {IGNORE!r}")
    plan = ColumnPlan()
    present = {_header_key(h) for h in headers}
    for missing in sorted(set(overrides) - present):
        plan.warnings.append(f"column map names {missing!r}, which is not a column of the source")
    claims: dict[str, list[tuple[int, int, str]]] = {}  # field -> (priority, rank, header)
    for position, header in enumerate(headers):
        key = _header_key(header)
        if key in overrides:
            if overrides[key] != IGNORE:
                claims.setdefault(overrides[key], []).append((0, position, header))
            continue
        found = known_field(header)
        if found is not None:
            claims.setdefault(found[0], []).append((1, found[1], header))
            continue
        # A spelling nobody listed: its words decide, below every known
        # spelling (builder.import_headers); the first such column wins.
        guess = guessed_field(header)
        if guess is None:
            plan.extra.append(header)
            continue
        claims.setdefault(guess, []).append((2, position, header))
    for name, claimants in claims.items():
        claimants.sort()
        if name in MULTI_COLUMN_FIELDS:
            plan.fields[name] = [h for _, _, h in sorted(claimants, key=lambda c: headers.index(c[2]))]
            continue
        plan.fields[name] = [claimants[0][2]]
        if claimants[0][0] == 2:
            plan.guessed.add(claimants[0][2])
        for _, _, header in claimants[1:]:
            plan.extra.append(header)
            plan.warnings.append(f"column {header!r} also looks like {name!r} but {claimants[0][2]!r} "
                                 f"was used; {header!r} is kept under import_extra "
                                 f"(choose with --map {header}={name})")
    if plan.extra:
        plan.extra.sort(key=headers.index)
        plan.warnings.append("columns not recognised, kept under import_extra: "
                             + ", ".join(plan.extra) + " (map them with --map COLUMN=FIELD)")
    return plan


def parse_map_options(options: Iterable[str]) -> dict[str, str]:
    """``["列名=field", ...]`` (the CLI's repeatable ``--map``) as a column map.

    Raises:
        ValueError: an option has no ``=``.
    """
    result = {}
    for option in options:
        column, sep, target = option.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise ValueError(f"--map {option!r}: write COLUMN=FIELD, e.g. 数据提供方=department")
        result[column.strip()] = target.strip()
    return result


def row_list(rows: list[int], limit: int = 5) -> str:
    """``rows 3, 4, 9 and 2 more``: row numbers for a warning."""
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


# --- cell values ----------------------------------------------------------------

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Mobile numbers, landlines with or without area code and extension, and the
# five-digit government hotlines (12345, 12315...).
_PHONE_RE = re.compile(r"(?<![\d-])(?:1[3-9]\d{9}"
                       r"|\(?0\d{2,3}\)?[-－ ]?\d{7,8}(?:(?:-|转)\d{1,5})?"
                       r"|[2-9]\d{6,7}(?:(?:-|转)\d{1,5})?|1\d{4})(?!\d)")
_CONTACT_LABEL_RE = re.compile(r"(联系电话|电子邮件|邮箱|电话|手机|e-?mail|tel|phone)\s*[:：]?",
                               re.IGNORECASE)
_LIST_SPLIT_RE = re.compile(r"[,，;；、|/\s]+")
_KEYWORD_SPLIT_RE = re.compile(r"[,，;；、\s]+")  # as domain.catalogue.catalog splits keywords


def cell_text(value: Any) -> str:
    """A cell as trimmed text without format characters (zero-width space,
    joiners, byte-order mark): dates in ISO form, 12.0 as 12, lists joined."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "、".join(t for v in value if (t := cell_text(v)))
    # Invisible format characters pasted with a name (a zero-width space
    # after 气象局) would make it another department, theme or title.
    return without_format_chars(str(value)).strip()


def cell_items(value: Any, *, keywords: bool = False) -> list[str]:
    """A list cell (JSON list, or text split on 、,，;； and spaces — and on / |
    unless ``keywords``), trimmed, without empties or repeats."""
    splitter = _KEYWORD_SPLIT_RE if keywords else _LIST_SPLIT_RE
    parts = value if isinstance(value, list) else splitter.split(cell_text(value))
    return list(dict.fromkeys(t for part in parts if (t := cell_text(part))))


def parse_formats(value: Any) -> list[str]:
    """Declared formats, lower-case without a leading dot: ["csv", "xlsx"].
    Reads JSON lists, Python-repr strings ("['xls', 'api']"), bracketed
    strings ("[csv,json]") and 、/,/;-separated text alike."""
    if isinstance(value, str):
        value = value.strip().strip("[]【】()（）{}")
    items = (f.strip(_FORMAT_QUOTES).lower().lstrip(".") for f in cell_items(value))
    return list(dict.fromkeys(f for f in items if f and normalise(f) not in PLACEHOLDERS))


_FORMAT_QUOTES = "'\"‘’“”[]【】 "


def parse_contact(texts: Iterable[str]) -> dict[str, str]:
    """Split contact cells into ``email``, ``phone`` and (what remains) ``name``;
    only the keys found."""
    emails: list[str] = []
    phones: list[str] = []
    names: list[str] = []
    for text in texts:
        emails += _EMAIL_RE.findall(text)
        rest = _EMAIL_RE.sub(" ", text)
        phones += _PHONE_RE.findall(rest)
        rest = _CONTACT_LABEL_RE.sub(" ", _PHONE_RE.sub(" ", rest))
        rest = " ".join(p for p in re.split(r"[\s,，;；、/|:：]+", rest) if p)
        if rest and normalise(rest) not in PLACEHOLDERS:
            names.append(rest)
    contact = {"name": "、".join(dict.fromkeys(names)),
               "phone": ", ".join(dict.fromkeys(phones)),
               "email": ", ".join(dict.fromkeys(emails))}
    return {k: v for k, v in contact.items() if v}


# --- identifiers ------------------------------------------------------------------

def source_slug(text: str) -> str:
    """The source identifier made URL-safe, or "" when that cannot be done
    without losing meaning (non-ASCII letters, path separators, too long,
    reserved folder names)."""
    text = text.strip().lower()
    if not text or not text.isascii() or any(bad in text for bad in ("..", "/", "\\")):
        return ""
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug if IDENTIFIER_RE.match(slug) and slug not in RESERVED_FOLDERS else ""


def assign_identifiers(records: list[tuple[int, dict[str, Any]]], has_column: bool) -> list[str]:
    """Set each descriptor's ``name``: the source identifier where usable, else
    ``<department>-<NNNN>`` numbered per department in source order (the same
    input gives the same ids). Returns warnings for the operator."""
    used: set[str] = set()
    invalid: list[int] = []
    renamed: list[int] = []
    pending = []
    for row, desc in records:
        raw = desc.pop("name", "")
        slug = source_slug(raw)
        if slug:
            ident, n = slug, 2
            while ident in used:
                ident, n = f"{slug[:60]}-{n}", n + 1
            if ident != slug:
                renamed.append(row)
            used.add(ident)
            desc["name"] = ident
        else:
            if raw:
                invalid.append(row)
            pending.append(desc)
    counters: Counter[str] = Counter()
    for desc in pending:
        prefix = source_slug(str(desc.get("department") or ""))[:50] or "dataset"
        while True:
            counters[prefix] += 1
            ident = f"{prefix}-{counters[prefix]:04d}"
            if ident not in used:
                break
        used.add(ident)
        desc["name"] = ident
    for _, desc in records:  # keep "name" first in the written file
        name = desc.pop("name")
        items = list(desc.items())
        desc.clear()
        desc.update([("name", name), *items])
    warnings = []
    if has_column and invalid:
        warnings.append(f"{len(invalid)} source identifiers are not URL-safe (a-z, 0-9, '-'); "
                        f"generated ones were used ({row_list(invalid)})")
    if renamed:
        warnings.append(f"{len(renamed)} source identifiers repeat; a -2, -3... suffix was added "
                        f"({row_list(renamed)})")
    return warnings
