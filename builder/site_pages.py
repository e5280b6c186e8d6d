"""The site-wide pages and files, as {path: text} or theme pages.

Pure functions of the public records: what the home page, the catalogue
filter, department pages and the catalogue-wide files contain. The build
decides when to write them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

import orjson

from builder import announcements, dcat, feeds, pages, statistics
from builder.downloads import safe_filename
from builder.evaluation_page import evaluation_page
from builder.plan_page import plan_page
from builder.render import render
from builder.spliced import Spliced
from builder.summaries import Full, Listed, Summary, whole
from builder.theme import NavPage, Shell
from domain.catalogue.catalog import Catalog, PortalInfo
from domain.catalogue.model import Status
from domain.catalogue.public_record import CatalogEntry, PublicRecord, PublishedFile
from domain.catalogue.vocabulary import Vocabularies
from domain.periods import period_table
from domain.periods.citations import POLICY_TEXT, basis_text
from domain.periods.profiles import ProfileError, load_profile

Records = Sequence[Listed]  # public records, or their summaries (builder.summaries)
Stats = Callable[[], dict[str, Any]]  # the statistics of the build's records, made once


def _statistics(catalog: Catalog, records: Records, generated: str,
                stats: Stats | None) -> dict[str, Any]:
    """The build's statistics from ``stats``, or made here (callers without one)."""
    return stats() if stats else statistics.statistics(catalog.vocab, records, generated)

log = logging.getLogger(__name__)


def _example_url(catalog: Catalog, records: Records) -> str:
    """The address of a real CSV download (the first open dataset with a
    table), for the examples of the guide and the API page."""
    portal = catalog.portal
    by_id = catalog.by_id()
    for r in records:
        if not r.data_public or r.id not in by_id:
            continue
        for resource in by_id[r.id].resources:
            if resource.format.lower() == "csv":
                name = safe_filename(resource.name, "resource")
                return feeds.absolute(portal, f"{r.url}{name}.csv")
    return feeds.absolute(portal, "catalog.json")


def _rows_example(catalog: Catalog, records: Records) -> dict[str, str]:
    """A real table of the data API (the first open dataset with a CSV table
    that has a schema), for the API page's examples."""
    by_id = catalog.by_id()
    for r in records:
        if not r.data_public or r.id not in by_id:
            continue
        for resource in by_id[r.id].resources:
            if resource.format.lower() == "csv" and resource.fields:
                return {"dataset": r.id, "table": resource.name}
    return {"dataset": "<资源代码>", "table": "<表名>"}


# Pages of the request service in every navigation (the service may live on
# another host: portal.yaml request_service_url).
SERVICE_LINKS: tuple[tuple[str, str], ...] = (
    ("申请进度查询", "/requests/status"),
    ("开放需求", "/demands"),
    ("意见建议", "/suggestions"),
    ("应用成果", "/showcase"),
)


# The service's server-rendered search results (search_api.search.html_views): the
# address is the contract between the two (tests/api/test_search_html.py).
SEARCH_RESULTS_PATH = "/find"


def service_link(portal: PortalInfo, path: str) -> str:
    """``path`` of the request service: on its own host when it has one,
    else on the site's host (`portal serve` serves both)."""
    return portal.request_service_url.rstrip("/") + path


def theme_files(catalog: Catalog) -> dict[str, str]:
    """Files published beside the theme's pages: the notices' Atom feed.

    Raises:
        builder.announcements.NoticeError: a notice file cannot be read.
    """
    notices = announcements.load_notices(catalog.root)
    return {announcements.FEED_PATH: announcements.atom_feed(catalog.portal, notices)}


def footer_text(portal: PortalInfo) -> str:
    """The footer of every page: who runs the portal and how to reach them."""
    parts = [portal.name]
    if portal.bureau:
        parts.append(f"主办：{portal.bureau}")
    if portal.contact_address:
        parts.append(f"地址：{portal.contact_address}")
    if portal.contact_phone:
        parts.append(f"电话：{portal.contact_phone}")
    if portal.contact_email:
        parts.append(f"邮箱：{portal.contact_email}")
    return " · ".join(parts)


