"""Opening a case with its receipt number and access code (the applicant's
sign-in of conditional-open requests and authorised operation alike).

The caller checks the client's remaining attempts first
(:func:`search_api.web.ratelimit.check_attempts`: only failures count, so
the right code never locks an applicant out).
"""

from __future__ import annotations

import logging

from search_api.web.logredact import typed_number
from search_api.web.ratelimit import failed_attempt
from search_api.web.security import secret_matches

log = logging.getLogger(__name__)

WRONG_CODE = "申请编号或查询码不正确，请核对回执后重试。多次输入错误将被暂时限制。"


def code_opens(stored_hash: str | None, code: str, *, number: str, what: str) -> bool:
    """Whether ``code`` matches ``stored_hash`` (None: no such case). A
    failure is counted against this client and logged as "wrong access code
    for <what> <number>", the number only when it has a receipt number's
    shape (people type credit codes and phone numbers there)."""
    if secret_matches(code, stored_hash):
        return True
    failed_attempt()
    log.warning("wrong access code for %s %s", what, typed_number(number[:32]))
    return False
