"""The embedded search engine: one SQLite file, FTS5 over segmented Chinese.

Storage (one SQLite database in WAL mode):

``records``   one row per record: the stored JSON, its content hash, the raw
              title, a pinyin sort key, last_updated and a ranking factor.
``fts``       FTS5 (unicode61) over the records' text segmented by jieba's
              search mode (segment.py): title, keywords, summary, org
              (department, theme and region names), py (pinyin and initials
              of the title's and keywords' words). rowid = records.rid.
``facet``     one row per (filter key, value, record), one per format.
``bitmap``, ``vector``, ``factor``, ``title_key``: derived by every ``index()``
              (bitmaps.py).
``vocab``     the catalogue's words and their pinyin (vocab.py).

A search runs in one read transaction (a consistent WAL snapshot). The FTS5
MATCH (query.py) gives the matching rowids as a bitmap, cached per index
generation and expression, and combined from the record sets of the
expression's terms, those of common terms kept for the generation
(terms.py); filters, the total and the disjunctive facet
counts are AND/popcount operations on bitmaps, cached per (expression,
filters). A query of several words that few records hold all of is relaxed:
records holding some of the words follow those holding all. Ranking
(ranking.py) asks SQLite for bm25 of the title matches first and of the rest
only when the page reaches past them (the heads it ranks for unfiltered
queries, and whole tiers of queries matching few records, filtered or not,
are kept per generation and serve other filters and later pages of the
same words); sorting by date or name walks a
precomputed order. When no record holds every query word and the query
allows it, a corrected query (vocab.py) is tried before falling back to
records holding any word. Whole answers are cached per index generation.
See bench/search_bench.py for the figures.

Concurrency: one connection per thread (and per process: a connection is
never used across fork); readers never wait for the indexer (WAL); ``index()``
does all its writes in one IMMEDIATE transaction, so a reader sees the old or
the new index, never a mix. An engine runs ``concurrency`` searches at once
(default 1; cached answers do not wait), the others wait their turn: side
by side, CPU-bound searches only share the worker's core, and a slow one
stretches every search it overlaps; in turn, the same throughput with a
tighter tail (bench/search_http_bench.py).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import orjson

from search_api.engine import bitmaps, indexer
from search_api.engine.base import (
    EngineUnavailable,
    Hit,
    IndexStats,
    SearchError,
    SearchQuery,
    SearchResult,
    active_filters,
    validate_query,
)
from search_api.engine.highlight import SUMMARY_CHARS, highlight, render
from search_api.engine.index_file import IndexFile
from search_api.engine.lru import Lru
from search_api.engine.query import ParsedQuery, parse_query
from search_api.engine.ranking import Keep, TierHeads, rank
from search_api.engine.synonyms import Synonyms
from search_api.engine.terms import TermSets
from search_api.engine.vocab import Vocabulary

RECORD_BATCH = 500  # records() reads this many bodies per query
CACHE_SIZE = 256  # match bitmaps, and facet counts, kept per engine (LRU)
RESULT_CACHE_SIZE = 1024  # whole answers, per index generation (LRU); 0 = none
CONCURRENCY = 1  # searches an engine runs at once (module docstring); 0 = no limit
# A query of several words that fewer records than RELAX_BELOW hold all of also
# shows the records holding some of them, after those (as Meilisearch does),
# unless those are more than RELAX_MAX: then a common word (服务, 信息) matched
# them and they would bury the result in noise (and cost time to rank).
RELAX_BELOW = 10
RELAX_MAX = 1000

def load_body(body: str) -> dict[str, Any]:
    """A stored record body as a dict. orjson (several times faster than
    json on a record of about a kilobyte, the same objects); json for what
    orjson refuses and json.dumps may have written (NaN, integers beyond 64
    bits, lone surrogates)."""
    try:
        record: dict[str, Any] = orjson.loads(body)
    except orjson.JSONDecodeError:
        record = json.loads(body)
    return record


def _hits(rids: list[int], bodies: Mapping[int, str], marks: tuple[str, ...]) -> list[Hit]:
    """The hits of ``rids`` (in that order): records and highlights."""
    hits = []
    for rid in rids:
        record = load_body(bodies[rid])
        title, summary = str(record.get("title") or ""), str(record.get("summary") or "")
        lights = (highlight(title, summary, marks) if marks else
                  {"title": render(title, []), "summary": render(summary, [], SUMMARY_CHARS)})
        hits.append(Hit(record=record, highlights=lights))
    return hits


class EmbeddedEngine(IndexFile):
    """SearchEngine over an SQLite file (created when missing).

    ``synonyms``: the groups expanded at query time. ``result_cache_size``:
    how many answers are kept for repeated queries (checked against the index
    generation on every search, so a re-index is seen at once; 0 keeps
    none). ``concurrency``: how many searches run at once, the others
    waiting their turn (0: no limit; see the module docstring). Raises
    EngineUnavailable when the database cannot be opened or created.
    """

    def __init__(self, path: str | Path, synonyms: Synonyms | None = None,
                 cache_size: int = CACHE_SIZE,
                 result_cache_size: int = RESULT_CACHE_SIZE,
                 concurrency: int = CONCURRENCY) -> None:
        self.synonyms = synonyms or Synonyms()
        self._turns: AbstractContextManager[object] = (
            threading.Semaphore(concurrency) if concurrency > 0 else nullcontext())
        self._snapshot_cache: bitmaps.Snapshot = bitmaps.EMPTY
        self._vocab: tuple[str, Vocabulary] | None = None
        self._matches = Lru(cache_size)
        self._facets = Lru(cache_size)
        self._results = Lru(result_cache_size)
        self._terms = TermSets("")
        self._tiers = TierHeads()
        super().__init__(path)

    def clear_caches(self, terms: bool = False) -> None:
        """Forget cached match sets, facet counts, ranked tiers and answers
        (the benchmark measures cold queries); with ``terms`` also the record
        sets of common terms (terms.py), which are otherwise kept for the
        generation."""
        with self._lock:
            self._matches.clear()
            self._facets.clear()
            self._results.clear()
            self._tiers.clear()
            if terms:
                self._terms = TermSets("")

    # -- per-generation state ------------------------------------------------

    def _snapshot(self, conn: sqlite3.Connection) -> bitmaps.Snapshot:
        """The bitmaps of the generation visible in ``conn``'s transaction."""
        generation = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
        snap = self._snapshot_cache
        if snap.generation == generation:
            return snap
        snap = bitmaps.load_snapshot(conn, generation)
        with self._lock:
            self._snapshot_cache = snap
        return snap

    def _vocabulary(self, conn: sqlite3.Connection, snap: bitmaps.Snapshot) -> Vocabulary:
        """The vocabulary of ``snap``'s generation (loaded on first need)."""
        cached = self._vocab
        if cached is not None and cached[0] == snap.generation:
            return cached[1]
        vocab = Vocabulary.load(conn)
        self._vocab = (snap.generation, vocab)
        return vocab

    # -- search --------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """See SearchEngine.search. Answers of the current index generation
        are reused for the same query (``result_cache_size``)."""
        started = time.perf_counter()
        validate_query(query)
        filters = active_filters(query)
        key = (query.q, tuple(sorted(filters.items())), query.sort, query.page, query.per_page,
               query.autocorrect)
        if self._results.size:
            with self._lock:
                cached = self._results.fetch(key)
            # The generation is read only for a kept answer: a query not seen
            # before (most of a portal's) costs no statement for it.
            if cached is not None and cached[0] == self._generation():
                result: SearchResult = cached[1]
                return dataclasses.replace(
                    result, facets={k: dict(v) for k, v in result.facets.items()},
                    took_ms=(time.perf_counter() - started) * 1000)
        with self._turns:
            answer = self._search(query, filters, started)
        if self._results.size:
            with self._lock:
                self._results.keep(key, (answer[0], answer[1]))
        return answer[1]

    def _generation(self) -> str:
        """The index generation a search started now would see."""
        row = self._read("SELECT value FROM meta WHERE key = 'generation'", ())
        return str(row[0][0])

    def _search(self, query: SearchQuery, filters: dict[str, tuple[str, ...]],
                started: float) -> tuple[str, SearchResult]:
        """Run ``query``: (the generation it saw, the result)."""
        parsed = parse_query(query.q, self.synonyms) if query.q.strip() else None
        if parsed is not None and parsed.empty:
            parsed = None  # only punctuation or spaces: list everything
        offset = (query.page - 1) * query.per_page
        corrected: str | None = None
        conn = self._conn()
        try:
            conn.execute("BEGIN")
            try:
                snap = self._snapshot(conn)
                expression, relaxed = "", False
                if parsed is None:
                    match = snap.live
                else:
                    match, expression, relaxed = self._match(conn, snap, parsed)
                    none_has_all = not match or (expression != parsed.all_words
                                                 and not relaxed)
                    if query.autocorrect and none_has_all:
                        found = self._correct(conn, snap, query.q)
                        if found is not None:
                            parsed, match, expression, corrected = found
                chosen = {key: snap.union(key, values) for key, values in filters.items()}
                result = match
                for bits in chosen.values():
                    result &= bits
                total = result.bit_count()
                facets = self._facet_counts(snap, expression, match, chosen, filters)
                rids: list[int] = []
                if offset < total:
                    if parsed is not None and query.sort == "relevance":
                        keep = (Keep(result.to_bytes(snap.nbytes, "little"), total)
                                if filters else Keep())
                        rids = rank(conn, parsed, expression, keep, offset, query.per_page,
                                    relaxed, total, self._tiers.of(snap.generation),
                                    match.bit_count() if filters else total)
                    else:
                        order = "name" if query.sort == "name" else "updated"
                        rids = bitmaps.ordered(snap, result, total, order, offset,
                                               query.per_page)
                bodies = self._bodies(conn, rids)
                marks = self._marks(conn, snap, parsed) if parsed else ()
            finally:
                conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc):
                raise SearchError(f"the query could not be understood ({exc}); "
                                  "remove quotes and special characters") from exc
            raise EngineUnavailable(f"search index {self.path} cannot be read: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise EngineUnavailable(f"search index {self.path} cannot be read: {exc}") from exc
        return snap.generation, SearchResult(
            hits=_hits(rids, bodies, marks), total=total, facets=facets,
            took_ms=(time.perf_counter() - started) * 1000, corrected=corrected)

    def _match(self, conn: sqlite3.Connection, snap: bitmaps.Snapshot,
               parsed: ParsedQuery) -> tuple[int, str, bool]:
        """The records to show for ``parsed``: (bitmap, expression, relaxed).

        Those holding every query word; when fewer than RELAX_BELOW do, also
        those holding any of them (``relaxed``: the former rank first), with
        the any-word expression; not when more than RELAX_MAX hold some word
        and at least one holds all."""
        bits = self._match_expression(conn, snap, parsed.all_words)
        if len(parsed.words) < 2 or (bits and bits.bit_count() >= RELAX_BELOW):
            return bits, parsed.all_words, False
        if bits and bitmaps.fts_more_than(conn, parsed.any_word, RELAX_MAX):
            # The answer of the test below, counted by FTS5 up to RELAX_MAX + 1
            # instead of building the bitmap of every record holding some word.
            return bits, parsed.all_words, False
        wider = self._match_expression(conn, snap, parsed.any_word)
        if wider == bits:  # (more than RELAX_MAX holding some word was answered above)
            return bits, parsed.all_words, False
        return bits | wider, parsed.any_word, bool(bits)

    def _correct(self, conn: sqlite3.Connection, snap: bitmaps.Snapshot,
                 q: str) -> tuple[ParsedQuery, int, str, str] | None:
        """A corrected reading of ``q`` whose every word some record holds:
        (parsed, match bitmap, expression, corrected text), or None."""
        text = self._vocabulary(conn, snap).correct(q)
        if text is None:
            return None
        parsed = parse_query(text, self.synonyms)
        if parsed.empty:
            return None
        bits = self._match_expression(conn, snap, parsed.all_words)
        return (parsed, bits, parsed.all_words, text) if bits else None

    def _marks(self, conn: sqlite3.Connection, snap: bitmaps.Snapshot,
               parsed: ParsedQuery) -> tuple[str, ...]:
        """What to highlight: the query's marks and the Chinese words its
        Latin words spell in pinyin."""
        if not parsed.latin:
            return parsed.marks
        vocab = self._vocabulary(conn, snap)
        spelled = [w for latin in parsed.latin for w in vocab.spelled(latin)]
        return tuple(dict.fromkeys([*parsed.marks, *spelled]))

    def _match_expression(self, conn: sqlite3.Connection, snap: bitmaps.Snapshot,
                          expression: str) -> int:
        key = (snap.generation, expression)
        with self._lock:
            cached = self._matches.fetch(key)
        if cached is not None:
            return int(cached)
        terms = self._terms
        if terms.generation != snap.generation:
            terms = TermSets(snap.generation)
            with self._lock:
                self._terms = terms
        found = terms.match(conn, expression, snap.size)
        if found is None:  # not a combination of terms: FTS5 matches it whole
            found, _ = bitmaps.fts_match(conn, expression, snap.size)
        bits = found
        with self._lock:
            self._matches.keep(key, bits)
        return bits

    def _facet_counts(self, snap: bitmaps.Snapshot, expression: str, match: int,
                      chosen: Mapping[str, int],
                      filters: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, int]]:
        """bitmaps.facets, cached per (generation, expression, filters)."""
        key = (snap.generation, expression, tuple(sorted(filters.items())))
        with self._lock:
            cached = self._facets.fetch(key)
        if cached is None:
            cached = bitmaps.facets(snap, match, chosen, filters)
            with self._lock:
                self._facets.keep(key, cached)
        return {k: dict(v) for k, v in cached.items()}

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
        return load_body(row[0][0]) if row else None

    def all_ids(self) -> list[str]:
        """See SearchEngine.all_ids."""
        return [r[0] for r in self._read("SELECT id FROM records ORDER BY id", ())]

    def records(self) -> Iterator[dict[str, Any]]:
        """See SearchEngine.records. Batches of RECORD_BATCH keyed by id, each
        its own short read, so no read transaction stays open meanwhile."""
        after = ""
        while True:
            rows = self._read("SELECT id, body FROM records WHERE id > ? ORDER BY id LIMIT ?",
                              (after, RECORD_BATCH))
            for _identifier, body in rows:
                yield load_body(body)
            if len(rows) < RECORD_BATCH:
                return
            after = rows[-1][0]

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
        incoming = indexer.prepare(records)
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise EngineUnavailable(f"cannot write search index {self.path}: {exc}") from exc
        try:
            stats = indexer.apply(conn, incoming, started)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return stats
