"""The cost of one access-log line (issue #17):
`python -m bench.access_log_bench [--lines 20000] [--rounds 3]`.

Writes ``--lines`` access-log lines of a filing-like request to /dev/null
(as bench.load and the crash bench run gunicorn) with the deployment's
logger (:class:`search_api.gunicorn_conf.RedactingLogger`, link tokens and
personal numbers redacted, with the process's redacting log filters
installed, as create_app() installs them), ``--rounds`` times, and prints
microseconds per line and the machine's load average before and after. To
compare two versions of the code, run it in both checkouts alternately.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from gunicorn.config import Config
from gunicorn.glogging import Logger

from search_api import gunicorn_conf
from search_api.gunicorn_conf import RedactingLogger
from search_api.web.logredact import install


class _Request:
    headers = [("HOST", "127.0.0.1:8000"), ("USER-AGENT", "wrk/4.2"),
               ("CONTENT-TYPE", "application/json"), ("CONTENT-LENGTH", "812"),
               ("X-ACCESS-CODE", "k3Jd8sPq")]


class _Response:
    status = "201 CREATED"
    sent = 431
    headers = [("Content-Type", "application/json"), ("Content-Length", "431"),
               ("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store")]


def _environ() -> dict[str, Any]:
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/api/v1/requests", "PATH_INFO":
               "/api/v1/requests", "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "wrk/4.2",
               "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000"}
    # gunicorn's environ holds some twenty more keys (wsgi.*, gunicorn.*).
    environ.update({f"wsgi.extra_{n}": "-" for n in range(20)})
    return environ


def _logger(kind: type[Logger]) -> Logger:
    cfg = Config()
    cfg.set("accesslog", "/dev/null")
    cfg.set("access_log_format", gunicorn_conf.access_log_format)
    return kind(cfg)


def per_line(logger: Logger, lines: int) -> float:
    """Microseconds per access-log line written by ``logger``."""
    req, resp, environ = _Request(), _Response(), _environ()
    took = timedelta(microseconds=2345)
    start = time.perf_counter()
    for _ in range(lines):
        logger.access(resp, req, environ, took)
    return (time.perf_counter() - start) / lines * 1e6


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load average before: {load}")
    install()  # the deployment's filters, as create_app() installs them
    logger = _logger(RedactingLogger)
    per_line(logger, 500)  # warm-up: caches, the first write
    for number in range(1, args.rounds + 1):
        print(f"round {number}: {per_line(logger, args.lines):6.1f} µs per access-log line")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load average after: {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
