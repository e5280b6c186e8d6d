"""The HTTP search benchmark's "distinct" mix is distinct: wrk's threads send
different paths, and each round gets queries of its own."""

from __future__ import annotations

import json
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.search_http_bench import distinct_mix, round_slices, run_wrk, trivial_paths


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(not shutil.which("wrk"), reason="needs Debian's wrk")
def test_wrk_threads_send_each_path_once(recorder: tuple[str, list[str]]) -> None:
    base, seen = recorder
    paths = [f"/q/{i}" for i in range(200_000)]  # more than a second of requests
    figures = run_wrk(base, paths, 1)
    assert figures["requests"] > 100 and figures["repeats"] == 0
    assert Counter(seen).most_common(1)[0][1] == 1  # no path twice


def test_rounds_have_queries_of_their_own() -> None:
    first, second = round_slices(distinct_mix(2_001), 2)
    assert len(first) == len(second) == 1_000
    assert not {repr(q) for q in first} & {repr(q) for q in second}


def test_trivial_paths_read_records_of_the_index(tmp_path: Path) -> None:
    records = [{"id": "a/b 1"}, {"id": "c"}, {"id": "d"}]
    (tmp_path / "catalog.json").write_text(json.dumps({"datasets": records}), "utf-8")
    assert trivial_paths(tmp_path, 2) == ["/api/v1/datasets/a/b%201", "/api/v1/datasets/c"]
