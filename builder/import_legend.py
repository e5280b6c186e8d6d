"""Open types written as codes, read by the legend the file itself gives.

Some catalogue templates ask for the open type as a number and say what the
numbers mean: in the column's header (开放类型（1-无条件开放，2-有条件开放，
3-不予开放）), in a note under or above the table (注：开放属性 1=无条件开放，
2=有条件开放), or (an API's answer) in a code table beside the rows
(``builder.import_json.code_tables``). Such a legend is the file's own statement, not a guess: when the
open-type column's values are the legend's codes, they are read by it. Codes
without a legend stay unmapped (the operator's value map can state them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from builder.import_columns import PLACEHOLDERS, cell_text, normalise
from builder.import_detect import OPEN_TYPE_WORDS
from domain.catalogue.digitfold import fold
from domain.catalogue.model import OpenType

_WORDS = "|".join(sorted(OPEN_TYPE_WORDS, key=len, reverse=True))
_CODE = r"[0-9A-Za-z]{1,2}"
# 1-无条件开放, 1=无条件开放, 1：无条件开放, 1.无条件开放, 1为无条件开放, (1)无条件开放
_CODE_FIRST = re.compile(rf"(?<![0-9A-Za-z])[(（]?({_CODE})\s*[)）]?\s*[-=:：、.．为是—~]?\s*"
                         rf"({_WORDS})")
# 无条件开放-1, 无条件开放=1, 无条件开放（1）, 无条件开放：1
_WORD_FIRST = re.compile(rf"({_WORDS})\s*(?:[-=:：—]|[(（])\s*({_CODE})(?![0-9A-Za-z])")
# Share of the column's non-empty values that must be the legend's codes.
LEGEND_MIN = 0.9


def legend(text: str) -> dict[str, OpenType]:
    """{code (folded): open type} of a legend in ``text``; empty unless it
    pairs at least two codes with two different open-type words."""
    text = fold(text).text
    pairs: dict[str, OpenType] = {}
    for code, word in _CODE_FIRST.findall(text):
        pairs.setdefault(code.casefold(), OPEN_TYPE_WORDS[word][0])
    if len(pairs) < 2:
        pairs = {}
        for word, code in _WORD_FIRST.findall(text):
            pairs.setdefault(code.casefold(), OPEN_TYPE_WORDS[word][0])
    return pairs if len(set(pairs.values())) >= 2 else {}


def column_legend(header: str, values: Iterable[Any], notes: Iterable[str]
                  ) -> tuple[dict[str, str], str] | None:
    """The value map (folded code -> open type) for an open-type column
    written in codes, and where its legend was found; None when the header
    and the notes hold no legend, or the column's values are not its codes."""
    texts = [t for v in values if (t := cell_text(v)) and normalise(t) not in PLACEHOLDERS]
    if not texts:
        return None
    for where, text in (("its header", header),
                        *(("a note or code table in the file", n) for n in notes)):
        pairs = legend(text)
        if not pairs:
            continue
        fitting = sum(1 for t in texts if fold(t).text.strip().casefold() in pairs)
        if fitting >= LEGEND_MIN * len(texts):
            return {code: kind.value for code, kind in pairs.items()}, where
    return None


def with_legend(values: dict[str, dict[str, str]], legend: Mapping[str, str]
                ) -> dict[str, dict[str, str]]:
    """The value map with the file's own legend of open-type codes under it
    (the operator's entries win)."""
    if legend:
        values["open_type"] = {**legend, **values.get("open_type", {})}
    return values
