"""The rest tier (records holding the query's words, none of them in the
title) is ordered by each record's own words: bm25 of the plain expression
(× factor, × the exact-title boost), as the title tiers are by theirs, not
by the statement ``words NOT words-in-title``, whose NOT clause FTS5 also
scores (a record with some query words in its title got a second share of
them: a NEAR group in the NOT clause counted its words' hits in the title
again). On random catalogues, every page of the rest tier, unfiltered and
filtered, follows that order."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search_api.engine import SearchQuery, load_synonyms, ranking
from search_api.engine.embedded import RELAX_BELOW, EmbeddedEngine
from search_api.engine.query import parse_query
from tests.search.test_search_whole_tiers import _catalogue

QUERIES = ["企业登记", "市场主体登记", "江北区 公交", "新城区 医院", "公交 信息", "企业 情况", "老城区 养老机构",
           "停车场 情况", "公共交通 江北区", "幼儿园 统计"]
FILTERS: list[dict[str, tuple[str, ...]]] = [{}, {"department": ("jtj",)}, {"format": ("csv",)}]


@pytest.fixture(params=[1, 2, 3, 4, 5])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedEngine]:
    built = EmbeddedEngine(tmp_path / "s.sqlite3", synonyms=load_synonyms({}),
                           result_cache_size=0)
    built.index(_catalogue(request.param, n=200) + _registrations(request.param))
    yield built
    built.close()


def _registrations(seed: int, n: int = 60) -> list[dict[str, Any]]:
    """Records about company registration: some with 企业 or 登记 in the
    title but not both (the rest tier of 企业登记, whose expression holds
    NEAR("企业" "登记"))."""
    rng = random.Random(seed)
    return [{"id": f"e{i:03d}",
             "title": rng.choice(["企业年报", "高新技术企业", "市场主体名录", "企业登记信息",
                                  "登记机关", "企业信用"]) + rng.choice(["汇总", "统计", ""]),
             "summary": rng.choice(["企业登记情况。", "市场主体登记。", "企业的登记。", "年报。"])
             * rng.randint(1, 2),
             "keywords": rng.sample(["企业", "登记", "营业执照", "年报"], 2),
             "department": rng.choice(["jtj", "wjw"]), "theme": "transport", "formats": ["csv"],
             "open_type": "unconditional", "last_updated": "2025-01-01"} for i in range(n)]


def _own_words_order(engine: EmbeddedEngine, expression: str, phrase: str) -> list[int]:
    """Every record matching ``expression``, best first, by its own words."""
    weights = ", ".join(str(w) for w in ranking.WEIGHTS)
    rows = engine._conn().execute(
        f"SELECT fts.rowid, bm25(fts, {weights}) * title_key.factor * (CASE WHEN "
        f"instr(title_key.title, ?) > 0 THEN {ranking.EXACT_TITLE_BOOST} ELSE 1.0 END) "
        "FROM fts JOIN title_key ON title_key.rid = fts.rowid WHERE fts MATCH ?",
        (phrase, expression)).fetchall()
    return [rid for rid, _ in sorted(rows, key=lambda row: (row[1], row[0]))]


def test_the_rest_tier_is_ordered_by_each_records_own_words(engine: EmbeddedEngine) -> None:
    conn = engine._conn()
    rid_of = dict(conn.execute("SELECT id, rid FROM records"))
    reached = 0
    for q in QUERIES:
        parsed = parse_query(q, engine.synonyms)
        expression = parsed.all_words
        in_title = {rid for (rid,) in conn.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ?", ("{title py} : (" + expression + ")",))}
        order = [rid for rid in _own_words_order(engine, expression, parsed.phrase)
                 if rid not in in_title]
        if len(order) + len(in_title) < RELAX_BELOW:
            continue  # a relaxed query: its tiers are those of the words it holds
        for filters in FILTERS:
            kept = {rid_of[r["id"]] for r in engine.records()
                    if all(set(values) & set(_values(r, key)) for key, values in filters.items())}
            expected = [rid for rid in order if rid in kept]
            got = []
            for page in (1, 2, 3):
                result = engine.search(SearchQuery(q=q, filters=filters, page=page, per_page=100))
                got += [rid_of[hit.record["id"]] for hit in result.hits]
            rest = [rid for rid in got if rid not in in_title]
            assert rest == expected[:len(rest)], (q, filters)
            assert len(rest) == min(len(expected), 300 - len(in_title & kept)), (q, filters)
            reached += bool(rest)
    assert reached > 10  # the rest tier was asked for and compared


def _values(record: dict[str, object], key: str) -> list[str]:
    value = record.get({"format": "formats"}.get(key, key))
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
