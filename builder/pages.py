"""Page models: catalogue → the values each template shows.

Pure functions over public records (``domain.catalogue.publication``) and download
descriptions; no file or theme access, so every page's content can be
tested without building a site.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlencode

import orjson

from builder.downloads import DownloadFile
from builder.feeds import absolute
from builder.summaries import Full, Listed, whole
from domain.catalogue.catalog import PortalInfo
from domain.catalogue.freshness import Freshness
from domain.catalogue.model import OpenType, Status
from domain.catalogue.public_record import PublicRecord
from domain.catalogue.vocabulary import Vocabularies

FRESHNESS_LABELS = {f.value: f.label for f in Freshness}
OPEN_TYPE_LABELS = {t.value: t.label for t in OpenType if t is not OpenType.NOT_OPEN}
TYPE_LABELS = {
    "string": "文本", "integer": "整数", "number": "数值", "boolean": "是/否",
    "date": "日期", "datetime": "日期时间", "time": "时间", "year": "年份",
    "yearmonth": "年月", "geopoint": "坐标", "geojson": "地理要素", "object": "对象",
    "array": "数组", "duration": "时长", "any": "任意",
}


@dataclass
class ResourceView:
    name: str
    title: str
    description: str
    fields: list[dict[str, str]]
    # Column headings of the preview: {"title": 中文名称, "name": field name}.
    preview_header: list[dict[str, str]] = field(default_factory=list)
    preview_rows: list[list[str]] = field(default_factory=list)
    downloads: list[DownloadFile] = field(default_factory=list)
    snippets: list[dict[str, str]] = field(default_factory=list)


# Frictionless' default spellings of a boolean (Table Schema trueValues /
# falseValues), shown to people as 是/否.
_TRUE = frozenset({"true", "True", "TRUE", "1"})
_FALSE = frozenset({"false", "False", "FALSE", "0"})


def readable_preview(resource_fields: list[dict[str, str]], header: list[str],
                     rows: list[list[str]]) -> tuple[list[dict[str, str]], list[list[str]]]:
    """The preview as people read it: each column headed by its Chinese title
    (the field name stays as secondary text; a column without a title keeps
    its name) and boolean cells as 是/否. Other cells are left as they are."""
    by_name = {f["name"]: f for f in resource_fields}
    columns = [{"title": (by_name.get(h) or {}).get("title") or h, "name": h} for h in header]
    booleans = [(by_name.get(h) or {}).get("type") == "boolean" for h in header]
    readable = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if i < len(booleans) and booleans[i]:
                cell = "是" if cell in _TRUE else "否" if cell in _FALSE else cell
            cells.append(cell)
        readable.append(cells)
    return columns, readable


def snippets(portal: PortalInfo, record: PublicRecord, csv_name: str) -> list[dict[str, str]]:
    """Copy-paste examples for the UTF-8 CSV of a resource."""
    url = absolute(portal, record.url + csv_name)
    return [
        {"title": "命令行（curl）", "code": f"curl -O {url}"},
        {"title": "Python（标准库）", "code":
            "import csv, io, urllib.request\n"
            f'with urllib.request.urlopen("{url}") as resp:\n'
            '    rows = list(csv.DictReader(io.TextIOWrapper(resp, encoding="utf-8")))\n'
            "print(len(rows), rows[0])"},
        {"title": "pandas", "code":
            "import pandas as pd\n"
            f'df = pd.read_csv("{url}")\n'
            "print(df.head())"},
    ]


def dataset_jsonld(portal: PortalInfo, record: PublicRecord,
                   downloads: Sequence[DownloadFile]) -> dict[str, Any]:
    """schema.org ``Dataset`` for search engines (in the page's JSON-LD)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": record.title,
        "description": record.summary,
        "identifier": record.id,
        "url": absolute(portal, record.url),
        "keywords": list(record.keywords),
        "inLanguage": "zh-CN",
        "isAccessibleForFree": True,
        "creator": {"@type": "GovernmentOrganization", "name": record.department_name},
        "publisher": {"@type": "GovernmentOrganization", "name": portal.bureau or portal.name},
        "license": absolute(portal, "terms/"),
        "conditionsOfAccess": record.open_type_name,
    }
    if record.published:
        data["datePublished"] = record.published.isoformat()
    if record.last_updated:
        data["dateModified"] = record.last_updated.isoformat()
    if record.region_name:
        data["spatialCoverage"] = {"@type": "Place", "name": record.region_name}
    if record.temporal:
        data["temporalCoverage"] = record.temporal.interval
    data["distribution"] = [
        {"@type": "DataDownload", "encodingFormat": d.media_type, "name": d.label,
         "contentUrl": absolute(portal, record.url + d.filename), "contentSize": str(d.bytes)}
        for d in downloads
    ]
    return data


