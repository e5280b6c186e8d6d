"""The embedded engine's fast paths give the answers of the plain ones:
match bitmaps combined from term sets (terms.py) equal FTS5 matching the
whole expression, and the exact-title boost and large-filter walk of the
ranking (ranking.py) keep their order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search_api.engine import SearchQuery, load_synonyms, ranking, terms
from search_api.engine.bitmaps import bits_from_ids
from search_api.engine.embedded import EmbeddedEngine
from search_api.engine.query import parse_query

SUBJECTS = ["公交站点", "公交线路", "公共交通", "巴士", "医院床位", "企业信用", "企业年报",
            "养老机构", "幼儿园", "数据开放", "公共厕所", "停车场收费标准"]
DISTRICTS = ["", "江北区", "新城区", "老城区"]


def _records() -> list[dict[str, Any]]:
    out = []
    for i in range(240):
        subject = SUBJECTS[i % len(SUBJECTS)]
        district = DISTRICTS[(i // len(SUBJECTS)) % len(DISTRICTS)]
        extra = SUBJECTS[(i * 7) % len(SUBJECTS)]
        out.append({"id": f"r{i:03d}", "title": f"{district}{subject}数据",
                    "summary": f"包含{extra}的信息，数据按月更新。", "keywords": [subject],
                    "department": "jtj" if i % 3 else "wjw", "theme": "transport",
                    "formats": ["csv"], "open_type": "unconditional"})
    return out


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    built = EmbeddedEngine(tmp_path / "s.sqlite3", synonyms=load_synonyms({}))
    built.index(_records())
    yield built
    built.close()


QUERIES = ["数据", "公共交通", "巴士", "江北区 公交", "企业 信用", "新城区 养老机构", "gongj",
           "gongjiao", "停车场 收费标准", "江北区有哪些幼儿园", "公"]


@pytest.mark.parametrize("q", QUERIES)
def test_term_sets_combine_to_what_fts5_matches(engine: EmbeddedEngine, q: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terms, "COMMON_TERM", 0)  # keep every term of this small catalogue
    conn = engine._conn()
    snap = engine._snapshot(conn)
    parsed = parse_query(q, engine.synonyms)
    for expression in (parsed.all_words, parsed.any_word):
        ids = [r for (r,) in conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?",
                                          (expression,))]
        sets = terms.TermSets(snap.generation)
        items = terms.lexemes(expression)
        assert items is not None, expression  # the parser reads the expression
        for item in items:
            if item not in ("(", ")", "AND", "OR"):
                sets.term(conn, item, snap.size)  # every term's set at hand
        combined = sets.match(conn, expression, snap.size)
        assert combined == bits_from_ids(ids, snap.size)


def test_common_terms_are_kept_and_rare_ones_are_not(engine: EmbeddedEngine,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terms, "COMMON_TERM", 100)
    conn = engine._conn()
    snap = engine._snapshot(conn)
    sets = terms.TermSets(snap.generation)
    assert sets.match(conn, '"数据" AND "巴士"', snap.size) is None  # not at hand: FTS5's
    assert len(sets) == 0
    sets.match(conn, '"数据"', snap.size)
    sets.match(conn, '"巴士"', snap.size)
    assert len(sets) == 1  # 数据 is in every record, 巴士 in far fewer than 100


def test_a_union_is_combined_from_its_terms_even_when_none_is_at_hand(
        engine: EmbeddedEngine) -> None:
    conn = engine._conn()
    snap = engine._snapshot(conn)
    union = '"公交" OR "巴士" OR ("医院" OR "幼儿园") OR "gongj"*'
    ids = [r for (r,) in conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (union,))]
    assert ids
    assert terms.TermSets(snap.generation).match(conn, union, snap.size) == bits_from_ids(
        ids, snap.size)
    # With an AND inside, FTS5 intersects: not combined unless every set is at hand.
    mixed = '"公交" OR ("江北" AND "北区")'
    assert terms.TermSets(snap.generation).match(conn, mixed, snap.size) is None


@pytest.mark.parametrize("expression", ['"公交" NOT "江北区"', '{title} : "公交"', "公交",
                                        '("公交"', '"公交" AND'])
def test_other_expressions_are_left_to_fts5(engine: EmbeddedEngine, expression: str) -> None:
    conn = engine._conn()
    snap = engine._snapshot(conn)
    assert terms.TermSets(snap.generation).match(conn, expression, snap.size) is None


def test_answers_are_the_same_with_and_without_term_sets(
        engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terms, "COMMON_TERM", 5)
    for word in ("公交", "站点", "公共", "交通", "江北", "北区", "江北区", "企业", "信用"):
        engine.search(SearchQuery(q=word))  # their sets are kept
    queries = [SearchQuery(q=q, filters=f) for q in QUERIES
               for f in ({}, {"department": ("jtj",)})]
    with_sets = []
    for query in queries:
        engine.clear_caches()
        result = engine.search(query)
        with_sets.append((result.total, [h.record["id"] for h in result.hits], result.facets))
    monkeypatch.setattr(terms, "lexemes", lambda expression: None)
    for query, expected in zip(queries, with_sets, strict=True):
        engine.clear_caches(terms=True)
        result = engine.search(query)
        assert (result.total, [h.record["id"] for h in result.hits], result.facets) == expected


def _python_boosted_order(engine: EmbeddedEngine, expression: str, phrase: str) -> list[int]:
    """Every match scored as the ranking docstring says, sorted in Python."""
    conn = engine._conn()
    rows = conn.execute(ranking._SQL, (expression,)).fetchall()
    titles = dict(conn.execute("SELECT rid, lower(title) FROM records"))
    scored = sorted((score * ranking.EXACT_TITLE_BOOST if phrase in titles[rid] else score, rid)
                    for rid, score in rows)
    return [rid for _, rid in scored]


@pytest.mark.parametrize("q", ["公交", "企业 信用", "养老机构"])
def test_boosted_tier_is_the_python_order(engine: EmbeddedEngine, q: str) -> None:
    parsed = parse_query(q, engine.synonyms)
    expected = _python_boosted_order(engine, parsed.all_words, parsed.phrase)
    assert expected
    got = ranking.ranked_tier(engine._conn(), parsed.all_words, parsed.phrase,
                              ranking.Keep(), 15)
    assert got == expected[:15]


def test_filter_too_large_for_a_list_is_walked(engine: EmbeddedEngine,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = parse_query("数据", engine.synonyms)
    conn = engine._conn()
    snap = engine._snapshot(conn)
    wanted = [rid for (rid,) in conn.execute("SELECT rid FROM records WHERE rid % 3 = 0")]
    mask = bits_from_ids(wanted, snap.size).to_bytes(snap.nbytes, "little")
    as_list = ranking.ranked_tier(conn, parsed.all_words, "数据", ranking.Keep(mask, len(wanted)),
                                  12)
    monkeypatch.setattr(ranking, "IN_LIST_MAX", 0)
    walked = ranking.Keep(mask, len(wanted))
    assert walked.walks()
    assert ranking.ranked_tier(conn, parsed.all_words, "数据", walked, 12) == as_list
    order = _python_boosted_order(engine, parsed.all_words, "数据")
    assert as_list == [rid for rid in order if rid % 3 == 0][:12]


def test_highlight_escapes_only_what_needs_it() -> None:
    from search_api.engine.highlight import render

    assert render("公交<b>站点", [(0, 2)]) == "<mark>公交</mark>&lt;b&gt;站点"
    assert render("公交站点", [(2, 4)]) == "公交<mark>站点</mark>"


def test_an_index_without_title_key_gets_it_on_opening(tmp_path: Path) -> None:
    # An index written before the title_key table existed: opened, it gains the
    # table (no re-index) and answers as an index written with it.
    path = tmp_path / "old.sqlite3"
    old = EmbeddedEngine(path)
    old.index(_records())
    old.close()
    fresh = EmbeddedEngine(tmp_path / "new.sqlite3")
    fresh.index(_records())
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE title_key")
    reopened = EmbeddedEngine(path)
    try:
        for q in QUERIES:
            query = SearchQuery(q=q, per_page=50)
            mine, theirs = reopened.search(query), fresh.search(query)
            assert [h.record["id"] for h in mine.hits] == [h.record["id"] for h in theirs.hits]
            assert (mine.total, mine.facets) == (theirs.total, theirs.facets)
    finally:
        reopened.close()
        fresh.close()


def _bm25_statements(engine: EmbeddedEngine) -> list[str]:
    """Collects the ranking statements run on this thread's connection."""
    seen: list[str] = []
    engine._conn().set_trace_callback(lambda sql: seen.append(sql) if "bm25" in sql else None)
    return seen


