"""Catalogue-wide machine-readable files: ``catalog.json``, the compact
``catalog-index.json`` of the catalogue filter, ``sitemap.xml`` and an Atom
feed (the DCAT-AP catalogue is ``builder.dcat``).

All of them are made from the public records (``domain.catalogue.publication``) so
that nothing the pages hide can leak through a feed.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

from builder.summaries import Full, Listed, whole
from domain.catalogue.catalog import PortalInfo
from domain.catalogue.model import Status
from domain.catalogue.public_record import PublicRecord

# DCAT-AP frequencies (EU Publications Office authority table).
EU_FREQUENCY = {
    "realtime": "CONT", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY",
    "quarterly": "QUARTERLY", "semiannual": "ANNUAL_2", "yearly": "ANNUAL",
    "irregular": "IRREG", "static": "NEVER",
}
SITEMAP_LIMIT = 45_000  # the protocol allows 50,000 URLs per file



def escape(text: str) -> str:
    """XML text or attribute value: quotes escaped too (a theme or department
    name with a " would otherwise end an attribute)."""
    return _xml_escape(text, {'"': "&quot;"})

def absolute(portal: PortalInfo, path: str) -> str:
    base = portal.base_url if portal.base_url.endswith("/") else portal.base_url + "/"
    return base + path.lstrip("/")


def catalog_document(portal: PortalInfo, records: Sequence[PublicRecord],
                     generated: date) -> dict[str, Any]:
    """``catalog.json``: every published record (without its files; the
    build adds them, ``builder.site_pages``); the search index's input."""
    return {
        "portal": portal.name,
        "publisher": portal.bureau,
        "generated": generated.isoformat(),
        "count": len(records),
        "datasets": [r.to_json() for r in records],
    }


INDEX_KEYS = ("id", "title", "department", "theme", "open_type", "formats",
              "update_frequency", "last_updated", "freshness", "status", "region",
              "download_count")


def catalog_index(records: Sequence[Listed]) -> dict[str, Any]:
    """The compact list the catalogue page filters and sorts in the browser
    (``download_count``: 0 when the build had no download statistics)."""
    # In the order of INDEX_KEYS.
    rows = [[r.id, r.title, r.department, r.theme, r.open_type.value, list(r.formats),
             r.update_frequency, r.last_updated.isoformat() if r.last_updated else None,
             r.freshness.value, r.status.value, r.region, r.download_count or 0]
            for r in records]
    return {"keys": list(INDEX_KEYS), "rows": rows}


# The service's pages about one person's case (status, review, consultation):
# disallowed here and sent with X-Robots-Tag: noindex by the service.
ROBOTS_DISALLOW = ("/review/", "/consult/", "/requests/")


def robots_txt(portal: PortalInfo) -> str:
    """``robots.txt``: everything public may be crawled except the pages of
    individual cases; the sitemap is named with its absolute address."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW),
             f"Sitemap: {absolute(portal, 'sitemap.xml')}"]
    return "\n".join(lines) + "\n"


def sitemaps(portal: PortalInfo, pages: Sequence[tuple[str, str | None]]) -> dict[str, str]:
    """``sitemap.xml`` (an index when there are more pages than one file may
    hold) and its parts, as {filename: xml}."""
    def urlset(chunk: Sequence[tuple[str, str | None]]) -> str:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for path, lastmod in chunk:
            extra = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
            lines.append(f"<url><loc>{escape(absolute(portal, path))}</loc>{extra}</url>")
        lines.append("</urlset>")
        return "\n".join(lines) + "\n"

    if len(pages) <= SITEMAP_LIMIT:
        return {"sitemap.xml": urlset(pages)}
    files: dict[str, str] = {}
    index = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for number, start in enumerate(range(0, len(pages), SITEMAP_LIMIT), start=1):
        name = f"sitemap-{number}.xml"
        files[name] = urlset(pages[start:start + SITEMAP_LIMIT])
        index.append(f"<sitemap><loc>{escape(absolute(portal, name))}</loc></sitemap>")
    index.append("</sitemapindex>")
    files["sitemap.xml"] = "\n".join(index) + "\n"
    return files


def _stamp(day: date | None) -> str:
    if not day:
        return "1970-01-01T00:00:00+08:00"
    return f"{day.isoformat()}T00:00:00+08:00"


# Per-department feeds sit under this folder, one file per department code
# (the same code as the department page's folder): /feeds/departments/<code>.xml
DEPARTMENT_FEEDS = "feeds/departments"
SITE_FEED = "feed.xml"


def department_feed_path(code: str) -> str:
    """The site path of one department's Atom feed (stable while its code is)."""
    return f"{DEPARTMENT_FEEDS}/{code}.xml"


def _change(record: Listed) -> tuple[str, date | None]:
    """What last happened to a published dataset, as the entry's title word
    and its day: 撤回/失效 (with the notice's date), else 新增 or 更新."""
    for notice, status, word in ((record.withdrawal, Status.WITHDRAWN, "撤回"),
                                 (record.invalidation, Status.INVALID, "失效")):
        if record.status is status and notice:
            return word, notice.date
    if record.published and record.published == record.last_updated:
        return "新增", record.published
    return "更新", record.last_updated or record.published


def atom_feed(portal: PortalInfo, records: Sequence[Listed], limit: int = 50, *,
              title: str = "数据更新", path: str = SITE_FEED, page: str = "",
              full: Full | None = None) -> str:
    """An Atom feed of the datasets most recently added, updated, withdrawn
    or marked invalid, newest first. ``path``: the feed's own site path (its
    id); ``page``: the HTML page it accompanies. Made from public records
    only, so a conditional dataset appears with its metadata and never data.
    Entry ids are the dataset pages' addresses (stable across builds).
    ``records``: public records, or their summaries with ``full`` (id →
    public record: the entries are made whole by it)."""
    # The newest ``limit`` without sorting them all (heapq.nlargest is
    # sorted(..., reverse=True)[:limit], ties included).
    newest = [(_change(r), r) for r in heapq.nlargest(
        limit, records, key=lambda r: (_change(r)[1] or date.min, r.id))]
    updated = _stamp(newest[0][0][1]) if newest else \
        datetime.now(UTC).isoformat(timespec="seconds")
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
             f"<title>{escape(portal.name)}：{escape(title)}</title>",
             f'<link rel="alternate" type="text/html" href="{escape(absolute(portal, page))}"/>',
             f'<link rel="self" type="application/atom+xml" '
             f'href="{escape(absolute(portal, path))}"/>',
             f"<id>{escape(absolute(portal, path))}</id>",
             f"<updated>{updated}</updated>",
             f"<author><name>{escape(portal.bureau or portal.name)}</name></author>"]
    for (word, day), listed in newest:
        r = whole(listed, full)
        url = absolute(portal, r.url)
        lines += [
            "<entry>",
            f"<title>{word}：{escape(r.title)}</title>",
            f'<link rel="alternate" type="text/html" href="{escape(url)}"/>',
            f"<id>{escape(url)}</id>",
            f"<updated>{_stamp(day)}</updated>",
            f"<published>{_stamp(r.published)}</published>",
            f"<summary>{escape(r.department_name)} · {escape(r.open_type_name)} · "
            f"{escape(r.summary[:200])}</summary>",
            f'<category term="{escape(r.theme)}" label="{escape(r.theme_name)}"/>',
            "</entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def department_feeds(portal: PortalInfo, records: Sequence[Listed],
                     full: Full | None = None) -> dict[str, str]:
    """One Atom feed per department that has published datasets, as
    {site path: xml}; each lists only that department's datasets
    (``full``: see :func:`atom_feed`)."""
    by_department: dict[str, list[Listed]] = {}
    for record in records:
        by_department.setdefault(record.department, []).append(record)
    return {department_feed_path(code): atom_feed(
                portal, mine, title=f"{whole(mine[0], full).department_name}数据更新",
                path=department_feed_path(code), page=f"departments/{code}/", full=full)
            for code, mine in sorted(by_department.items())}


def feed_link(href: str, title: str) -> str:
    """The autodiscovery ``<link>`` of a feed for a page's <head> (``href``
    relative to the page or absolute)."""
    return (f'<link rel="alternate" type="application/atom+xml" '
            f'title="{escape(title)}" href="{escape(href)}">')


def department_feed_link(code: str, name: str, root: str = "../../") -> str:
    """The autodiscovery link of a department's feed on a page ``root`` below
    the site root (department and dataset pages are two folders deep)."""
    return feed_link(root + department_feed_path(code), f"{name}数据更新")
