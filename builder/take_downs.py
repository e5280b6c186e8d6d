"""Datasets taken down: which datasets the previous build published and
this one does not, and why (withheld for problems, no longer open, or
removed). Their pages become 暂停发布 notices until they are republished."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from builder.withholding import PublicationChanges, TakeDown, carried_take_downs, reason_for

log = logging.getLogger("builder.build")


def was_online(old_state: Mapping[str, Any], out: Path) -> dict[str, dict[str, Any]]:
    """The datasets the previous build published (state entries with a
    page). Without a build state (the cache deleted, a new machine) they
    are read from the site ``out`` itself: its catalog-index.json lists what
    was online, so a take-down is never forgotten with the cache."""
    if old_state:
        online: dict[str, dict[str, Any]] = old_state.get("datasets", {})
        return online
    index = out / "catalog-index.json"
    if not index.is_file():  # a first build: nothing was online
        return {}
    try:
        data = orjson.loads(index.read_bytes())
        keys = data["keys"]
        at_id, at_title = keys.index("id"), keys.index("title")
        return {str(row[at_id]): {"page_key": "", "title": str(row[at_title])}
                for row in data["rows"]}
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        log.warning("%s cannot be read; datasets the previous build published and this "
                    "one does not are not known to be taken down", index)
        return {}


def take_downs(changes: PublicationChanges, online: Mapping[str, Mapping[str, Any]],
               previous: Mapping[str, Any], records: Mapping[str, Any], all_ids: set[str],
               titles: Mapping[str, str], today: date) -> dict[str, Any]:
    """Every dataset that was ``online`` and is not in ``records`` any more
    (its page becomes a 暂停发布 notice), on top of the ``previous``
    take-downs still not republished; sets ``changes.taken_down`` and
    returns the take-downs to remember (kept until republished). The reason
    is the problems that withheld it, not-open (still in the catalogue, in
    ``all_ids``) or removed."""
    current = carried_take_downs(previous)
    day = today.isoformat()
    for ident, entry in online.items():
        if "page_key" not in entry or ident in records or ident in current:
            continue
        folder = entry.get("folder")
        if ident in changes.withheld:
            reason = reason_for(changes.withheld[ident])
        elif folder in changes.withheld:  # its descriptor could not be read at all
            reason = reason_for(changes.withheld[folder])
        elif ident in all_ids:
            reason = "not-open"
        else:
            reason = "removed"
        current[ident] = TakeDown(ident, titles.get(ident) or entry.get("title")
                                  or ident, reason, day, new=True)
    for ident in [i for i in current if i in records]:
        del current[ident]  # published again
    changes.taken_down = current
    return {i: {"title": t.title, "reason": t.reason, "since": t.since}
            for i, t in sorted(current.items())}

