"""The embedded engine runs one search at a time per engine by default
(SEARCH_CONCURRENCY): the others wait their turn, answers from the cache do
not wait, and the setting is checked."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from search_api.engine import EngineUnavailable, SearchQuery, open_engine
from search_api.engine.embedded import EmbeddedEngine
from search_api.settings import defaults

WORDS = ["公交站点", "医院床位", "企业信用", "养老机构", "幼儿园", "停车场"]


def _records() -> list[dict[str, Any]]:
    return [{"id": f"r{i:03d}", "title": f"{WORDS[i % len(WORDS)]}数据{i}",
             "summary": "按月更新。", "keywords": [WORDS[i % len(WORDS)]], "department": "jtj",
             "theme": "transport", "formats": ["csv"], "open_type": "unconditional"}
            for i in range(60)]


def _engine(tmp_path: Path, **settings: Any) -> Iterator[EmbeddedEngine]:
    config = {**defaults(), "SEARCH_DB": str(tmp_path / "s.sqlite3"), **settings}
    engine = open_engine(config)
    assert isinstance(engine, EmbeddedEngine)
    engine.index(_records())
    yield engine
    engine.close()


@pytest.fixture
def shipped(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    """The engine as the service opens it with the shipped settings."""
    yield from _engine(tmp_path)


@pytest.fixture
def unlimited(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    yield from _engine(tmp_path, SEARCH_CONCURRENCY="0")


def _overlap(engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many of six searches of different words, started together from
    six threads, were inside the engine's search at once (at most). Each
    search is held inside for a moment, so that searches running side by side
    overlap for sure."""
    inside = 0
    most = 0
    lock = threading.Lock()
    real: Callable[..., Any] = engine._search

    def held(*args: Any) -> Any:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        try:
            time.sleep(0.05)
            return real(*args)
        finally:
            with lock:
                inside -= 1

    monkeypatch.setattr(engine, "_search", held)
    start = threading.Barrier(len(WORDS))
    errors: list[BaseException] = []

    def search(word: str) -> None:
        try:
            start.wait(timeout=10)
            assert engine.search(SearchQuery(q=word)).total == 10
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=search, args=(w,)) for w in WORDS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return most


def test_the_shipped_engine_runs_one_search_at_a_time(
        shipped: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _overlap(shipped, monkeypatch) == 1


def test_without_a_limit_searches_run_side_by_side(
        unlimited: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _overlap(unlimited, monkeypatch) > 1


def test_an_answer_from_the_cache_does_not_wait_its_turn(
        shipped: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = shipped.search(SearchQuery(q="幼儿园"))
    entered, release = threading.Event(), threading.Event()
    real: Callable[..., Any] = shipped._search

    def slow(*args: Any) -> Any:
        entered.set()
        release.wait(timeout=30)
        return real(*args)

    monkeypatch.setattr(shipped, "_search", slow)
    holder = threading.Thread(target=shipped.search, args=(SearchQuery(q="停车场"),))
    holder.start()
    try:
        assert entered.wait(timeout=10)
        again = shipped.search(SearchQuery(q="幼儿园"))  # would wait for the holder if it queued
        assert [h.record["id"] for h in again.hits] == [h.record["id"] for h in kept.hits]
    finally:
        release.set()
        holder.join(timeout=30)


@pytest.mark.parametrize("value", ["one", "1.5", "[]"])
def test_a_concurrency_that_is_not_a_whole_number_is_refused(tmp_path: Path,
                                                              value: str) -> None:
    config = {**defaults(), "SEARCH_DB": str(tmp_path / "s.sqlite3"), "SEARCH_CONCURRENCY": value}
    with pytest.raises(EngineUnavailable, match="SEARCH_CONCURRENCY must be a whole number"):
        open_engine(config)
