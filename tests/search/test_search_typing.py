"""How the embedded engine copes with what people type: synonyms matched as
phrases, pinyin (full and initials) and homophone slips / misspelt pinyin
corrected when nothing matches ("did you mean"). On the sample catalogue."""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search_api.engine import SearchQuery, load_synonyms
from search_api.engine.embedded import EmbeddedEngine
from search_api.engine.query import parse_query
from search_api.engine.segment import pinyin_words
from search_api.engine.synonyms import Synonyms
from search_api.engine.vocab import Vocabulary

Records = list[dict[str, Any]]


@pytest.fixture
def engine(tmp_path: Path, sample_records: Records) -> Iterator[EmbeddedEngine]:
    engine = EmbeddedEngine(tmp_path / "s.sqlite3", synonyms=load_synonyms({}))
    engine.index(sample_records)
    yield engine
    engine.close()


def found(engine: EmbeddedEngine, q: str, **kwargs: Any) -> list[str]:
    result = engine.search(SearchQuery(q=q, per_page=100, **kwargs))
    return [h.record["id"] for h in result.hits]


# -- synonyms as phrases ---------------------------------------------------------


def test_synonym_matches_as_a_phrase_not_as_scattered_words(engine: EmbeddedEngine,
                                                            sample_records: Records) -> None:
    # jtj-0003 (新城区公共停车场泊位信息) and jtj-0004 (新能源汽车公共充电站信息) hold 公共
    # in their titles and 交通 in their department (市交通运输局): 公共交通, the
    # synonym of 公交, is not in them. They used to be found for 公交.
    by_id = {r["id"]: r for r in sample_records}
    for rid in ("jtj-0003", "jtj-0004"):
        text = by_id[rid]["title"] + by_id[rid]["summary"] + by_id[rid]["department_name"]
        assert "公共" in text and "交通" in text and "公共交通" not in text
    assert set(found(engine, "公交")) == {"jtj-0001", "jtj-0002"}
    # Typed by the user, 公共交通 still finds records holding both words apart.
    assert {"jtj-0003", "jtj-0004"} <= set(found(engine, "公共 交通"))


def test_synonym_phrase_is_found_where_it_occurs(tmp_path: Path,
                                                 sample_records: Records) -> None:
    lot = copy.deepcopy(next(r for r in sample_records if r["id"] == "jtj-0003"))
    lot.update(id="x-0001", title="停车场换乘信息", summary="与城市公共交通换乘的停车场。")
    engine = EmbeddedEngine(tmp_path / "s.sqlite3", synonyms=load_synonyms({}))
    try:
        engine.index([*sample_records, lot])
        hit = next(h for h in engine.search(SearchQuery(q="公交", per_page=100)).hits
                   if h.record["id"] == "x-0001")
        assert "<mark>公共交通</mark>" in hit.highlights["summary"]
        assert "jtj-0003" not in found(engine, "公交")
    finally:
        engine.close()


def test_synonym_expressions_are_phrases() -> None:
    synonyms = Synonyms([["共享单车", "互联网租赁自行车"], ["公交", "公共交通"]])
    assert parse_query("公交", synonyms).all_words == '("公交" OR "公共交通")'
    parsed = parse_query("共享单车", synonyms)
    assert '"互联 联网 互联网 租赁 自行 行车 自行车"' in parsed.all_words
    assert parsed.all_words.count("NEAR") == 1  # only for 共享单车, as typed
    # Inner words of a synonym are not highlighted on their own.
    assert "公共" not in parse_query("公交", synonyms).marks


# -- pinyin ------------------------------------------------------------------------


def test_pinyin_column_holds_words_initials_and_pairs() -> None:
    tokens = pinyin_words("公交站点信息", ["营业执照"]).split()
    assert {"gongjiaozhandian", "gjzd", "xinxi", "xx", "gongjiaozhandianxinxi", "gjzdxx",
            "yingyezhizhao", "yyzz"} <= set(tokens)


@pytest.mark.parametrize(("q", "expected"), [
    ("gj", {"jtj-0001", "jtj-0002"}),       # initials of 公交
    ("gongjiao", {"jtj-0001", "jtj-0002"}),
    ("tsg", {"wlj-0002"}),                  # 图书馆
    ("yingyezhizhao", {"sjj-0001"}),        # a keyword's pinyin
])
def test_pinyin_and_initials_find_the_dataset_first(engine: EmbeddedEngine, q: str,
                                                    expected: set[str]) -> None:
    assert set(found(engine, q)[:len(expected)]) == expected


def test_pinyin_query_highlights_the_chinese_word(engine: EmbeddedEngine) -> None:
    hit = engine.search(SearchQuery(q="gongjiao")).hits[0]
    assert "<mark>公交</mark>" in hit.highlights["title"]


