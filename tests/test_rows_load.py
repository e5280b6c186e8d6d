"""The clients of the rows benchmarks (bench.rows_load) against a small
local HTTP server: every answer is timed under its kind of query, whichever
client sends it, and an answer other than 200 is an error."""

from __future__ import annotations

import os
import random
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.rows_load import Measured, run


class _Answer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status = 404 if "missing" in self.path else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


class _Local:
    """What bench.rows_load.run needs of a server: its port and its CPU."""

    def __init__(self, port: int) -> None:
        self.port = port

    def cpu(self) -> float:
        times = os.times()
        return times.user + times.system


@pytest.fixture
def local() -> Iterator[_Local]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield _Local(server.server_address[1])
    server.shutdown()
    server.server_close()


def mix(rng: random.Random) -> tuple[str, dict[str, str]]:
    kind = rng.choice(["a", "b", "missing"])
    return kind, {"kind": kind, "n": str(rng.randint(0, 9))}


@pytest.mark.parametrize("client", [
    "threads",
    pytest.param("wrk", marks=pytest.mark.skipif(not shutil.which("wrk"),
                                                 reason="Debian's wrk is not installed")),
])
def test_each_answer_is_timed_under_its_kind(local: _Local, client: str) -> None:
    measured: Measured = run(local, "test", "/rows", mix, seconds=1, clients=2,
                             client=client, headers={"Authorization": "Bearer x"})
    assert set(measured.results) == {"a", "b", "missing"}
    assert all(ms > 0 for values in measured.results.values() for ms in values)
    assert measured.errors  # the 404s of "missing"
    assert measured.load_after != (0.0, 0.0, 0.0)
