"""The SearchEngine contract, run against every backend (engine fixture):
the embedded engine always, Meilisearch when MEILI_URL is set."""

from __future__ import annotations

import copy
import re
from collections import Counter
from typing import Any

import pytest

from search_api.engine import FILTER_KEYS, SearchEngine, SearchError, SearchQuery
from search_api.engine.base import filter_values
from search_api.engine.segment import sort_key

Records = list[dict[str, Any]]


def ids(engine: SearchEngine, **kwargs: Any) -> list[str]:
    return [h.record["id"] for h in engine.search(SearchQuery(**kwargs)).hits]


def test_two_character_query_puts_matching_titles_first(engine: SearchEngine) -> None:
    result = engine.search(SearchQuery(q="公交"))
    assert set(h.record["id"] for h in result.hits[:2]) == {"jtj-0001", "jtj-0002"}
    assert {h.record["title"] for h in result.hits[:2]} == {"公交站点信息", "公交线路信息"}


@pytest.mark.parametrize(("q", "expected"), [
    ("医院", "wjw-0001"),            # via its keywords: 医院, 医疗机构名录
    ("幼儿园", "jyj-0002"),
    ("空气质量", "hbj-0001"),
    ("行政处罚", "sjj-0003"),
    ("养老", "mzj-0001"),
    ("营业执照", "sjj-0001"),
    ("招聘", "rsj-0001"),
    ("停车", "jtj-0003"),
])
def test_citizen_queries_find_the_dataset_first(engine: SearchEngine, q: str,
                                                expected: str) -> None:
    assert ids(engine, q=q)[0] == expected


def test_synonym_finds_the_other_words_of_its_group(engine: SearchEngine) -> None:
    found = ids(engine, q="公共交通")
    assert set(found[:2]) == {"jtj-0001", "jtj-0002"}


def test_records_with_every_query_word_come_first(engine: SearchEngine) -> None:
    # Only jtj-0001 and jtj-0002 hold both words; the other records of the
    # transport department hold 交通 only and may follow (a short result is
    # completed with partial matches, as Meilisearch does), never precede.
    both = ids(engine, q="交通 公交", per_page=100)
    assert set(both[:2]) == {"jtj-0001", "jtj-0002"}
    assert set(both) <= set(ids(engine, q="交通", per_page=100)) | set(both[:2])


def test_falls_back_to_any_word_when_no_record_has_all(engine: SearchEngine) -> None:
    found = ids(engine, q="公交 幼儿园", per_page=100)
    assert {"jtj-0001", "jtj-0002", "jyj-0002"} <= set(found)


def test_no_match_gives_an_empty_result_with_empty_facets(engine: SearchEngine) -> None:
    result = engine.search(SearchQuery(q="火星探测器"))
    assert result.total == 0 and result.hits == []
    assert set(result.facets) == set(FILTER_KEYS)
    assert all(counts == {} for counts in result.facets.values())


