"""Relevance ranking of the embedded engine: one page of record ids.

Records are ranked in tiers: those whose title (or its pinyin) holds the
query words as typed, then those whose title holds them or their synonyms,
then the rest; later tiers are only ranked when the page reaches them. A
relaxed query (few records hold every word) ranks those records' tiers first,
then the tiers of the records holding only some words; among the latter,
those holding every word of a piece the user typed apart rank first.
Within a tier: weighted bm25 × the record's factor (``factor`` table),
× EXACT_TITLE_BOOST when the title contains the whole query.

The SQL calls no Python function per row (the factor is joined, filters are
applied to fetched rows or passed as a list), so SQLite ranks with the GIL
released and the threads of a worker rank in parallel.

A tier's statement costs about a millisecond however few records it ranks
(FTS5 counts the records of every phrase for bm25's IDF). The heads ranked
for unfiltered queries are kept per index generation (``TierHeads``): the
same words again with a filter, or on a page the head holds, are answered
from it when it holds the page's part of the tier (all of a tier shorter
than its page, or enough records passing the filter). A score does not
depend on which other records a statement ranks (IDF and average length are
the table's), so a filtered page is the head's kept records, in the order a
statement restricted to them would give. When the query matches few records
(at most WHOLE_MAX), a tier is ranked whole, unfiltered, even for a filtered
query: its kept order then answers every filter and page of the same words
(a portal's distinct queries are mostly the same words with another filter),
and ranking the rows a filter would have left out costs less than the
statement a later filter would need.

The last tier (the rest: records holding the words, but not in the title) is
ranked by the statement of the plain expression, leaving out the records of
the earlier tiers, all of which are in hand (the rest is only reached when
they are exhausted): a ``NOT`` clause costs the statement a second,
column-filtered match and bm25 IDF counts for its phrases (about three times
the plain statement's time), and FTS5's bm25 also scores the NOT clause's
phrases, so that a record holding some query words in its title got a boost
that came from how the tier was written. The plain statement scores each
record by its own words.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from array import array
from collections.abc import Sequence
from functools import cached_property

from search_api.engine.bitmaps import iter_bits
from search_api.engine.lru import Lru
from search_api.engine.query import ParsedQuery

# bm25 column weights: title, keywords, summary, org, py (pinyin of title and keyword words)
WEIGHTS = (10.0, 5.0, 2.0, 1.5, 4.0)
EXACT_TITLE_BOOST = 1.5  # the title contains the whole query as typed
IN_LIST_MAX = 3000  # a filtered result this small is handed to SQLite as a list of ids
CHUNK = 256
TIER_CACHE_SIZE = 8192  # tier heads kept per engine (a whole tier: ≤ 4 KB)
HEAD_DEPTH = 100  # ids ranked (and kept) of a tier for an unfiltered query, at least
# A query matching at most this many records has its tiers ranked whole and
# kept, filtered or not: scoring the rows a filter leaves out (about 3 µs
# each) costs less than the ~1 ms statement of the next filter of the words.
WHOLE_MAX = 1000

_SQL = ("SELECT fts.rowid AS rid, bm25(fts, " + ", ".join(str(w) for w in WEIGHTS) + ") * factor.factor "
        "FROM fts JOIN factor ON factor.rid = fts.rowid WHERE fts MATCH ?")
# The same × EXACT_TITLE_BOOST where the title (lower-cased, in the small
# title_key table rather than the records row with its body) contains the phrase (first
# parameter). The product is formed as in Python before (bm25 × factor, then ×
# the boost), so the order is the same.
_SQL_BOOSTED = ("SELECT fts.rowid AS rid, bm25(fts, " + ", ".join(str(w) for w in WEIGHTS) + ") "
                "* title_key.factor * (CASE WHEN instr(title_key.title, ?1) > 0 "
                f"THEN {EXACT_TITLE_BOOST} ELSE 1.0 END) "
                "FROM fts JOIN title_key ON title_key.rid = fts.rowid WHERE fts MATCH ?2")


class Keep:
    """Which matching records may be ranked: all (``mask`` None), or those
    whose bit is set in ``mask`` (``total`` of them)."""

    def __init__(self, mask: bytes | None = None, total: int = 0) -> None:
        self.mask = mask
        self.total = total

    @cached_property
    def ids(self) -> str | None:
        """The kept ids as a JSON list when few enough to hand to SQLite
        (made on first need: a page from a kept tier order needs none)."""
        mask = self.mask
        return (json.dumps(list(iter_bits(mask)))
                if mask is not None and self.total <= IN_LIST_MAX else None)

    def sql(self) -> str:
        # "+": a filter on the rows FTS5 found, not a rowid lookup per id (far slower).
        return " AND +fts.rowid IN (SELECT value FROM json_each(?))" if self.ids is not None else ""

    def params(self, expression: str) -> tuple[str, ...]:
        return (expression, self.ids) if self.ids is not None else (expression,)

    def walks(self) -> bool:
        """True when fetched rows must still be tested against the mask."""
        return self.mask is not None and self.ids is None

    def keeps(self, rid: int) -> bool:
        mask = self.mask
        assert mask is not None
        index = rid >> 3
        return index < len(mask) and bool((mask[index] >> (rid & 7)) & 1)


def tiers(parsed: ParsedQuery, expression: str) -> list[str]:
    """The tier expressions for records matching ``expression`` (one of
    ``parsed``'s): typed words in the title, then words or synonyms in the
    title, then the rest."""
    plain = parsed.plain(expression)
    typed = "{title py} : (" + plain + ")"
    in_title = "{title py} : (" + expression + ")"
    out = [typed]
    if plain != expression:
        out.append(f"{in_title} NOT {typed}")
    out.append(f"({expression}) NOT {in_title}")
    return out


def rank(conn: sqlite3.Connection, parsed: ParsedQuery, expression: str, keep: Keep,
         offset: int, limit: int, relaxed: bool = False, total: int | None = None,
         heads: Heads | None = None, matched: int | None = None) -> list[int]:
    """Record ids of one page by relevance (see the module docstring).
    ``relaxed``: ``expression`` is ``parsed.any_word`` but the records holding
    every word (``parsed.all_words``) come first; records holding a whole
    typed piece (``parsed.any_chunk``) come before those holding only some
    word (``ParsedQuery.levels``). ``total``: how many kept
    records match ``expression`` (the tiers part them), when known: once the
    tiers ranked so far hold that many, the later ones are empty and are not
    asked for (each costs a statement whose fixed part, FTS5 counting the
    records of every phrase for bm25's IDF, is most of its time).
    ``heads``: the tier heads kept from earlier queries (``TierHeads``),
    used when they hold this page's part of a tier; the heads ranked here
    for an unfiltered query are kept there. ``matched``: how many records
    match ``expression`` unfiltered (every tier is a part of them), when
    known: at most WHOLE_MAX, and with ``heads``, each tier asked for is
    ranked whole and unfiltered, and kept."""
    need = offset + limit
    levels = parsed.levels(expression, relaxed)
    steps = tiers(parsed, levels[0])
    for earlier_level, level in itertools.pairwise(levels):
        steps += [f"({tier}) NOT ({earlier_level})" for tier in tiers(parsed, level)]
    # One word without synonyms: every title match contains the query.
    exact = len(parsed.marks) > 1 or len(parsed.words) > 1
    whole = matched is not None and matched <= WHOLE_MAX
    phrases = [parsed.phrase if exact or number > 0 else "" for number in range(len(steps))]
    # The rest tier (the module docstring): ranked without its NOT clause.
    rest_step = -1 if len(levels) > 1 else len(steps) - 1
    earlier: list[int] = []  # the kept records of the tiers exhausted so far
    page: list[int] = []
    before = 0  # records in the tiers already exhausted
    for number, tier in enumerate(steps):
        want = need - before  # this tier's head that can reach the page
        phrase = phrases[number]
        rest = number == rest_step
        ranked = heads.page(tier, phrase, keep, want) if heads is not None else None
        if ranked is None and heads is not None and matched is not None and whole:
            # All of the tier: asked for one more than it can hold, so that
            # the kept head knows it is whole. Unfiltered, so the rest
            # leaves out the earlier tiers' records unfiltered.
            skip = None if not rest else (
                earlier if keep.mask is None else heads.whole_ids(steps[:number], phrases[:number]))
            ids = (ranked_rest(conn, expression, phrase, Keep(), matched + 1, skip)
                   if rest and skip is not None
                   else ranked_tier(conn, tier, phrase, Keep(), matched + 1))
            heads.keep(tier, phrase, ids, matched + 1)
            ranked = kept_part(ids, keep, want)
        elif ranked is None and heads is not None and keep.mask is None:
            # A head of HEAD_DEPTH costs hardly more than a page's (the fixed
            # part dominates) and answers the next pages and filters too.
            depth = max(want, HEAD_DEPTH)
            ranked = (ranked_rest(conn, expression, phrase, keep, depth, earlier) if rest
                      else ranked_tier(conn, tier, phrase, keep, depth))
            heads.keep(tier, phrase, ranked, depth)
            ranked = ranked[:want]
        elif ranked is None:
            ranked = (ranked_rest(conn, expression, phrase, keep, want, earlier) if rest
                      else ranked_tier(conn, tier, phrase, keep, want))
        page.extend(ranked[max(0, offset - before):want])
        if len(ranked) >= want:
            break
        before += len(ranked)
        earlier.extend(ranked)
        if total is not None and before >= total:
            break  # every kept match is ranked: the later tiers are empty
    return page


def ranked_tier(conn: sqlite3.Connection, expression: str, phrase: str, keep: Keep,
                need: int) -> list[int]:
    """The best ``need`` rids of the kept records matching ``expression``:
    score = bm25 × factor, × EXACT_TITLE_BOOST when the title contains
    ``phrase`` (skipped when ``phrase`` is empty).

    SQLite computes the whole score (the boost by a join on the stored title)
    and keeps the best ``need`` rows itself, so no Python runs per matching
    row. Only a filter too large to pass as a list is applied in Python, to
    the head of that order in chunks, until ``need`` rows passed it.
    """
    if phrase:
        sql = _SQL_BOOSTED + keep.sql() + " ORDER BY 2, 1"
        params: tuple[object, ...] = (phrase, *keep.params(expression))
    else:
        sql = _SQL + keep.sql() + " ORDER BY 2, 1"
        params = keep.params(expression)
    if not keep.walks():
        # One row of ids in rank order (the LIMIT keeps the ordered
        # subquery whole): a step, not one per ranked id.
        row = conn.execute(f"SELECT group_concat(rid) FROM ({sql} LIMIT ?)",
                           (*params, need)).fetchone()
        return [int(rid) for rid in row[0].split(",")] if row[0] else []
    cursor = conn.execute(sql, params)
    page: list[int] = []
    try:
        while len(page) < need:
            chunk = cursor.fetchmany(max(CHUNK, need))
            if not chunk:
                break
            page.extend(rid for rid, _ in chunk if keep.keeps(rid))
    finally:
        cursor.close()
    return page[:need]



def ranked_rest(conn: sqlite3.Connection, expression: str, phrase: str, keep: Keep,
                need: int, earlier: Sequence[int]) -> list[int]:
    """The best ``need`` kept records of the rest tier: those matching
    ``expression`` but not in ``earlier`` (all the kept records of the
    earlier tiers), ranked as :func:`ranked_tier` ranks ``expression``."""
    skip = set(earlier)
    ids = ranked_tier(conn, expression, phrase, keep, need + len(skip))
    return [rid for rid in ids if rid not in skip][:need]


class TierHeads:
    """The heads of tiers ranked for unfiltered queries, kept across the
    queries of one index generation (an LRU of TIER_CACHE_SIZE; thread-safe):
    each as its first ids in rank order and whether that is the whole tier."""

    def __init__(self, size: int = TIER_CACHE_SIZE) -> None:
        self._kept = Lru(size)
        self._generation = ""
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def of(self, generation: str) -> Heads:
        """The heads of ``generation`` (a new generation forgets the others)."""
        with self._lock:
            if generation != self._generation:
                self._kept.clear()
                self._generation = generation
        return Heads(self, generation)

    def _fetch(self, key: tuple[str, str, str]) -> tuple[array[int], bool] | None:
        with self._lock:
            found: tuple[array[int], bool] | None = self._kept.fetch(key)
        return found

    def _keep(self, key: tuple[str, str, str], value: tuple[array[int], bool]) -> None:
        with self._lock:
            if key[0] == self._generation:
                self._kept.keep(key, value)


class Heads:
    """``TierHeads`` of one generation, as ``rank`` uses them."""

    def __init__(self, heads: TierHeads, generation: str) -> None:
        self._heads = heads
        self._generation = generation

    def page(self, tier: str, phrase: str, keep: Keep, need: int) -> list[int] | None:
        """The first ``need`` kept ids of the tier from its kept head, or
        None when the head is too short to tell."""
        found = self._heads._fetch((self._generation, tier, phrase))
        if found is None:
            return None
        ids, whole = found
        page = kept_part(ids, keep, need)
        return page if whole or len(page) >= need else None

    def whole_ids(self, tiers: Sequence[str], phrases: Sequence[str]) -> list[int] | None:
        """All the records of ``tiers`` (each with its phrase), from their
        kept heads, or None when one of them is not kept whole."""
        out: list[int] = []
        for tier, phrase in zip(tiers, phrases, strict=True):
            found = self._heads._fetch((self._generation, tier, phrase))
            if found is None or not found[1]:
                return None
            out.extend(found[0])
        return out

    def keep(self, tier: str, phrase: str, ids: list[int], need: int) -> None:
        """Keep ``ids``, the first ``need`` of an unfiltered tier (all of it
        when fewer), unless a longer head is kept (as 32-bit ids: a whole
        tier holds up to WHOLE_MAX)."""
        key = (self._generation, tier, phrase)
        found = self._heads._fetch(key)
        if found is None or len(found[0]) < len(ids):
            self._heads._keep(key, (array("i", ids), len(ids) < need))


def kept_part(ids: Sequence[int], keep: Keep, need: int) -> list[int]:
    """The first ``need`` of ``ids`` (a tier's order) that ``keep`` keeps."""
    if keep.mask is None:
        return list(ids[:need])
    page = []
    for rid in ids:
        if keep.keeps(rid):
            page.append(rid)
            if len(page) >= need:
                break
    return page
