"""Synonym groups, expanded at query time.

The file has one group per line: terms separated by spaces, all meaning the
same thing to a searcher (``公交 公共交通 巴士``). ``#`` starts a comment.
A term may belong to several groups; its synonyms are the union. The default
file is ``synonyms.txt`` beside this module (config key SYNONYMS_FILE).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

DEFAULT_SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
# Unicode's format characters (category Cf, Unicode 14), written out: making
# the class from unicodedata at import would cost every process a pass over
# all code points. A test checks it against unicodedata's own table.
FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]+")


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits to half-width), lower case, and
    without format characters (Unicode Cf: zero-width space and joiners,
    word joiner, byte-order mark, soft hyphen). Those are invisible, but
    inside a word (公, a zero-width space, 交) they cut it in two for the
    segmenter: neither the query nor the indexed text held the word a
    reader sees."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return folded if folded.isascii() else FORMAT_CHARS.sub("", folded)


class Synonyms:
    """Term → the other terms of its groups."""

    def __init__(self, groups: Iterable[Iterable[str]] = ()) -> None:
        self._of: dict[str, set[str]] = {}
        self._terms: list[str] | None = None
        for group in groups:
            terms = [normalise(t) for t in group if t.strip()]
            for term in terms:
                self._of.setdefault(term, set()).update(t for t in terms if t != term)

    @classmethod
    def from_file(cls, path: str | Path) -> Synonyms:
        """Read a synonyms file (UTF-8). Raises OSError when it cannot be read."""
        groups = []
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                groups.append(line.split())
        return cls(groups)

    @property
    def terms(self) -> list[str]:
        """Every term that has synonyms, longest first (sorted once: every
        query asks)."""
        if self._terms is None:
            self._terms = sorted(self._of, key=lambda t: (-len(t), t))
        return list(self._terms)

    def of(self, term: str) -> list[str]:
        """The synonyms of ``term`` (not including it), sorted."""
        return sorted(self._of.get(normalise(term), ()))

    def __len__(self) -> int:
        return len(self._of)
