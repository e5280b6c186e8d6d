"""bench.load's ``--clients``: the request runs come from that many client
addresses, each sent as nginx would pass it on (X-Forwarded-For)."""

from __future__ import annotations

import ipaddress
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load import _REQUESTS, lua_strings, pacing, run_wrk

pytestmark = pytest.mark.skipif(not shutil.which("wrk"), reason="needs Debian's wrk")


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects
    seen: list[str | None] = []

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(self.headers.get("X-Forwarded-For"))
        body = b'{"number": "A-1", "access_code": "c"}'
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815 - http.server's names

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str | None]]]:
    seen: list[str | None] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Recorder,), {"seen": seen}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _drive(base: str, clients: int) -> None:
    script = _REQUESTS % {"bodies": lua_strings(['{"a": 1}']), "clients": clients} + pacing(2, 0)
    run = run_wrk("requests", base, script, 1, 2, 0)
    assert run.posts > 10 and run.gets > 10


def test_many_clients_send_their_addresses(recorder: tuple[str, list[str | None]]) -> None:
    base, seen = recorder
    _drive(base, 64)
    addresses = {ipaddress.ip_address(a) for a in seen if a is not None}
    assert None not in seen  # every request, filings and status reads
    # Drawn at random among 10.0.0.1 … 10.0.0.64 (tens of requests: never one address).
    assert len(addresses) > 1
    assert all(a in ipaddress.ip_network("10.0.0.0/25") and int(a) & 127 in range(1, 65)
               for a in addresses)


def test_one_client_sends_no_address(recorder: tuple[str, list[str | None]]) -> None:
    base, seen = recorder
    _drive(base, 1)
    assert seen and set(seen) == {None}