def dataset_context(portal: PortalInfo, record: PublicRecord, resources: list[ResourceView],
                    *, age_days: int | None, next_due: str | None, root: str,
                    package_url: str | None) -> dict[str, Any]:
    all_downloads = [d for r in resources for d in r.downloads]
    service = portal.request_service_url.rstrip('/')
    apply_url = f"{service}/apply/{record.id}"
    dataset_api = f"{portal.search_api_url.rstrip('/') or service}/api/v1/datasets/{record.id}"
    return {
        "r": record,
        "root": root,
        "resources": resources,
        "apply_url": apply_url,
        # A market entity applies to operate the data (授权运营) on the service's form.
        "operation_url": f"{service}/operations/apply?{urlencode({'datasets': record.id})}",
        "service_url": service,
        "report_url": f"{service}/report/{record.id}",
        "answers_api": f"{dataset_api}/reports",
        "reuses_api": f"{dataset_api}/reuses",
        # All downloads the service counted (the default window is one year).
        "downloads_api": f"{portal.search_api_url.rstrip('/') or service}/api/v1/statistics/"
                         f"downloads?dataset={record.id}&from=2000-01-01",
        "freshness_label": record.freshness.label,
        "provision_labels": [p.label for p in record.provision],
        "type_labels": TYPE_LABELS,
        "age_days": age_days,
        "next_due": next_due,
        "licence_name": portal.licence_name or "开放数据使用协议",
        "package_url": package_url,
        "jsonld": dataset_jsonld(portal, record, all_downloads),
    }


def _emergency_since(record: Listed) -> date:
    return record.emergency.since if record.emergency else date.min


def _bars(counter: Counter[str], names: dict[str, str], order: Sequence[str] | None = None,
          ) -> list[dict[str, Any]]:
    top = max(counter.values(), default=1)
    codes = [c for c in (order or []) if counter.get(c)] if order else \
        [c for c, _ in counter.most_common()]
    return [{"code": c, "name": names.get(c, c), "count": counter[c],
             "share": round(100 * counter[c] / top, 1)} for c in codes]


def counts(records: Sequence[Listed], download_count: int) -> dict[str, int]:
    by_type = Counter(r.open_type for r in records)
    return {
        "published": len(records),
        "unconditional": by_type[OpenType.UNCONDITIONAL],
        "conditional": by_type[OpenType.CONDITIONAL],
        "departments": len({r.department for r in records}),
        "downloads": download_count,
    }


def home_context(portal: PortalInfo, vocab: Vocabularies, records: Sequence[Listed],
                 download_count: int, full: Full | None = None) -> dict[str, Any]:
    """The home page's values. ``records``: public records, or their
    summaries with ``full`` (the rows shown are made whole by it)."""
    names_dept = {t.code: t.name for t in vocab.departments}
    names_theme = {t.code: t.name for t in vocab.themes}
    emergencies = [r for r in records if r.emergency and r.emergency.active
                   and r.status is Status.ACTIVE]
    newest = heapq.nlargest(  # = sorted(..., reverse=True)[:10], without sorting them all
        10, (r for r in records if r.status is Status.ACTIVE),
        key=lambda r: (r.published or date.min, r.last_updated or date.min, r.id))
    return {
        "portal": portal, "root": "", "freshness_labels": FRESHNESS_LABELS,
        "counts": counts(records, download_count),
        "emergencies": [whole(r, full) for r in sorted(emergencies, key=_emergency_since,
                                                         reverse=True)],
        "newest": [whole(r, full) for r in newest],
        "by_open_type": _bars(Counter(r.open_type.value for r in records), OPEN_TYPE_LABELS,
                              list(OPEN_TYPE_LABELS)),
        "by_theme": _bars(Counter(r.theme for r in records), names_theme),
        "by_department": _bars(Counter(r.department for r in records), names_dept),
    }


