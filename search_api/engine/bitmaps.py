"""Bitmaps of one index generation (embedded engine): filters, facet counts
and the precomputed sort orders.

Tables (rebuilt by ``write_snapshot`` at every ``index()``):

``bitmap``  per filter value, the set of records holding it, as a little-endian
            bitmap over rids; key "*" is the set of all records;
``vector``  the records in "updated" and "name" order and each record's place
            in them; each record's ranking factor;
``factor``  rid → ranking factor, joined by the ranking SQL (no Python call
            per row, so the query runs without the GIL);
``title_key`` rid → ranking factor and lower-cased title, joined by the
            ranking SQL of the exact-title boost (a row of a few dozen
            bytes, where the records row holds the whole body).

``load_snapshot`` reads them once per generation and process into an
immutable ``Snapshot`` shared by threads. A search's filters, total and
disjunctive facet counts are then AND/popcount operations on Python ints.
"""

from __future__ import annotations

import re
import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from search_api.engine.base import FILTER_KEYS

LIVE = "*"  # bitmap key of the set of all records
_NONZERO = re.compile(rb"[^\x00]")

TITLE_KEY_TABLE = ("CREATE TABLE title_key(rid INTEGER PRIMARY KEY, factor REAL NOT NULL, "
                   "title TEXT NOT NULL)")
SCHEMA = """
CREATE TABLE bitmap(key TEXT NOT NULL, value TEXT NOT NULL, bits BLOB NOT NULL,
    PRIMARY KEY (key, value)) WITHOUT ROWID;
CREATE TABLE vector(name TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE factor(rid INTEGER PRIMARY KEY, factor REAL NOT NULL);
""" + TITLE_KEY_TABLE + ";\n"
TITLE_KEY = "INSERT INTO title_key SELECT rid, factor, lower(title) FROM records"


def add_title_key(conn: sqlite3.Connection) -> None:
    """Create and fill ``title_key`` in an index written before it existed
    (inside the caller's write transaction): no re-index needed."""
    conn.execute(TITLE_KEY_TABLE)
    conn.execute(TITLE_KEY)



@dataclass(frozen=True)
class Snapshot:
    """The bitmaps and orders of one index generation (immutable, shared by threads)."""

    generation: str
    size: int  # bitmaps have bits 0 .. size-1
    live: int
    values: dict[str, dict[str, int]]  # filter key -> value -> bitmap
    order: dict[str, array[int]]  # "updated"/"name" -> rids in that order
    position: dict[str, array[int]]  # "updated"/"name" -> rid -> place in order

    @property
    def nbytes(self) -> int:
        return (self.size + 7) // 8

    def union(self, key: str, values: Iterable[str]) -> int:
        """The records holding any of ``values`` for filter ``key``."""
        bits = 0
        table = self.values.get(key, {})
        for value in values:
            bits |= table.get(value, 0)
        return bits


EMPTY = Snapshot("", 1, 0, {k: {} for k in FILTER_KEYS},
                 {"updated": array("i"), "name": array("i")},
                 {"updated": array("i", [0]), "name": array("i", [0])})


def bits_from_ids(ids: Iterable[int], size: int) -> int:
    """A bitmap (as an int) with the bits of ``ids`` set."""
    buf = bytearray((size + 7) // 8)
    for rid in ids:
        buf[rid >> 3] |= 1 << (rid & 7)
    return int.from_bytes(buf, "little")


def fts_match(conn: sqlite3.Connection, expression: str, size: int) -> tuple[int, int]:
    """The records FTS5 matches for ``expression``: (bitmap of ``size`` bits,
    how many). Raises sqlite3.OperationalError for an expression FTS5 rejects."""
    row = conn.execute("SELECT group_concat(rowid) FROM fts WHERE fts MATCH ?",
                       (expression,)).fetchone()
    ids = row[0].split(",") if row and row[0] else []
    return (bits_from_ids(map(int, ids), size) if ids else 0), len(ids)


def fts_more_than(conn: sqlite3.Connection, expression: str, limit: int) -> bool:
    """True when FTS5 matches more than ``limit`` records for ``expression``
    (it stops counting at ``limit`` + 1). Raises sqlite3.OperationalError
    for an expression FTS5 rejects."""
    row = conn.execute("SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT ?)",
                       (expression, limit + 1)).fetchone()
    return bool(row[0] > limit)


def iter_bits(mask: bytes) -> Iterator[int]:
    """The positions of the set bits of a little-endian bitmap, ascending."""
    for found in _NONZERO.finditer(mask):
        index = found.start()
        byte = mask[index]
        base = index << 3
        while byte:
            low = byte & -byte
            yield base + low.bit_length() - 1
            byte ^= low


def facets(snap: Snapshot, match: int, chosen: Mapping[str, int],
           filters: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, int]]:
    """Disjunctive facet counts: for each key, the records of ``match`` that
    pass every chosen filter but that key's own, counted per value (values
    selected in ``filters`` are listed even with 0)."""
    everything = match
    for bits in chosen.values():
        everything &= bits
    out: dict[str, dict[str, int]] = {}
    for key in FILTER_KEYS:
        if key in chosen:
            base = match
            for other, bits in chosen.items():
                if other != key:
                    base &= bits
        else:
            base = everything
        counts: dict[str, int] = {}
        if base:
            for value, bits in snap.values.get(key, {}).items():
                n = (base & bits).bit_count()
                if n:
                    counts[value] = n
        for value in filters.get(key, ()):
            counts.setdefault(value, 0)
        out[key] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


