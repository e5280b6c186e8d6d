"""Atomic re-indexing: readers in other threads see the old or the new index,
never a half-written one."""

from __future__ import annotations

import copy
import threading
from typing import Any

from search_api.engine import SearchEngine, SearchQuery


def test_readers_see_old_or_new_total_while_index_runs(
        empty_engine: SearchEngine, sample_records: list[dict[str, Any]]) -> None:
    small = sample_records
    big = list(sample_records)
    for i in range(800):
        clone = copy.deepcopy(sample_records[i % len(sample_records)])
        clone["id"] = f"copy-{i:05d}"
        clone["title"] = f"副本{i}{clone['title']}"
        big.append(clone)
    empty_engine.index(small)
    word_totals = {empty_engine.search(SearchQuery(q="公交")).total}
    allowed = {len(small), len(big)}
    seen: list[tuple[int, int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                everything = empty_engine.search(SearchQuery(per_page=1))
                word = empty_engine.search(SearchQuery(q="公交", per_page=1))
                seen.append((everything.total, sum(everything.facets["open_type"].values()),
                             word.total))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for records in (big, small, big):
            empty_engine.index(records)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    assert not errors, errors
    assert seen
    for total, facet_sum, _ in seen:
        assert total in allowed
        assert facet_sum == total  # facets from the same snapshot as the total
    word_totals.add(empty_engine.search(SearchQuery(q="公交")).total)
    assert {w for _, _, w in seen} <= word_totals
    assert empty_engine.count() == len(big)
