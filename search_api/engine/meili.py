"""The Meilisearch engine: the same contract over a Meilisearch server.

Index settings (``index_settings``): searchable title > keywords > summary >
department and theme names; filterable on the FILTER_KEYS (a record's
``formats`` are copied into a ``format`` field); sortable on last_updated,
title and ``name_key`` (the pinyin sort key the embedded engine uses, so
both engines sort names alike); Chinese tokenization forced through
``localizedAttributes`` (servers before 1.10 reject that setting: it is
then left out); the synonym groups; exhaustive totals (maxTotalHits).

Disjunctive facets: Meilisearch counts facets over the fully filtered
result. For a key without an active filter that is what we want; for each
key *with* an active filter one more query is sent (same q, every filter but
that key's, ``hitsPerPage: 0``, only that facet). All of them go in one
``multi-search`` request, so a search is one HTTP round trip.

Reindexing is atomic: the records are loaded into a fresh temporary index
with the same settings, which is then swapped with the live one
(``swap-indexes``) and the old content deleted. Meilisearch re-tokenizes
every document of the temporary index; the content hashes (stored per
document) only decide whether anything changed and what IndexStats reports.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from search_api.engine.base import (
    FILTER_KEYS,
    EngineUnavailable,
    Hit,
    IndexStats,
    SearchError,
    SearchQuery,
    SearchResult,
    active_filters,
    filter_values,
    validate_query,
)
from search_api.engine.highlight import POST, PRE, SUMMARY_CHARS, from_tagged
from search_api.engine.segment import SEGMENTATION_VERSION, sort_key
from search_api.engine.synonyms import Synonyms

# Fields the adapter adds to each document; get() and hits strip them.
INTERNAL_FIELDS = ("format", "name_key", "content_hash")
SEARCHABLE = ["title", "keywords", "summary", "department_name", "theme_name"]
SORT_FIELDS = {"updated": ["last_updated:desc", "name_key:asc"], "name": ["name_key:asc"]}
LOCALE = "zho"  # ISO 639-3; Meilisearch then segments these fields as Chinese (jieba)
TASK_TIMEOUT_MS = 600_000
BATCH = 5_000
_VALID_ID = re.compile(r"^[A-Za-z0-9_-]{1,511}$")


def quote(value: str) -> str:
    """A Meilisearch filter string literal: double quotes, with backslashes
    and double quotes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_expression(filters: Mapping[str, tuple[str, ...]], skip: str | None = None) -> str:
    """``key IN ["a", "b"] AND …`` for the active filters, leaving out ``skip``."""
    parts = []
    for key in FILTER_KEYS:
        values = filters.get(key)
        if values and key != skip:
            parts.append(f"{key} IN [{', '.join(quote(v) for v in values)}]")
    return " AND ".join(parts)


def search_requests(query: SearchQuery, index_name: str) -> list[dict[str, Any]]:
    """The multi-search queries for ``query``: first the page itself (with the
    facets of keys without an active filter), then one facet-only query per
    filtered key. Raises SearchError for an invalid query."""
    validate_query(query)
    filters = active_filters(query)
    q = query.q.strip()
    main: dict[str, Any] = {
        "indexUid": index_name,
        "q": q,
        "page": query.page,
        "hitsPerPage": query.per_page,
        "facets": list(FILTER_KEYS),
        "attributesToHighlight": ["title", "summary"],
        "highlightPreTag": PRE,
        "highlightPostTag": POST,
    }
    expression = filter_expression(filters)
    if expression:
        main["filter"] = expression
    sort = query.sort
    if sort == "relevance" and not q:
        sort = "updated"
    if sort in SORT_FIELDS:
        main["sort"] = list(SORT_FIELDS[sort])
    requests = [main]
    for key in FILTER_KEYS:
        if key in filters:
            extra: dict[str, Any] = {"indexUid": index_name, "q": q, "page": 1,
                                     "hitsPerPage": 0, "facets": [key]}
            others = filter_expression(filters, skip=key)
            if others:
                extra["filter"] = others
            requests.append(extra)
    return requests


def index_settings(synonyms: Synonyms | None, localized: bool = True) -> dict[str, Any]:
    """The settings every index of this engine gets."""
    settings: dict[str, Any] = {
        "searchableAttributes": SEARCHABLE,
        "filterableAttributes": list(FILTER_KEYS),
        "sortableAttributes": ["last_updated", "title", "name_key"],
        "synonyms": {term: synonyms.of(term) for term in synonyms.terms} if synonyms else {},
        "pagination": {"maxTotalHits": 10_000_000},
        "faceting": {"maxValuesPerFacet": 1000},
    }
    if localized:
        settings["localizedAttributes"] = [{"attributePatterns": ["*"], "locales": [LOCALE]}]
    return settings


