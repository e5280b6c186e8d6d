"""Whole tiers (ranking.WHOLE_MAX): a query matching few records has each tier
it needs ranked whole and unfiltered, and kept; its filtered pages are the
kept records of that order. They must be the pages the plain statements
(one filtered bm25 statement per tier, no kept heads) give, on random
catalogues, for every filter, page and query shape."""

from __future__ import annotations

import inspect
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search_api.engine import SearchQuery, embedded, load_synonyms, ranking
from search_api.engine.embedded import EmbeddedEngine

SUBJECTS = ["公交站点", "公交线路", "公共交通", "巴士", "医院床位", "医疗机构", "企业信用",
            "企业年报", "养老机构", "幼儿园", "数据开放", "公共厕所", "停车场", "收费标准"]
DISTRICTS = ["江北区", "新城区", "老城区", "高新区"]
SUFFIXES = ["名录", "统计", "分布", "信息", "监测数据", "一览表", ""]
DEPARTMENTS = ["jtj", "wjw", "sjj"]
FORMATS = ["csv", "xlsx", "json", "api"]


def _catalogue(seed: int, n: int = 160) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        subject = rng.choice(SUBJECTS)
        district = rng.choice(["", "", *DISTRICTS])
        other = rng.choice(SUBJECTS)
        records.append({
            "id": f"r{i:03d}",
            "title": f"{district}{subject}{rng.choice(SUFFIXES)}",
            "summary": f"{rng.choice(DISTRICTS)}的{other}情况，" * rng.randint(1, 3),
            "keywords": rng.sample(SUBJECTS, rng.randint(0, 2)),
            "department": rng.choice(DEPARTMENTS), "theme": "transport",
            "formats": rng.sample(FORMATS, rng.randint(1, 2)),
            "open_type": "unconditional",
            "last_updated": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"})
    return records


QUERIES = ["公交", "江北区 公交", "公共交通", "企业", "新城区 医院", "养老机构 幼儿园",
           "停车场 收费标准", "江北区 巴士", "数据", "老城区有哪些幼儿园"]
FILTERS: list[dict[str, tuple[str, ...]]] = [
    {"department": ("jtj",)}, {"format": ("csv",)}, {"department": ("wjw", "sjj")},
    {"format": ("api",), "department": ("jtj",)}, {}]
PAGES = [(1, 20), (2, 5), (1, 3), (4, 4)]


@pytest.fixture(params=[1, 2, 3])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedEngine]:
    built = EmbeddedEngine(tmp_path / "s.sqlite3", synonyms=load_synonyms({}),
                           result_cache_size=0)
    built.index(_catalogue(request.param))
    yield built
    built.close()


def _answer(engine: EmbeddedEngine, query: SearchQuery) -> tuple[int, list[str]]:
    result = engine.search(query)
    return result.total, [hit.record["id"] for hit in result.hits]


def test_pages_from_whole_tiers_are_those_of_plain_statements(
        engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = [SearchQuery(q=q, filters=f, page=page, per_page=per_page)
               for q in QUERIES for f in FILTERS for page, per_page in PAGES]
    plain_rank = ranking.rank

    def plain(*args: Any, **kwargs: Any) -> list[int]:
        # Every tier by its own filtered statement: no kept heads, no whole tiers.
        call = inspect.signature(plain_rank).bind(*args, **kwargs)
        call.arguments.update(heads=None, matched=None)
        return plain_rank(*call.args, **call.kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(embedded, "rank", plain)
        expected = [_answer(engine, query) for query in queries]
    assert sum(len(ids) for _, ids in expected) > 500  # the pages are not empty
    engine.clear_caches()
    # Filtered queries first: their tiers are ranked whole and later filters,
    # pages and the unfiltered query are answered from them.
    for number, query in enumerate(queries):
        assert _answer(engine, query) == expected[number], query
    assert len(engine._tiers._kept) > 0


def test_another_filter_of_the_same_words_runs_no_ranking(engine: EmbeddedEngine) -> None:
    # Only filtered queries: no unfiltered head is kept before the later ones.
    first = engine.search(SearchQuery(q="江北区 公交", filters={"department": ("jtj",)}))
    assert 0 < first.total
    seen: list[str] = []
    engine._conn().set_trace_callback(lambda sql: seen.append(sql) if "bm25" in sql else None)
    later = [engine.search(SearchQuery(q="江北区 公交", filters=filters, per_page=3))
             for filters in ({"department": ("wjw",)}, {"format": ("csv",)},
                             {"department": ("jtj",)})]
    assert all(result.hits for result in later)
    assert not seen


def test_words_matching_many_records_keep_a_head_only(
        engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    # Above WHOLE_MAX a filtered query is ranked by its own statement, as before.
    monkeypatch.setattr(ranking, "WHOLE_MAX", 5)
    filtered = SearchQuery(q="公交", filters={"department": ("jtj",)}, per_page=3)
    assert engine.search(filtered).total > 5
    assert len(engine._tiers._kept) == 0