# -- did you mean ----------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "meant", "expected"), [
    ("公焦", "公交", {"jtj-0001", "jtj-0002"}),        # homophone slip
    ("图书官", "图书馆", {"wlj-0002"}),
    ("tushugaun", "图书馆", {"wlj-0002"}),             # misspelt pinyin
])
def test_a_query_that_finds_nothing_is_corrected(engine: EmbeddedEngine, typed: str,
                                                 meant: str, expected: set[str]) -> None:
    assert engine.search(SearchQuery(q=typed)).corrected is None  # exactly as typed
    result = engine.search(SearchQuery(q=typed, autocorrect=True))
    assert result.corrected == meant
    assert {h.record["id"] for h in result.hits[:len(expected)]} == expected


def test_no_correction_when_the_query_matches_or_nothing_is_close(
        engine: EmbeddedEngine) -> None:
    assert engine.search(SearchQuery(q="公焦")).total == 0  # without autocorrect
    assert engine.search(SearchQuery(q="公交", autocorrect=True)).corrected is None
    nothing = engine.search(SearchQuery(q="火星探测器", autocorrect=True))
    assert nothing.total == 0 and nothing.corrected is None


def test_correction_prefers_known_words_and_changes_few_characters() -> None:
    vocab = Vocabulary([("停车场", "ting che chang", 5), ("停车", "ting che", 9),
                        ("幼儿园", "you er yuan", 3), ("图书馆", "tu shu guan", 2)])
    assert vocab.correct("停车厂") == "停车场"
    assert vocab.correct("江北幼儿圆") == "江北幼儿园"
    assert vocab.correct("停车场") is None
    assert vocab.correct("tushugaun") == "图书馆"
    assert vocab.spelled("yey") == ["幼儿园"] and vocab.spelled("tingchechang") == ["停车场"]


def test_vocabulary_follows_incremental_indexing(tmp_path: Path,
                                                 sample_records: Records) -> None:
    changed = copy.deepcopy(sample_records)
    changed[0]["title"] = "改过名字的数据集"
    del changed[1]
    incremental = EmbeddedEngine(tmp_path / "a.sqlite3")
    fresh = EmbeddedEngine(tmp_path / "b.sqlite3")
    try:
        incremental.index(sample_records)
        incremental.index(changed)
        fresh.index(changed)
    finally:
        incremental.close()
        fresh.close()

    def vocab(path: Path) -> list[tuple[Any, ...]]:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT word, pinyin, df FROM vocab ORDER BY word").fetchall()

    assert vocab(tmp_path / "a.sqlite3") == vocab(tmp_path / "b.sqlite3")


# -- relaxed queries -------------------------------------------------------------------


def test_short_all_words_result_is_completed_with_partial_matches(
        engine: EmbeddedEngine) -> None:
    # 交通 公交: two records hold both words, four more hold 交通 only.
    result = engine.search(SearchQuery(q="交通 公交", per_page=100))
    assert [h.record["id"] for h in result.hits][:2] in (["jtj-0001", "jtj-0002"],
                                                         ["jtj-0002", "jtj-0001"])
    assert result.total == engine.search(SearchQuery(q="交通")).total == 6
    assert sum(result.facets["department"].values()) == result.total


def test_no_relaxation_when_enough_records_hold_every_word(tmp_path: Path,
                                                           sample_records: Records) -> None:
    many = []
    for i in range(12):
        clone = copy.deepcopy(sample_records[0])
        clone.update(id=f"bus-{i:02d}", title=f"第{i}批公交线路调整", summary="")
        many.append(clone)
    engine = EmbeddedEngine(tmp_path / "s.sqlite3")
    try:
        engine.index([*sample_records, *many])
        found_ids = set(found(engine, "公交 调整"))
        # The clones and jtj-0002 (公交线路信息: "线路调整后…") hold both words;
        # jtj-0001, which holds only 公交, is not added.
        assert found_ids == {c["id"] for c in many} | {"jtj-0002"}
    finally:
        engine.close()


@pytest.mark.parametrize(("relax_max", "total"), [(5, 2), (6, 6)])
def test_no_relaxation_when_more_than_relax_max_hold_some_word(
        engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch, relax_max: int,
        total: int) -> None:
    # 交通 公交: two records hold both words, six hold one of them. More than
    # RELAX_MAX of those: only the two (FTS5 counts up to RELAX_MAX + 1).
    monkeypatch.setattr("search_api.engine.embedded.RELAX_MAX", relax_max)
    result = engine.search(SearchQuery(q="交通 公交", per_page=100))
    assert result.total == total
    assert {"jtj-0001", "jtj-0002"} <= {h.record["id"] for h in result.hits}
    assert sum(result.facets["department"].values()) == total
