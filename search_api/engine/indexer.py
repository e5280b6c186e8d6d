"""The write side of the embedded engine: its schema, how a record becomes
rows (segmented text, facets, vocabulary) and the incremental update that
``EmbeddedEngine.index`` runs in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from search_api.engine import bitmaps
from search_api.engine.base import FILTER_KEYS, IndexStats, filter_values
from search_api.engine.segment import SEGMENTATION_VERSION, index_text, pinyin_words, sort_key
from search_api.engine.vocab import VOCAB_SCHEMA, update_vocab

SCHEMA_VERSION = "4"
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records(
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    title TEXT NOT NULL,
    factor REAL NOT NULL,
    name_key TEXT NOT NULL,
    last_updated TEXT,
    body TEXT NOT NULL
);
CREATE VIRTUAL TABLE fts USING fts5(
    title, keywords, summary, org, py, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE facet(
    key TEXT NOT NULL, value TEXT NOT NULL, rid INTEGER NOT NULL,
    PRIMARY KEY (key, value, rid)) WITHOUT ROWID;
CREATE INDEX facet_rid ON facet(rid);
""" + bitmaps.SCHEMA + VOCAB_SCHEMA
TABLES = ("meta", "records", "fts", "facet", "bitmap", "vector", "factor", "title_key", "vocab",
          "ordering")


def ranking_factor(record: Mapping[str, Any]) -> float:
    """> 1 for active, current data; < 1 for withdrawn or invalid records."""
    if record.get("status", "active") != "active":
        return 0.5
    factor = 1.0
    if record.get("freshness") in ("current", "due"):
        factor += 0.1
    emergency = record.get("emergency")
    if isinstance(emergency, dict) and emergency.get("active"):
        factor += 0.2
    return factor


def _keywords(record: Mapping[str, Any]) -> list[str]:
    keywords = record.get("keywords") or []
    return [keywords] if isinstance(keywords, str) else [str(k) for k in keywords]


def segment(record: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    """The fts columns of a record: title, keywords, summary, org, py."""
    title = str(record.get("title") or "")
    keywords = _keywords(record)
    org = " ".join(str(record.get(k) or "") for k in ("department_name", "theme_name",
                                                        "region_name"))
    return (index_text(title), index_text(" ".join(keywords)),
            index_text(str(record.get("summary") or "")), index_text(org),
            pinyin_words(title, keywords))



def prepare(records: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """id → (content hash, JSON body, record) of ``records``. The hash covers
    SEGMENTATION_VERSION, so a new segmentation re-indexes everything. Raises
    ValueError for a record without a non-empty string id or a repeated id."""
    incoming: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for record in records:
        identifier = record.get("id") if isinstance(record, Mapping) else None
        if not isinstance(identifier, str) or not identifier:
            raise ValueError("every record needs a non-empty string 'id'")
        if identifier in incoming:
            raise ValueError(f"record id {identifier!r} appears more than once")
        body = json.dumps(record, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"), default=str)
        digest = hashlib.blake2b((SEGMENTATION_VERSION + body).encode(),
                                 digest_size=16).hexdigest()
        incoming[identifier] = (digest, body, dict(record))
    return incoming


def apply(conn: sqlite3.Connection, incoming: dict[str, tuple[str, str, dict[str, Any]]],
          started: float) -> IndexStats:
    """Make the tables hold exactly ``incoming`` (id → (content hash, JSON
    body, record)) inside the caller's IMMEDIATE transaction: stale rows out,
    added and changed records segmented and written, vocabulary counts and
    bitmaps updated, a new generation published."""
    existing = {ident: (rid, digest) for rid, ident, digest in
                conn.execute("SELECT rid, id, hash FROM records")}
    removed = [rid for ident, (rid, _) in existing.items() if ident not in incoming]
    updated = [(existing[ident][0], ident) for ident, (digest, _, _) in incoming.items()
               if ident in existing and existing[ident][1] != digest]
    added = [ident for ident in incoming if ident not in existing]
    unchanged = len(incoming) - len(updated) - len(added)
    if not (removed or updated or added):
        return IndexStats(0, 0, 0, unchanged, time.perf_counter() - started)
    stale = removed + [rid for rid, _ in updated]
    old_bodies = [body for start in range(0, len(stale), 500)
                  for (body,) in conn.execute(
                      "SELECT body FROM records WHERE rid IN "
                      f"({','.join('?' * len(stale[start:start + 500]))})",
                      stale[start:start + 500])]
    conn.executemany("DELETE FROM fts WHERE rowid = ?", ((rid,) for rid in stale))
    conn.executemany("DELETE FROM facet WHERE rid = ?", ((rid,) for rid in stale))
    conn.executemany("DELETE FROM records WHERE rid = ?", ((rid,) for rid in stale))
    # New records take the lowest free rids, so bitmaps stay dense.
    used = {rid for rid, _ in existing.values()} - set(removed)
    free = (rid for rid in range(1, 1 << 62) if rid not in used)
    targets = updated + [(next(free), ident) for ident in added]
    rows: list[tuple[Any, ...]] = []
    texts: list[tuple[Any, ...]] = []
    facets: list[tuple[str, str, int]] = []
    for rid, ident in targets:
        digest, body, record = incoming[ident]
        title = str(record.get("title") or "")
        rows.append((rid, ident, digest, title, ranking_factor(record), sort_key(title),
                     record.get("last_updated") or None, body))
        texts.append((rid, *segment(record)))
        facets.extend((key, value, rid) for key in FILTER_KEYS
                      for value in filter_values(record, key))
    conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO fts(rowid, title, keywords, summary, org, py) "
                     "VALUES (?, ?, ?, ?, ?, ?)", texts)
    conn.executemany("INSERT INTO facet VALUES (?, ?, ?)", facets)
    update_vocab(conn, old_bodies, (incoming[ident][2] for _, ident in targets))
    if len(targets) + len(removed) > max(1000, len(incoming) // 10):
        conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    bitmaps.write_snapshot(conn)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (uuid.uuid4().hex,))
    return IndexStats(len(added), len(updated), len(removed), unchanged,
                      time.perf_counter() - started)
