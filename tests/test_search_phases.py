"""bench.search_phases times the engine's steps by wrapping them for a run
and puts them back afterwards (a staticmethod stays one)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from bench.search_phases import STEPS, patched, timer
from search_api.engine import embedded


class _Owner:
    @staticmethod
    def double(x: int) -> int:
        return 2 * x

    def triple(self, x: int) -> int:
        return 3 * x


def test_patched_times_calls_and_restores_them() -> None:
    spent: defaultdict[str, float] = defaultdict(float)
    calls: list[int] = []

    def counting(fn: Any) -> Any:
        def inner(*args: Any) -> Any:
            calls.append(1)
            return timer(spent, "double")(fn)(*args)
        return inner

    original = _Owner.__dict__["double"]
    with patched(_Owner, "double", counting), patched(_Owner, "triple", timer(spent, "triple")):
        assert _Owner.double(4) == 8 and _Owner().double(5) == 10
        assert _Owner().triple(2) == 6
    assert len(calls) == 2 and set(spent) == {"double", "triple"}
    assert _Owner.__dict__["double"] is original and _Owner().triple(1) == 3


def test_every_timed_step_exists() -> None:
    # A renamed engine step would otherwise be timed under no label.
    for owner, name, _label in STEPS:
        assert name in owner.__dict__, name
    assert isinstance(embedded.EmbeddedEngine.__dict__["_bodies"], staticmethod)
