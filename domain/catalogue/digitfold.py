"""Normalise text for the personal-data detector, keeping original positions.

People type and paste numbers with whatever the keyboard, the input method
or the source document gives them: full-width digits (``１３８``), an
ideographic space (U+3000), a no-break space, zero-width characters,
hyphens and dashes of every kind, dots, middle dots, slashes, brackets.
:func:`fold` turns a text into the form the detector's rules read:

* Unicode NFKC, character by character (full-width digits and letters,
  compatibility spaces, ``－`` and ``﹣`` become ASCII; ``﹘`` becomes ``—``);
* decimal digits of other scripts become ASCII digits;
* format characters (Unicode category Cf: zero-width space, joiners, word
  joiner, byte-order mark, soft hyphen, direction marks) are dropped, as if
  they were not there.

Every character of the folded text remembers the index of the original
character it came from, so a hit found in the folded text is reported, and
masked, at its place in the original text.

Which characters may stand between the digits of one number is
:func:`separator_class`: spaces of every kind (Unicode Zs, and tab), dashes
and hyphens (Pd, plus ``−``, ``~``, ``～``, ``∼``), opening and closing
brackets (Ps, Pe), dots and middle dots (``.``, ``·``, ``•``, ``‧``,
``・``, ``。``, ``∙``, ``⋅``), slashes (``/``, ``\\``, ``⁄``, ``∕``)
and the underscore. Line breaks are not separators: they end a record.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

__all__ = ["Folded", "compact", "fold", "may_hold_digit_run", "separator_class"]

_EXTRA_SEPARATORS = (
    "\t._~/\\"
    "\u00b7\u2022\u2027\u30fb\uff65\u2219\u22c5\u3002\uff61\ufe52\uff0e"  # dots
    "\u2044\u2215\uff0f\uff3c"  # slashes
    "\u2212\u223c\uff5e\uff3f"  # minus, tildes, full-width low line
)
_SEPARATOR_CATEGORIES = frozenset({"Zs", "Pd", "Ps", "Pe"})


def _class_of(chars: str) -> str:
    """``chars`` as the inside of a regex class, consecutive code points as ranges."""
    points = sorted({ord(c) for c in chars})
    parts: list[str] = []
    at = 0
    while at < len(points):
        end = at
        while end + 1 < len(points) and points[end + 1] == points[end] + 1:
            end += 1
        first, last = re.escape(chr(points[at])), re.escape(chr(points[end]))
        parts.append(first if at == end else f"{first}-{last}")
        at = end + 1
    return "".join(parts)


@dataclass(frozen=True)
class _Tables:
    separators: str  # category Zs/Pd/Ps/Pe plus the extras
    formats: str  # category Cf: dropped by fold
    foldable: str  # what fold changes: Cf, non-ASCII Nd, not NFKC-normalised


@cache
def _tables() -> _Tables:
    """The character tables, from one pass over the BMP and the mathematical
    digits (built on first use, about 100 ms)."""
    separators, formats, foldable = [], [], []
    for char in map(chr, (*range(0x80, 0x10000), *range(0x1D7CE, 0x1D800))):
        category = unicodedata.category(char)
        if category in _SEPARATOR_CATEGORIES:
            separators.append(char)
        if category == "Cf":
            formats.append(char)
        if category in ("Cf", "Nd") or not unicodedata.is_normalized("NFKC", char):
            foldable.append(char)
    return _Tables("".join(separators) + _EXTRA_SEPARATORS + " -()[]{}", "".join(formats),
                   "".join(foldable))


@cache
def separator_class() -> str:
    """The separator characters, escaped for use inside a regex ``[...]``
    (built on first use, about 10 ms)."""
    return _class_of(_tables().separators)


@cache
def _prefilter() -> re.Pattern[str]:
    # Runs of digits (of any script), separators, format characters and "+"
    # at least 11 long. A plain character-class repeat: far cheaper than a
    # pattern counting digits one by one.
    tables = _tables()
    between = _class_of(tables.separators + tables.formats + "+")
    return re.compile(rf"[\d{between}]{{11,}}")


_DIGIT = re.compile(r"\d")


def may_hold_digit_run(text: str) -> bool:
    """Whether ``text`` holds 11 digits joined only by separators, format
    characters or ``+``: a cheap test that must pass before any identifier
    can be found. Digits of any script count (``\\d``)."""
    pattern = _ASCII_RUN if text.isascii() else _prefilter()
    run = pattern.search(text)
    while run is not None:
        if len(_DIGIT.findall(text, run.start(), run.end())) >= 11:
            return True
        run = pattern.search(text, run.end())
    return False


# The ASCII members of the separator class, for the common all-ASCII text.
_ASCII_RUN = re.compile(r"[0-9\t ()+\-./\[\\\]_{}~]{11,}")


class Folded:
    """A folded text and, for each of its characters, the index of the
    original character it came from (``None``: the text was unchanged).
    A plain slotted class: one is made for every cell that is read."""

    __slots__ = ("origin", "text")

    def __init__(self, text: str, origin: list[int] | None) -> None:
        self.text = text
        self.origin = origin

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``(start, end)`` of folded ``text[start:end]`` (end > start)."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


@cache
def _fold_char(char: str) -> str:
    if unicodedata.category(char) == "Cf":
        return ""
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 1 and not folded.isascii() and unicodedata.category(folded) == "Nd":
        return str(unicodedata.decimal(folded))
    return folded


@cache
def _foldable() -> re.Pattern[str]:
    return re.compile(f"[{_class_of(_tables().foldable)}]+")


def fold(text: str) -> Folded:
    """``text`` normalised as the module docstring describes.

    Text that folding leaves unchanged (all ASCII text, most Chinese text) is
    returned as it is, with ``origin`` None. Never raises.
    """
    if text.isascii():
        return Folded(text, None)
    parts: list[str] = []
    origin: list[int] = []
    done = 0
    for match in _foldable().finditer(text):
        parts.append(text[done:match.start()])
        origin.extend(range(done, match.start()))
        for index in range(match.start(), match.end()):
            folded = _fold_char(text[index])
            parts.append(folded)
            origin.extend([index] * len(folded))
        done = match.end()
    if not done:
        return Folded(text, None)
    parts.append(text[done:])
    origin.extend(range(done, len(text)))
    return Folded("".join(parts), origin)


@cache
def _format_chars() -> re.Pattern[str]:
    return re.compile(f"[{_class_of(_tables().formats)}]+")


def without_format_chars(text: str) -> str:
    """``text`` without its format characters (Unicode Cf: zero-width
    space, joiners, byte-order mark, soft hyphen, direction marks), which
    are invisible but make two writings of one name differ. Never raises."""
    return text if text.isascii() else _format_chars().sub("", text)


@cache
def _separator_run() -> re.Pattern[str]:
    return re.compile(f"[{separator_class()}]+")


def compact(text: str) -> str:
    """``text`` folded, with every separator removed and letters upper-cased:
    the form in which two writings of one value compare equal
    (``"１３８ 0013-8000"`` and ``"13800138000"``)."""
    return _separator_run().sub("", fold(text).text).upper()