def document(record: Mapping[str, Any], content_hash: str) -> dict[str, Any]:
    """The Meilisearch document of a record: the record plus INTERNAL_FIELDS."""
    doc = dict(record)
    doc["format"] = filter_values(record, "format")
    doc["name_key"] = sort_key(str(record.get("title") or ""))
    doc["content_hash"] = content_hash
    return doc


def content_hash(record: Mapping[str, Any]) -> str:
    import hashlib
    import json

    body = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)
    return hashlib.blake2b((SEGMENTATION_VERSION + body).encode(), digest_size=16).hexdigest()


def _strip(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items()
            if k not in INTERNAL_FIELDS and not k.startswith("_")}


class MeiliEngine:
    """SearchEngine over a Meilisearch server. Raises EngineUnavailable when
    the server cannot be reached."""

    def __init__(self, url: str, api_key: str | None = None, index_name: str = "datasets",
                 synonyms: Synonyms | None = None, timeout: int = 10) -> None:
        import meilisearch

        self.client = meilisearch.Client(url, api_key, timeout=timeout)
        self.index_name = index_name
        self.synonyms = synonyms
        try:
            self.client.health()
        except Exception as exc:  # the client raises several error types
            raise EngineUnavailable(f"Meilisearch at {url} cannot be reached: {exc}") from exc

    # -- search --------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """See SearchEngine.search."""
        started = time.perf_counter()
        requests = search_requests(query, self.index_name)
        filters = active_filters(query)
        try:
            answer = self.client.multi_search(requests)["results"]
        except Exception as exc:
            code = getattr(exc, "code", None)
            if code == "index_not_found":
                answer = [{"hits": [], "totalHits": 0, "facetDistribution": {}}] * len(requests)
            elif code and str(code).startswith("invalid_search"):
                raise SearchError(f"Meilisearch refused the query: {exc}") from exc
            else:
                raise EngineUnavailable(f"Meilisearch search failed: {exc}") from exc
        main = answer[0]
        distribution: dict[str, dict[str, int]] = dict(main.get("facetDistribution") or {})
        extra = iter(answer[1:])
        for key in FILTER_KEYS:
            if key in filters:
                distribution[key] = (next(extra).get("facetDistribution") or {}).get(key, {})
        facets = {}
        for key in FILTER_KEYS:
            counts = {str(v): int(n) for v, n in (distribution.get(key) or {}).items() if n}
            for value in filters.get(key, ()):
                counts.setdefault(value, 0)
            facets[key] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        hits = []
        for raw in main.get("hits", []):
            formatted = raw.get("_formatted") or {}
            hits.append(Hit(record=_strip(raw), highlights={
                "title": from_tagged(str(formatted.get("title") or raw.get("title") or "")),
                "summary": from_tagged(str(formatted.get("summary") or raw.get("summary") or ""),
                                       SUMMARY_CHARS),
            }))
        total = int(main.get("totalHits", main.get("estimatedTotalHits", 0)) or 0)
        return SearchResult(hits=hits, total=total, facets=facets,
                            took_ms=(time.perf_counter() - started) * 1000)

    # -- lookups -------------------------------------------------------------

    def get(self, identifier: str) -> dict[str, Any] | None:
        """See SearchEngine.get."""
        if not _VALID_ID.match(identifier):
            return None
        try:
            return _strip(dict(self.client.index(self.index_name).get_document(identifier)))
        except Exception as exc:
            if getattr(exc, "code", None) in ("document_not_found", "index_not_found"):
                return None
            raise EngineUnavailable(f"Meilisearch get failed: {exc}") from exc

    def _hashes(self, index_name: str) -> dict[str, str]:
        """id → content hash of every document of ``index_name`` ({} when the
        index does not exist)."""
        out: dict[str, str] = {}
        offset = 0
        index = self.client.index(index_name)
        while True:
            try:
                page = index.get_documents({"fields": ["id", "content_hash"],
                                            "limit": BATCH, "offset": offset})
            except Exception as exc:
                if getattr(exc, "code", None) == "index_not_found":
                    return {}
                raise EngineUnavailable(f"Meilisearch cannot list documents: {exc}") from exc
            for doc in page.results:
                fields = dict(doc)
                out[str(fields["id"])] = str(fields.get("content_hash", ""))
            offset += len(page.results)
            if not page.results or offset >= page.total:
                return out

    def records(self) -> Iterator[dict[str, Any]]:
        """See SearchEngine.records (sorted by id after reading: Meilisearch
        pages documents in its own order)."""
        docs: list[dict[str, Any]] = []
        offset = 0
        index = self.client.index(self.index_name)
        while True:
            try:
                page = index.get_documents({"limit": BATCH, "offset": offset})
            except Exception as exc:
                if getattr(exc, "code", None) == "index_not_found":
                    return
                raise EngineUnavailable(f"Meilisearch cannot list documents: {exc}") from exc
            docs.extend(_strip(dict(doc)) for doc in page.results)
            offset += len(page.results)
            if not page.results or offset >= page.total:
                break
        yield from sorted(docs, key=lambda d: str(d.get("id")))

    def all_ids(self) -> list[str]:
        """See SearchEngine.all_ids."""
        return sorted(self._hashes(self.index_name))

    def count(self) -> int:
        """See SearchEngine.count."""
        try:
            return int(self.client.index(self.index_name).get_stats().number_of_documents)
        except Exception as exc:
            if getattr(exc, "code", None) == "index_not_found":
                return 0
            raise EngineUnavailable(f"Meilisearch stats failed: {exc}") from exc

    # -- indexing ------------------------------------------------------------

    def _wait(self, task: Any) -> None:
        done = self.client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
        if done.status != "succeeded":
            raise EngineUnavailable(f"Meilisearch task {task.task_uid} ({done.type}) "
                                    f"{done.status}: {done.error}")

    def _configure(self, index_name: str) -> None:
        index = self.client.index(index_name)
        try:
            self._wait(index.update_settings(index_settings(self.synonyms)))
        except EngineUnavailable as exc:
            if "localized" not in str(exc).lower():
                raise
            self._wait(index.update_settings(index_settings(self.synonyms, localized=False)))

    def index(self, records: Iterable[dict[str, Any]]) -> IndexStats:
        """See SearchEngine.index: a temporary index, then an atomic swap."""
        started = time.perf_counter()
        docs: dict[str, dict[str, Any]] = {}
        for record in records:
            identifier = record.get("id") if isinstance(record, Mapping) else None
            if not isinstance(identifier, str) or not identifier:
                raise ValueError("every record needs a non-empty string 'id'")
            if not _VALID_ID.match(identifier):
                raise ValueError(f"record id {identifier!r} is not a valid Meilisearch id "
                                 "(letters, digits, - and _ only)")
            if identifier in docs:
                raise ValueError(f"record id {identifier!r} appears more than once")
            docs[identifier] = document(record, content_hash(record))
        existing = self._hashes(self.index_name)
        added = sum(1 for i in docs if i not in existing)
        updated = sum(1 for i, d in docs.items()
                      if i in existing and existing[i] != d["content_hash"])
        removed = sum(1 for i in existing if i not in docs)
        unchanged = len(docs) - added - updated
        if added or updated or removed or not existing:
            self._rebuild(list(docs.values()))
        return IndexStats(added, updated, removed, unchanged, time.perf_counter() - started)

    def _rebuild(self, docs: list[dict[str, Any]]) -> None:
        temporary = f"{self.index_name}_build_{uuid.uuid4().hex[:12]}"
        try:
            self._wait(self.client.create_index(temporary, {"primaryKey": "id"}))
            self._configure(temporary)
            for task in self.client.index(temporary).add_documents_in_batches(
                    docs, batch_size=BATCH, primary_key="id"):
                self._wait(task)
            try:
                self.client.get_raw_index(self.index_name)
            except Exception as exc:
                if getattr(exc, "code", None) != "index_not_found":
                    raise
                self._wait(self.client.create_index(self.index_name, {"primaryKey": "id"}))
            self._wait(self.client.swap_indexes([{"indexes": [self.index_name, temporary]}]))
        except EngineUnavailable:
            raise
        except Exception as exc:
            raise EngineUnavailable(f"Meilisearch reindex failed: {exc}") from exc
        finally:
            try:
                self.client.delete_index(temporary)
            except Exception:  # noqa: S110 - best effort clean-up of the old content
                pass

    def delete(self) -> None:
        """Delete the live index (tests use it to clean up)."""
        try:
            self._wait(self.client.delete_index(self.index_name))
        except Exception as exc:
            if getattr(exc, "code", None) != "index_not_found":
                raise

    def close(self) -> None:
        """Nothing to release: the client holds no connection between calls."""
