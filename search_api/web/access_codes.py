"""Opening a case with its receipt number and access code (the applicant's
sign-in of conditional-open requests and authorised operation alike).

The caller checks the client's remaining attempts first
(:func:`search_api.web.ratelimit.check_attempts`: only failures count, so
the right code never locks an applicant out).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, session, url_for

from search_api.web import sessions
from search_api.web.forms import form_text
from search_api.web.logredact import typed_number
from search_api.web.ratelimit import check_attempts, failed_attempt
from search_api.web.security import secret_matches

log = logging.getLogger(__name__)
T = TypeVar("T")

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


def sign_in_page(*, heading: str, kind: str, what: str, code_hash: Callable[[str], str | None],
                 status_endpoint: str) -> Any:
    """The applicant's sign-in page of one kind of case (``status_login.html``
    under ``heading``, posting to itself): GET shows the form (the number
    filled in from ``?number=``); POST checks the client's attempts, the
    number and code (:func:`code_opens` over ``code_hash(number)``), then
    remembers the case under ``kind`` and sends the applicant to
    ``status_endpoint``; a wrong code answers 403 with :data:`WRONG_CODE`."""
    if request.method == "GET":
        return render_template("status_login.html", heading=heading,
                               number=request.args.get("number", "")[:40])
    check_attempts()  # only failures count: the right code never locks an applicant out
    number = form_text("number", 64).upper()
    if not code_opens(code_hash(number), form_text("access_code", 64), number=number, what=what):
        flash(WRONG_CODE, "error")
        return render_template("status_login.html", heading=heading, number=number), 403
    remember(kind, number)
    return redirect(url_for(status_endpoint, number=number))


def sign_out(login_endpoint: str) -> Any:
    """End the session (no case of any kind stays visible, a copied cookie
    neither) and go back to ``login_endpoint`` with :data:`SIGNED_OUT`."""
    sessions.end()
    flash(SIGNED_OUT, "success")
    return redirect(url_for(login_endpoint))


def own_case(kind: str, number: str, load: Callable[[str], T], login_endpoint: str) -> T:
    """The applicant's own case ``number`` of ``kind``, as ``load`` reads it.

    Aborts:
        302 to ``login_endpoint`` (the number filled in): this session has
            not proved the case's access code;
        404: no such case (``load`` raised LookupError).
    """
    if not proved(kind, number):
        abort(redirect(url_for(login_endpoint, number=number[:40])))
    try:
        return load(number)
    except LookupError:
        abort(404, description="没有这个申请编号。")
