"""Update frequencies as portals write them: 每年一次, 1年, 年度, 按年更新,
每月一次, 月更新, 每天, 每星期, 半年度, 每季度一次, 实时更新...

The vocabulary lists a few spellings of each frequency, but portals add filler
around the same unit: "每", "按", "一次", "更新", a leading 一/1. This module
folds a text to its unit (年, 半年, 季, 月, 周, 日, 实时...) and matches it with
the vocabulary's own spellings folded the same way. It is a fold, not a guess:
the text must reduce to exactly what one term's name or alias reduces to, and
a fold that two terms share matches neither. 每两年, 每年两次 or 每小时 fold to
nothing the vocabulary says and stay unmapped.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from domain.catalogue.vocabulary import TermList

_FILLER = re.compile(r"更新一次|一次(?!性)|1次|更新|更|/次|／次|进行")
_LEAD = re.compile(r"^(每|按|逐|以)+")
_ONE = re.compile(r"^(一|1)(?=[年月周日季])")
_WORDS = (("星期", "周"), ("礼拜", "周"), ("天", "日"), ("季度", "季"), ("年度", "年"),
          ("月度", "月"), ("周度", "周"), ("日度", "日"))
_INDEX: dict[int, tuple[TermList, dict[str, Any]]] = {}


def fold_frequency(text: str) -> str:
    """The unit a frequency text names: ``每年一次`` → ``年``, ``按季度更新``
    → ``季``, ``每天`` → ``日``; other text folded of case and spaces."""
    key = "".join(unicodedata.normalize("NFKC", text).split()).casefold()
    key = _FILLER.sub("", key)
    for word, unit in _WORDS:
        key = key.replace(word, unit)
    key = _LEAD.sub("", key)
    return _ONE.sub("", key)


def _folded(terms: TermList) -> dict[str, Any]:
    cached = _INDEX.get(id(terms))
    if cached is not None and cached[0] is terms:
        return cached[1]
    index: dict[str, Any] = {}
    shared: set[str] = set()
    for term in terms.terms:
        for spelling in term.spellings():
            key = fold_frequency(spelling)
            if not key:
                continue
            if index.get(key, term) is not term:
                shared.add(key)
            index[key] = term
    for key in shared:
        del index[key]
    _INDEX[id(terms)] = (terms, index)
    return index


def match_frequency(text: str, terms: TermList) -> Any:
    """The frequency term ``text`` spells, exactly or once folded, or None."""
    term = terms.match(text)
    if term is not None:
        return term
    key = fold_frequency(text)
    return _folded(terms).get(key) if key else None
