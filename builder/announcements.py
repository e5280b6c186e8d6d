"""通知公告: one Markdown file per notice in ``<catalogue>/announcements/``.

Each file starts with YAML front matter naming the notice and its date::

    ---
    title: 关于平台系统维护的通知
    date: 2026-12-01
    ---
    正文第一段。

    正文第二段。

The body is shown as plain paragraphs (blank lines separate them): text from
the files is never read as HTML. Notices are listed newest first, on the
公告 page and in their own Atom feed (``announcements/feed.xml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

import yaml

from builder.feeds import absolute
from domain.catalogue.catalog import PortalInfo
from domain.catalogue.temporal import calendar_day

FOLDER = "announcements"
FEED_PATH = "announcements/feed.xml"
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.S)


class NoticeError(ValueError):
    """A notice file cannot be read; the message names the file and says
    what to fix."""


@dataclass(frozen=True)
class Notice:
    slug: str  # the file name without .md: the anchor on the page
    title: str
    on: date
    paragraphs: tuple[str, ...]


def load_notices(catalog_root: Path) -> list[Notice]:
    """Every notice of the catalogue, newest first (then by file name).

    Raises:
        NoticeError: a file without front matter, title or a valid date.
    """
    folder = catalog_root / FOLDER
    if not folder.is_dir():
        return []
    notices = [_notice(path, catalog_root) for path in sorted(folder.glob("*.md"))]
    return sorted(notices, key=lambda n: (n.on, n.slug), reverse=True)


def _notice(path: Path, root: Path) -> Notice:
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    match = _FRONT.match(text)
    if not match:
        raise NoticeError(f"{rel}: start the notice with front matter: a line '---', "
                          "'title: …' and 'date: YYYY-MM-DD', and another '---'")
    try:
        front = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise NoticeError(f"{rel}: the front matter is not valid YAML ({exc})") from None
    except ValueError:  # a date-like value that is no date (2026-13-05)
        front = {"title": "?", "date": None} | _title_only(match.group(1))
    if not isinstance(front, dict):
        raise NoticeError(f"{rel}: the front matter must be 'title:' and 'date:' lines")
    title = str(front.get("title") or "").strip()
    if not title:
        raise NoticeError(f"{rel}: add 'title: …' (the notice's title) to the front matter")
    try:
        on = calendar_day(front.get("date"))  # the catalogue's one reader of dates
    except ValueError:
        on = None
    if not isinstance(on, date):
        raise NoticeError(f"{rel}: add 'date: YYYY-MM-DD' (the day of the notice) to the "
                          "front matter")
    paragraphs = tuple(p.strip() for p in re.split(r"\n\s*\n", match.group(2)) if p.strip())
    return Notice(path.stem, title, on, paragraphs)


def _title_only(front: str) -> dict[str, str]:
    found = re.search(r"^title:\s*(.+)$", front, re.M)
    return {"title": found.group(1).strip()} if found else {}


def atom_feed(portal: PortalInfo, notices: list[Notice], limit: int = 50) -> str:
    """The notices as an Atom feed, newest first."""
    page = absolute(portal, "announcements/")
    updated = f"{notices[0].on.isoformat()}T00:00:00+08:00" if notices else \
        "1970-01-01T00:00:00+08:00"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
             f"<title>{escape(portal.name)}：通知公告</title>",
             f'<link rel="alternate" href="{escape(page)}"/>',
             f'<link rel="self" href="{escape(absolute(portal, FEED_PATH))}"/>',
             f"<id>{escape(absolute(portal, FEED_PATH))}</id>",
             f"<updated>{updated}</updated>",
             f"<author><name>{escape(portal.bureau or portal.name)}</name></author>"]
    for notice in notices[:limit]:
        url = f"{page}#{notice.slug}"
        stamp = f"{notice.on.isoformat()}T00:00:00+08:00"
        lines += ["<entry>", f"<title>{escape(notice.title)}</title>",
                  f'<link rel="alternate" href="{escape(url)}"/>', f"<id>{escape(url)}</id>",
                  f"<updated>{stamp}</updated>", f"<published>{stamp}</published>",
                  f'<content type="text">{escape(chr(10).join(notice.paragraphs))}</content>',
                  "</entry>"]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
