"""The access log of search_api.gunicorn_conf redacts only the atoms its
format shows, and writes the same line as when it redacted every atom."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from search_api import gunicorn_conf
from search_api.gunicorn_conf import CleanAtoms, RedactingLogger, used_atoms
from search_api.web.logredact import RedactTokens, clean


class _Response:
    status = "200 OK"
    sent = 1234
    headers = [("Content-Type", "application/json"),
               ("Location", "/consult/TokLocationXYZ")]


class _Request:
    headers = [("HOST", "127.0.0.1:8000"), ("X-FORWARDED-FOR", "10.0.0.1"),
               ("REFERER", "http://x/consult/TokRefererXYZ")]


def _environ() -> dict[str, Any]:
    query = "q=%E5%85%AC%E4%BA%A4&phone=13800138000"
    return {"REQUEST_METHOD": "GET", "RAW_URI": "/consult/TokPathXYZ?" + query,
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "PATH_INFO": "/consult/TokPathXYZ", "QUERY_STRING": query,
            "HTTP_REFERER": "http://x/consult/TokRefererXYZ", "HTTP_USER_AGENT": "wrk",
            "wsgi.url_scheme": "http", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000"}


class _EveryAtom(RedactingLogger):
    """The former behaviour: every atom redacted."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = Logger.atoms(self, resp, req, environ, request_time)
        return {key: clean(value) for key, value in atoms.items()}


FORMATS = (gunicorn_conf.access_log_format,
           '%(r)s %(U)s %(q)s "%({X-Forwarded-For}i)s" "%({location}o)s" %(missing)s')


@pytest.mark.parametrize("log_format", FORMATS)
def test_same_line_as_redacting_every_atom(tmp_path: Path, log_format: str) -> None:
    lines = []
    for number, kind in enumerate((RedactingLogger, _EveryAtom)):
        cfg = Config()
        cfg.set("accesslog", str(tmp_path / f"access{number}.log"))
        cfg.set("access_log_format", log_format)
        logger = kind(cfg)
        logger.now = lambda: "[06/Dec/2026:20:00:00 +0000]"  # the same second for both
        logger.access(_Response(), _Request(), _environ(), timedelta(microseconds=2500))
        for handler in list(logger.access_log.handlers):
            handler.close()
            logger.access_log.removeHandler(handler)
        lines.append((tmp_path / f"access{number}.log").read_text(encoding="utf-8"))
    assert lines[0] == lines[1]
    assert "XYZ" not in lines[0] and "13800138000" not in lines[0]
    assert "[redacted]" in lines[0]


def test_used_atoms_names_the_format_keys() -> None:
    assert used_atoms('%(h)s "%({X-Forwarded-For}i)s" %(s)s') == {"h", "{x-forwarded-for}i",
                                                                  "s"}
    assert used_atoms(gunicorn_conf.access_log_format) == {"h", "l", "u", "t", "r", "s", "b",
                                                           "f", "a"}


def test_filters_redact_access_atoms_once_and_other_mappings_always() -> None:
    """The access log's atoms are redacted when made (CleanAtoms); the
    loggers' filters then leave them as they are, but still redact the
    message and any other mapping of arguments."""
    atoms = CleanAtoms({"r": "GET /consult/StillHereXYZ HTTP/1.1"})
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               "%(r)s /consult/FormatTokXYZ", None, None)
    record.args = atoms
    assert RedactTokens().filter(record)
    assert record.args is atoms and atoms["r"] == "GET /consult/StillHereXYZ HTTP/1.1"
    assert "FormatTokXYZ" not in record.msg
    plain = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s", None, None)
    plain.args = {"r": "GET /consult/TokXYZ HTTP/1.1"}
    assert RedactTokens().filter(plain)
    assert "TokXYZ" not in plain.getMessage()
