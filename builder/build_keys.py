"""Keys of what a build writes, made once per build: a digest of the
catalogue's own files and the key of the navigation pages, so that a rebuild
renders none of them while what they show is unchanged (the digests of the
records are ``builder.records.record_digests``)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from builder import pages
from domain.catalogue.catalog import Catalog
from domain.catalogue.paths import RESERVED_FOLDERS

# Bump when the navigation pages read something the key below leaves out.
NAV_KEY_VERSION = "1"


def root_digest(root: Path) -> str:
    """A digest of the contents of the catalogue's own files: those directly
    in its folder (portal.yaml, vocabularies.yaml) and everything in its
    reserved folders (calendars, announcements, plans, evaluations). Dataset
    folders are left out (their data keys stand for them)."""
    sha = hashlib.sha256()
    with os.scandir(root) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        if entry.is_file():
            _add_file(sha, entry.name, Path(entry.path))
        elif entry.name in RESERVED_FOLDERS and entry.is_dir():
            for path in sorted(Path(entry.path).rglob("*")):
                if path.is_file():
                    _add_file(sha, path.relative_to(root).as_posix(), path)
    return sha.hexdigest()


def _add_file(sha: Any, rel: str, path: Path) -> None:
    sha.update(rel.encode() + b"\0")
    sha.update(path.read_bytes())
    sha.update(b"\0")


def files_key(global_key: str, day: str, ids: Sequence[str],
              entries: Mapping[str, Mapping[str, Any]],
              downloads: Mapping[str, Any]) -> str:
    """The key of the catalogue-wide files (catalog.json, feeds, sitemaps…):
    the site-wide key, the day, and each published dataset's page key and
    downloads, by id (``ids``, sorted). Hashed a dataset at a time: the text
    of all the downloads of 100,000 datasets is hundreds of megabytes."""
    sha = hashlib.sha256(f"{global_key}\0{day}\0".encode())
    for identifier in ids:
        # Each piece is one JSON array: pieces cannot run together.
        sha.update(orjson.dumps([identifier, entries[identifier]["page_key"],
                                 downloads[identifier]], default=str,
                                option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS))
    return sha.hexdigest()


def nav_key(code: str, templates: str, catalog: Catalog, root: str, ids: Sequence[str],
            made: Mapping[str, str], data_keys: Mapping[str, str], *,
            download_count: int, generated: str, suspended: int) -> str:
    """A key of everything :func:`builder.site_pages.nav_pages` reads: the
    code and templates, the catalogue's own files (``root``: their
    :func:`root_digest`), the portal settings as this build sees them, the
    day, the counts, and each published dataset's record digest (``made``)
    and data key (its resources give the examples of the API pages), by
    id (``ids``, sorted)."""
    sha = hashlib.sha256()
    for part in (NAV_KEY_VERSION, code, templates, root,
                 pages.stable_json(catalog.portal.__dict__), generated,
                 str(download_count), str(suspended)):
        sha.update(part.encode() + b"\0")
    for identifier in ids:
        sha.update(f"{identifier}\0{data_keys[identifier]}\0{made[identifier]}\0".encode())
    return sha.hexdigest()
