"""Chinese word segmentation for indexing and querying.

Documents are indexed as the space-joined tokens of jieba's search mode
(``cut_for_search``: every word plus the dictionary words inside it, so
公交站点 gives 公交 站点 公交站 公交站点), which FTS5's ``unicode61``
tokenizer then splits on the spaces. Queries are cut in precise mode and
each word is matched as itself *or* as all of its inner words, so that a
word segmented differently in context (公交车 in the query, 公交 in the
text) is still found. rjieba (Rust) is used when importable, else jieba.

Pinyin (pypinyin): the ``py`` column of the index holds, for the words of a
title and its keywords, their full pinyin and their initials, and the same
for each pair of neighbouring title words (公交站点信息 → gongjiaozhandian gjzd
xinxi xx gongjiaozhandianxinxi gjzdxx), so that "gongjiao", "gj" and
"lajifenlei" find 公交 and 垃圾分类. Query building is in query.py.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from search_api.engine.synonyms import normalise

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
SEGMENTATION_VERSION = "3"  # 3: format characters dropped (synonyms.normalise)

_WORD_CHAR = re.compile(r"\w", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def is_word(token: str) -> bool:
    """True when ``token`` holds at least one letter or digit."""
    return bool(_WORD_CHAR.search(token))


def index_text(text: str) -> str:
    """``text`` as space-joined search-mode tokens, ready for FTS5 unicode61."""
    if not text:
        return ""
    return " ".join(t for t in _cut_for_search(normalise(text)) if is_word(t))


def search_tokens(text: str) -> list[str]:
    """Search-mode tokens of ``text`` (normalised), as ``index_text`` stores them."""
    return [t for t in _cut_for_search(normalise(text)) if is_word(t)]


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


MAX_READINGS = 4  # spellings indexed per word (its reading in context first)


@lru_cache(maxsize=65536)
def _readings(word: str) -> tuple[tuple[str, ...], ...]:
    """The pinyin of ``word`` as read in context, then other spellings that
    the readings of its polyphonic characters give (献血: xian xie, then
    xian xue; the two commonest readings of each character), up to
    MAX_READINGS, for words of at most four characters."""
    from pypinyin import Style, pinyin

    main = _word_pinyin(word)
    if len(word) > 4 or len(main) != len(word):
        return (main,)
    per_char = [pinyin(ch, style=Style.NORMAL, heteronym=True)[0][:2] for ch in word]
    out = [main]
    for combo in itertools.islice(itertools.product(*per_char), 16):
        spelling = tuple(s.lower() for s in combo)
        if spelling not in out:
            out.append(spelling)
        if len(out) >= MAX_READINGS:
            break
    return tuple(out)


def is_cjk(text: str) -> bool:
    """True when ``text`` holds a Chinese character."""
    return bool(_CJK.search(text))


def word_pinyin(word: str) -> tuple[str, ...]:
    """The toneless pinyin syllables of ``word`` (polyphones read in context:
    重庆 → chong qing); Latin letters and digits come through as they are.
    Empty without pypinyin."""
    return _word_pinyin(normalise(word)) if _HAS_PINYIN else ()


def initials(syllables: Iterable[str]) -> str:
    """The first letters of ``syllables`` (you er yuan → yey)."""
    return "".join(s[0] for s in syllables if s)


def pinyin_words(title: str, keywords: Iterable[str] = ()) -> str:
    """The ``py`` column of a record: for every Chinese word of ``title`` and
    of ``keywords``, its pinyin (every reading, ``_readings``) and, for words
    of two or more characters, its initials; for each pair of neighbouring
    title words, the pinyin and initials of the pair as read in context.
    Empty without pypinyin."""
    if not _HAS_PINYIN:
        return ""
    out: list[str] = []
    for text, pairs in ((title, True), *((k, False) for k in keywords)):
        cjk = [w for w in words(text) if _CJK.search(w)]
        syllables = [_word_pinyin(w) for w in cjk]
        for index, syl in enumerate(syllables):
            out.extend("".join(reading) for reading in _readings(cjk[index]))
            if len(syl) > 1:
                out.append(initials(syl))
            if pairs and index:
                pair = syllables[index - 1] + syl
                out.append("".join(pair))
                out.append(initials(pair))
    return " ".join(dict.fromkeys(t for t in out if t))


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


def describe() -> dict[str, Any]:
    """Which segmenter and pinyin support are in use (for logs and /health)."""
    return {"segmenter": SEGMENTER, "pinyin": _HAS_PINYIN,
            "segmentation_version": SEGMENTATION_VERSION}
