"""Chinese characters (汉字), as the catalogue importer reads them.

The search engine keeps its own copy of the ranges (search_api.engine.segment:
the engine is a library that knows no domain); tests/test_han.py keeps the
two the same.

The ranges are CJK Unified Ideographs (U+4E00-U+9FFF) with Extension A
(U+3400-U+4DBF) and the compatibility ideographs (U+F900-U+FAFF), which
catalogues converted from old encodings still carry.
"""

from __future__ import annotations

import re

HAN_RANGES = "\u3400-\u9fff\uf900-\ufaff"
"""The character ranges, ready for a regular expression's ``[...]``."""

_HAN = re.compile(f"[{HAN_RANGES}]")


def has_han(text: str) -> bool:
    """True when ``text`` holds at least one Chinese character."""
    return _HAN.search(text) is not None