def expected_counts(records: Records, key: str,
                    filters: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Disjunctive facet counts computed by hand: every filter but ``key``'s."""
    counts: Counter[str] = Counter()
    for record in records:
        if all(set(filter_values(record, k)) & set(vs) for k, vs in filters.items() if k != key):
            counts.update(filter_values(record, key))
    return dict(counts)


def test_facets_cover_every_key_and_count_the_whole_result(
        engine: SearchEngine, sample_records: Records) -> None:
    result = engine.search(SearchQuery(per_page=5))
    assert result.total == len(sample_records)
    for key in FILTER_KEYS:
        assert result.facets[key] == expected_counts(sample_records, key, {})


def test_facets_are_disjunctive(engine: SearchEngine, sample_records: Records) -> None:
    filters = {"department": ("jtj",), "open_type": ("unconditional",)}
    result = engine.search(SearchQuery(filters=filters))
    # Choosing jtj still shows the other departments' counts (with open_type applied) ...
    assert result.facets["department"] == expected_counts(sample_records, "department", filters)
    assert result.facets["department"]["sjj"] > 0
    # ... while the other keys count within jtj and unconditional.
    for key in ("theme", "format", "update_frequency", "region", "open_type"):
        assert result.facets[key] == expected_counts(sample_records, key, filters), key
    assert result.total == sum(1 for r in sample_records
                               if r["department"] == "jtj" and r["open_type"] == "unconditional")


def test_facets_follow_the_query(engine: SearchEngine, sample_records: Records) -> None:
    result = engine.search(SearchQuery(q="公交"))
    assert result.facets["department"] == {"jtj": result.total}
    assert sum(result.facets["open_type"].values()) == result.total


def test_several_values_of_one_filter_are_or_ed(engine: SearchEngine,
                                                sample_records: Records) -> None:
    result = engine.search(SearchQuery(filters={"department": ("jtj", "wjw")}, per_page=100))
    expected = {r["id"] for r in sample_records if r["department"] in ("jtj", "wjw")}
    assert {h.record["id"] for h in result.hits} == expected
    assert result.total == len(expected)


def test_selected_value_without_matches_is_still_listed(engine: SearchEngine) -> None:
    result = engine.search(SearchQuery(q="公交", filters={"department": ("nobody",)}))
    assert result.total == 0
    assert result.facets["department"]["nobody"] == 0
    assert result.facets["department"]["jtj"] > 0


def test_format_filter_matches_any_of_a_records_formats(empty_engine: SearchEngine,
                                                        sample_records: Records) -> None:
    extra = copy.deepcopy(sample_records[:3])
    extra[0]["id"], extra[0]["formats"] = "x-0001", ["xlsx", "json"]
    extra[1]["id"], extra[1]["formats"] = "x-0002", ["json"]
    extra[2]["id"], extra[2]["formats"] = "x-0003", ["csv", "xlsx"]
    empty_engine.index(sample_records + extra)
    result = empty_engine.search(SearchQuery(filters={"format": ("xlsx",)}))
    assert {h.record["id"] for h in result.hits} == {"x-0001", "x-0003"}
    assert result.facets["format"]["json"] == 2
    assert result.facets["format"]["csv"] == len(sample_records) + 1
    both = empty_engine.search(SearchQuery(filters={"format": ("xlsx", "json")}))
    assert both.total == 3


def test_sort_by_update_is_newest_first(engine: SearchEngine) -> None:
    hits = engine.search(SearchQuery(sort="updated", per_page=100)).hits
    dates = [h.record["last_updated"] or "" for h in hits]
    assert dates == sorted(dates, reverse=True)
    # An empty query sorted by relevance lists by update as well.
    assert [h.record["id"] for h in hits] == ids(engine, per_page=100)


def test_sort_by_update_applies_to_a_query(engine: SearchEngine) -> None:
    hits = engine.search(SearchQuery(q="公交", sort="updated", per_page=100)).hits
    dates = [h.record["last_updated"] or "" for h in hits]
    assert dates == sorted(dates, reverse=True) and len(hits) >= 2


def test_sort_by_name_is_pinyin_order(engine: SearchEngine) -> None:
    titles = [h.record["title"] for h in engine.search(SearchQuery(sort="name",
                                                                   per_page=100)).hits]
    assert titles == sorted(titles, key=lambda t: (sort_key(t), t))
    assert titles.index("公交线路信息") < titles.index("公交站点信息")  # xian < zhan
    assert titles.index("医疗机构名录") > titles.index("企业登记信息")  # yi > qi


def test_pages_partition_the_result(engine: SearchEngine, sample_records: Records) -> None:
    seen: list[str] = []
    for page in range(1, 5):
        result = engine.search(SearchQuery(sort="name", page=page, per_page=10))
        assert result.total == len(sample_records)
        seen.extend(h.record["id"] for h in result.hits)
    assert sorted(seen) == sorted(r["id"] for r in sample_records)
    assert len(seen) == len(set(seen))


def test_relevance_pages_partition_the_result(engine: SearchEngine) -> None:
    full = ids(engine, q="企业", per_page=100)
    paged = [i for p in range(1, 10) for i in ids(engine, q="企业", page=p, per_page=2)]
    assert paged == full and len(full) > 3


def test_page_past_the_end_is_empty_not_an_error(engine: SearchEngine) -> None:
    result = engine.search(SearchQuery(q="公交", page=50))
    assert result.hits == [] and result.total > 0


def test_highlights_mark_matches_in_escaped_text(engine: SearchEngine) -> None:
    hit = engine.search(SearchQuery(q="公交")).hits[0]
    assert "<mark>公交</mark>" in hit.highlights["title"]
    assert "<mark>" in hit.highlights["summary"]


def test_highlights_escape_html(empty_engine: SearchEngine, sample_records: Records) -> None:
    evil = copy.deepcopy(sample_records[0])
    evil.update(id="evil-0001", title="<script>alert(1)</script>公交实验",
                summary='公交 <b onmouseover="x">粗体</b> & 更多')
    empty_engine.index([*sample_records, evil])
    hit = next(h for h in empty_engine.search(SearchQuery(q="公交实验")).hits
               if h.record["id"] == "evil-0001")
    title, summary = hit.highlights["title"], hit.highlights["summary"]
    assert "&lt;script&gt;" in title and "<script>" not in title
    assert "&lt;b onmouseover=&quot;x&quot;&gt;" in summary and "&amp;" in summary
    for text in (title, summary):
        assert set(re.findall(r"</?[a-z][^>]*>", text)) <= {"<mark>", "</mark>"}
    assert hit.record["title"] == evil["title"]  # the record itself is not escaped


def test_long_summary_is_cut_around_the_first_match(empty_engine: SearchEngine,
                                                    sample_records: Records) -> None:
    long = copy.deepcopy(sample_records[0])
    long.update(id="long-0001", title="长摘要测试",
                summary="前文" * 150 + "这里提到公交站台的位置。" + "后文" * 150)
    empty_engine.index([*sample_records, long])
    hit = next(h for h in empty_engine.search(SearchQuery(q="公交站台", per_page=50)).hits
               if h.record["id"] == "long-0001")
    summary = hit.highlights["summary"]
    plain = re.sub(r"</?mark>", "", summary)
    assert "<mark>" in summary and plain.startswith("…") and plain.endswith("…")
    assert 120 <= len(plain) <= 170


def test_index_is_incremental(empty_engine: SearchEngine, sample_records: Records) -> None:
    n = len(sample_records)
    first = empty_engine.index(sample_records)
    assert (first.added, first.updated, first.removed, first.unchanged) == (n, 0, 0, 0)
    again = empty_engine.index(sample_records)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, n)
    changed = copy.deepcopy(sample_records)
    changed[5]["title"] = "改过名字的数据集"
    stats = empty_engine.index(changed)
    assert (stats.added, stats.updated, stats.removed, stats.unchanged) == (0, 1, 0, n - 1)
    assert ids(empty_engine, q="改过名字")[0] == changed[5]["id"]
    assert empty_engine.get(changed[5]["id"])["title"] == "改过名字的数据集"  # type: ignore[index]
    gone = changed.pop(7)
    stats = empty_engine.index(changed)
    assert (stats.added, stats.updated, stats.removed, stats.unchanged) == (0, 0, 1, n - 1)
    assert empty_engine.count() == n - 1
    assert empty_engine.get(gone["id"]) is None
    assert gone["id"] not in empty_engine.all_ids()
    assert empty_engine.search(SearchQuery()).total == n - 1
    back = empty_engine.index(sample_records)
    assert (back.added, back.updated, back.removed) == (1, 1, 0)
    assert empty_engine.search(SearchQuery()).total == n


