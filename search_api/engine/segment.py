"""Chinese word segmentation for indexing and querying.

Documents are indexed as the space-joined tokens of jieba's search mode
(``cut_for_search``: every word plus the dictionary words inside it, so
公交站点 gives 公交 站点 公交站 公交站点), which FTS5's ``unicode61``
tokenizer then splits on the spaces. Queries are cut in precise mode and
each word is matched as itself *or* as all of its inner words, so that a
word segmented differently in context (公交车 in the query, 公交 in the
text) is still found. rjieba (Rust) is used when importable, else jieba.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from search_api.engine.synonyms import Synonyms, normalise

_cut: Callable[[str], Iterable[str]]
_cut_for_search: Callable[[str], Iterable[str]]
try:
    import rjieba

    _cut = rjieba.cut
    _cut_for_search = rjieba.cut_for_search
    SEGMENTER = "rjieba"
except ImportError:  # pragma: no cover - exercised only where rjieba is missing
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    _cut = jieba.lcut
    _cut_for_search = jieba.lcut_for_search
    SEGMENTER = "jieba"

# Changing how text is segmented invalidates every stored segmentation: the
# version is part of each record's content hash, so a new version re-indexes.
SEGMENTATION_VERSION = "1"

# Words that say nothing about which dataset is meant. They are dropped from a
# query that has other words (数据 and 信息 are in most titles of a portal).
STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 是 等 之 其 对 从 按 由 为 有关 相关 关于 有 哪些 什么 怎么 如何 "
    "查询 查看 下载 数据 数据集 信息 情况 列表 一览 全部 所有 我 要 想".split())

# Words of a several-word synonym must be this close (tokens in between; the
# search-mode tokens of a long word sit between two precise words).
NEAR_DISTANCE = 4

_WORD_CHAR = re.compile(r"\w", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ASCII_WORD = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")


def is_word(token: str) -> bool:
    """True when ``token`` holds at least one letter or digit."""
    return bool(_WORD_CHAR.search(token))


def index_text(text: str) -> str:
    """``text`` as space-joined search-mode tokens, ready for FTS5 unicode61."""
    if not text:
        return ""
    return " ".join(t for t in _cut_for_search(normalise(text)) if is_word(t))


def words(text: str) -> list[str]:
    """Precise-mode words of ``text`` (normalised), without punctuation."""
    return [t for t in _cut(normalise(text)) if is_word(t)]


@lru_cache(maxsize=65536)
def _word_pinyin(word: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(s.strip().lower() for s in lazy_pinyin(word) if s.strip())


def pinyin_available() -> bool:
    """True when pypinyin can be imported."""
    try:
        import pypinyin  # noqa: F401
    except ImportError:  # pragma: no cover
        return False
    return True


_HAS_PINYIN = pinyin_available()


def pinyin_words(text: str) -> str:
    """The pinyin of each Chinese word of ``text``, syllables joined
    (公交站点信息 → "gongjiaozhandian xinxi"), for matching queries typed in
    pinyin. Empty without pypinyin."""
    if not _HAS_PINYIN or not text:
        return ""
    out = []
    for word in words(text):
        if _CJK.search(word):
            out.append("".join(_word_pinyin(word)))
    return " ".join(out)


def sort_key(title: str) -> str:
    """A key that orders titles the way a Chinese reader expects: by pinyin
    (syllables separated by spaces, so 公交 comes before 公交车), digits and
    Latin letters as they are. Falls back to the title itself (Unicode order)
    without pypinyin."""
    if not _HAS_PINYIN:
        return normalise(title)
    parts: list[str] = []
    for word in _cut(normalise(title)):
        if _CJK.search(word):
            parts.extend(_word_pinyin(word))
        elif word.strip():
            parts.append(word.strip())
    return " ".join(parts)


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


@dataclass(frozen=True)
class ParsedQuery:
    """A query turned into FTS5 MATCH expressions.

    ``all_words`` requires every query word (AND), ``any_word`` one of them
    (OR, the fallback when AND finds nothing); ``all_plain``/``any_plain`` are
    the same without synonyms (records matching the words as typed rank
    first); ``marks`` are the strings to highlight in the original text
    (query words, synonyms, inner words).
    """

    words: tuple[str, ...]
    all_words: str
    any_word: str
    all_plain: str
    any_plain: str
    marks: tuple[str, ...]
    phrase: str  # the query without spaces, for the exact-title boost

    @property
    def empty(self) -> bool:
        return not self.words


def _term_expression(term: str, marks: set[str], alone: bool) -> str:
    """FTS5 expression matching ``term`` in indexed text.

    A one-word term matches as itself or as all of its inner words (the text
    may hold 公交 where the query says 公交车). A term of several words
    (a synonym such as 企业登记) needs them within a few tokens of each other.
    A single Chinese character matches as a prefix (桥 finds 桥梁) only when it
    is the whole query (``alone``): next to other words (2024年) it is noise.
    """
    pieces = words(term)
    if not pieces:
        return ""
    marks.add(term)
    if len(pieces) > 1:
        marks.update(p for p in pieces if len(p) > 1)
        near = " ".join(_quote(p) + ("*" if _prefix_ok(p, False) else "") for p in pieces)
        return f"NEAR({near}, {NEAR_DISTANCE})"
    piece = pieces[0]
    marks.add(piece)
    alternatives = [_quote(piece) + ("*" if _prefix_ok(piece, alone) else "")]
    inner = [t for t in _cut_for_search(piece) if t != piece and is_word(t)]
    if inner and len(piece) > 2:
        marks.update(t for t in inner if len(t) > 1)
        alternatives.append("(" + " AND ".join(_quote(t) for t in dict.fromkeys(inner)) + ")")
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def _prefix_ok(piece: str, alone: bool) -> bool:
    """Latin words (pinyin, abbreviations) also match as prefixes (gongj finds
    gongjiao); so does a single Chinese character that is the whole query."""
    return (alone and len(piece) == 1 and bool(_CJK.match(piece))) or (
        bool(_ASCII_WORD.match(piece)) and len(piece) >= 2 and not piece.isdigit())


def _split_protecting(text: str, protected: list[str]) -> list[str]:
    """Precise-mode words of ``text``, keeping every ``protected`` term (the
    synonym terms, longest first) as one word wherever it occurs."""
    for term in protected:
        if term in text:
            out: list[str] = []
            parts = text.split(term)
            for i, part in enumerate(parts):
                out.extend(_split_protecting(part, protected))
                if i < len(parts) - 1:
                    out.append(term)
            return out
    return words(text)


def parse_query(q: str, synonyms: Synonyms | None = None) -> ParsedQuery:
    """Segment ``q`` like the indexed text and build the MATCH expressions:
    AND between query words, each word OR-ed with its synonyms."""
    text = normalise(q).strip()
    protected = synonyms.terms if synonyms else []
    found = [w for chunk in text.split() for w in _split_protecting(chunk, protected)]
    meaningful = [w for w in found if w not in STOPWORDS]
    chosen = list(dict.fromkeys(meaningful or found))
    marks: set[str] = set()
    groups = []
    plain = []
    for word in chosen:
        alternatives = [word, *(synonyms.of(word) if synonyms else [])]
        exprs = [e for e in (_term_expression(a, marks, len(chosen) == 1) for a in alternatives)
                 if e]
        if exprs:
            groups.append(exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")")
            plain.append(exprs[0])
    marks.update(chosen)
    return ParsedQuery(
        words=tuple(chosen),
        all_words=" AND ".join(groups),
        any_word=" OR ".join(groups),
        all_plain=" AND ".join(plain),
        any_plain=" OR ".join(plain),
        marks=tuple(sorted((m for m in marks if m), key=lambda m: (-len(m), m))),
        phrase="".join(text.split()),
    )


def describe() -> dict[str, Any]:
    """Which segmenter and pinyin support are in use (for logs and /health)."""
    return {"segmenter": SEGMENTER, "pinyin": _HAS_PINYIN,
            "segmentation_version": SEGMENTATION_VERSION}