def test_tiers_after_the_last_match_are_not_asked_for(engine: EmbeddedEngine) -> None:
    # Every record holding 老城区 and 幼儿园 has both in its title: the first
    # tier holds them all (fewer than a page), so the later tiers are empty.
    parsed = parse_query("老城区 幼儿园", engine.synonyms)
    conn = engine._conn()
    total = len(conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?",
                             (parsed.all_words,)).fetchall())
    assert 0 < total < 20
    seen = _bm25_statements(engine)
    asked = ranking.rank(conn, parsed, parsed.all_words, ranking.Keep(), 0, 20)
    unbounded = len(seen)
    seen.clear()
    assert ranking.rank(conn, parsed, parsed.all_words, ranking.Keep(), 0, 20,
                        total=total) == asked
    assert len(asked) == total
    assert len(seen) == 1 < unbounded


PAGES = [SearchQuery(q=q, filters=f, page=page, per_page=per_page)
         for q in ("数据", "公交", "江北区 公交", "企业 信用", "gongjiao", "养老机构")
         for f in ({}, {"department": ("jtj",)}, {"department": ("wjw",)})
         for page, per_page in ((1, 20), (2, 7), (1, 100), (3, 5))]


def test_kept_tier_heads_give_the_answers_of_fresh_ranking(engine: EmbeddedEngine) -> None:
    fresh = []
    for query in PAGES:
        engine.clear_caches()
        result = engine.search(query)
        fresh.append((result.total, [h.record["id"] for h in result.hits]))
    engine.clear_caches()
    for query in PAGES:  # unfiltered pages first: the filtered ones find their heads
        engine._results.clear()
        result = engine.search(query)
        assert (result.total, [h.record["id"] for h in result.hits]) == fresh[PAGES.index(query)]


