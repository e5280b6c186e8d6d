"""The catalogue as a DCAT-AP 3 graph (rdflib), written as JSON-LD
(``dcat.jsonld``) and Turtle (``dcat.ttl``).

rdflib's own serialisers take about 15 ms a dataset here (30 s and more
for 10,000 datasets, on every change), so each dataset's triples are built
with rdflib into a small graph of their own and written by ``fragments`` as
Turtle statements and JSON-LD node objects; the fragments are kept in the
build cache under a key of the record, so a rebuild after one change writes
one fragment. Nodes that many datasets point to (departments, themes,
licences, the EU vocabularies' terms) are written once, in the header.

Made from the public records only (``domain.catalogue.publication``), like every other
catalogue-wide file. The graph satisfies the official DCAT-AP 3.0.1 SHACL
shapes (checked by the test suite with pySHACL): every distribution has an
access URL, sizes are non-negative integers, media types are IANA IRIs,
checksums are hexBinary, themes are concepts with IRIs (the EU data-theme
vocabulary where a theme's name maps to one, and always the portal's own
concept scheme), licences are licence documents and contact points vCards.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from builder.dcat_header import catalogue_header, dataset_links
from builder.dcat_text import group, jsonld_nodes, turtle_text
from builder.dcat_triples import DatasetTriples
from builder.dcat_vocab import (
    PREFIXES,
)
from builder.pages import stable_json
from builder.spliced import Spliced
from builder.summaries import Full, Listed, whole
from domain.catalogue.catalog import PortalInfo
from domain.catalogue.public_record import PublicRecord

# Bump when the triples written for a dataset change (cached fragments are
# keyed by it).
FRAGMENT_VERSION = "2"
CACHE_FILE = "dcat-fragments.sqlite"
# The most fragment texts read from the cache in one query (see _Fragments.text).
READ_AHEAD = 256


def _fragment(portal: PortalInfo, record: PublicRecord,
              downloads: list[dict[str, Any]]) -> dict[str, Any]:
    triples = DatasetTriples(portal)
    triples.dataset(record, downloads)
    grouped = group(triples.g)  # once for both texts
    nodes = orjson.dumps(jsonld_nodes(grouped)).decode()
    return {"ttl": turtle_text(grouped), "jsonld": nodes[1:-1],
            "shared": sorted(list(s) for s in triples.shared)}


def _listed_fragment(portal: PortalInfo, record: Listed, full: Full | None,
                     downloads: list[dict[str, Any]]) -> dict[str, Any]:
    """:func:`_fragment` of the record ``record`` stands for (see ``whole``)."""
    return _fragment(portal, whole(record, full), downloads)


def record_digest(record: PublicRecord) -> str:
    """A digest of the record's public JSON: what the keys of its page, its
    DCAT fragment and the navigation pages are made of (the build makes it
    once per dataset and hands it to each)."""
    return hashlib.sha256(stable_json(record.to_json()).encode()).hexdigest()


def _fragment_key(portal: PortalInfo, record: str, downloads: list[dict[str, Any]]) -> str:
    digest = hashlib.sha256(FRAGMENT_VERSION.encode())
    digest.update(orjson.dumps([portal.base_url, portal.licence_url, portal.licence_name,
                                downloads], option=orjson.OPT_SORT_KEYS))
    digest.update(record.encode())
    return digest.hexdigest()


FragmentRow = tuple[str, str, str, bytes]


def fragment_row(portal: PortalInfo, record: PublicRecord, downloads: list[dict[str, Any]],
                 digest: str | None = None) -> FragmentRow:
    """One dataset's fragment as stored in the build cache: (key, Turtle,
    JSON-LD, shared nodes). Made where the dataset's page is written (in a
    page worker, beside the others) and kept with :func:`store_fragments`;
    :func:`dcat_chunks` then finds it instead of making it. ``digest``: the
    record's :func:`record_digest` when the caller has it (else made here)."""
    fragment = _fragment(portal, record, downloads)
    return (_fragment_key(portal, digest or record_digest(record), downloads), fragment["ttl"],
            fragment["jsonld"], orjson.dumps(fragment["shared"]))