def ordered(snap: Snapshot, result: int, total: int, name: str,
            offset: int, limit: int) -> list[int]:
    """One page of ``result`` in a precomputed order: walk the order while
    that is cheap, else collect the (few) results and sort them."""
    need = offset + limit
    mask = result.to_bytes(snap.nbytes, "little")
    expected_walk = need * snap.size // max(total, 1)
    if expected_walk <= 3 * total + snap.nbytes // 8:
        page: list[int] = []
        for rid in snap.order[name]:
            if (mask[rid >> 3] >> (rid & 7)) & 1:
                page.append(rid)
                if len(page) >= need:
                    break
        return page[offset:]
    found = list(iter_bits(mask))
    found.sort(key=snap.position[name].__getitem__)
    return found[offset:need]


def load_snapshot(conn: sqlite3.Connection, generation: str) -> Snapshot:
    """The bitmaps and orders stored for ``generation`` (read in ``conn``'s
    transaction)."""
    values: dict[str, dict[str, int]] = {k: {} for k in FILTER_KEYS}
    live = 0
    size = 1
    for key, value, bits in conn.execute("SELECT key, value, bits FROM bitmap"):
        size = max(size, len(bits) * 8)
        if key == LIVE:
            live = int.from_bytes(bits, "little")
        elif key in values:
            values[key][value] = int.from_bytes(bits, "little")
    order: dict[str, array[int]] = {}
    position: dict[str, array[int]] = {}
    for name, data in conn.execute("SELECT name, data FROM vector"):
        kind, _, which = name.partition(":")
        vector = array("i")
        vector.frombytes(data)
        if kind == "order":
            order[which] = vector
        elif kind == "position":
            position[which] = vector
    for name in ("updated", "name"):
        order.setdefault(name, array("i"))
        position.setdefault(name, array("i", [0] * size))
    return Snapshot(generation, size, live, values, order, position)


def write_snapshot(conn: sqlite3.Connection) -> None:
    """Rebuild the bitmap, vector, factor and title_key tables from records and facet."""
    top = conn.execute("SELECT coalesce(max(rid), 0) FROM records").fetchone()[0]
    nbytes = (top + 1 + 7) // 8
    maps: dict[tuple[str, str], bytearray] = {}
    live = bytearray(nbytes)
    for (rid,) in conn.execute("SELECT rid FROM records"):
        live[rid >> 3] |= 1 << (rid & 7)
    for key, value, rid in conn.execute("SELECT key, value, rid FROM facet"):
        buf = maps.get((key, value))
        if buf is None:
            buf = maps[(key, value)] = bytearray(nbytes)
        buf[rid >> 3] |= 1 << (rid & 7)
    conn.execute("DELETE FROM bitmap")
    conn.execute("INSERT INTO bitmap VALUES (?, '', ?)", (LIVE, bytes(live)))
    conn.executemany("INSERT INTO bitmap VALUES (?, ?, ?)",
                     ((k, v, bytes(b)) for (k, v), b in maps.items()))
    conn.execute("DELETE FROM factor")
    conn.execute("INSERT INTO factor SELECT rid, factor FROM records")
    conn.execute("DELETE FROM title_key")
    conn.execute(TITLE_KEY)
    conn.execute("DELETE FROM vector")
    for name, order_by in (
            ("updated", "last_updated IS NULL, last_updated DESC, name_key, rid"),
            ("name", "name_key, title, rid")):
        rids = array("i", (r[0] for r in conn.execute(
            f"SELECT rid FROM records ORDER BY {order_by}")))
        positions = array("i", [len(rids)] * (top + 1))
        for place, rid in enumerate(rids):
            positions[rid] = place
        conn.executemany("INSERT INTO vector VALUES (?, ?)",
                         ((f"order:{name}", rids.tobytes()),
                          (f"position:{name}", positions.tobytes())))
