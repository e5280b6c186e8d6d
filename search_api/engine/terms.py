"""Match bitmaps built from the record sets of the query's terms (embedded engine).

A query's MATCH expression (query.py) is a boolean combination (AND, OR,
parentheses) of terms: a quoted token, a quoted prefix (``"gongj"*``) or a
``NEAR(...)`` group. The records matching such an expression are the
intersection (AND) and union (OR) of the records matching each term. A
``TermSets`` keeps, per index generation and across queries, the record sets
of the common terms it has fetched (at least COMMON_TERM records: 数据, 企业,
许可): turning a long list of rowids into a bitmap costs far more than the
FTS5 lookup, so a common word is paid for once per generation and process
instead of once per query. An expression of one term is fetched through the
sets, and so is a union (OR only) of several; an expression with AND is
combined from them when every term's set is at hand, else FTS5 matches it
whole (it intersects long lists faster than they become bitmaps). Expressions of any other shape (NOT, column filters) are
matched whole by FTS5 too.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable

from search_api.engine.bitmaps import fts_match
from search_api.engine.lru import Lru

COMMON_TERM = 1000  # a term matching at least this many records is kept
TERM_CACHE_SIZE = 512  # common terms kept per engine (≤ 512 × size/8 bytes)

# A quoted token (with an optional prefix star), a NEAR group of quoted
# tokens, a parenthesis or an operator; anything else makes the expression
# "not a plain combination of terms".
_LEXEME = re.compile(r'\s*(?:("(?:[^"]|"")*"\*?)|(NEAR\((?:\s*"(?:[^"]|"")*"\*?)+\s*,\s*\d+\))'
                     r'|(\()|(\))|(AND|OR)(?=[\s("]))')


_SYNTAX = frozenset({"(", ")", "AND", "OR"})


def lexemes(expression: str) -> list[str] | None:
    """The terms, parentheses and operators of ``expression``, or None when
    it holds anything else (NOT, a column filter, a bare word)."""
    out: list[str] = []
    position = 0
    text = expression.rstrip()
    while position < len(text):
        found = _LEXEME.match(text, position)
        if found is None:
            return None
        out.append(found.group(found.lastindex or 0))
        position = found.end()
    return out


class TermSets:
    """The record sets (bitmaps) of the common terms of one index generation
    (an LRU of TERM_CACHE_SIZE; thread-safe)."""

    def __init__(self, generation: str, size: int = TERM_CACHE_SIZE) -> None:
        self.generation = generation
        self.size = size
        self._sets = Lru(size)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sets)

    def term(self, conn: sqlite3.Connection, term: str, nbits: int) -> int:
        """The records matching ``term`` (a bitmap of ``nbits`` bits), from
        the cache or from FTS5 (kept when common)."""
        with self._lock:
            cached = self._sets.fetch(term)
        if cached is not None:
            return int(cached)
        bits, count = fts_match(conn, term, nbits)
        if count >= COMMON_TERM:
            with self._lock:
                self._sets.keep(term, bits)
        return bits

    def match(self, conn: sqlite3.Connection, expression: str, nbits: int) -> int | None:
        """The records matching ``expression`` combined from its terms' sets,
        or None when it is not a combination of terms by AND, OR and
        parentheses, or holds an AND of several terms not all of whose sets
        are at hand (the caller then asks FTS5 for the whole expression); a
        union (OR only) fetches its missing terms' sets.
        Raises sqlite3.OperationalError for a term FTS5 rejects."""
        items = lexemes(expression)
        if not items:
            return None
        if len(items) > 1 and "AND" in items:
            # FTS5 intersects long lists far faster than they become bitmaps:
            # combine here only when every term's set is at hand. A union (OR
            # only) is combined from its terms' sets, fetching the missing
            # ones: it holds every record of every term, so FTS5's answer
            # would turn at least as many ids into bits as the rare terms
            # hold, the common ones coming from here.
            with self._lock:
                known = all(item in self._sets for item in items if item not in _SYNTAX)
            if not known:
                return None
        parser = _Parser(items, lambda term: self.term(conn, term, nbits))
        return parser.run()



class _Parser:
    """Evaluates ``or := and (OR and)*; and := primary (AND primary)*;
    primary := term | ( or )`` (FTS5's precedence: AND binds tighter)."""

    def __init__(self, items: list[str], term: Callable[[str], int]) -> None:
        self.items = items
        self.at = 0
        self.term = term

    def run(self) -> int | None:
        value = self._or()
        return value if value is not None and self.at == len(self.items) else None

    def _peek(self) -> str | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def _or(self) -> int | None:
        value = self._and()
        while value is not None and self._peek() == "OR":
            self.at += 1
            other = self._and()
            value = None if other is None else value | other
        return value

    def _and(self) -> int | None:
        value = self._primary()
        while value is not None and self._peek() == "AND":
            self.at += 1
            other = self._primary()
            value = None if other is None else value & other
        return value

    def _primary(self) -> int | None:
        item = self._peek()
        if item is None or item in ("AND", "OR", ")"):
            return None
        self.at += 1
        if item == "(":
            value = self._or()
            if self._peek() != ")":
                return None
            self.at += 1
            return value
        return self.term(item)
