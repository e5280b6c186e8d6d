"""Desensitization gate: find unmasked personal identifiers in table cells.

Sensitive data must be desensitized (脱敏) before it is opened (003 §22; also
000 §28 and 001 §36). The build calls :func:`find_pii` on every cell of every
open dataset and fails when a cell still holds a clear identifier. Three kinds
are recognised, whatever the writing:

* mainland resident ID numbers (GB 11643-1999): 18 characters with a plausible
  province code, a valid birth date in 1900..2099 and a correct ISO 7064
  MOD 11-2 check character;
* mainland mobile numbers: ``1[3-9]`` plus 9 digits, optionally prefixed by
  ``+86``, ``0086`` or ``86``;
* bank card numbers: 16-19 digits starting with 3, 4, 5 or 6, Luhn-valid.

This is the one detector of the project: ``portal check`` and the build,
moderation of demands, suggestions, reuses and use reports, the outbox check,
audit details and log redaction all call :func:`find_pii` (or
:func:`mask_pii_text`). The text is normalised first
(:mod:`domain.catalogue.digitfold`: Unicode NFKC, full-width digits, zero-width and
other format characters dropped), and the digits of one number may be
separated by up to three separator characters of any kind (spaces including
U+3000 and no-break spaces, hyphens and dashes, dots, middle dots, slashes,
brackets): ``440306　198503124519``, ``440306/19850312/4519``,
``138.0013.8000``, ``138—0013—8000`` and ``1 3 8 0 0 1 3 8 0 0 0`` are all
caught. Only the reading is normalised: what passes is published as written.

A candidate must stand alone: a number touching an ASCII letter, another
digit or a mask character (``*``, ``×``, ``＊``) belongs to a longer code or to
a masked value and is ignored. Chinese characters and other punctuation
(commas, colons) are boundaries, so ``身份证号110101199003074514`` is caught
while ``138****5678`` and ``110101********1234`` pass. A number that is the
fractional or integer part of a decimal (``0.13812345678``,
``12345678901.25``), that follows a currency sign (``¥``, ``￥``, ``$``) or that
is followed by 元, 万 or 亿 is a quantity, not an identifier;
``13812345678.0`` is still caught because spreadsheets often render phone
columns as floats. :func:`find_pii` documents the exact grouping rules.

Design choice on bank cards: one random 16-19-digit number in ten passes the
Luhn check, so order numbers or meter readings that start with 3-6 are flagged
as cards about one time in ten. The gate errs towards safety and flags them;
a publisher resolves a false alarm by masking the value or by declaring the
field exempt from a kind through ``find_pii(text, ignore=...)``. Two
exclusions keep the rate down at almost no cost in real cards: an 18-digit
run laid out like an ID number (province code and birth date) is never called
a card, and neither is a plausible unified social credit code (GB 32100-2015),
which identifies an organisation, not a person. One or two 18-digit cards in
a thousand fall under them and is missed when written without separators;
16- and 19-digit cards, the usual lengths, and cards grouped by fours are
unaffected. An ID-shaped run whose check character is wrong is not flagged
at all: the check character is what tells an ID number from other 18-digit
codes.

Throughput and accuracy on a labelled corpus are measured by
``bench/pii_gate_accuracy.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from domain.catalogue.digitfold import Folded, fold, may_hold_digit_run, separator_class
from domain.catalogue.pii_identifiers import (
    MOBILE_RE,
    has_id_layout,
    id_number_is_valid,
    is_credit_code,
    luhn_is_valid,
)

__all__ = [
    "PiiHit",
    "PiiKind",
    "find_pii",
    "mask_pii_text",
]


class PiiKind(StrEnum):
    """Kind of personal identifier; the value is the slug used in reports."""

    ID_NUMBER = "id-number"
    MOBILE = "mobile"
    BANK_CARD = "bank-card"


@dataclass(frozen=True)
class PiiHit:
    """One clear identifier found in a cell.

    ``start``/``end`` index the cell text (``text[start:end]`` is the value as
    written, separators and country prefix included). ``masked_preview`` shows
    the identifier without separators or prefix, keeping only its first three
    and last two characters, so reports never repeat the clear value.
    """

    kind: PiiKind
    start: int
    end: int
    masked_preview: str


_MIN_LENGTH = 11
_MAX_DIGITS = 19  # the longest identifier: a 19-digit card (a 0086 mobile has 15)
_GROUP = re.compile(r"[0-9]+[Xx]?|[Xx]")
# A digit run touching one of these belongs to a longer token or a masked value
# (``＊`` is folded to ``*``); a currency sign before it or 元/万/亿 after it makes
# it an amount.
_TOKEN_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz*×")
_AMOUNT_BEFORE = frozenset("¥$")
_AMOUNT_AFTER = frozenset("元万亿")
_MAX_SEPARATORS = 3  # a longer run of separators ends a number


@cache
def _chunk_pattern() -> re.Pattern[str]:
    """Digit groups joined by short separator runs, an ID's X at the end."""
    sep = separator_class()
    return re.compile(rf"[0-9]+(?:[{sep}]{{1,{_MAX_SEPARATORS}}}[0-9]+)*"
                      rf"(?:[{sep}]{{0,{_MAX_SEPARATORS}}}[Xx](?![A-Za-z]))?")


