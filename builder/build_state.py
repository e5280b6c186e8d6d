"""The build state in the build cache: what the last build wrote and from
what (``builder.build``), kept so that a rebuild redoes only what changed.

At 100,000 datasets the state is about 150 MB of JSON, nearly all of it the
entries of the datasets. Written as one file it was rewritten whole after a
change to one dataset (1.5 s). Here it is:

- ``state.json``: everything but the datasets' entries (the files written,
  the keyed groups, the take-downs) and a *stamp* for each shard;
- ``state/NN-STAMP.json`` (``SHARDS`` of them): the entries of the datasets
  whose identifier hashes to NN, and that stamp.

A build writes the shards whose entries changed under new stamps (new
files: the ones ``state.json`` names stay as they are), then ``state.json``
naming them, then removes the shard files it no longer names. Every file
goes through a temporary file and a rename. So a build that crashes at any
point leaves the state of the last build that finished, whole: its
``state.json`` still names its own shards. A shard that is missing or
damaged is not read: its datasets count as new and are built again.

A ``state.json`` of earlier versions holds the entries itself (key
``datasets``): it is read as it is, and the next build writes every shard
(no migration step). Older code reading this layout finds no entries and
builds every dataset again once.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from builder.site_output import write_state

log = logging.getLogger(__name__)

SHARDS = 64
SHARD_FOLDER = "state"  # beside state.json
STAMPS = "shard_stamps"  # the key of state.json naming each shard's stamp


def shard(identifier: str) -> int:
    """The shard (0 … SHARDS-1) a dataset's entry is kept in."""
    return zlib.crc32(identifier.encode("utf-8", "surrogateescape")) % SHARDS


def _shard_path(path: Path, number: int, stamp: str) -> Path:
    return path.with_name(SHARD_FOLDER) / f"{number:02d}-{stamp}.json"


def read_state(path: Path) -> dict[str, Any]:
    """The state kept at ``path`` (``state.json``), its datasets' entries
    under ``datasets`` whichever layout holds them; ``{}`` when it is
    missing or damaged. A shard that is missing or damaged is left out:
    its datasets have no entry."""
    try:
        state = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict):
        return {}
    stamps = state.get(STAMPS)
    if "datasets" in state or not isinstance(stamps, list) or len(stamps) != SHARDS:
        return state  # the single-file layout (or no datasets at all)
    datasets: dict[str, Any] = {}
    for number, stamp in enumerate(stamps):
        try:
            part = orjson.loads(_shard_path(path, number, str(stamp)).read_bytes())
        except FileNotFoundError:
            part = None
        except (OSError, ValueError) as error:
            log.warning(
                "build state shard %d is damaged (%s): its datasets are built again", number, error
            )
            part = None
        if (
            isinstance(part, dict)
            and part.get("stamp") == stamp
            and isinstance(part.get("datasets"), dict)
        ):
            datasets.update(part["datasets"])
    state["datasets"] = datasets
    return state


def save_state(path: Path, state: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """Keep ``state`` (with its entries under ``datasets``) at ``path``,
    ``old`` being what :func:`read_state` gave at the start of the build:
    the shards whose entries differ from ``old``'s are written under new
    stamps, then ``state.json`` when anything in it differs, then the shard
    files it does not name are removed. Returns whether anything was
    written."""
    datasets: Mapping[str, Any] = state.get("datasets", {})
    old_stamps = old.get(STAMPS)
    if not isinstance(old_stamps, list) or len(old_stamps) != SHARDS or not path.is_file():
        old_stamps = [None] * SHARDS  # the single-file layout or none: every shard written
    new_parts: list[dict[str, Any]] = [{} for _ in range(SHARDS)]
    for identifier, entry in datasets.items():
        new_parts[shard(identifier)][identifier] = entry
    old_parts: list[dict[str, Any]] = [{} for _ in range(SHARDS)]
    for identifier, entry in old.get("datasets", {}).items():
        old_parts[shard(identifier)][identifier] = entry
    stamps = list(old_stamps)
    for number in range(SHARDS):
        if (
            stamps[number] is None
            or new_parts[number] != old_parts[number]
            or not _shard_path(path, number, stamps[number]).is_file()
        ):
            stamps[number] = os.urandom(8).hex()
            file = _shard_path(path, number, stamps[number])
            file.parent.mkdir(parents=True, exist_ok=True)
            write_state(file, {"stamp": stamps[number], "datasets": new_parts[number]})
    top = {key: value for key, value in state.items() if key != "datasets"}
    top[STAMPS] = stamps
    old_top = {key: value for key, value in old.items() if key != "datasets"}
    if top == old_top and path.is_file():
        return False
    write_state(path, top)
    _remove_unnamed(path, stamps)
    return True


def _remove_unnamed(path: Path, stamps: list[str]) -> None:
    """Remove the shard files (and temporary files) beside ``path`` that its
    ``stamps`` do not name: replaced shards, those of a crashed build."""
    named = {_shard_path(path, number, stamp).name for number, stamp in enumerate(stamps)}
    try:
        files = list(path.with_name(SHARD_FOLDER).iterdir())
    except OSError:
        return
    for file in files:
        if file.name not in named:
            file.unlink(missing_ok=True)
