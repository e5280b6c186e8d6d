"""The catalogue's vocabulary: pinyin → words, for "did you mean" and for
highlighting the Chinese words a pinyin query spelled.

Table ``vocab(word, pinyin, df)``: every Chinese word of two or more
characters (precise mode) in a record's title or keywords, its toneless
pinyin (syllables separated by spaces) and the number of records holding it.
``update_vocab`` keeps the counts in step with ``index()``, touching only the
changed records.

Correction (``Vocabulary.correct``) is meant for queries that found nothing:
the commonest slip of a Chinese input method is a homophone (公焦 for 公交,
幼儿圆 for 幼儿园), so a run of Chinese characters is re-read as catalogue
words of the same pinyin, changing as few characters as possible; a word in
Latin letters that is no known pinyin is replaced by the catalogue word whose
pinyin is closest in spelling (tushugaun → 图书馆).
"""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from search_api.engine.segment import initials, word_pinyin, words
from search_api.engine.synonyms import normalise

VOCAB_SCHEMA = ("CREATE TABLE vocab(word TEXT PRIMARY KEY, pinyin TEXT NOT NULL, "
                "df INTEGER NOT NULL)")
UNKNOWN_CHAR_COST = 3  # keeping a character that starts no known word
MAX_WORD_CHARS = 8
CLOSE_SPELLING = 0.8  # difflib ratio for a Latin word to count as a misspelt pinyin
_CHINESE_WORD = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]{2,}$")
_CHINESE_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")
_CHINESE_RUN_ONLY = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
_LATIN = re.compile(r"^[a-z]{3,}$")


def record_words(record: Mapping[str, Any]) -> set[str]:
    """The vocabulary words of a record: Chinese words of 2+ characters in its
    title and keywords."""
    keywords = record.get("keywords") or []
    if isinstance(keywords, str):
        keywords = [keywords]
    texts = [str(record.get("title") or ""), *(str(k) for k in keywords)]
    return {w for text in texts for w in words(text) if _CHINESE_WORD.match(w)}


def update_vocab(conn: sqlite3.Connection, old_bodies: Iterable[str],
                 new_records: Iterable[Mapping[str, Any]]) -> None:
    """Subtract the words of the records stored as ``old_bodies`` (removed or
    changed) and add those of ``new_records`` (added or changed), inside the
    caller's transaction."""
    delta: Counter[str] = Counter()
    for body in old_bodies:
        delta.subtract(record_words(json.loads(body)))
    for record in new_records:
        delta.update(record_words(record))
    changes = [(w, " ".join(word_pinyin(w)), n) for w, n in delta.items() if n]
    conn.executemany("INSERT INTO vocab VALUES (?, ?, ?) ON CONFLICT(word) "
                     "DO UPDATE SET df = df + excluded.df", changes)
    conn.execute("DELETE FROM vocab WHERE df <= 0")


class Vocabulary:
    """The vocab table of one index generation, in memory (read-only)."""

    def __init__(self, rows: Iterable[tuple[str, str, int]]) -> None:
        self.df: dict[str, int] = {}
        self.by_pinyin: dict[str, list[str]] = {}  # "gong jiao" → words, commonest first
        self.by_spelling: dict[str, list[str]] = {}  # "gongjiao" and "gj" → words
        for word, pinyin, df in sorted(rows, key=lambda r: (-r[2], r[0])):
            if not pinyin:
                continue
            self.df[word] = df
            self.by_pinyin.setdefault(pinyin, []).append(word)
            syllables = pinyin.split()
            self.by_spelling.setdefault("".join(syllables), []).append(word)
            self.by_spelling.setdefault(initials(syllables), []).append(word)

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> Vocabulary:
        """The vocabulary visible in ``conn``'s transaction."""
        return cls(conn.execute("SELECT word, pinyin, df FROM vocab"))

    def __len__(self) -> int:
        return len(self.df)

    def spelled(self, latin: str, limit: int = 3) -> list[str]:
        """The commonest words whose pinyin or initials are ``latin``
        (gongjiao, gj → 公交), or that two such words make (lajifenlei →
        垃圾, 分类); for highlighting the hits of a pinyin query."""
        found = self.by_spelling.get(latin)
        if found:
            return found[:limit]
        for cut in range(2, len(latin) - 1):
            head, tail = self.by_spelling.get(latin[:cut]), self.by_spelling.get(latin[cut:])
            if head and tail:
                return [head[0], tail[0]]
        return []

    def correct(self, query: str) -> str | None:
        """``query`` with homophone slips and misspelt pinyin replaced by
        catalogue words, or None when nothing could be improved."""
        text = normalise(query).strip()
        chunks = []
        for chunk in text.split():
            parts = []
            for run in _CHINESE_RUN.findall(chunk):
                if _CHINESE_RUN_ONLY.match(run):
                    parts.append(self._reread(run))
                elif _LATIN.match(run):
                    parts.append(self._respell(run))
                else:
                    parts.append(run)
            chunks.append("".join(parts))
        corrected = " ".join(chunks)
        return corrected if corrected != text else None

    def _reread(self, run: str) -> str:
        """The cheapest reading of a run of Chinese characters as catalogue
        words: a typed word that is known costs 0, a known homophone the
        number of characters changed (at most one in three), a character
        left as it is UNKNOWN_CHAR_COST."""
        n = len(run)
        syllables = list(word_pinyin(run))  # polyphones read in context
        if len(syllables) != n:
            syllables = [" ".join(word_pinyin(ch)) for ch in run]
        best: list[tuple[int, int, list[str]] | None] = [None] * (n + 1)
        best[0] = (0, 0, [])
        for i in range(n):
            here = best[i]
            if here is None:
                continue
            cost, pieces, words_so_far = here
            options = [(i + 1, UNKNOWN_CHAR_COST, run[i])]
            for length in range(2, min(MAX_WORD_CHARS, n - i) + 1):
                typed = run[i:i + length]
                if typed in self.df:
                    options.append((i + length, 0, typed))
                    continue
                allowed = max(1, length // 3)
                for candidate in self.by_pinyin.get(" ".join(syllables[i:i + length]), ()):
                    changed = sum(a != b for a, b in zip(candidate, typed, strict=False))
                    if len(candidate) == length and changed <= allowed:
                        options.append((i + length, changed, candidate))
                        break  # commonest first
            for end, extra, piece in options:
                option = (cost + extra, pieces + 1, [*words_so_far, piece])
                current = best[end]
                if current is None or option[:2] < current[:2]:
                    best[end] = option
        final = best[n]
        return "".join(final[2]) if final else run

    def _respell(self, latin: str) -> str:
        """A Latin word that spells no known pinyin, replaced by the commonest
        word whose pinyin is spelt most alike (or left as it is)."""
        if latin in self.by_spelling or self.spelled(latin):
            return latin
        keys = [k for k in self.by_spelling if abs(len(k) - len(latin)) <= 2 and len(k) > 3]
        close = difflib.get_close_matches(latin, keys, n=1, cutoff=CLOSE_SPELLING)
        return self.by_spelling[close[0]][0] if close else latin
