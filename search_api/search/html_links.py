"""Addresses of the server-rendered search page: facet and page links that
keep the rest of the query (pure functions of the query)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from search_api.engine.base import SearchQuery

_DEFAULT = SearchQuery()

PATH = "/find"


def query_pairs(query: SearchQuery, *, filters: Mapping[str, Sequence[str]] | None = None,
                page: int = 1) -> list[tuple[str, str]]:
    """The query string of ``query`` as (name, value) pairs, with other
    ``filters`` and ``page`` if given; defaults (relevance, page 1, 20 a page)
    are left out so that links stay short."""
    chosen = query.filters if filters is None else filters
    pairs: list[tuple[str, str]] = []
    if query.q:
        pairs.append(("q", query.q))
    for key in sorted(chosen):
        pairs += [(key, value) for value in chosen[key]]
    if query.sort != _DEFAULT.sort:
        pairs.append(("sort", query.sort))
    if query.per_page != _DEFAULT.per_page:
        pairs.append(("per_page", str(query.per_page)))
    if page > 1:
        pairs.append(("page", str(page)))
    return pairs


def href(pairs: list[tuple[str, str]]) -> str:
    """``/find`` with these query pairs (UTF-8, percent-encoded)."""
    return PATH + ("?" + urlencode(pairs) if pairs else "")


def toggle(query: SearchQuery, key: str, value: str) -> str:
    """The link that adds ``key=value`` to the filters, or removes it when
    it is already chosen; back to the first page either way."""
    filters = {k: list(v) for k, v in query.filters.items()}
    values = filters.setdefault(key, [])
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return href(query_pairs(query, filters={k: v for k, v in filters.items() if v}))


def page_link(query: SearchQuery, page: int) -> str:
    """The link to ``page`` of the same query."""
    return href(query_pairs(query, page=page))
