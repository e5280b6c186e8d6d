"""Behaviour particular to the embedded engine: configuration, segmentation,
pinyin, synonyms file, storage."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from search_api.engine import EngineUnavailable, SearchQuery, open_engine
from search_api.engine.embedded import EmbeddedEngine
from search_api.engine.highlight import from_tagged, render
from search_api.engine.query import parse_query
from search_api.engine.segment import index_text, sort_key
from search_api.engine.synonyms import Synonyms

Records = list[dict[str, Any]]


def test_open_engine_creates_the_database_and_its_folder(tmp_path: Path,
                                                         sample_records: Records) -> None:
    path = tmp_path / "var" / "deep" / "search.sqlite3"
    engine = open_engine({"SEARCH_DB": str(path)})
    try:
        assert isinstance(engine, EmbeddedEngine)
        engine.index(sample_records)
        assert path.exists()
        mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
    finally:
        engine.close()
    reopened = open_engine({"SEARCH_DB": str(path)})
    try:
        assert reopened.count() == len(sample_records)  # persisted
    finally:
        reopened.close()


def test_synonyms_file_from_config(tmp_path: Path, sample_records: Records) -> None:
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("# test\n单车 自行车 脚踏车\n", encoding="utf-8")
    engine = open_engine({"SEARCH_DB": str(tmp_path / "s.sqlite3"),
                          "SYNONYMS_FILE": str(synonyms)})
    try:
        engine.index(sample_records)
        assert [h.record["id"] for h in engine.search(SearchQuery(q="脚踏车")).hits] == [
            "jtj-0005"]
        # The default groups are not loaded when a file is configured.
        assert engine.search(SearchQuery(q="巴士")).total == 0
    finally:
        engine.close()


def test_missing_synonyms_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match="SYNONYMS_FILE"):
        open_engine({"SEARCH_DB": str(tmp_path / "s.sqlite3"),
                     "SYNONYMS_FILE": str(tmp_path / "missing.txt")})


def test_unusable_database_path_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(EngineUnavailable, match="cannot open"):
        EmbeddedEngine(tmp_path / "file" / "search.sqlite3")


def test_pinyin_query_finds_chinese_titles(tmp_path: Path, sample_records: Records) -> None:
    engine = EmbeddedEngine(tmp_path / "s.sqlite3")
    try:
        engine.index(sample_records)
        found = [h.record["id"] for h in engine.search(SearchQuery(q="gongjiao")).hits]
        assert set(found[:2]) == {"jtj-0001", "jtj-0002"}
        assert engine.search(SearchQuery(q="youeryuan")).hits[0].record["id"] == "jyj-0002"
    finally:
        engine.close()


def test_single_character_query_matches_word_prefixes(tmp_path: Path,
                                                      sample_records: Records) -> None:
    engine = EmbeddedEngine(tmp_path / "s.sqlite3")
    try:
        engine.index(sample_records)
        titles = [h.record["title"] for h in engine.search(SearchQuery(q="药")).hits]
        assert "河东区药品零售企业名录" in titles
    finally:
        engine.close()


def test_query_of_only_punctuation_lists_everything(tmp_path: Path,
                                                    sample_records: Records) -> None:
    engine = EmbeddedEngine(tmp_path / "s.sqlite3")
    try:
        engine.index(sample_records)
        assert engine.search(SearchQuery(q="，。！")).total == len(sample_records)
        assert engine.search(SearchQuery(q='"*) OR ( NEAR')).total >= 0  # no FTS5 syntax error
    finally:
        engine.close()


def test_index_text_segments_for_search() -> None:
    assert index_text("公交站点信息").split() == ["公交", "站点", "公交站", "公交站点", "信息"]
    assert index_text("") == ""


def test_parse_query_ands_words_and_ors_synonyms() -> None:
    parsed = parse_query("公交 线路", Synonyms([["公交", "巴士"]]))
    assert parsed.words == ("公交", "线路")
    assert parsed.all_words == '("公交" OR "巴士") AND "线路"'
    assert parsed.any_word == '("公交" OR "巴士") OR "线路"'
    assert "巴士" in parsed.marks


def test_parse_query_drops_stopwords_unless_nothing_else_is_left() -> None:
    assert parse_query("公交的数据").words == ("公交",)
    assert parse_query("数据").words == ("数据",)


def test_parse_query_quotes_fts_syntax() -> None:
    parsed = parse_query('a"b')
    assert '""' in parsed.all_words or parsed.all_words.count('"') % 2 == 0


def test_sort_key_is_pinyin() -> None:
    assert sort_key("公交站点信息") == "gong jiao zhan dian xin xi"
    assert sort_key("重庆银行") < sort_key("中国")  # chong < zhong: phrase-aware
    assert sort_key("A级景区") < sort_key("公交")


def test_render_escapes_and_marks() -> None:
    assert render("<a>公交</a>", [(3, 5)]) == "&lt;a&gt;<mark>公交</mark>&lt;/a&gt;"
    cut = render("甲" * 300 + "公交" + "乙" * 300, [(300, 302)], 160)
    assert cut.startswith("…") and cut.endswith("…") and "<mark>公交</mark>" in cut


def test_from_tagged_turns_backend_markers_into_marks() -> None:
    assert from_tagged("\ue000<公交>\ue001站") == "<mark>&lt;公交&gt;</mark>站"
