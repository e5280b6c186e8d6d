"""The HTTP search benchmark's "distinct" mix is distinct: wrk's threads send
different paths, and each round gets queries of its own."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.search_http_bench import distinct_mix, round_slices, run_wrk, trivial_paths
from tests.http_recorder import Seen, recording_server


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[Seen]]]:
    with recording_server() as served:
        yield served


@pytest.mark.skipif(not shutil.which("wrk"), reason="needs Debian's wrk")
def test_wrk_threads_send_each_path_once(recorder: tuple[str, list[Seen]]) -> None:
    base, seen = recorder
    paths = [f"/q/{i}" for i in range(200_000)]  # more than a second of requests
    figures = run_wrk(base, paths, 1)
    assert figures["requests"] > 100 and figures["repeats"] == 0
    assert Counter(s.path for s in seen).most_common(1)[0][1] == 1  # no path twice


def test_rounds_have_queries_of_their_own() -> None:
    first, second = round_slices(distinct_mix(2_001), 2)
    assert len(first) == len(second) == 1_000
    assert not {repr(q) for q in first} & {repr(q) for q in second}


def test_trivial_paths_read_records_of_the_index(tmp_path: Path) -> None:
    records = [{"id": "a/b 1"}, {"id": "c"}, {"id": "d"}]
    (tmp_path / "catalog.json").write_text(json.dumps({"datasets": records}), "utf-8")
    assert trivial_paths(tmp_path, 2) == ["/api/v1/datasets/a/b%201", "/api/v1/datasets/c"]
