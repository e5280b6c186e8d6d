"""A loopback HTTP server that records what it is sent, for the tests of the
benchmarks' wrk scripts (the real wrk drives it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    method: str
    path: str
    forwarded_for: str | None  # its X-Forwarded-For header


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects
    seen: list[Seen]
    status: int
    body: bytes

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(Seen(self.command, self.path, self.headers.get("X-Forwarded-For")))
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = _answer  # noqa: N815 - http.server's names

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # wrk closes its connections at the end of a run, mid-request: that
        # is how a run ends, not an error worth a traceback in the test log.
        pass


@contextmanager
def recording_server(status: int = 200, body: bytes = b"ok") -> Iterator[tuple[str, list[Seen]]]:
    """A server on 127.0.0.1 answering every GET and POST with ``status`` and
    ``body``: yields its base URL and the list of requests it receives."""
    seen: list[Seen] = []
    handler = type("Handler", (_Recorder,), {"seen": seen, "status": status, "body": body})
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