def store_fragments(cache_dir: Path, rows: Sequence[FragmentRow]) -> None:
    """Keep fragments made elsewhere in the build cache's fragment file (a
    fragment no dataset uses is dropped by the next :func:`dcat_chunks`)."""
    fragments = _Fragments(cache_dir)
    try:
        assert fragments.db is not None
        fragments.db.executemany("INSERT OR IGNORE INTO fragment VALUES (?, ?, ?, ?)", rows)
        fragments.db.executemany("INSERT OR REPLACE INTO shared_node VALUES (?, ?)",
                                 ((row[0], row[3]) for row in rows))
        fragments.db.commit()
    finally:
        fragments.close()


# The shared nodes' counts of the fragment cache (see _Fragments._open); a node
# counts once per narrow row holding it.
_COUNTS = (
    "CREATE TABLE IF NOT EXISTS shared_count (node TEXT PRIMARY KEY, n INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS shared_rows (id INTEGER PRIMARY KEY CHECK (id = 0), "
    "n INTEGER NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS shared_node_added AFTER INSERT ON shared_node BEGIN "
    "INSERT INTO shared_count SELECT DISTINCT value, 1 FROM json_each(CAST(new.shared AS TEXT)) "
    "WHERE true ON CONFLICT(node) DO UPDATE SET n = n + 1; "
    "UPDATE shared_rows SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS shared_node_removed AFTER DELETE ON shared_node BEGIN "
    "UPDATE shared_count SET n = n - 1 WHERE node IN "
    "(SELECT value FROM json_each(CAST(old.shared AS TEXT))); "
    "UPDATE shared_rows SET n = n - 1; END",
)
_RECOUNT = (
    "DELETE FROM shared_count",
    "INSERT INTO shared_count SELECT value, count(*) FROM (SELECT DISTINCT shared_node.key, "
    "value FROM shared_node, json_each(CAST(shared_node.shared AS TEXT))) GROUP BY value",
    "INSERT OR REPLACE INTO shared_rows VALUES (0, (SELECT count(*) FROM shared_node))",
)


@dataclass
class _ReadAhead:
    """Fragment texts of one column read before they were asked for."""

    texts: dict[str, str] = field(default_factory=dict)
    size: int = 1  # how many the last query read
    next: int = -1  # the place in the keys after the last text asked for


