"""Opening a case with its receipt number and access code (the applicant's
sign-in of conditional-open requests and authorised operation alike).

The caller checks the client's remaining attempts first
(:func:`search_api.web.ratelimit.check_attempts`: only failures count, so
the right code never locks an applicant out).
"""

from __future__ import annotations

import logging

from flask import session

from search_api.web import sessions
from search_api.web.logredact import typed_number
from search_api.web.ratelimit import failed_attempt
from search_api.web.security import secret_matches

log = logging.getLogger(__name__)

WRONG_CODE = "申请编号或查询码不正确，请核对回执后重试。多次输入错误将被暂时限制。"
SIGNED_OUT = "您已退出。再次查看申请需重新输入申请编号和查询码。"
# The session keys of each kind of case an applicant signs in to.
MY_REQUESTS = "my_requests"
MY_OPERATIONS = "my_operations"
# Cases one session may hold (the cookie stays small; the oldest drop out).
MAX_CASES = 20


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


def remember(kind: str, number: str) -> None:
    """Let this session see case ``number`` of ``kind`` (its session key,
    e.g. "my_requests"), under a new session id: proving the code is a sign-in."""
    mine = list(session.get(kind, []))
    if number not in mine:
        mine.append(number)
    session[kind] = mine[-MAX_CASES:]
    sessions.rotate()


def proved(kind: str, number: str) -> bool:
    """Whether this session proved the access code of case ``number``."""
    return number in session.get(kind, [])


def proved_cases(kind: str) -> frozenset[str]:
    """Every case of ``kind`` this session proved."""
    return frozenset(session.get(kind, []))
