"""One JSON error shape for the whole API::

    {"ok": false, "error": "<what was wrong and what to do>", "errors": [...], "status": 400}

Messages are for the public, in Chinese. Logs stay in English. The CKAN
compatibility endpoints answer in CKAN's own envelope instead (see ckan.py),
because CKAN clients parse that.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from domain.periods.calendar import CalendarYearMissing
from search_api.web.logredact import redact

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A request the API refuses; ``message`` tells the caller what to change."""

    def __init__(self, message: str, status: int = 400, errors: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = errors or [message]


def error_body(message: str, status: int, errors: list[str] | None = None) -> dict[str, Any]:
    return {"ok": False, "error": message, "errors": errors or [message], "status": status}


_HTTP_MESSAGES = {
    404: "没有这个地址。接口说明见 /api/v1/openapi.json",
    400: "请求有误，请检查后重试。",
    405: "此地址不支持该请求方法。接口说明见 /api/v1/openapi.json",
    413: "请求内容过大，请缩小后重试。",
    429: "请求过于频繁，请稍后再试。",
}


_PAGE_TITLES = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 429: "操作过于频繁"}


def _page(status: int, exc: HTTPException) -> Any:
    # Our own aborts carry a Chinese sentence; werkzeug's defaults are English.
    own = exc.description if exc.description and not exc.description.isascii() else None
    message = own or _HTTP_MESSAGES.get(status, "请求无法处理，请返回首页重试。")
    title = _PAGE_TITLES.get(status, "出错了")
    return render_template("error.html", status=status, title=title, message=message), status


def _refuse_deep_json(app: Flask) -> None:
    """A JSON body nested some thousands of levels deep makes Python's parser
    raise RecursionError, which Flask does not take for a malformed body (it
    expects ValueError): such a body would be a 500 instead of a 400."""
    loads = app.json.loads

    def bounded_loads(s: str | bytes, **kwargs: Any) -> Any:
        try:
            return loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None

    app.json.loads = bounded_loads  # type: ignore[method-assign]


SITE_ENDPOINT = "_site"  # the static site's catch-all (search_api/__init__.py)
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_IMPLIED = frozenset({"HEAD", "OPTIONS"})  # answered for every route; never the advice


def api_methods(app: Flask) -> set[str]:
    """The methods that a route other than the static site's catch-all
    accepts for this request's path; empty when only the catch-all (or
    nothing) matches it."""
    adapter = app.create_url_adapter(request)
    if adapter is None:  # pragma: no cover - there is always a request here
        return set()
    allowed: set[str] = set()
    for method in _METHODS:
        try:
            rule, _ = adapter.match(request.path, method=method, return_rule=True)
        except HTTPException:  # NotFound, MethodNotAllowed, RequestRedirect
            continue
        if rule.endpoint != SITE_ENDPOINT:
            allowed.add(method)
    return allowed if allowed - _IMPLIED else set()


def register(app: Flask) -> None:
    _refuse_deep_json(app)

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Any:
        return jsonify(error_body(exc.message, exc.status, exc.errors)), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if not request.path.startswith("/api/"):
            page, code = _page(status, exc)
            allow = {k: v for k, v in exc.get_headers() if k == "Allow"}
            return page, code, allow
        if status in (404, 405):
            allowed = api_methods(app)
            if allowed and request.method not in allowed:
                # A wrong method on an API path is 405, even where the static
                # site's catch-all (GET) made routing answer 404.
                verbs = ", ".join(sorted(allowed))
                message = (f"此地址不支持 {request.method} 请求，请改用 "
                           f"{' 或 '.join(m for m in sorted(allowed) if m not in _IMPLIED)}。"
                           "接口说明见 /api/v1/openapi.json")
                return jsonify(error_body(message, 405)), 405, {"Allow": verbs}
            status = 404  # only the static site's catch-all matched: no such API path
        message = _HTTP_MESSAGES.get(status, exc.description or "请求无法处理。")
        return jsonify(error_body(message, status)), status

    @app.errorhandler(CalendarYearMissing)
    def _calendar_missing(exc: CalendarYearMissing) -> Any:
        log.error("deadline needs a calendar for %s: add datasets/calendars/%s.json",
                  exc.year, exc.year)
        message = (f"系统尚未配置 {exc.year} 年的工作日安排，暂时无法计算办理期限。"
                   "请稍后再试；平台管理员已收到提示。")
        if request.path.startswith("/api/"):
            return jsonify(error_body(message, 503)), 503
        return render_template("error.html", status=503, title="暂时无法办理",
                               message=message), 503

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, redact(request.path))
        message = "服务器内部错误，请稍后重试；如持续出现，请联系平台管理单位。"
        return jsonify(error_body(message, 500)), 500


MAX_JSON_BODY = 64 * 1024
"""Largest JSON body a public write accepts (bytes)."""


def json_object_body() -> dict[str, Any]:
    """The request's JSON object, for the JSON APIs' writes.

    Raises:
        ApiError: 413 for a body over :data:`MAX_JSON_BODY`; 400 when the body
            is not a JSON object (or the Content-Type is not JSON).
    """
    if request.content_length and request.content_length > MAX_JSON_BODY:
        raise ApiError(f"请求内容过大（上限 {MAX_JSON_BODY // 1024} KB）。", status=413)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError("请求体须为 JSON 对象，并设置 Content-Type: application/json。")
    return body
