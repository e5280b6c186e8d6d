"""The site-wide pages and files, as {path: text} or theme pages.

Pure functions of the public records: what the home page, the catalogue
filter, department pages and the catalogue-wide files contain. The build
decides when to write them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from builder import dcat, feeds, pages, statistics
from builder.render import render
from builder.theme import NavPage, Shell
from domain import period_table
from domain.catalog import Catalog, PortalInfo
from domain.profiles import ProfileError, load_profile
from domain.vocabulary import Vocabularies

Records = list[dict[str, Any]]

log = logging.getLogger(__name__)


def _example_url(portal: PortalInfo, records: Records) -> str:
    for r in records:
        if r["data_public"]:
            return feeds.absolute(portal, r["url"])
    return feeds.absolute(portal, "datasets/")


def nav_pages(catalog: Catalog, records: Records, download_count: int,
              generated: str) -> list[NavPage]:
    """The pages in the navigation, rendered as HTML fragments."""
    portal, vocab = catalog.portal, catalog.vocab
    # Empty: the API is on the same host as the site (`portal serve`).
    api_url = portal.search_api_url.rstrip("/")
    return [
        NavPage("", "首页", render("home.html", **pages.home_context(
            portal, vocab, records, download_count)),
            description=f"{portal.name}：{portal.city}公共数据开放目录与下载"),
        NavPage("catalog", "数据目录",
                render("catalog.html", **pages.catalog_context(vocab, records))),
        NavPage("search", "数据搜索", render("search.html", root="../", api_url=api_url)),
        NavPage("departments", "数据提供部门", render(
            "departments.html", portal=portal, root="../",
            rows=pages.department_rows(vocab, records))),
        NavPage("announcements", "撤回与失效公告", render(
            "announcements.html", root="../", notices=pages.announcements(records))),
        NavPage("guide", "使用指南", render(
            "guide.html", root="../", portal=portal,
            example_url=_example_url(portal, records), **_periods(portal))),
        NavPage("statistics", "统计", _statistics_page(catalog, records, generated, api_url)),
        NavPage("about", "关于", render(
            "about.html", portal=portal, counts=pages.counts(records, download_count))),
        NavPage("terms", "使用协议", render("terms.html", portal=portal)),
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


def _statistics_page(catalog: Catalog, records: Records, generated: str, api_url: str) -> str:
    stats = statistics.statistics(catalog.vocab, records, generated)
    names = {d.code: d.name for d in catalog.vocab.departments}
    return render("statistics.html", root="../", columns=statistics.DEPARTMENT_COLUMNS,
                  stats=stats, charts=statistics.charts(stats), api_url=api_url,
                  department_names=json.dumps(names, ensure_ascii=False))


def department_pages(catalog: Catalog, records: Records, shell: Shell,
                     record_key: Callable[[dict[str, Any]], str],
                     ) -> Iterator[tuple[str, str, Callable[[], str]]]:
    """One page per department, poured into the shell like dataset pages
    (they sit at the same depth and are not in the navigation).

    Yields ``(path, key, render)``: ``key`` changes whenever the page would
    (the shell, the department's counts, ``record_key`` of each of its
    datasets), so a caller may skip ``render`` for a page it already has."""
    vocab = catalog.vocab
    by_department: dict[str, Records] = {}
    for record in records:
        by_department.setdefault(record["department"], []).append(record)
    for row in pages.department_rows(vocab, records):
        mine = sorted(by_department[row["code"]],
                      key=lambda r: (r["status"] != "active", r["title"]))
        sha = hashlib.sha256(shell.text.encode())
        sha.update(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str).encode())
        for record in mine:
            sha.update(record_key(record).encode())
        yield (f"departments/{row['code']}/index.html", sha.hexdigest(),
               partial(_department_page, vocab, row, mine, shell))


def _department_page(vocab: Vocabularies, row: dict[str, Any], mine: Records,
                     shell: Shell) -> str:
    body = render("department.html", root="../../", dept=vocab.department(row["code"]),
                  records=mine, freshness_labels=pages.FRESHNESS_LABELS, counts={
                      "unconditional": row["unconditional"],
                      "conditional": row["conditional"], "overdue": row["overdue"]})
    return shell.fill(title=row["name"], description=f"{row['name']}开放数据目录",
                      content_html=body, canonical=f"departments/{row['code']}/")


def _compact(data: Any) -> str:
    # Compact UTF-8 JSON; orjson is several times faster than json here, and
    # catalog.json of 10,000 datasets is rewritten whenever one changes.
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode() + "\n"


def catalogue_files(catalog: Catalog, records: Records,
                    downloads: dict[str, list[dict[str, Any]]], today: date,
                    cache_dir: Path | None = None) -> dict[str, str]:
    """catalog.json, catalog-index.json, dcat.jsonld, dcat.ttl, feed.xml and
    sitemaps. ``cache_dir``: the build cache (DCAT fragments of unchanged
    datasets are reused from there)."""
    portal = catalog.portal
    # catalog.json also lists each dataset's download files (URL, size,
    # SHA-256): what the search index and the CKAN API hand to developers.
    with_files = [{**r, "downloads": [{**d, "url": r["url"] + d["filename"]}
                                      for d in downloads.get(r["id"], [])]}
                  for r in records]
    files = {
        "catalog.json": _compact(feeds.catalog_document(portal, with_files, today)),
        "catalog-index.json": _compact(feeds.catalog_index(records)),
        "feed.xml": feeds.atom_feed(portal, records),
    }
    files.update(dcat.dcat_files(portal, records, downloads, today.isoformat(), cache_dir))
    stats = statistics.statistics(catalog.vocab, records, today.isoformat())
    files["statistics.json"] = _compact(stats)
    files["statistics.csv"] = statistics.departments_csv(stats)
    site_pages: list[tuple[str, str | None]] = [
        (p, None) for p in ("", "catalog/", "search/", "departments/", "announcements/",
                            "guide/", "statistics/", "about/", "terms/")]
    site_pages += [(f"departments/{row['code']}/", None)
                   for row in pages.department_rows(catalog.vocab, records)]
    site_pages += [(r["url"], r["last_updated"]) for r in records]
    files.update(feeds.sitemaps(portal, site_pages))
    return files