def test_a_filtered_page_within_a_kept_head_runs_no_ranking(engine: EmbeddedEngine) -> None:
    engine.search(SearchQuery(q="公交"))
    seen = _bm25_statements(engine)
    result = engine.search(SearchQuery(q="公交", filters={"department": ("jtj",)}, per_page=5))
    assert result.hits and not seen
    engine.clear_caches()
    again = engine.search(SearchQuery(q="公交", filters={"department": ("jtj",)}, per_page=5))
    assert seen  # ranked by SQLite this time, to the same page
    assert [h.record["id"] for h in again.hits] == [h.record["id"] for h in result.hits]


def test_bodies_json_refuses_to_orjson_are_read_as_written(tmp_path: Path) -> None:
    built = EmbeddedEngine(tmp_path / "odd.sqlite3")
    try:
        built.index([{"id": "big", "title": "公交", "count": 2 ** 70, "ratio": float("nan")},
                     {"id": "plain", "title": "公交站点", "count": 3}])
        big = built.get("big")
        assert big is not None and big["count"] == 2 ** 70 and big["ratio"] != big["ratio"]
        assert built.get("plain") == {"id": "plain", "title": "公交站点", "count": 3}
        assert {h.record["id"] for h in built.search(SearchQuery(q="公交")).hits} == {"big",
                                                                                  "plain"}
    finally:
        built.close()


HIGHLIGHT_TEXTS = ["云河市公交站点", "公交<b>站点 & 公交", "GongJiao 公交", "İstanbul 公交",
                   "交通运输局发布的公交站点信息，" * 12, "", "没有匹配"]
HIGHLIGHT_MARKS = [("公交站点", "公交", "站点"), ("gongjiao",), ("",), ("公交", ""), ("i",)]


@pytest.mark.parametrize("marks", HIGHLIGHT_MARKS)
@pytest.mark.parametrize("text", HIGHLIGHT_TEXTS)
def test_highlight_substitution_is_render_of_the_spans(text: str, marks: tuple[str, ...]) -> None:
    from search_api.engine.highlight import SUMMARY_CHARS, highlight, render, spans_of

    assert highlight(text, text, marks) == {
        "title": render(text, spans_of(text, marks)),
        "summary": render(text, spans_of(text, marks), SUMMARY_CHARS)}


def _regex_spans(text: str, marks: tuple[str, ...]) -> list[tuple[int, int]]:
    """The spans as the marks compiled to one regular expression find them
    (the engine's way before it searched each mark with str.find)."""
    import re

    if not text or not marks:
        return []
    ordered = sorted({m.lower() for m in marks if m}, key=lambda m: (-len(m), m))
    pattern = re.compile("(" + "|".join(re.escape(m) for m in ordered) + ")")
    lowered = text.lower()
    folded = lowered if len(lowered) == len(text) else text
    return [(m.start(), m.end()) for m in pattern.finditer(folded)]


@given(st.text(alphabet="公交站点数据aAbBİı<&", max_size=40),
       st.lists(st.text(alphabet="公交站点数据aAbBİı", max_size=4), min_size=1, max_size=5))
def test_spans_are_those_of_the_marks_as_one_regex(text: str, marks: list[str]) -> None:
    from search_api.engine.highlight import spans_of

    assert spans_of(text, tuple(marks)) == _regex_spans(text, tuple(marks))


def test_a_query_not_seen_before_reads_the_generation_once(engine: EmbeddedEngine) -> None:
    # The answer cache is checked before the generation is read: a new query
    # reads it once, in its search's transaction; a kept answer reads it
    # once too, to be sure the index has not changed since.
    seen: list[str] = []
    engine._conn().set_trace_callback(
        lambda sql: seen.append(sql) if "'generation'" in sql else None)
    first = engine.search(SearchQuery(q="江北区 公交"))
    assert len(seen) == 1
    seen.clear()
    again = engine.search(SearchQuery(q="江北区 公交"))
    assert len(seen) == 1 and again.hits == first.hits
    engine.index(_records()[:100])  # a new generation: the kept answer is not used
    seen.clear()
    after = engine.search(SearchQuery(q="江北区 公交"))
    assert len(seen) == 2 and after.total < first.total
