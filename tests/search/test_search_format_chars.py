"""Invisible format characters (zero-width space, joiners, byte-order mark,
soft hyphen) inside a word neither hide a record from its words nor make a
query find nothing: the engine's normalisation drops them, in the indexed
text and in the query alike."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from search_api.engine import SearchQuery, load_synonyms
from search_api.engine.embedded import EmbeddedEngine
from search_api.engine.synonyms import FORMAT_CHARS, normalise

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


def test_the_written_out_class_is_unicodes_format_characters() -> None:
    expected = {chr(c) for c in range(sys.maxunicode + 1)
                if unicodedata.category(chr(c)) == "Cf"}
    found = {chr(c) for c in range(sys.maxunicode + 1) if FORMAT_CHARS.fullmatch(chr(c))}
    assert found == expected, f"update FORMAT_CHARS to Unicode {unicodedata.unidata_version}"


def test_normalise_drops_them_and_keeps_the_rest() -> None:
    assert normalise("公\u200b交\ufeff站\u00ad点") == "公交站点"
    assert normalise("ＡＢ\u3000１２") == "ab 12"  # NFKC and lower case, as before


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    built = EmbeddedEngine(tmp_path / "s.sqlite3", synonyms=load_synonyms({}))
    built.index([
        {"id": "plain", "title": "公交站点信息", "summary": "全市公交站点", "keywords": [],
         "department": "jtj", "theme": "transport", "formats": ["csv"],
         "open_type": "unconditional", "last_updated": "2026-01-02"},
        {"id": "hidden", "title": "医\u200b院床\u2060位统计", "summary": "床位", "keywords": [],
         "department": "wjw", "theme": "health", "formats": ["csv"],
         "open_type": "unconditional", "last_updated": "2026-01-02"}])
    yield built
    built.close()


@pytest.mark.parametrize("mark", INVISIBLE)
def test_a_query_with_an_invisible_character_inside_a_word(engine: EmbeddedEngine,
                                                           mark: str) -> None:
    result = engine.search(SearchQuery(q=f"公{mark}交"))
    assert [hit.record["id"] for hit in result.hits] == ["plain"]


def test_a_title_with_invisible_characters_is_found_by_its_words(
        engine: EmbeddedEngine) -> None:
    result = engine.search(SearchQuery(q="医院床位"))
    assert [hit.record["id"] for hit in result.hits] == ["hidden"]
