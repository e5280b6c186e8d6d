"""The Meilisearch adapter's translation of a SearchQuery into search
requests and index settings (pure functions: no server needed)."""

from __future__ import annotations

import pytest

from search_api.engine import FILTER_KEYS, SearchError, SearchQuery
from search_api.engine.highlight import POST, PRE
from search_api.engine.meili import (
    document,
    filter_expression,
    index_settings,
    quote,
    search_requests,
)
from search_api.engine.synonyms import Synonyms


def test_quote_escapes_backslashes_and_double_quotes() -> None:
    assert quote("jtj") == '"jtj"'
    assert quote('say "hi"') == '"say \\"hi\\""'
    assert quote("a\\b") == '"a\\\\b"'
    assert quote("末尾\\") == '"末尾\\\\"'
    assert quote("it's") == '"it\'s"'


def test_filter_expression_ors_values_and_ands_keys_in_a_fixed_order() -> None:
    filters = {"theme": ("transport",), "department": ("jtj", 'w"j')}
    assert filter_expression(filters) == (
        'department IN ["jtj", "w\\"j"] AND theme IN ["transport"]')
    assert filter_expression(filters, skip="department") == 'theme IN ["transport"]'
    assert filter_expression({}) == ""


def test_plain_query() -> None:
    [main] = search_requests(SearchQuery(q=" 公交 ", page=3, per_page=10), "datasets")
    assert main == {
        "indexUid": "datasets", "q": "公交", "page": 3, "hitsPerPage": 10,
        "facets": list(FILTER_KEYS), "attributesToHighlight": ["title", "summary"],
        "highlightPreTag": PRE, "highlightPostTag": POST,
    }


def test_empty_query_is_listed_newest_first() -> None:
    [main] = search_requests(SearchQuery(), "datasets")
    assert main["q"] == "" and main["sort"] == ["last_updated:desc", "name_key:asc"]


@pytest.mark.parametrize(("sort", "expected"), [
    ("updated", ["last_updated:desc", "name_key:asc"]),
    ("name", ["name_key:asc"]),
])
def test_sorts(sort: str, expected: list[str]) -> None:
    [main] = search_requests(SearchQuery(q="公交", sort=sort), "i")
    assert main["sort"] == expected


def test_relevance_with_a_query_leaves_ranking_to_meilisearch() -> None:
    [main] = search_requests(SearchQuery(q="公交"), "i")
    assert "sort" not in main


def test_one_extra_facet_query_per_filtered_key() -> None:
    query = SearchQuery(q="公交", filters={"department": ("jtj", "wjw"),
                                         "format": ("csv",), "region": ()})
    main, department, fmt = search_requests(query, "datasets")
    assert main["filter"] == 'department IN ["jtj", "wjw"] AND format IN ["csv"]'
    assert main["facets"] == list(FILTER_KEYS)
    assert department == {"indexUid": "datasets", "q": "公交", "page": 1, "hitsPerPage": 0,
                          "facets": ["department"], "filter": 'format IN ["csv"]'}
    assert fmt["facets"] == ["format"]
    assert fmt["filter"] == 'department IN ["jtj", "wjw"]'


def test_single_filter_facet_query_has_no_filter() -> None:
    _, only = search_requests(SearchQuery(filters={"theme": ("transport",)}), "i")
    assert "filter" not in only and only["facets"] == ["theme"]


def test_translation_validates_first() -> None:
    with pytest.raises(SearchError, match="per_page"):
        search_requests(SearchQuery(per_page=500), "i")


def test_settings() -> None:
    settings = index_settings(Synonyms([["公交", "巴士"]]))
    assert settings["searchableAttributes"][:2] == ["title", "keywords"]
    assert set(settings["filterableAttributes"]) == set(FILTER_KEYS)
    assert {"last_updated", "title"} <= set(settings["sortableAttributes"])
    assert settings["localizedAttributes"] == [{"attributePatterns": ["*"], "locales": ["zho"]}]
    assert settings["synonyms"] == {"公交": ["巴士"], "巴士": ["公交"]}
    assert "localizedAttributes" not in index_settings(None, localized=False)


def test_document_adds_filterable_format_and_sort_key() -> None:
    doc = document({"id": "a-1", "title": "公交站点", "formats": ["csv", "xlsx"]}, "h")
    assert doc["format"] == ["csv", "xlsx"]
    assert doc["name_key"] == "gong jiao zhan dian"
    assert doc["content_hash"] == "h"