def test_get_all_ids_and_count(engine: SearchEngine, sample_records: Records) -> None:
    assert engine.count() == len(sample_records)
    assert engine.all_ids() == sorted(r["id"] for r in sample_records)
    assert engine.get("jtj-0001") == next(r for r in sample_records if r["id"] == "jtj-0001")
    assert engine.get("no-such-id") is None


def test_records_need_unique_string_ids(empty_engine: SearchEngine,
                                        sample_records: Records) -> None:
    with pytest.raises(ValueError, match="id"):
        empty_engine.index([{"title": "无编号"}])
    with pytest.raises(ValueError, match="more than once"):
        empty_engine.index([sample_records[0], sample_records[0]])


@pytest.mark.parametrize(("query", "says"), [
    (SearchQuery(q="公" * 201), "at most 200"),
    (SearchQuery(page=0), "page"),
    (SearchQuery(per_page=0), "per_page"),
    (SearchQuery(per_page=101), "per_page"),
    (SearchQuery(sort="newest"), "relevance, updated, name"),
    (SearchQuery(filters={"colour": ("red",)}), "department"),
    (SearchQuery(filters={"theme": "transport"}), "list"),  # type: ignore[dict-item]
])
def test_invalid_queries_say_what_to_change(engine: SearchEngine, query: SearchQuery,
                                            says: str) -> None:
    with pytest.raises(SearchError, match=says) as caught:
        engine.search(query)
    assert caught.value.status == 400


def test_query_of_exactly_200_characters_is_accepted(engine: SearchEngine) -> None:
    assert engine.search(SearchQuery(q="公" * 200)).total >= 0


def test_withdrawn_and_invalid_records_are_still_found(engine: SearchEngine) -> None:
    assert ids(engine, q="高考")[0] == "jyj-0003"  # status invalid
    assert ids(engine, q="共享单车")[0] == "jtj-0005"  # status withdrawn