class _Fragments:
    """The fragments of this build's datasets, in order: kept in a SQLite
    file in the build cache (between builds, and so that 100,000 fragments
    — a gigabyte of text — are never all in memory), or in a dict when
    there is no cache folder. Fragments no dataset uses any more are
    deleted, so the file holds only the current catalogue's."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.keys: list[str] = []
        self.memory: dict[str, dict[str, Any]] = {}
        self.kept: set[str] | None = None  # the keys of the kept fragments, once read
        self.orphans: set[str] = set()  # keys of narrow rows with no wide row
        self.ahead: dict[str, _ReadAhead] = {}  # by column: the texts read ahead
        self.position: dict[str, int] | None = None  # key → its first place in keys
        self.path = cache_dir / CACHE_FILE if cache_dir else None
        self.db: sqlite3.Connection | None = None
        if cache_dir is not None:  # the JSON file of earlier versions (1 GB at 100,000)
            (cache_dir / "dcat-fragments.json").unlink(missing_ok=True)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.db = self._open()
            except sqlite3.DatabaseError:  # damaged: start again, it only costs time
                self.path.unlink(missing_ok=True)
                self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        assert self.path is not None
        db = sqlite3.connect(self.path)
        db.execute("PRAGMA journal_mode=WAL")
        # A cache: after a power cut it may lack the last fragments kept (they
        # are made again) but stays consistent (WAL); no fsync a commit.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS fragment (key TEXT PRIMARY KEY, ttl TEXT, "
                   "jsonld TEXT, shared TEXT)")
        # Each fragment's shared nodes again, narrow: read for every dataset, as the wide
        # rows' last column they cost reading the whole file (250 MB at 20,000 datasets).
        db.execute("CREATE TABLE IF NOT EXISTS shared_node (key TEXT PRIMARY KEY, shared BLOB)")
        # How many narrow rows hold each shared node, and how many rows were
        # counted: kept by triggers in the transaction that adds or deletes a
        # row (a REPLACE fires the delete trigger with recursive triggers), so
        # that the catalogue's shared nodes are read from here instead of
        # parsing every fragment's list (127 MB at 100,000 datasets). Counts
        # that disagree with the rows (a writer without recursive triggers)
        # are made again from the rows (shared_nodes).
        db.execute("PRAGMA recursive_triggers=ON")
        for statement in _COUNTS:
            db.execute(statement)
        db.commit()
        return db

    def add(self, key: str, produce: Callable[[], dict[str, Any]]) -> None:
        """Record the dataset's fragment (made by ``produce`` unless kept)."""
        self.keys.append(key)
        if self.db is None:
            self.memory[key] = self.memory.get(key) or produce()
            return
        kept = self._kept()
        if key in kept:
            return
        fragment = produce()
        shared = orjson.dumps(fragment["shared"])
        self.db.execute("INSERT INTO fragment VALUES (?, ?, ?, ?)", (
            key, fragment["ttl"], fragment["jsonld"], shared))
        self.db.execute("INSERT OR REPLACE INTO shared_node VALUES (?, ?)", (key, shared))
        kept.add(key)

    def _kept(self) -> set[str]:
        """The keys of the kept fragments (the wide table's key index). A
        fragment with no narrow row (kept by an earlier version) has its
        shared nodes copied from its wide row once."""
        if self.kept is None:
            assert self.db is not None
            keys = [key for (key,) in self.db.execute("SELECT key FROM fragment")]
            narrow = {key for (key,) in self.db.execute("SELECT key FROM shared_node")}
            missing = [key for key in keys if key not in narrow]
            for start in range(0, len(missing), 500):  # a bounded number of "?" per query
                batch = missing[start:start + 500]
                marks = ",".join("?" * len(batch))
                rows = self.db.execute(
                    f"SELECT key, shared FROM fragment WHERE key IN ({marks})", batch).fetchall()
                self.db.executemany("INSERT OR REPLACE INTO shared_node VALUES (?, ?)", rows)
                narrow.update(key for key, _ in rows)
            self.kept = set(keys)
            # Narrow rows whose wide row is gone (an earlier version deleted it).
            self.orphans = narrow - self.kept
        return self.kept

    def shared_nodes(self) -> set[tuple[Any, ...]]:
        """The shared nodes of the fragments recorded (call after
        :meth:`finish`: the narrow rows are then this build's, each once)."""
        if self.db is None:
            return {tuple(node) for key in dict.fromkeys(self.keys)
                    for node in self.memory[key]["shared"]}
        counted = self.db.execute("SELECT n FROM shared_rows").fetchone()
        (rows,) = self.db.execute("SELECT count(*) FROM shared_node").fetchone()
        if counted is None or counted[0] != rows:
            for statement in _RECOUNT:
                self.db.execute(statement)
            self.db.commit()
        return {tuple(orjson.loads(node)) for (node,) in
                self.db.execute("SELECT node FROM shared_count WHERE n > 0")}

    def finish(self) -> None:
        """Forget the fragments of datasets not in this build; commit. The
        stale keys are those read (or added) and not used: found with sets,
        so a rebuild after one change deletes a row or two without first
        copying every key of the build into the database."""
        if self.db is not None:
            stale = sorted((self._kept() | self.orphans) - set(self.keys))
            for start in range(0, len(stale), 500):  # a bounded number of "?" per query
                batch = stale[start:start + 500]
                marks = ",".join("?" * len(batch))
                for table in ("fragment", "shared_node"):  # fixed names, not input
                    self.db.execute(f"DELETE FROM {table} WHERE key IN ({marks})", batch)
            self.db.commit()
            self.kept = None

    def text(self, key: str, column: str) -> str:
        """The ``ttl`` or ``jsonld`` text of the fragment ``key``. When the
        texts are asked for in the order of ``keys`` (a file written whole),
        the ones after are read with this one, in one query (one query a
        fragment was most of writing the files): twice as many at each
        query, up to ``READ_AHEAD``. A text asked for out of order (a
        rebuild makes only the changed datasets' pieces) is read alone."""
        if self.db is None:
            return str(self.memory[key][column])
        if self.position is None:
            self.position = {k: i for i, k in reversed(list(enumerate(self.keys)))}
        ahead = self.ahead.setdefault(column, _ReadAhead())
        start = self.position.get(key, 0)
        if key not in ahead.texts:
            ahead.size = min(ahead.size * 2, READ_AHEAD) if start == ahead.next else 1
            batch = list(dict.fromkeys([key, *self.keys[start + 1:start + ahead.size]]))
            marks = ",".join("?" * len(batch))
            query = f"SELECT key, {column} FROM fragment WHERE key IN ({marks})"  # ttl or jsonld
            ahead.texts = dict(self.db.execute(query, batch))
        ahead.next = start + 1
        return str(ahead.texts.pop(key))

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def dcat_files(portal: PortalInfo, records: Sequence[PublicRecord],
               downloads: dict[str, list[dict[str, Any]]], generated: str,
               cache_dir: Path | None = None) -> dict[str, str]:
    """``dcat.jsonld`` and ``dcat.ttl`` of the catalogue, as text (see
    :func:`dcat_chunks`)."""
    return {name: "".join(chunks) for name, chunks in
            dcat_chunks(portal, records, downloads, generated, cache_dir).items()}


