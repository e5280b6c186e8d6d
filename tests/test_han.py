"""domain.han: the importer's test for a Chinese character (a column of
names), the same as the search engine's own (which imports no domain code)."""

from __future__ import annotations

import pytest

from builder.import_detect import _looks_like_name
from domain.han import has_han
from search_api.engine.segment import is_cjk


@pytest.mark.parametrize(("text", "han"), [
    ("数据", True), ("a 㐀 b", True),  # Extension A (U+3400)
    ("\uf900", True),  # a compatibility ideograph (豈)
    ("\u9fff", True),
    ("ＡＢＣ", False), ("データ", False), ("한국", False), ("", False), ("2023-06-12", False),
])
def test_has_han(text: str, han: bool) -> None:
    assert has_han(text) is han
    assert is_cjk(text) is han


def test_an_extension_a_name_reads_as_a_name() -> None:
    # 㐀 was outside the importer's own range (U+4E00-U+9FFF) before.
    assert _looks_like_name("㐀㐁㐂")
    assert not _looks_like_name("AD4002012016")
