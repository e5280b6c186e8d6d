"""The search engine contract shared by the embedded (SQLite FTS5) and the
Meilisearch implementations, and the query validation both apply.

The Flask layer builds a ``SearchQuery``, calls ``SearchEngine.search`` and
renders the ``SearchResult``; it never looks inside an engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

FILTER_KEYS = ("department", "theme", "open_type", "format", "update_frequency", "region")
SORTS = ("relevance", "updated", "name")

MAX_QUERY_CHARS = 200
MAX_PER_PAGE = 100
MAX_FILTER_VALUES = 50  # per filter key
MAX_FILTER_VALUE_CHARS = 100


@dataclass(frozen=True)
class SearchQuery:
    """One search request.

    ``filters`` maps a key of ``FILTER_KEYS`` to the values accepted for it:
    values of one key are OR-ed, keys are AND-ed. ``format`` matches any of a
    record's ``formats``. An empty ``q`` lists every record (filtered); with
    ``sort="relevance"`` such a listing is ordered by last update.

    ``autocorrect``: when no record holds every word of ``q``, an engine that
    can may search a corrected query instead (homophone slips, misspelt
    pinyin) and say so in ``SearchResult.corrected``. Off by default (the
    CKAN API answers exactly what was asked).
    """

    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    autocorrect: bool = False


@dataclass(frozen=True)
class Hit:
    """A found record and its highlighted text.

    ``highlights`` has the keys "title" and "summary": HTML-escaped text in
    which the matched words are wrapped in ``<mark>…</mark>`` (no other tags);
    the summary is cut to about 160 characters around its first match.
    """

    record: dict[str, Any]
    highlights: dict[str, str]


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, the total number of matching records and the facets.

    ``facets[key]`` (for every key of ``FILTER_KEYS``) maps a value to the
    number of records matching the query and every filter *except* the one on
    ``key`` (disjunctive faceting), so that choosing one department still shows
    how many records the other departments have. Values currently selected are
    present even when their count is 0.

    ``corrected``: the query the hits are for when the engine corrected ``q``
    (``SearchQuery.autocorrect``), else None.
    """

    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    took_ms: float
    corrected: str | None = None


@dataclass(frozen=True)
class IndexStats:
    """What ``SearchEngine.index`` changed."""

    added: int
    updated: int
    removed: int
    unchanged: int
    seconds: float


class SearchError(Exception):
    """The query cannot be run as given; the message says what to change.

    The API layer answers it with HTTP ``status``.
    """

    status = 400


class EngineUnavailable(Exception):
    """The search backend cannot be reached or is not ready (HTTP 503)."""

    status = 503


class SearchEngine(Protocol):
    """What every engine offers. Records are the entries of catalog.json (the JSON of
    ``domain.catalogue.public_record.CatalogEntry``), which the engine stores as they are."""

    def search(self, query: SearchQuery) -> SearchResult:
        """Run ``query``. Raises SearchError for an invalid query and
        EngineUnavailable when the backend cannot answer. A page past the end
        gives no hits (and the real total), not an error."""
        ...

    def get(self, identifier: str) -> dict[str, Any] | None:
        """The stored record with this id, or None."""
        ...

    def all_ids(self) -> list[str]:
        """Every indexed id, sorted."""
        ...

    def records(self) -> Iterator[dict[str, Any]]:
        """Every stored record, in id order, read in batches (for the callers
        that must look at each one: CKAN filters the engine cannot apply)."""
        ...

    def count(self) -> int:
        """How many records are indexed."""
        ...

    def index(self, records: Iterable[dict[str, Any]]) -> IndexStats:
        """Make the index hold exactly ``records``: unchanged records (same
        content hash) are not re-processed, and searches running meanwhile see
        either the old or the new content, never a mix. Raises ValueError for a
        record without a string ``id`` or for a repeated id."""
        ...

    def close(self) -> None:
        """Release connections; the engine must not be used afterwards."""
        ...


def validate_query(query: SearchQuery) -> None:
    """Raise SearchError, with a message saying what to change, unless
    ``query`` can be run. A page past the last one is valid."""
    if not isinstance(query.q, str):
        raise SearchError("q must be a string")
    if len(query.q) > MAX_QUERY_CHARS:
        raise SearchError(
            f"q has {len(query.q)} characters; shorten it to at most {MAX_QUERY_CHARS}")
    if query.sort not in SORTS:
        raise SearchError(f"unknown sort {query.sort!r}; use one of: {', '.join(SORTS)}")
    if isinstance(query.page, bool) or not isinstance(query.page, int) or query.page < 1:
        raise SearchError(f"page must be a whole number of at least 1, not {query.page!r}")
    if (isinstance(query.per_page, bool) or not isinstance(query.per_page, int)
            or not 1 <= query.per_page <= MAX_PER_PAGE):
        raise SearchError(
            f"per_page must be a whole number from 1 to {MAX_PER_PAGE}, not {query.per_page!r}")
    for key, values in query.filters.items():
        if key not in FILTER_KEYS:
            raise SearchError(
                f"unknown filter {key!r}; filter on one of: {', '.join(FILTER_KEYS)}")
        if isinstance(values, str) or not all(isinstance(v, str) for v in values):
            raise SearchError(f"filter {key!r} must be given as a list of strings")
        if len(values) > MAX_FILTER_VALUES:
            raise SearchError(
                f"filter {key!r} has {len(values)} values; choose at most {MAX_FILTER_VALUES}")
        for value in values:
            if len(value) > MAX_FILTER_VALUE_CHARS:
                raise SearchError(f"a value of filter {key!r} is longer than "
                                  f"{MAX_FILTER_VALUE_CHARS} characters; shorten it")


def active_filters(query: SearchQuery) -> dict[str, tuple[str, ...]]:
    """The filters that restrict anything: keys with at least one value,
    values de-duplicated in their given order."""
    return {key: tuple(dict.fromkeys(values)) for key, values in query.filters.items() if values}


def filter_values(record: Mapping[str, Any], key: str) -> list[str]:
    """The values ``record`` has for filter ``key`` (several for ``format``;
    none when the field is empty)."""
    if key == "format":
        raw = record.get("formats") or []
        return list(dict.fromkeys(str(v) for v in raw if v))
    value = record.get(key)
    return [str(value)] if value not in (None, "") else []
