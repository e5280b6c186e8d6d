"""A query string turned into FTS5 MATCH expressions (embedded engine).

The query is cut into words like the indexed text (segment.py); synonym
terms are kept whole. Every word must match (AND); ``any_word`` (OR) is the
fallback when no record has them all. Each word matches as itself or as all
of its inner words (the text may hold 公交 where the query says 公交车), or as
one of its synonyms. The pieces the user typed apart (with spaces) are kept
as ``any_chunk``: among records holding only some words, those holding every
word of one piece rank first (社会消费品零售总额 驾驶员培训机构: the records of
one whole subject before those holding only 机构). A synonym matches only as a phrase: its search-mode
tokens in a row, which is how the index holds it wherever it occurs. So 公交
finds 公共交通 but not a record that says 公共停车场 … 交通运输局, whose 公共 and
交通 are apart. Latin words (pinyin, abbreviations) match as prefixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search_api.engine.segment import is_cjk, search_tokens, words
from search_api.engine.synonyms import Synonyms, normalise

# Words that say nothing about which dataset is meant. They are dropped from a
# query that has other words (数据 and 信息 are in most titles of a portal).
STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 是 等 之 其 对 从 按 由 为 有关 相关 关于 有 哪些 什么 怎么 如何 "
    "查询 查看 下载 数据 数据集 信息 情况 列表 一览 全部 所有 我 要 想".split())

# Words of a several-word term typed by the user must be this close (tokens in
# between; the search-mode tokens of a long word sit between two precise words).
NEAR_DISTANCE = 4

_ASCII_WORD = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
_LATIN = re.compile(r"^[a-z]{2,}$")


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


@dataclass(frozen=True)
class ParsedQuery:
    """A query turned into FTS5 MATCH expressions.

    ``all_words`` requires every query word (AND), ``any_word`` one of them
    (OR, the fallback when AND finds nothing); ``all_plain``/``any_plain`` are
    the same without synonyms (records matching the words as typed rank
    first); ``marks`` are the strings to highlight in the original text
    (query words, synonyms, inner words); ``latin`` the query words in Latin
    letters (perhaps pinyin: the engine adds the Chinese words they spell to
    the marks).
    """

    words: tuple[str, ...]
    all_words: str
    any_word: str
    all_plain: str
    any_plain: str
    marks: tuple[str, ...]
    phrase: str  # the query without spaces, for the exact-title boost
    latin: tuple[str, ...] = ()
    # Records holding every word of one typed piece (OR of the pieces' ANDs),
    # with and without synonyms; "" when that is any_word or all_words itself
    # (one piece, or no piece of several words).
    any_chunk: str = ""
    any_chunk_plain: str = ""

    @property
    def empty(self) -> bool:
        return not self.words

    def plain(self, expression: str) -> str:
        """``expression`` (all_words, any_chunk or any_word) without synonyms."""
        if expression == self.all_words:
            return self.all_plain
        if self.any_chunk and expression == self.any_chunk:
            return self.any_chunk_plain
        return self.any_plain

    def levels(self, expression: str, relaxed: bool) -> list[str]:
        """The match levels ranked in turn for records matching ``expression``:
        ``relaxed`` puts the records holding every word first; between those
        and the records holding only some word (any_word) come those holding
        a whole typed piece (each level's records that an earlier level
        holds are ranked there)."""
        out = [self.all_words] if relaxed else []
        if self.any_chunk and expression == self.any_word:
            out.append(self.any_chunk)
        out.append(expression)
        return out


def _prefix_ok(piece: str, alone: bool) -> bool:
    """Latin words (pinyin, abbreviations) also match as prefixes (gongj finds
    gongjiao); so does a single Chinese character that is the whole query."""
    return (alone and len(piece) == 1 and is_cjk(piece)) or (
        bool(_ASCII_WORD.match(piece)) and len(piece) >= 2 and not piece.isdigit())


def _term_expression(term: str, marks: set[str], alone: bool) -> str:
    """FTS5 expression matching ``term``, a word the user typed.

    A one-word term matches as itself or as all of its inner words (the text
    may hold 公交 where the query says 公交车). A term of several words needs
    them within a few tokens of each other. A single Chinese character matches
    as a prefix (桥 finds 桥梁) only when it is the whole query (``alone``):
    next to other words (2024年) it is noise.
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
    inner = [t for t in search_tokens(piece) if t != piece]
    if inner and len(piece) > 2:
        marks.update(t for t in inner if len(t) > 1)
        alternatives.append("(" + " AND ".join(_quote(t) for t in dict.fromkeys(inner)) + ")")
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def synonym_expression(term: str, marks: set[str]) -> str:
    """FTS5 expression matching ``term`` (a synonym the user did not type)
    only as a phrase: one word as that word's token, several as their
    search-mode tokens in a row, as ``index_text`` writes them wherever the
    term occurs and is segmented as on its own. Inner words of the term are
    neither matched on their own nor highlighted."""
    tokens = search_tokens(term)
    if not tokens:
        return ""
    marks.add(normalise(term))
    if len(words(term)) == 1:
        piece = normalise(term).strip()
        return _quote(piece) + ("*" if _prefix_ok(piece, False) else "")
    return _quote(" ".join(tokens))


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
    AND between query words, each word OR-ed with its synonyms (as phrases)."""
    text = normalise(q).strip()
    protected = synonyms.terms if synonyms else []
    pieces = [_split_protecting(chunk, protected) for chunk in text.split()]
    found = [w for piece in pieces for w in piece]
    meaningful = [w for w in found if w not in STOPWORDS]
    chosen = list(dict.fromkeys(meaningful or found))
    marks: set[str] = set()
    groups: dict[str, str] = {}
    plain: dict[str, str] = {}
    for word in chosen:
        own = _term_expression(word, marks, len(chosen) == 1)
        if not own:
            continue
        exprs = [own]
        for synonym in (synonyms.of(word) if synonyms else []):
            expression = synonym_expression(synonym, marks)
            if expression and expression not in exprs:
                exprs.append(expression)
        groups[word] = exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")"
        plain[word] = own
    marks.update(chosen)
    chunks = list(dict.fromkeys(tuple(dict.fromkeys(w for w in piece if w in groups))
                                for piece in pieces))
    chunks = [chunk for chunk in chunks if chunk]
    whole_pieces = len(chunks) > 1 and any(len(chunk) > 1 for chunk in chunks)
    return ParsedQuery(
        words=tuple(chosen),
        all_words=" AND ".join(groups.values()),
        any_word=" OR ".join(groups.values()),
        all_plain=" AND ".join(plain.values()),
        any_plain=" OR ".join(plain.values()),
        marks=tuple(sorted((m for m in marks if m), key=lambda m: (-len(m), m))),
        phrase="".join(text.split()),
        latin=tuple(w for w in chosen if _LATIN.match(w)),
        any_chunk=_pieces(chunks, groups) if whole_pieces else "",
        any_chunk_plain=_pieces(chunks, plain) if whole_pieces else "",
    )


def _pieces(chunks: list[tuple[str, ...]], expressions: dict[str, str]) -> str:
    """OR of the typed pieces, each the AND of its words' ``expressions``."""
    return " OR ".join("(" + " AND ".join(expressions[w] for w in chunk) + ")"
                       for chunk in chunks)