def _preview(value: str) -> str:
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def _classify(digits: str, ignore: frozenset[PiiKind], *, in_fours: bool) -> PiiKind | None:
    """Kind of a separator-free candidate, or None when it is no identifier.

    ``in_fours`` says the value was written in groups of four, as only card
    numbers are; such a value is not excused for looking like an ID number
    or a credit code.
    """
    length = len(digits)
    if length == 18 and PiiKind.ID_NUMBER not in ignore and id_number_is_valid(digits):
        return PiiKind.ID_NUMBER
    if not digits.isdigit():
        return None  # a trailing X is only legal in an ID number
    if length in (11, 13, 15):
        is_mobile = MOBILE_RE.fullmatch(digits, length - 11) is not None and (
            length == 11 or digits.startswith("86" if length == 13 else "0086")
        )
        return PiiKind.MOBILE if is_mobile and PiiKind.MOBILE not in ignore else None
    if (
        16 <= length
        and digits[0] in "3456"
        and PiiKind.BANK_CARD not in ignore
        and (in_fours or length != 18 or not (has_id_layout(digits) or is_credit_code(digits)))
        and luhn_is_valid(digits)
    ):
        return PiiKind.BANK_CARD
    return None


def find_pii(text: str, *, ignore: frozenset[PiiKind] = frozenset()) -> list[PiiHit]:
    """Find clear personal identifiers in one cell, left to right.

    The text is folded first (:func:`domain.catalogue.digitfold.fold`: NFKC, digits of
    any script, format characters dropped), then read as *chunks*: digit
    groups joined by runs of at most three separators (spaces of every kind,
    dashes, dots, slashes, brackets...). Within a chunk, the longest run of
    consecutive groups whose digits form an ID number, a mobile number or a
    card number (see the module docstring) is a hit; the search goes on
    after it, so ``13800138000/13900139000`` gives two hits. A run is not a
    hit when:

    * the chunk touches a letter, a digit or a mask character at that end,
      or a currency sign before it or 元/万/亿 after it;
    * it is next to a lone ``.`` inside the chunk (the integer or fractional
      part of a decimal), except a trailing ``.0`` ending the chunk (a phone
      column exported as float); two groups joined by a lone ``.`` are a
      decimal too;
    * a group of one digit sits among longer groups (``978-7-111-...``),
      unless all its groups are single digits (``1 3 8 0 0 1 3 8 0 0 0``);
    * the chunk goes on after it with the same separator as inside it and
      what follows is no identifier (``138 1234 5678 9012`` is one longer
      number), or comes before it with that separator and what precedes is
      no identifier (``6222 0235 1305 5436 430``).

    Kinds listed in ``ignore`` are never reported, which lets a publisher
    declare a field exempt from a kind (for example a column of Luhn-valid
    order numbers that are not cards).

    ``start``/``end`` of each hit index the original ``text``. Cells shorter
    than 11 characters, or without 11 digits joined only by separators,
    return after one cheap check.
    """
    if len(text) < _MIN_LENGTH or not may_hold_digit_run(text):
        return []
    folded = fold(text)
    hits: list[PiiHit] = []
    text = folded.text
    for match in _chunk_pattern().finditer(text):
        start, end = match.span()
        if end - start < _MIN_LENGTH:
            continue
        if end - start <= _MAX_DIGITS and _GROUP.fullmatch(text, start, end):
            # One plain run, the common case: no groups to combine.
            kind = _classify(match.group(), ignore, in_fours=False)
            if kind is not None and _left_is_free(text, start) and _right_is_free(text, end):
                digits = match.group()
                if kind is PiiKind.MOBILE:
                    digits = digits[-11:]
                    start -= text[start - 1:start] == "+"
                hits.append(PiiHit(kind, *folded.span(start, end), _preview(digits)))
        elif not _GROUP.fullmatch(text, start, end):
            hits.extend(_chunk_hits(folded, start, end, ignore))
    return hits


