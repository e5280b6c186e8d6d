"""The embedded search engine: one SQLite file, FTS5 over segmented Chinese.

Storage (one SQLite database in WAL mode):

``records``   one row per record: the stored JSON, its content hash, the raw
              title, a pinyin sort key, last_updated and a ranking factor.
``fts``       FTS5 (unicode61) over the records' text segmented by jieba's
              search mode (segment.py): title, keywords, summary, org
              (department, theme and region names), py (pinyin of the title's
              words). rowid = records.rid.
``facet``     one row per (filter key, value, record), one per format.
``bitmap``    per filter value, the set of records holding it, as a bitmap;
``vector``    the records in "updated" and "name" order (and each record's
              place in them), and each record's ranking factor. Both are derived
              from the tables above by every ``index()`` and read once per
              index generation by each process.

A search runs in one read transaction (a consistent WAL snapshot): the FTS5
MATCH gives the matching rowids, which become a bitmap (cached per index
generation and expression); filters, the total and every facet's disjunctive
counts are then AND/popcount operations on bitmaps (about 80 of them), so
their cost no longer grows with the number of matches. Ranking asks FTS5 for
bm25 only over the records whose title matches (tier 1), and over the rest
(tier 2) only when the page reaches past tier 1. Sorting by date or name
walks the precomputed order. See bench/search_bench.py for the figures.

Concurrency: one connection per thread (and per process: a connection is
never used across fork); readers never wait for the indexer (WAL); ``index()``
does all its writes in one IMMEDIATE transaction, so a reader sees the old or
the new index, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
import uuid
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search_api.engine.base import (
    FILTER_KEYS,
    EngineUnavailable,
    Hit,
    IndexStats,
    SearchError,
    SearchQuery,
    SearchResult,
    active_filters,
    filter_values,
    validate_query,
)
from search_api.engine.highlight import highlight, render
from search_api.engine.segment import (
    SEGMENTATION_VERSION,
    ParsedQuery,
    index_text,
    parse_query,
    pinyin_words,
    sort_key,
)
from search_api.engine.synonyms import Synonyms

log = logging.getLogger(__name__)

SCHEMA_VERSION = "3"
# bm25 column weights: title, keywords, summary, org, py (pinyin of title words)
WEIGHTS = (10.0, 5.0, 2.0, 1.5, 4.0)
EXACT_TITLE_BOOST = 1.5  # the title contains the whole query as typed
MATCH_CACHE_SIZE = 256

_SCHEMA = """
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
CREATE TABLE bitmap(key TEXT NOT NULL, value TEXT NOT NULL, bits BLOB NOT NULL,
    PRIMARY KEY (key, value)) WITHOUT ROWID;