def catalog_context(vocab: Vocabularies, records: Sequence[Listed]) -> dict[str, Any]:
    """The catalogue filter page: facet options with their counts."""
    def facet(key: str, title: str, values: Counter[str], names: dict[str, str],
              order: Sequence[str]) -> dict[str, Any]:
        codes = [c for c in order if values.get(c)] + sorted(c for c in values if c not in order)
        return {"key": key, "title": title,
                "options": [{"code": c, "name": names.get(c, c), "count": values[c]}
                            for c in codes]}

    dept = {t.code: t.name for t in vocab.departments}
    theme = {t.code: t.name for t in vocab.themes}
    freq = {t.code: t.name for t in vocab.frequencies}
    formats = Counter(f for r in records for f in r.formats)
    labels = {"department": dept, "theme": theme, "open_type": OPEN_TYPE_LABELS,
              "freshness": FRESHNESS_LABELS}
    return {
        "root": "../",
        "total": len(records),
        "labels": labels,
        "facets": [
            facet("open_type", "开放属性", Counter(r.open_type.value for r in records),
                  OPEN_TYPE_LABELS, list(OPEN_TYPE_LABELS)),
            facet("department", "数据提供部门", Counter(r.department for r in records), dept,
                  vocab.departments.codes()),
            facet("theme", "数据领域", Counter(r.theme for r in records), theme,
                  vocab.themes.codes()),
            facet("format", "数据格式", formats, {f: f.upper() for f in formats},
                  sorted(formats, key=lambda f: -formats[f])),
            facet("update_frequency", "更新频度",
                  Counter(r.update_frequency for r in records), freq,
                  vocab.frequencies.codes()),
        ],
    }


class Counted(Protocol):
    """What :func:`department_rows` reads of a record (a public record, or
    the build's brief of one)."""

    @property
    def department(self) -> str: ...
    @property
    def open_type(self) -> OpenType: ...
    @property
    def freshness(self) -> Freshness: ...


def department_rows(vocab: Vocabularies, records: Sequence[Counted]) -> list[dict[str, Any]]:
    """One row per department with published datasets, in vocabulary order.
    The records are grouped once (not scanned once per department: 100,000
    datasets of 100 departments made that ten million comparisons)."""
    by_department: dict[str, list[Counted]] = {}
    for record in records:
        by_department.setdefault(record.department, []).append(record)
    rows = []
    for term in vocab.departments:
        mine = by_department.get(term.code)
        if not mine:
            continue
        rows.append({
            "code": term.code, "name": term.name, "total": len(mine),
            "unconditional": sum(r.open_type is OpenType.UNCONDITIONAL for r in mine),
            "conditional": sum(r.open_type is OpenType.CONDITIONAL for r in mine),
            "overdue": sum(r.freshness is Freshness.OVERDUE for r in mine),
        })
    return rows


def announcements(records: Sequence[Listed], full: Full | None = None) -> list[dict[str, Any]]:
    """Withdrawal and invalidation notices, newest first (000 §33, 002 §39).
    ``full``: see :func:`home_context`."""
    notices = []
    for listed in records:
        if listed.withdrawal is None and listed.invalidation is None:
            continue
        r = whole(listed, full)
        for notice, kind in ((r.withdrawal, "撤回"), (r.invalidation, "失效")):
            if notice:
                notices.append({"date": notice.date, "kind": kind, "title": r.title,
                                "url": r.url, "department_name": r.department_name,
                                "reason": notice.reason})
    return sorted(notices, key=lambda n: (n["date"], n["title"]), reverse=True)


def downloads_as_dicts(files: Sequence[DownloadFile]) -> list[dict[str, Any]]:
    """Each file as a dict of its fields, in their order (``asdict``, which
    copies recursively, cost a tenth of a page's writing)."""
    return [{name: getattr(f, name) for name in _DOWNLOAD_FIELDS} for f in files]


_DOWNLOAD_FIELDS = tuple(f.name for f in fields(DownloadFile))


def stable_json(data: Any) -> str:
    """``data`` as JSON with sorted keys: the same text for the same data
    (page and file keys hash it; orjson, several times faster than json)."""
    return orjson.dumps(data, default=str,
                        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS).decode()
