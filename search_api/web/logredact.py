"""Bearer tokens and clear personal identifiers never reach a log.

A third party's consultation link (``/consult/<token>``,
``/api/v1/consultations/<token>``) carries a secret in the path: whoever
reads it can answer for the third party. Download links no longer put
their token in a URL (:mod:`search_api.requests.delivery`); a
``/download/<token>/...`` link of an earlier version answers 404 but may
still be requested, so its token is redacted too. Access logs keep request lines, Referer headers and
Location headers, so this module replaces the token segment of those paths
with ``[redacted]`` wherever it meets them:

- :class:`RedactTokens`, a :class:`logging.Filter`, rewrites a record's
  message and arguments; :func:`install` puts it on the loggers of the
  development server (``werkzeug``) and of gunicorn (``gunicorn.access``,
  ``gunicorn.error``); the app factory calls it;
- clear ID-card, mobile and bank-card numbers, however written (full-width,
  spaced, dashed, percent-encoded in a URL), are masked by the project's one
  detector (:func:`domain.catalogue.desensitize.mask_pii_text`): ``138******78``;
- :func:`install` also wraps the log-record factory, so every record of
  the process (the service's own loggers, libraries) is redacted when made;
- :mod:`search_api.gunicorn_conf` configures gunicorn with a logger that
  redacts every access-log atom, so production runs
  ``gunicorn -c python:search_api.gunicorn_conf 'search_api:create_app()'``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from domain.catalogue.desensitize import find_pii, mask_pii_text

REDACTED = "[redacted]"
TOKEN_PATH = re.compile(
    r"(?P<prefix>/(?:consult|download|api/v1/consultations)/)(?P<token>[^/?#\s\"'<>]+)")
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


_RECEIPT = re.compile(r"[A-Z]{2}-[0-9]{8}-[0-9]{4,6}")


def typed_number(value: str) -> str:
    """What an applicant typed as a receipt number, fit for a log line: the
    number itself when it has a receipt number's shape, else a placeholder —
    people type other numbers there (a credit code, a phone number)."""
    return value if _RECEIPT.fullmatch(value) else "(not a receipt number)"


def redact(text: str) -> str:
    """``text`` with the token of every link path replaced by ``[redacted]``
    and every clear personal identifier masked. When the identifier is only
    visible percent-decoded (``?q=138%200013%208000``), the line is logged
    decoded, with the identifier masked."""
    text = TOKEN_PATH.sub(lambda m: m.group("prefix") + REDACTED, text)
    if "%" in text:
        decoded = unquote(text)
        if decoded != text and find_pii(decoded):
            text = decoded
    return mask_pii_text(text)


def clean(value: Any) -> Any:
    """``value`` redacted when it is a string (a log argument, an access-log
    atom); any other value unchanged."""
    return redact(value) if isinstance(value, str) else value


_redact_format = lru_cache(maxsize=32)(redact)


class Redacted:
    """Marks a mapping of log arguments whose every string was passed
    through :func:`clean` when it was made (the access-log atoms of
    :mod:`search_api.gunicorn_conf`): :class:`RedactTokens` does not redact
    them again. Redacting them once per filter and once in the record factory
    cost an access-log line about 50 µs (issue #17)."""


class RedactTokens(logging.Filter):
    """Redacts link tokens in a record's message and arguments (positional
    or a mapping, as gunicorn's access log passes; a :class:`Redacted` one
    is clean already); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, Redacted):
            # The message is then a configured format (the access log's):
            # few distinct ones, redacted once each.
            if isinstance(record.msg, str):
                record.msg = _redact_format(record.msg)
            return True
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(args, dict):
            # In place: gunicorn's SafeAtoms mapping answers '-' for a missing atom.
            for key, value in list(args.items()):
                args[key] = clean(value)
        elif isinstance(args, Mapping):
            record.args = {k: clean(v) for k, v in args.items()}
        elif isinstance(args, tuple):
            record.args = tuple(clean(a) for a in args)
        return True


_previous_factory: Callable[..., logging.LogRecord] | None = None


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _previous_factory is not None
    record = _previous_factory(*args, **kwargs)
    if isinstance(record.msg, str) and isinstance(record.args, tuple) and record.args:
        try:
            # The whole message: a number may straddle the text and an argument.
            record.msg, record.args = redact(record.getMessage()), ()
            return record
        except (TypeError, ValueError):
            pass  # a broken format string: the handler reports it; clean the parts
    RedactTokens().filter(record)
    return record


def install() -> None:
    """Put :class:`RedactTokens` on the access and error loggers of the
    development server and gunicorn (once per logger), and make every log
    record of the process redacted when it is created (a record factory
    wrapping the current one, installed once): the service's own loggers
    and any library's are covered too."""
    global _previous_factory
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
    if _previous_factory is None:
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_redacting_factory)