def nav_pages(catalog: Catalog, records: Records, download_count: int,
              generated: str, *, suspended: int = 0, stats: Stats | None = None,
              full: Full | None = None) -> list[NavPage]:
    """The pages in the navigation, rendered as HTML fragments, and the
    links to the service's pages, in the order of the tabs. ``suspended``:
    how many datasets are taken down (the 公告 page links their list);
    ``stats``: gives the statistics of ``records`` (made here if None);
    ``full``: id → public record, when ``records`` are summaries (the
    records shown whole are made by it)."""
    portal, vocab = catalog.portal, catalog.vocab
    # Empty: the API is on the same host as the site (`portal serve`).
    api_url = portal.search_api_url.rstrip("/")
    example_url = _example_url(catalog, records)
    # Without JavaScript the search forms submit to the service's results page.
    search_action = api_url + SEARCH_RESULTS_PATH
    links = {title: NavPage(path.strip("/"), title, "", link=service_link(portal, path))
             for title, path in SERVICE_LINKS}
    return [
        NavPage("", "首页", render("home.html", **pages.home_context(
            portal, vocab, records, download_count, full), search_action=search_action),
            description=f"{portal.name}：{portal.city}公共数据开放目录与下载",
            head_html=feeds.feed_link(feeds.SITE_FEED, f"{portal.name}：数据更新")),
        NavPage("catalog", "数据目录",
                render("catalog.html", **pages.catalog_context(vocab, records)),
                description=f"{portal.name}全部开放数据集，可按部门、领域、开放属性筛选和排序"),
        NavPage("search", "数据搜索", render("search.html", root="../", api_url=api_url,
                                             search_action=search_action),
                description=f"按中文关键词搜索{portal.name}的数据集"),
        NavPage("departments", "数据提供部门", render(
            "departments.html", portal=portal, root="../",
            rows=pages.department_rows(vocab, records)),
            description=f"{portal.name}各数据提供部门及其开放数据"),
        NavPage("developers", "数据接口", render(
            "developers.html", root="../", portal=portal, example_url=example_url,
            api_base=feeds.absolute(portal, "").rstrip("/") if not api_url else api_url,
            example_id=next((r.id for r in records if r.data_public), ""),
            rows_example=_rows_example(catalog, records)),
            description=f"{portal.name}数据接口说明：搜索接口、按行查询接口、CKAN 兼容接口和调用示例"),
        *links.values(),
        NavPage("statistics", "统计", _statistics_page(
            catalog, _statistics(catalog, records, generated, stats),
            api_url),
                description=f"{portal.name}开放数据和申请办理统计"),
        NavPage("plan", "开放计划", plan_page(catalog, records, date.fromisoformat(generated)),
                description=f"{portal.name}开放计划（开放责任清单）及完成情况"),
        NavPage("evaluation", "年度评估", evaluation_page(catalog.root, portal.bureau),
                description=f"{portal.name}各部门公共数据开放工作年度评估结果"),
        NavPage("announcements", "公告", render(
            "announcements.html", root="../", notices=pages.announcements(records, full),
            basis=_withdrawal_basis(portal), suspended=suspended,
            general=announcements.load_notices(catalog.root)),
            description=f"{portal.name}通知公告及数据撤回、失效公告"),
        NavPage("guide", "使用指南", render(
            "guide.html", root="../", portal=portal, example_url=example_url,
            **_periods(portal)),
            description=f"如何在{portal.name}查找、下载和申请数据"),
        NavPage("about", "关于", render(
            "about.html", portal=portal, counts=pages.counts(records, download_count)),
            description=f"关于{portal.name}"),
        NavPage("terms", "使用协议", render("terms.html", portal=portal),
                description=portal.licence_name or f"{portal.name}使用协议"),
    ]


