"""The gunicorn worker of search_api.gunicorn_conf keeps no more than its
share of the connections: a worker holding more than the others answers with
``Connection: close``, so that keep-alive clients end up on every worker
(with gthread, connections stayed wherever they first fell, 14/2 measured)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.search_bench import free_port
from bench.worker_spread import spread
from search_api.web.balanced_worker import Board

ROOT = Path(__file__).resolve().parent.parent

APP = '''
import os


def app(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
'''


def _dead_pid() -> int:
    """The process id of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_board_counts_the_least_loaded_other_live_worker() -> None:
    board = Board(slots=4)
    mine, other = board.claim(os.getpid()), board.claim(os.getppid())
    assert mine != other
    assert board.least_other(mine) == 0
    board.publish(mine, 1)
    assert not board.over_share(mine)  # one above the other: within the slack
    board.publish(mine, 2)
    assert board.over_share(mine)
    board.publish(other, 1)
    assert not board.over_share(mine)
    assert board.least_other(other) == 2


def test_board_ignores_released_and_dead_workers() -> None:
    board = Board(slots=3)
    mine = board.claim(os.getpid())
    gone = board.claim(os.getppid())
    dead = board.claim(_dead_pid())  # a worker killed without releasing its slot
    board.publish(mine, 5)
    board.release(gone)
    assert board.least_other(mine) is None  # stale and freed counts: alone
    assert not board.over_share(mine)  # alone, never over its share
    # Its slot is free again for a new worker (as is the released one).
    assert {board.claim(os.getppid()), board.claim(1)} == {gone, dead}
    with pytest.raises(RuntimeError):
        board.claim(12345678)


def _get(conn: http.client.HTTPConnection) -> tuple[int, bool]:
    """The pid that answered a GET on ``conn`` and whether it said close."""
    conn.request("GET", "/")
    response = conn.getresponse()
    pid = int(response.read())
    return pid, response.getheader("Connection", "").lower() == "close"


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[int, int, list[int]]]:
    """gunicorn with the production configuration module, 2 workers × 2
    threads, serving an app that answers its worker's pid: (port, master's
    pid, workers' pids)."""
    (tmp_path / "pid_app.py").write_text(APP, encoding="utf-8")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:search_api.gunicorn_conf",
         "-w", "2", "--threads", "2", "-b", f"127.0.0.1:{port}", "pid_app:app"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pids: set[int] = set()
        deadline = time.monotonic() + 60
        while len(pids) < 2:  # each worker has booted and answered once
            assert proc.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                pids.add(_get(conn)[0])
            except OSError:
                time.sleep(0.2)
            finally:
                conn.close()
        yield port, proc.pid, sorted(pids)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_connections_that_fell_on_one_worker_spread_over_both(
        two_workers: tuple[int, int, list[int]]) -> None:
    port, master, (busy, idle) = two_workers
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(8)]
    try:
        # The other worker cannot accept (stopped): every connection falls on one.
        os.kill(idle, signal.SIGSTOP)
        try:
            first = [_get(conn) for conn in conns]
        finally:
            os.kill(idle, signal.SIGCONT)
        assert {pid for pid, _ in first} == {busy}
        # Over its share, the worker said so and closed (http.client reconnects).
        assert any(closed for _, closed in first)
        # Kept-alive connections come back to it; the closed ones reconnect and
        # the idle worker takes some, until neither holds more than its share.
        last: Counter[int] = Counter()
        for _ in range(60):
            answers = [_get(conn) for conn in conns]
            last = Counter(pid for pid, _ in answers)
            if not any(closed for _, closed in answers):
                break
        # The benchmark's reading of the split (bench.worker_spread) agrees.
        assert spread(master, port) == sorted(last.values(), reverse=True)
    finally:
        for conn in conns:
            conn.close()
    assert set(last) == {busy, idle}
    assert max(last.values()) <= 5, last
