"""The portal's page layout around the service's pages.

`portal build` writes the static site's layout (header, navigation, phone
menu, footer, name, style sheets) to ``assets/service-chrome.json`` in the
site folder; this module reads it from SITE_DIR, so that the service's pages
and the static pages are one portal with one look. The file is the only
contract between the builder and the service: neither imports the other.

Its links to the static pages start with a marker that is replaced by the
site's address: PUBLIC_SITE_URL when set (the site on another host), else
``/`` (`portal serve` serves the site beside the service). Without the file
(SITE_DIR empty, or a site built by an older version) the service uses its
own plain layout with the same navigation.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from markupsafe import Markup, escape

from domain.catalogue.catalog import load_portal_info
from search_api.web.public_names import dataset_title

log = logging.getLogger(__name__)

CHROME_FILE = "assets/service-chrome.json"
CHINA = ZoneInfo("Asia/Shanghai")

# The same entries as the static site's navigation, for the plain layout:
# (label, path, on the site (True) or the service (False)).
NAVIGATION: tuple[tuple[str, str, bool], ...] = (
    ("首页", "", True),
    ("数据目录", "catalog/", True),
    ("数据搜索", "search/", True),
    ("数据提供部门", "departments/", True),
    ("数据接口", "developers/", True),
    ("申请进度查询", "/requests/status", False),
    ("开放需求", "/demands", False),
    ("意见建议", "/suggestions", False),
    ("应用成果", "/showcase", False),
    ("统计", "statistics/", True),
    ("公告", "announcements/", True),
    ("使用指南", "guide/", True),
    ("关于", "about/", True),
    ("使用协议", "terms/", True),
)


@dataclass(frozen=True)
class Chrome:
    """The built layout, split at the content marker."""

    name: str
    top_html: str
    bottom_html: str
    title_mark: str
    description_mark: str
    root_mark: str

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Chrome:
        """Raises ValueError: not a layout written by `portal build`."""
        page, content = str(data["page"]), str(data["content_mark"])
        if page.count(content) != 1:
            raise ValueError("the layout has no single content marker")
        top, bottom = page.split(content)
        return cls(name=str(data["name"]), top_html=top, bottom_html=bottom,
                   title_mark=str(data["title_mark"]),
                   description_mark=str(data["description_mark"]),
                   root_mark=str(data["root_mark"]))

    def _finish(self, text: str, root: str, nonce: str) -> str:
        text = text.replace(self.root_mark, str(escape(root)))
        if nonce:
            # The theme's few inline scripts run under a CSP without
            # 'unsafe-inline' only with the page's nonce.
            text = text.replace("<script>", f'<script nonce="{escape(nonce)}">')
        return text

    def top(self, *, title: str, description: str, root: str, stylesheet: str,
            nonce: str = "") -> Markup:
        """The page up to the content: ``title`` and ``description`` are
        text (escaped here unless already markup)."""
        text = self.top_html.replace(self.title_mark, str(escape(title)))
        text = text.replace(self.description_mark, str(escape(description)))
        text = text.replace("</head>", f'<link rel="stylesheet" href="{escape(stylesheet)}">\n'
                                       "</head>", 1)
        return Markup(self._finish(text, root, nonce))

    def bottom(self, *, root: str, nonce: str = "") -> Markup:
        return Markup(self._finish(self.bottom_html, root, nonce))


_cache: dict[str, tuple[float, Chrome | None]] = {}


def load(site_dir: str) -> Chrome | None:
    """The layout in ``site_dir`` (re-read when the file changes), or None
    when there is none or it cannot be read (logged once per change)."""
    if not site_dir:
        return None
    path = Path(site_dir) / CHROME_FILE
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cached = _cache.get(str(path))
    if cached and cached[0] == mtime:
        return cached[1]
    chrome: Chrome | None
    try:
        chrome = Chrome.parse(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring the site layout %s (%s): plain pages instead", path, exc)
        chrome = None
    _cache[str(path)] = (mtime, chrome)
    return chrome


def site_root(app: Flask) -> str:
    """Address of the static site's root, ending in ``/``."""
    public = str(app.config.get("PUBLIC_SITE_URL") or "").strip()
    return public.rstrip("/") + "/" if public else "/"


def install(app: Flask) -> None:
    """Give every template ``chrome`` (or None), ``site_root``,
    ``navigation`` and the portal's name: the built site's, else the
    catalogue's (portal.yaml), else the PORTAL_NAME setting."""
    catalog_name = _catalogue_name(str(app.config.get("CATALOG_DIR") or ""))
    app.add_template_filter(beijing_time, "beijing")

    @app.context_processor
    def _layout() -> dict[str, Any]:
        chrome = load(str(current_app.config.get("SITE_DIR") or ""))
        root = site_root(current_app)
        navigation = [(label, root + path if on_site else path)
                      for label, path, on_site in NAVIGATION]
        values: dict[str, Any] = {"chrome": chrome, "site_root": root,
                                  "navigation": navigation, "dataset_title": _dataset_title,
                                  "department_name": _department_name}
        if chrome is not None:
            values["portal_name"] = chrome.name
        elif catalog_name:
            values["portal_name"] = catalog_name
        return values


def _dataset_title(identifier: str) -> str:
    """A dataset's title for the pages ("" when the index does not know it:
    the page then shows the code)."""
    return dataset_title(current_app.extensions.get("portal_engine"), identifier)


def _department_name(code: str) -> str:
    """A department's name from the catalogue, or its code when unknown."""
    store = current_app.extensions.get("portal_store")
    names = getattr(store, "names", None)
    return (names.department(code) if names is not None else "") or code


def beijing_time(moment: datetime) -> str:
    """A moment as people here read it: Beijing time, to the minute
    (a naive value is taken as UTC, as the store keeps them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def _catalogue_name(catalog_dir: str) -> str:
    if not catalog_dir or not (Path(catalog_dir) / "portal.yaml").is_file():
        return ""
    found: list[Any] = []
    name = load_portal_info(Path(catalog_dir), found).name
    return "" if found else name