def _periods(portal: PortalInfo) -> dict[str, Any]:
    """The deployment's periods for the guide page (``profile:`` in
    portal.yaml, with its bureau-policy overrides), cited in Chinese; none
    when the overrides are invalid (``portal check`` reports portal.yaml)."""
    overrides = portal.extra.get("profile_overrides") or {}
    try:
        profile = load_profile(portal.profile, overrides if isinstance(overrides, dict) else {})
    except ProfileError as exc:
        log.warning("no periods on the guide page: %s", exc)
        return {"periods": [], "regulation": ""}
    return {"periods": [row for row in period_table.rows(profile) if row.days is not None],
            "regulation": f"《{profile.name}》"}


# Withdrawal announced with its reason (000 §33); invalid data marked and
# announced (002 §39). Public pages cite only the deployment's own text.
WITHDRAWAL_BASIS = "000 §33, 002 §39"


def _withdrawal_basis(portal: PortalInfo) -> str:
    """The basis of withdrawal and invalidation notices in the deployment's
    own regulation, or 本局规定 when its text has no such article."""
    try:
        profile = load_profile(portal.profile)
    except ProfileError:
        return POLICY_TEXT
    return basis_text(WITHDRAWAL_BASIS, profile.regulation)


def _statistics_page(catalog: Catalog, stats: dict[str, Any], api_url: str) -> str:
    names = {d.code: d.name for d in catalog.vocab.departments}
    return render("statistics.html", root="../", columns=statistics.DEPARTMENT_COLUMNS,
                  stats=stats, charts=statistics.charts(stats), api_url=api_url,
                  department_names=json.dumps(names, ensure_ascii=False))


