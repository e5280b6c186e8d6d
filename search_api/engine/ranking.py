"""Relevance ranking of the embedded engine: one page of record ids.

Records are ranked in tiers: those whose title (or its pinyin) holds the
query words as typed, then those whose title holds them or their synonyms,
then the rest; later tiers are only ranked when the page reaches them. A
relaxed query (few records hold every word) ranks those records' tiers first,
then the tiers of the records holding only some words.
Within a tier: weighted bm25 × the record's factor (``factor`` table),
× EXACT_TITLE_BOOST when the title contains the whole query.

The SQL calls no Python function per row (the factor is joined, filters are
applied to fetched rows or passed as a list), so SQLite ranks with the GIL
released and the threads of a worker rank in parallel.
"""

from __future__ import annotations

import json
import sqlite3

from search_api.engine.bitmaps import iter_bits
from search_api.engine.query import ParsedQuery

# bm25 column weights: title, keywords, summary, org, py (pinyin of title and keyword words)
WEIGHTS = (10.0, 5.0, 2.0, 1.5, 4.0)
EXACT_TITLE_BOOST = 1.5  # the title contains the whole query as typed
IN_LIST_MAX = 3000  # a filtered result this small is handed to SQLite as a list of ids
CHUNK = 256

_SQL = ("SELECT fts.rowid, bm25(fts, " + ", ".join(str(w) for w in WEIGHTS) + ") * factor.factor "
        "FROM fts JOIN factor ON factor.rid = fts.rowid WHERE fts MATCH ?")
# The same × EXACT_TITLE_BOOST where the title (lower-cased, in the small
# title_key table rather than the records row with its body) contains the phrase (first
# parameter). The product is formed as in Python before (bm25 × factor, then ×
# the boost), so the order is the same.
_SQL_BOOSTED = ("SELECT fts.rowid, bm25(fts, " + ", ".join(str(w) for w in WEIGHTS) + ") "
                "* title_key.factor * (CASE WHEN instr(title_key.title, ?1) > 0 "
                f"THEN {EXACT_TITLE_BOOST} ELSE 1.0 END) "
                "FROM fts JOIN title_key ON title_key.rid = fts.rowid WHERE fts MATCH ?2")


class Keep:
    """Which matching records may be ranked: all (``mask`` None), or those
    whose bit is set in ``mask`` (``total`` of them)."""

    def __init__(self, mask: bytes | None = None, total: int = 0) -> None:
        self.mask = mask
        self.ids = (json.dumps(list(iter_bits(mask)))
                    if mask is not None and total <= IN_LIST_MAX else None)

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
    plain = parsed.all_plain if expression == parsed.all_words else parsed.any_plain
    typed = "{title py} : (" + plain + ")"
    in_title = "{title py} : (" + expression + ")"
    out = [typed]
    if plain != expression:
        out.append(f"{in_title} NOT {typed}")
    out.append(f"({expression}) NOT {in_title}")
    return out


def rank(conn: sqlite3.Connection, parsed: ParsedQuery, expression: str, keep: Keep,
         offset: int, limit: int, relaxed: bool = False) -> list[int]:
    """Record ids of one page by relevance (see the module docstring).
    ``relaxed``: ``expression`` is ``parsed.any_word`` but the records holding
    every word (``parsed.all_words``) come first."""
    need = offset + limit
    if relaxed:
        steps = [*tiers(parsed, parsed.all_words),
                 *(f"({tier}) NOT ({parsed.all_words})" for tier in tiers(parsed, expression))]
    else:
        steps = tiers(parsed, expression)
    # One word without synonyms: every title match contains the query.
    exact = len(parsed.marks) > 1 or len(parsed.words) > 1
    page: list[int] = []
    before = 0  # records in the tiers already exhausted
    for number, tier in enumerate(steps):
        want = need - before  # this tier's head that can reach the page
        phrase = parsed.phrase if exact or number > 0 else ""
        ranked = ranked_tier(conn, tier, phrase, keep, want)
        page.extend(ranked[max(0, offset - before):want])
        if len(ranked) < want:
            before += len(ranked)
        else:
            break
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
        return [rid for rid, _ in conn.execute(sql + " LIMIT ?", (*params, need))]
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
