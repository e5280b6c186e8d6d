"""Log redaction masks clear ID, mobile and card numbers with the one
normalised detector (issue 11): in any of the corpus's writings, in a
record's message and arguments, and percent-encoded in a request line."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest

from domain.catalogue.desensitize import find_pii
from search_api.web.logredact import RedactTokens, redact
from tests.pii_corpus import Writing, positives


@pytest.mark.parametrize("writing", positives()[::3], ids=lambda w: f"{w.kind}: {w.how}")
def test_redact_masks_every_writing(writing: Writing) -> None:
    line = f'"GET /api/v1/search?q=x HTTP/1.1" 200 note={writing.text}'
    cleaned = redact(line)
    assert writing.text not in cleaned and find_pii(cleaned) == []
    assert cleaned.startswith('"GET /api/v1/search?q=x HTTP/1.1" 200 note=')


@pytest.mark.parametrize("value", ["138\u20140013\u20148000", "440306\u3000198503124519",
                                   "13800138000"])
def test_percent_encoded_identifiers_are_masked(value: str) -> None:
    line = f'"GET /search?q={quote(value)} HTTP/1.1" 200'
    cleaned = redact(line)
    assert find_pii(cleaned) == [] and quote(value) not in cleaned
    assert "*" in cleaned


def test_filter_masks_message_and_arguments() -> None:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               "%s - 身份证 440306/19850312/4519 - %s", ("138.0013.8000", 7), None)
    assert RedactTokens().filter(record)
    message = record.getMessage()
    assert "4519" not in message.replace("440*************19", "") and "0013.8000" not in message
    assert message.endswith(" - 7")


def test_ordinary_log_lines_are_unchanged() -> None:
    for line in ['127.0.0.1 - - [06/Dec/2026:11:20:17 +0000] "GET /requests/YH-20260921-0001 '
                 'HTTP/1.1" 200 5123 "-" "Mozilla/5.0"', "rebuilt 2026-12-06 in 3.25 s"]:
        assert redact(line) == line


def test_every_logger_of_the_process_is_redacted_once_installed() -> None:
    from search_api.web.logredact import install

    install()
    install()  # idempotent: the factory is wrapped once
    record = logging.getLogger("search_api.anything").makeRecord(
        "search_api.anything", logging.WARNING, __file__, 1, "申请人电话 138 %s，次数 %d",
        ("0013 8000", 3), None)
    assert record.getMessage() == "申请人电话 138******00，次数 3"
    token = logging.getLogger("x").makeRecord("x", logging.INFO, __file__, 1,
                                              "GET /consult/%s", ("t0k3n",), None)
    assert token.getMessage() == "GET /consult/[redacted]"