class Ordered(pages.Counted, Protocol):
    """What :func:`department_pages` reads of a record to count and order a
    department's datasets (a public record, or the build's brief of one)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> Status: ...


L = TypeVar("L", bound=Ordered)


def department_pages(catalog: Catalog, records: Sequence[L], shell: Shell,
                     record_key: Callable[[L], str],
                     full: Callable[[str], PublicRecord | Summary] | None = None,
                     ) -> Iterator[tuple[str, str, Callable[[], str]]]:
    """One page per department, poured into the shell like dataset pages
    (they sit at the same depth and are not in the navigation).

    ``records`` are sorted by id; they are the public records, or with
    ``full`` (id → public record or its summary: a row shows only what a
    summary holds) briefs of them: a page's rows are then found only when
    it is rendered.
    Yields ``(path, key, render)``: ``key`` changes whenever the page would
    (the shell, the department's counts, ``record_key`` of each of its
    datasets), so a caller may skip ``render`` for a page it already has."""
    vocab = catalog.vocab
    by_department: dict[str, list[L]] = {}
    for record in records:
        by_department.setdefault(record.department, []).append(record)
    for row in pages.department_rows(vocab, records):
        mine = sorted(by_department[row["code"]],
                      key=lambda r: (r.status is not Status.ACTIVE, r.title))
        sha = hashlib.sha256(shell.text.encode())
        sha.update(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str).encode())
        for record in mine:
            sha.update(record_key(record).encode())
        yield (f"departments/{row['code']}/index.html", sha.hexdigest(),
               partial(_department_page, vocab, row, partial(_made, mine, full), shell))


def _made(mine: Sequence[Ordered],
          full: Callable[[str], PublicRecord | Summary] | None) -> list[Any]:
    """The records of a department page: ``mine`` itself, or made by ``full``."""
    return [full(r.id) for r in mine] if full is not None else list(mine)


def _department_page(vocab: Vocabularies, row: dict[str, Any],
                     mine: Callable[[], Sequence[Any]], shell: Shell) -> str:
    body = render("department.html", root="../../", dept=vocab.department(row["code"]),
                  records=mine(), freshness_labels=pages.FRESHNESS_LABELS, counts={
                      "unconditional": row["unconditional"],
                      "conditional": row["conditional"], "overdue": row["overdue"]})
    return shell.fill(title=row["name"], description=f"{row['name']}开放数据目录",
                      content_html=body, canonical=f"departments/{row['code']}/",
                      head_html=feeds.department_feed_link(row["code"], row["name"]))


def _compact(data: Any) -> str:
    # Compact UTF-8 JSON; orjson is several times faster than json here, and
    # catalog.json of 10,000 datasets is rewritten whenever one changes.
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode() + "\n"


# Bump when a catalog.json entry changes for the same record and downloads.
ENTRY_VERSION = "1"


def _catalog_json(portal: PortalInfo, records: Records,
                  downloads: dict[str, list[dict[str, Any]]], today: date,
                  record_digests: Mapping[str, str] | None = None,
                  full: Full | None = None) -> Spliced:
    """catalog.json, one piece per dataset (the same bytes as
    ``_compact(feeds.catalog_document(...))``, never the whole in memory).
    ``record_digests``: the digest of each record's public JSON
    (:func:`builder.dcat.record_digest`: an entry is that JSON and the
    downloads, whose addresses are relative); an entry is then reused from
    the previous catalog.json while its record and downloads are unchanged."""
    envelope = _compact(feeds.catalog_document(portal, [], today)).rstrip("\n")
    count = f'"count":{len(records)},'
    head, tail = envelope.split('"count":0,', 1)
    assert tail == '"datasets":[]}', tail  # "datasets" is the last key
    head += count + '"datasets":['

    def entry(listed: Listed) -> str:
        r = whole(listed, full)
        return _compact(CatalogEntry(r, tuple(
            PublishedFile.from_json({**d, "url": r.url + d["filename"]})
            for d in downloads.get(r.id, []))).to_json()).rstrip("\n")

    def key(r: Listed) -> str | None:
        if record_digests is None:
            return None
        return hashlib.sha256(orjson.dumps([ENTRY_VERSION, record_digests[r.id],
                                            downloads.get(r.id, [])])).hexdigest()

    return Spliced((hashlib.sha256(head.encode()).hexdigest(), lambda: head),
                   ((key(r), partial(entry, r)) for r in records), "]}\n", ",")


def catalogue_files(catalog: Catalog, records: Records,
                    downloads: dict[str, list[dict[str, Any]]], today: date,
                    cache_dir: Path | None = None,
                    record_digests: Mapping[str, str] | None = None,
                    stats: Stats | None = None,
                    full: Full | None = None) -> dict[str, str | Iterable[str]]:
    """catalog.json, catalog-index.json, dcat.jsonld, dcat.ttl, feed.xml and
    sitemaps. ``cache_dir``: the build cache (DCAT fragments of unchanged
    datasets are reused from there); ``record_digests``: see
    :func:`_catalog_json` and :func:`builder.dcat.dcat_chunks`; ``stats``: see
    :func:`nav_pages`; ``full``: id → public record when ``records`` are
    summaries (only the records a file shows whole, or whose pieces of the
    spliced files are not kept, are made). The three large
    files are :class:`builder.spliced.Spliced`."""
    portal = catalog.portal
    # catalog.json also lists each dataset's download files (URL, size,
    # SHA-256): what the search index and the CKAN API hand to developers.
    files: dict[str, str | Iterable[str]] = {
        "catalog.json": _catalog_json(portal, records, downloads, today, record_digests, full),
        "catalog-index.json": _compact(feeds.catalog_index(records)),
        feeds.SITE_FEED: feeds.atom_feed(portal, records, full=full),
        **feeds.department_feeds(portal, records, full),
        "robots.txt": feeds.robots_txt(portal),
    }
    files.update(dcat.dcat_chunks(portal, records, downloads, today.isoformat(), cache_dir,
                                  record_digests, full))
    made = _statistics(catalog, records, today.isoformat(), stats)
    files["statistics.json"] = _compact(made)
    files["statistics.csv"] = statistics.departments_csv(made)
    site_pages: list[tuple[str, str | None]] = [
        (p, None) for p in ("", "catalog/", "search/", "departments/", "announcements/",
                            "guide/", "statistics/", "plan/", "evaluation/", "about/",
                            "terms/")]
    site_pages += [(f"departments/{row['code']}/", None)
                   for row in pages.department_rows(catalog.vocab, records)]
    site_pages += [(r.url, r.last_updated.isoformat() if r.last_updated else None)
                   for r in records]
    files.update(feeds.sitemaps(portal, site_pages))
    return files