def dcat_chunks(portal: PortalInfo, records: Sequence[Listed],
                downloads: dict[str, list[dict[str, Any]]], generated: str,
                cache_dir: Path | None = None,
                record_digests: Mapping[str, str] | None = None,
                full: Full | None = None) -> dict[str, Spliced]:
    """``dcat.jsonld`` and ``dcat.ttl`` of the catalogue (conditional datasets
    with restricted access rights and no distribution), each a
    :class:`builder.spliced.Spliced` of the header and one fragment per
    dataset keyed by the fragment's key (the files of 100,000 datasets are
    half a gigabyte each: they are never held whole, and after a change
    the unchanged fragments are copied from the previous file).
    ``cache_dir``: where the fragments of unchanged datasets are kept
    between builds. ``record_digests``: :func:`record_digest` of each record
    by id, when the caller has them (else made here). ``records`` may be
    summaries (``builder.summaries``) with ``full`` making the record of a
    dataset whose fragment is not kept (needs ``record_digests``).

    The fragments are made (or found) here; their texts are read as the
    files are written: write (or iterate) each file once.
    """
    fragments = _Fragments(cache_dir)
    keys: list[str] = []
    for record in records:
        files = downloads.get(record.id, [])
        made = record_digests[record.id] if record_digests else \
            record_digest(whole(record, full))
        key = _fragment_key(portal, made, files)
        keys.append(key)
        fragments.add(key, functools.partial(_listed_fragment, portal, record, full, files))
    fragments.finish()
    shared = fragments.shared_nodes()
    urls = [r.url for r in records]
    head_key = hashlib.sha256(orjson.dumps([
        FRAGMENT_VERSION, generated, repr(portal), sorted(shared), urls])).hexdigest()

    @functools.cache
    def header() -> tuple[str, str]:
        """The header as Turtle and as JSON-LD nodes (made once, when needed)."""
        grouped = group(itertools.chain(catalogue_header(portal, shared, len(urls), generated),
                                        dataset_links(portal, urls)))
        return turtle_text(grouped), orjson.dumps(jsonld_nodes(grouped)).decode()[1:-1]

    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    context = orjson.dumps({p: str(ns) for p, ns in PREFIXES.items()}).decode()
    remaining = {"dcat.ttl", "dcat.jsonld"}

    def done(name: str) -> None:
        remaining.discard(name)
        if not remaining:
            fragments.close()

    def pieces(column: str) -> Iterator[tuple[str | None, Callable[[], str]]]:
        for key in keys:
            yield key, functools.partial(fragments.text, key, column)

    # The header always holds the catalogue's node: a separator precedes the
    # first dataset's JSON-LD nodes.
    return {
        "dcat.jsonld": Spliced(
            (head_key, lambda: f'{{"@context":{context},"@graph":[' + header()[1]),
            pieces("jsonld"), "]}\n", ",", sep_first=True,
            done=functools.partial(done, "dcat.jsonld")),
        "dcat.ttl": Spliced(
            (head_key, lambda: prefixes + "\n" + header()[0] + "\n"), pieces("ttl"), "", "\n",
            done=functools.partial(done, "dcat.ttl")),
    }