CREATE TABLE vector(name TEXT PRIMARY KEY, data BLOB NOT NULL);
"""
_TABLES = ("meta", "records", "fts", "facet", "bitmap", "vector", "ordering")
_NONZERO = re.compile(rb"[^\x00]")
_LIVE = "*"  # bitmap key of the set of all records


@dataclass(frozen=True)
class _Snapshot:
    """The bitmaps and orders of one index generation (immutable, shared by threads)."""

    generation: str
    size: int  # bitmaps have bits 0 .. size-1
    live: int
    values: dict[str, dict[str, int]]  # filter key -> value -> bitmap
    order: dict[str, array[int]]  # "updated"/"name" -> rids in that order
    position: dict[str, array[int]]  # "updated"/"name" -> rid -> place in order
    factor: array[float]  # rid -> ranking factor (_ranking_factor)

    @property
    def nbytes(self) -> int:
        return (self.size + 7) // 8


_EMPTY = _Snapshot("", 1, 0, {k: {} for k in FILTER_KEYS},
                   {"updated": array("i"), "name": array("i")},
                   {"updated": array("i", [0]), "name": array("i", [0])}, array("f", [1.0]))


def _bits_from_ids(ids: Iterable[int], size: int) -> int:
    buf = bytearray((size + 7) // 8)
    for rid in ids:
        buf[rid >> 3] |= 1 << (rid & 7)
    return int.from_bytes(buf, "little")


def _iter_bits(mask: bytes) -> Iterator[int]:
    """The positions of the set bits of a little-endian bitmap, ascending."""
    for found in _NONZERO.finditer(mask):
        index = found.start()
        byte = mask[index]
        base = index << 3
        while byte:
            low = byte & -byte
            yield base + low.bit_length() - 1
            byte ^= low


def _ranking_factor(record: Mapping[str, Any]) -> float:
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


def _segment(record: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    title = str(record.get("title") or "")
    keywords = record.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [keywords]
    org = " ".join(str(record.get(k) or "") for k in ("department_name", "theme_name",
                                                        "region_name"))
    return (index_text(title), index_text(" ".join(str(k) for k in keywords)),
            index_text(str(record.get("summary") or "")), index_text(org), pinyin_words(title))


class EmbeddedEngine:
    """SearchEngine over an SQLite file (created when missing).

    ``synonyms``: the groups expanded at query time. Raises
    EngineUnavailable when the database cannot be opened or created.
    """

    def __init__(self, path: str | Path, synonyms: Synonyms | None = None,
                 match_cache_size: int = MATCH_CACHE_SIZE) -> None:
        self.path = Path(path)
        self.synonyms = synonyms or Synonyms()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._snapshot_cache: _Snapshot = _EMPTY
        self._matches: OrderedDict[tuple[str, str], tuple[int, int]] = OrderedDict()
        self._match_cache_size = match_cache_size
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._init_schema()
        except (OSError, sqlite3.Error) as exc:
            raise EngineUnavailable(f"cannot open search index {self.path}: {exc}") from exc

    # -- connections ---------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise EngineUnavailable("the search engine has been closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                   check_same_thread=False)
            for pragma in ("busy_timeout = 30000", "synchronous = NORMAL",
                           "cache_size = -65536", "mmap_size = 268435456",
                           "temp_store = MEMORY"):
                conn.execute("PRAGMA " + pragma)
            conn.create_function("inmask", 1, self._inmask)
            conn.create_function("factor", 1, self._factor)
            self._local.conn = conn
            self._local.pid = os.getpid()
            with self._lock:
                self._connections.append(conn)
        return conn

    def _factor(self, rid: int) -> float:
        factors: array[float] = self._local.factors
        return factors[rid] if rid < len(factors) else 1.0

    def _inmask(self, rid: int) -> bool:
        mask: bytes = self._local.mask
        index = rid >> 3
        return index < len(mask) and bool((mask[index] >> (rid & 7)) & 1)

    def _init_schema(self) -> None:
        conn = self._conn()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            have = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table')")}
            version = None
            if "meta" in have:
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                version = row[0] if row else None
            if version != SCHEMA_VERSION:
                if have & set(_TABLES):
                    log.warning("search index %s has schema %s, not %s: rebuilding it empty",
                                self.path, version, SCHEMA_VERSION)
                for table in _TABLES:
                    conn.execute(f"DROP TABLE IF EXISTS {table}")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO meta VALUES ('schema', ?), ('generation', ?)",
                             (SCHEMA_VERSION, uuid.uuid4().hex))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close every connection this engine opened (in any thread)."""
        self._closed = True
        with self._lock:
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:  # pragma: no cover
                    pass
            self._connections.clear()

    def clear_caches(self) -> None:
        """Forget cached match sets (the benchmark measures cold queries)."""
        with self._lock:
            self._matches.clear()

    # -- snapshot ------------------------------------------------------------

    def _snapshot(self, conn: sqlite3.Connection) -> _Snapshot:
        """The bitmaps of the generation visible in ``conn``'s transaction."""
        generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
        snap = self._snapshot_cache
        if snap.generation == generation:
            return snap
        values: dict[str, dict[str, int]] = {k: {} for k in FILTER_KEYS}
        live = 0
        size = 1
        for key, value, bits in conn.execute("SELECT key, value, bits FROM bitmap"):
            size = max(size, len(bits) * 8)
            if key == _LIVE:
                live = int.from_bytes(bits, "little")
            elif key in values:
                values[key][value] = int.from_bytes(bits, "little")
        order: dict[str, array[int]] = {}
        position: dict[str, array[int]] = {}
        factor = array("f", [1.0] * size)
        for name, data in conn.execute("SELECT name, data FROM vector"):
            kind, _, which = name.partition(":")
            if kind == "factor":
                factor = array("f")
                factor.frombytes(data)
                continue
            vector = array("i")
            vector.frombytes(data)
            if kind == "order":
                order[which] = vector
            elif kind == "position":
                position[which] = vector
        for name in ("updated", "name"):
            order.setdefault(name, array("i"))
            position.setdefault(name, array("i", [0] * size))
        snap = _Snapshot(generation, size, live, values, order, position, factor)
        with self._lock:
            self._snapshot_cache = snap
        return snap

    # -- search --------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """See SearchEngine.search."""
        started = time.perf_counter()
        validate_query(query)
        filters = active_filters(query)
        parsed = parse_query(query.q, self.synonyms) if query.q.strip() else None
        if parsed is not None and parsed.empty:
            parsed = None  # only punctuation or spaces: list everything
        offset = (query.page - 1) * query.per_page
        conn = self._conn()
        try:
            conn.execute("BEGIN")
            try:
                snap = self._snapshot(conn)
                expression = ""
                if parsed is None:
                    match = snap.live
                else:
                    match, expression = self._match(conn, snap, parsed)
                chosen = {key: self._union(snap, key, values) for key, values in filters.items()}
                result = match
                for bits in chosen.values():
                    result &= bits
                total = result.bit_count()
                facets = self._facets(snap, match, chosen, filters)
                rids: list[int] = []
                if offset < total:
                    if parsed is not None and query.sort == "relevance":
                        self._local.mask = result.to_bytes(snap.nbytes, "little")
                        self._local.factors = snap.factor
                        rids = self._rank(conn, parsed, expression, bool(filters),
                                          offset, query.per_page)
                    else:
                        order = "name" if query.sort == "name" else "updated"
                        rids = self._ordered(snap, result, total, order, offset, query.per_page)
                bodies = self._bodies(conn, rids)
            finally:
                conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc):
                raise SearchError(f"the query could not be understood ({exc}); "
                                  "remove quotes and special characters") from exc
            raise EngineUnavailable(f"search index {self.path} cannot be read: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise EngineUnavailable(f"search index {self.path} cannot be read: {exc}") from exc
        marks = parsed.marks if parsed else ()
        hits = []
        for rid in rids:
            record = json.loads(bodies[rid])
            if marks:
                lights = highlight(str(record.get("title") or ""),
                                   str(record.get("summary") or ""), marks)
            else:
                lights = {"title": render(str(record.get("title") or ""), []),
                          "summary": render(str(record.get("summary") or ""), [], 160)}
            hits.append(Hit(record=record, highlights=lights))
        return SearchResult(hits=hits, total=total, facets=facets,
                            took_ms=(time.perf_counter() - started) * 1000)

    @staticmethod
    def _union(snap: _Snapshot, key: str, values: tuple[str, ...]) -> int:
        bits = 0
        table = snap.values.get(key, {})
        for value in values:
            bits |= table.get(value, 0)
        return bits

    def _match(self, conn: sqlite3.Connection, snap: _Snapshot,
               parsed: ParsedQuery) -> tuple[int, str]:
        """The bitmap of records matching all query words, or, when none
        does, any of them; and the expression that was used."""
        bits = self._match_expression(conn, snap, parsed.all_words)
        if bits or len(parsed.words) < 2:
            return bits, parsed.all_words
        return self._match_expression(conn, snap, parsed.any_word), parsed.any_word

    def _match_expression(self, conn: sqlite3.Connection, snap: _Snapshot,
                          expression: str) -> int:
        key = (snap.generation, expression)
        with self._lock:
            cached = self._matches.get(key)
            if cached is not None:
                self._matches.move_to_end(key)
                return cached[0]
        row = conn.execute("SELECT group_concat(rowid) FROM fts WHERE fts MATCH ?",
                           (expression,)).fetchone()
        ids = row[0].split(",") if row and row[0] else []
        bits = _bits_from_ids(map(int, ids), snap.size) if ids else 0
        with self._lock:
            self._matches[key] = (bits, len(ids))
            while len(self._matches) > self._match_cache_size:
                self._matches.popitem(last=False)
        return bits

    @staticmethod
    def _facets(snap: _Snapshot, match: int, chosen: Mapping[str, int],
                filters: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, int]]:
        everything = match
        for bits in chosen.values():
            everything &= bits
        facets: dict[str, dict[str, int]] = {}
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
            facets[key] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        return facets

    def _rank(self, conn: sqlite3.Connection, parsed: ParsedQuery, expression: str,
              filtered: bool, offset: int, limit: int) -> list[int]:
        """Record ids of one page by relevance, in tiers: records whose title
        (or its pinyin) has the query words as typed, then those whose title
        has them or their synonyms, then the rest. Within a tier: weighted
        bm25 × the record's factor, boosted when the title holds the whole
        query. Later tiers are only ranked when the page reaches them."""
        need = offset + limit
        plain = parsed.all_plain if expression == parsed.all_words else parsed.any_plain
        typed = "{title py} : (" + plain + ")"
        in_title = "{title py} : (" + expression + ")"
        tiers = [typed]
        if plain != expression:
            tiers.append(f"{in_title} NOT {typed}")
        tiers.append(f"({expression}) NOT {in_title}")
        # One word without synonyms: every title match contains the query.
        exact = len(parsed.marks) > 1 or len(parsed.words) > 1
        page: list[int] = []
        before = 0  # records in the tiers already exhausted
        for number, tier in enumerate(tiers):
            want = need - before  # this tier's head that can reach the page
            phrase = parsed.phrase if exact or number > 0 else ""
            ranked = self._ranked(conn, tier, phrase, filtered, want, 0)
            page.extend(ranked[max(0, offset - before):want])
            if len(ranked) < want:
                before += len(ranked)
            else:
                break
        return page

    @staticmethod
    def _ranked(conn: sqlite3.Connection, expression: str, phrase: str, filtered: bool,
                limit: int, offset: int) -> list[int]:
        """``limit`` rids from ``offset`` of the records matching
        ``expression``, best first: score = bm25 × factor, × EXACT_TITLE_BOOST
        when the title contains ``phrase`` (skipped when ``phrase`` is empty).

        SQLite sorts by bm25 × factor (the factor comes from the snapshot
        through a function, cheaper than joining records). The exact-title
        boost is applied to the head of that order in chunks, stopping once no
        later record could reach the page even with the boost.
        """
        need = offset + limit
        weights = ", ".join(str(w) for w in WEIGHTS)
        sql = (f"SELECT rowid, bm25(fts, {weights}) * factor(rowid) FROM fts WHERE fts MATCH ?"
               + (" AND inmask(rowid)" if filtered else "") + " ORDER BY 2, 1")
        if not phrase:
            rows = conn.execute(sql + " LIMIT ? OFFSET ?", (expression, limit, offset))
            return [rid for rid, _ in rows]
        cursor = conn.execute(sql, (expression,))
        scored: list[tuple[float, int]] = []
        chunk_size = max(256, need)
        while True:
            chunk = cursor.fetchmany(chunk_size)
            if not chunk:
                break
            marks = ",".join("?" * len(chunk))
            exact = {rid for (rid,) in conn.execute(
                f"SELECT rid FROM records WHERE rid IN ({marks}) AND instr(lower(title), ?) > 0",
                (*(r for r, _ in chunk), phrase))}
            scored.extend((score * EXACT_TITLE_BOOST if rid in exact else score, rid)
                          for rid, score in chunk)
            scored.sort()
            del scored[need:]
            if len(chunk) < chunk_size:
                break
            if len(scored) >= need and chunk[-1][1] * EXACT_TITLE_BOOST >= scored[-1][0]:
                break  # scores are negative: nothing further down can reach the page
        cursor.close()
        return [rid for _, rid in scored[offset:need]]

    @staticmethod
    def _ordered(snap: _Snapshot, result: int, total: int, name: str,
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
        found = list(_iter_bits(mask))
        found.sort(key=snap.position[name].__getitem__)
        return found[offset:need]

    @staticmethod
    def _bodies(conn: sqlite3.Connection, rids: list[int]) -> dict[int, str]:
        if not rids:
            return {}
        marks = ",".join("?" * len(rids))
        return dict(conn.execute(f"SELECT rid, body FROM records WHERE rid IN ({marks})", rids))

    # -- lookups -------------------------------------------------------------

    def get(self, identifier: str) -> dict[str, Any] | None:
        """See SearchEngine.get."""
        row = self._read("SELECT body FROM records WHERE id = ?", (identifier,))
        return json.loads(row[0][0]) if row else None

    def all_ids(self) -> list[str]:
        """See SearchEngine.all_ids."""
        return [r[0] for r in self._read("SELECT id FROM records ORDER BY id", ())]

    def count(self) -> int:
        """See SearchEngine.count."""
        return int(self._read("SELECT count(*) FROM records", ())[0][0])

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise EngineUnavailable(f"search index {self.path} cannot be read: {exc}") from exc

    # -- indexing ------------------------------------------------------------

    def index(self, records: Iterable[dict[str, Any]]) -> IndexStats:
        """See SearchEngine.index. Only added and changed records are
        segmented; everything is written in one transaction, after which the
        bitmaps and orders are rebuilt and a new generation is published."""
        started = time.perf_counter()
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
            incoming[identifier] = (digest, body, record)
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise EngineUnavailable(f"cannot write search index {self.path}: {exc}") from exc
        try:
            stats = self._apply(conn, incoming, started)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return stats

    def _apply(self, conn: sqlite3.Connection,
               incoming: dict[str, tuple[str, str, dict[str, Any]]],
               started: float) -> IndexStats:
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
            rows.append((rid, ident, digest, title, _ranking_factor(record), sort_key(title),
                         record.get("last_updated") or None, body))
            texts.append((rid, *_segment(record)))
            facets.extend((key, value, rid) for key in FILTER_KEYS
                          for value in filter_values(record, key))
        conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany("INSERT INTO fts(rowid, title, keywords, summary, org, py) "
                         "VALUES (?, ?, ?, ?, ?, ?)", texts)
        conn.executemany("INSERT INTO facet VALUES (?, ?, ?)", facets)
        if len(targets) + len(removed) > max(1000, len(incoming) // 10):
            conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        self._write_snapshot(conn)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (uuid.uuid4().hex,))
        return IndexStats(len(added), len(updated), len(removed), unchanged,
                          time.perf_counter() - started)

    @staticmethod
    def _write_snapshot(conn: sqlite3.Connection) -> None:
        """Rebuild the bitmap and vector tables from records and facet."""
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
        conn.execute("INSERT INTO bitmap VALUES (?, '', ?)", (_LIVE, bytes(live)))
        conn.executemany("INSERT INTO bitmap VALUES (?, ?, ?)",
                         ((k, v, bytes(b)) for (k, v), b in maps.items()))
        conn.execute("DELETE FROM vector")
        factor = array("f", [1.0] * (top + 1))
        for rid, value in conn.execute("SELECT rid, factor FROM records"):
            factor[rid] = value
        conn.execute("INSERT INTO vector VALUES ('factor', ?)", (factor.tobytes(),))
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
