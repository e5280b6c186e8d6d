"""Among records holding only some of a query's words, those holding every
word of one piece the user typed apart (with a space) rank first: for
社会消费品零售总额 驾驶员培训机构, the records of one whole subject come before
those sharing a single word with it (培训机构, 机构), even in their titles.
Which records match, the total and the facets are as before: the order
changes, not the set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search_api.engine import SearchQuery, load_synonyms
from search_api.engine.embedded import EmbeddedEngine
from search_api.engine.query import parse_query


def _record(identifier: str, title: str, summary: str, department: str = "jtj") -> dict[str, Any]:
    return {"id": identifier, "title": title, "summary": summary, "keywords": [],
            "department": department, "theme": "transport", "formats": ["csv"],
            "open_type": "unconditional", "last_updated": "2025-01-01"}


# Two subjects no record holds together: the query falls back to records
# holding some word. The whole-piece records hold their subject in the
# summary only; the others hold one or two of its words in the title.
RECORDS = [
    _record("piece-1", "驾校名录", "全市驾驶员培训机构的名称、地址和联系方式。"),
    _record("piece-2", "商贸统计月报", "本市社会消费品零售总额，按月发布。", "wjw"),
    *(_record(f"word-{i}", f"{name}名录", "名称和地址。")
      for i, name in enumerate(["培训机构", "养老机构", "医疗机构", "社会组织", "职业培训"])),
]
QUERY = "社会消费品零售总额 驾驶员培训机构"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    built = EmbeddedEngine(tmp_path / "s.sqlite3", synonyms=load_synonyms({}),
                           result_cache_size=0)
    built.index(RECORDS)
    yield built
    built.close()


def ids(engine: EmbeddedEngine, **query: Any) -> list[str]:
    return [h.record["id"] for h in engine.search(SearchQuery(**query)).hits]


def test_records_holding_a_whole_typed_piece_rank_first(engine: EmbeddedEngine) -> None:
    found = ids(engine, q=QUERY, per_page=100)
    assert set(found[:2]) == {"piece-1", "piece-2"}
    # Every record holding some word still follows: the set is unchanged.
    assert set(found) == {r["id"] for r in RECORDS}


def test_the_total_and_facets_count_every_record_holding_some_word(
        engine: EmbeddedEngine) -> None:
    result = engine.search(SearchQuery(q=QUERY))
    assert result.total == len(RECORDS)
    assert result.facets["department"] == {"jtj": len(RECORDS) - 1, "wjw": 1}


def test_a_filter_keeps_the_order(engine: EmbeddedEngine) -> None:
    found = [h.record["id"] for h in engine.search(
        SearchQuery(q=QUERY, filters={"department": ("jtj",)}, per_page=100)).hits]
    assert found[0] == "piece-1" and "piece-2" not in found


def test_later_pages_continue_after_the_whole_pieces(engine: EmbeddedEngine) -> None:
    pages = [h.record["id"] for page in (1, 2, 3, 4)
             for h in engine.search(SearchQuery(q=QUERY, page=page, per_page=2)).hits]
    assert pages == ids(engine, q=QUERY, per_page=100)


@pytest.mark.parametrize("q", ["交通 公交", "公交线路调整", "公交"])
def test_no_piece_level_when_each_piece_is_one_word_or_there_is_one_piece(q: str) -> None:
    parsed = parse_query(q)
    assert parsed.any_chunk == ""
    assert parsed.levels(parsed.any_word, relaxed=False) == [parsed.any_word]


def test_pieces_are_the_typed_groups_of_words() -> None:
    parsed = parse_query("江北区 驾驶员培训机构")
    assert parsed.words[0] == "江北区" and len(parsed.words) > 2
    # 江北区, or every word of 驾驶员培训机构.
    pieces = [parse_query("江北区").all_words, parse_query("驾驶员培训机构").all_words]
    assert parsed.any_chunk == f"({pieces[0]}) OR ({pieces[1]})"
    assert parsed.levels(parsed.any_word, relaxed=True) == [
        parsed.all_words, parsed.any_chunk, parsed.any_word]
