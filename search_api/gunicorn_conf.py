"""gunicorn settings for the portal's service; use them with

    gunicorn -c python:search_api.gunicorn_conf -w 4 -b 127.0.0.1:8000 'search_api:create_app()'

The access log goes to standard output in gunicorn's combined format, with
the token of every consultation link (and of a token-bearing download path
of an earlier version) replaced by ``[redacted]``
(:mod:`search_api.web.logredact`): a bearer token in a log is a key in the
hands of whoever reads it. Command-line options given after
``-c`` override these values.

The worker is gunicorn's threaded one (``--threads``) keeping no more than its
share of the connections (:mod:`search_api.web.balanced_worker`): a worker
holding more than the others answers with ``Connection: close`` so that
keep-alive clients (nginx's upstream pool) spread over all workers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from gunicorn.glogging import Logger, SafeAtoms

from search_api.web.logredact import Redacted, clean, install

worker_class = "search_api.web.balanced_worker.BalancedThreadWorker"
accesslog = "-"
errorlog = "-"
# Combined log format; the atoms are redacted before formatting.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
logger_class = "search_api.gunicorn_conf.RedactingLogger"
# What a proxy's X-Forwarded-* headers mean is decided in one place, the
# app's ProxyFix (TRUSTED_PROXIES, search_api.web.security). Left on, gunicorn
# would take X-Forwarded-Proto: https from any client on loopback (its
# forwarded_allow_ips) as the scheme, whatever TRUSTED_PROXIES says.
secure_scheme_headers: dict[str, str] = {}


@lru_cache(maxsize=8)
def used_atoms(log_format: str) -> frozenset[str]:
    """The atoms ``log_format`` names (``{header}i`` ones lower-cased, as
    gunicorn looks them up)."""
    return frozenset(key.lower() if key.startswith("{") else key
                     for key in re.findall(r"%\(([^)]*)\)", log_format))


class CleanAtoms(Redacted, SafeAtoms):  # type: ignore[misc]
    """gunicorn's atoms mapping ('-' for a missing atom, quotes escaped) made
    from atoms :meth:`RedactingLogger.atoms` has redacted: the loggers'
    filters leave its values as they are."""


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger with link tokens redacted from every access-log
    atom the format uses (request line, path, query, Referer, Location, ...)
    and a token filter on its access and error loggers. The atoms are
    redacted once, here; the filters then skip them (:class:`CleanAtoms`)."""

    atoms_wrapper_class = CleanAtoms

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        install()

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        # Only the atoms the line shows: gunicorn makes one of every request
        # and response header and environ key (about 40), and redacting each
        # cost a search request about 0.1 ms. Another atom reads as '-'.
        used = used_atoms(self.cfg.access_log_format)
        return {key: clean(value) for key, value in atoms.items() if key in used}
