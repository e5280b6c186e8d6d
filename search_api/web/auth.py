"""Reviewer sign-in guard: every reviewer page checks, on the server, that
the session belongs to an active account whose password has not changed since
(002 §42, §44). Roles and departments are checked by each action."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, redirect, request, session, url_for

from search_api import service
from search_api.web import sessions

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def signed_in(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        username = session.get("reviewer")
        user = service.store().get_user(username) if username else None
        if user is None or not user.active \
                or session.get("reviewer_epoch") != user.session_epoch:
            if username:  # disabled, password changed, or removed since sign-in
                log.info("session of reviewer %s refused: account changed", username)
                sessions.end()
            return redirect(url_for("review.login", next=request.path))
        g.user = user
        return view(*args, **kwargs)
    return cast(F, wrapper)