def _left_is_free(text: str, start: int) -> bool:
    """Whether a chunk starting at ``start`` stands alone on its left."""
    if start == 0:
        return True
    if text[start - 1] in _TOKEN_CHARS:
        return False
    return text[:start].rstrip()[-1:] not in _AMOUNT_BEFORE


def _right_is_free(text: str, end: int) -> bool:
    """Whether a chunk ending at ``end`` stands alone on its right."""
    if end == len(text):
        return True
    if text[end] in _TOKEN_CHARS:
        return False
    return text[end:].lstrip()[:1] not in _AMOUNT_AFTER


def _groups_fit(sizes: list[int]) -> bool:
    """Whether digit groups of these sizes may be one written number."""
    if len(sizes) == 1 or all(size == 1 for size in sizes):
        return True
    return all(size >= 2 for size in sizes[:-1])


class _Chunk:
    """Digit groups of one chunk of folded text and the separators between them."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.spans = [m.span() for m in _GROUP.finditer(text, start, end)]
        self.values = [text[a:b] for a, b in self.spans]
        self.seps = [text[self.spans[k][1]:self.spans[k + 1][0]]
                     for k in range(len(self.spans) - 1)]
        self.left_free = _left_is_free(text, start)
        self.right_free = _right_is_free(text, end)

    def runs(self, first: int, ignore: frozenset[PiiKind]) -> Iterator[tuple[int, PiiKind, str]]:
        """``(last group, kind, digits)`` of each identifier made of the
        groups ``first..last``, shortest first; edges not yet checked."""
        digits = ""
        sizes: list[int] = []
        for last in range(first, len(self.values)):
            digits += self.values[last]
            sizes.append(len(self.values[last]))
            if len(digits) > _MAX_DIGITS:
                return
            if len(digits) < _MIN_LENGTH or not _groups_fit(sizes):
                continue
            in_fours = len(sizes) >= 3 and all(size == 4 for size in sizes[:-1])
            kind = _classify(digits, ignore, in_fours=in_fours)
            if kind is not None:
                yield last, kind, digits

    def edges_hold(self, first: int, last: int, after_hit: bool) -> bool:
        """Whether groups ``first..last`` stand alone within the chunk;
        ``after_hit``: the groups before ``first`` ended a hit."""
        seps, end = self.seps, len(self.values) - 1
        if last == first + 1 and seps[first] == ".":
            return False  # 1380013.8000 is a decimal number
        if first == 0:
            if not self.left_free:
                return False
        elif seps[first - 1] == ".":
            return False  # the fractional part of a decimal
        elif seps[first - 1] in seps[first:last] and not after_hit:
            return False  # the tail of a longer number: 6222 0235 1305 5436 430
        if last == end or (last == end - 1 and self.values[end] in ("X", "x")):
            return self.right_free  # a lone X after the run is a word, not a digit
        after = seps[last]
        if after == ".":
            return last + 1 == end and self.values[end] == "0" and self.right_free
        if after not in seps[first:last]:
            return True  # another separator: another number follows
        return next(self.runs(last + 1, frozenset()), None) is not None


def _chunk_hits(folded: Folded, start: int, end: int,
                ignore: frozenset[PiiKind]) -> list[PiiHit]:
    chunk = _Chunk(folded.text, start, end)
    hits: list[PiiHit] = []
    first, hit_end = 0, -1
    while first < len(chunk.values):
        best = None
        for last, kind, digits in chunk.runs(first, ignore):
            if chunk.edges_hold(first, last, hit_end == first - 1):
                best = last, kind, digits
        if best is None:
            first += 1
            continue
        last, kind, digits = best
        if kind is PiiKind.MOBILE:
            digits = digits[-11:]
        begin, stop = chunk.spans[first][0], chunk.spans[last][1]
        if first == 0 and kind is PiiKind.MOBILE and folded.text[begin - 1:begin] == "+":
            begin -= 1
        orig_start, orig_end = folded.span(begin, stop)
        hits.append(PiiHit(kind, orig_start, orig_end, _preview(digits)))
        hit_end, first = last, last + 1
    return hits


def mask_pii_text(text: str, *, ignore: frozenset[PiiKind] = frozenset()) -> str:
    """``text`` with every clear identifier :func:`find_pii` finds replaced by
    its masked preview (``138******78``); the rest of the text unchanged."""
    for hit in reversed(find_pii(text, ignore=ignore)):
        text = text[:hit.start] + hit.masked_preview + text[hit.end:]
    return text
