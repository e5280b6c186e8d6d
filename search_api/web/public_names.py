"""Names and absolute addresses for messages and pages (no codes, no host
taken from a request).

Messages name a dataset by its title and a department by its name, and link
to the page concerned with an absolute address built from PUBLIC_SITE_URL
(its scheme, host and port): never from the host a request came in on,
which a client chooses (a forged Host header would otherwise put the
attacker's address in a reviewer's e-mail).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from domain.catalogue.catalog import load_vocabularies
from domain.catalogue.public_record import PublicRecord

log = logging.getLogger(__name__)


def public_origin(config: Mapping[str, Any]) -> str:
    """``scheme://host[:port]`` of PUBLIC_SITE_URL, or "" when it is not set
    (or not an absolute http(s) address)."""
    parts = urlsplit(str(config.get("PUBLIC_SITE_URL") or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def public_link(config: Mapping[str, Any], path: str) -> str:
    """The absolute address of the service's ``path`` ("" without
    PUBLIC_SITE_URL)."""
    origin = public_origin(config)
    return origin + path if origin else ""


def dataset_title(engine: Any, identifier: str) -> str:
    """A dataset's public title from the search index ``engine`` ("" when
    the index does not know it, or is being rebuilt: pages then show the code)."""
    try:
        found = engine.get(identifier) if engine is not None else None
        record = PublicRecord.from_json(found) if found is not None else None
    except Exception as exc:  # a search index being rebuilt: the code will do
        log.warning("dataset title of %s not found: %s", identifier[:64], exc.__class__.__name__)
        return ""
    return record.title if record else ""


class CatalogNames:
    """:class:`search_api.store.notify.Names` from the search index (dataset
    titles) and the catalogue's vocabularies (department names)."""

    def __init__(self, engine: Any, config: Mapping[str, Any]):
        self._engine = engine
        self._config = dict(config)
        found: list[Any] = []
        folder = Path(str(config.get("CATALOG_DIR") or "datasets"))
        try:
            vocab = load_vocabularies(folder, found)
            self._departments = {d.code: d.name for d in vocab.departments}
        except (OSError, ValueError) as exc:
            log.warning("department names not loaded from %s: %s", folder, exc)
            self._departments = {}

    def dataset(self, identifier: str) -> str:
        return dataset_title(self._engine, identifier)

    def department(self, code: str) -> str:
        return str(self._departments.get(code, ""))

    def link(self, path: str) -> str:
        return public_link(self._config, path)


def department_names() -> dict[str, str]:
    """Department code → name from the catalogue's labels (current app)."""
    names: dict[str, str] = current_app.extensions["portal_labels"].get().get("department", {})
    return names
