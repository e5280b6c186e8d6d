"""Refuse text that is not valid Unicode before any view sees it.

One gate for every endpoint, JSON or form: a request whose path, query,
form or JSON body holds

- a lone UTF-16 surrogate (``"\\ud800"``: ``json.loads`` accepts it, but it
  cannot be encoded, so storing it would fail half-way through a submission),
- a Unicode non-character (U+FDD0..U+FDEF, U+FFFE, U+FFFF and their
  counterparts in every plane), or
- bytes that are not UTF-8 (an overlong encoding such as ``%C0%AE``, a
  truncated sequence), which the form and query parsers would otherwise
  turn silently into U+FFFD,

is answered 400 before the view runs, so a refused submission never takes
a receipt number. The answer is the API's one error shape under ``/api/``,
CKAN's envelope under the CKAN paths, and the Chinese error page elsewhere.
Control characters are not refused here: the form readers drop them
(:func:`search_api.requests.applications.clean_text`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, jsonify, render_template, request

from search_api.web.errors import MAX_JSON_BODY, error_body
from search_api.web.logredact import redact

log = logging.getLogger(__name__)

_INVALID = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
              for plane in range(1, 17))
    + "]")
_CKAN_PREFIXES = ("/api/3/", "/api/action/")
_FORM_TYPES = ("application/x-www-form-urlencoded",)
MESSAGE = "提交的内容中有无法识别的字符（例如残缺的或不属于任何文字的字符编码）"
"""Start of the public answer; the field, when it can be named, follows."""


def has_invalid_text(value: str) -> bool:
    """Whether ``value`` holds a lone surrogate or a Unicode non-character."""
    return _INVALID.search(value) is not None


def _strings(value: Any) -> Iterator[str]:
    """Every key and string value in a parsed JSON document, iteratively
    (a deep document must not exhaust the stack here)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield str(key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)


def _undecodable_pairs(raw: bytes) -> Iterator[str]:
    """Names of the ``name=value`` pairs of a URL-encoded ``raw`` that are
    not UTF-8 once percent-decoded ("" when the name itself is not)."""
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        try:
            decoded = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            yield ""
            continue
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            yield decoded


def _first_bad(pairs: Iterable[tuple[str, str]]) -> str | None:
    for name, value in pairs:
        if has_invalid_text(name):
            return ""
        if has_invalid_text(value):
            return name
    return None


def bad_field() -> str | None:
    """The name of the first field of this request that holds invalid text
    ("" when it cannot be named, e.g. the path or a name itself); None when
    every field is valid."""
    if has_invalid_text(request.path):
        return ""
    for name in _undecodable_pairs(request.query_string):
        return name
    found = _first_bad(request.args.items(multi=True))
    if found is not None:
        return found
    if request.method in ("POST", "PUT", "PATCH"):
        if request.mimetype in _FORM_TYPES:
            # Bounded: a body over MAX_CONTENT_LENGTH is refused (413) unread.
            for name in _undecodable_pairs(request.get_data(cache=True)):
                return name
        if request.mimetype in _FORM_TYPES or request.mimetype == "multipart/form-data":
            found = _first_bad(request.form.items(multi=True))
            if found is not None:
                return found
            for name, upload in request.files.items(multi=True):
                if has_invalid_text(name) or has_invalid_text(upload.filename or ""):
                    return name if not has_invalid_text(name) else ""
        elif request.is_json and (request.content_length or 0) <= MAX_JSON_BODY:
            body = request.get_json(silent=True)
            # One search over every key and string (a separator cannot make
            # or hide an invalid character).
            if body is not None and has_invalid_text("\n".join(_strings(body))):
                return ""
    return None


def _refusal(field: str) -> Any:
    named = field if field and len(field) <= 60 and field.isprintable() else ""
    message = (f"{MESSAGE}（字段 {named}）。请删除这些字符或重新输入后再提交。" if named
               else f"{MESSAGE}。请删除这些字符或重新输入后再提交。")
    if request.path.startswith(_CKAN_PREFIXES):
        return jsonify({"help": f"{request.host_url}api/3/action/help_show",
                        "success": False,
                        "error": {"__type": "Bad request",
                                  "message": "The request holds text that is not valid "
                                             "Unicode (a lone surrogate, a non-character "
                                             "or bytes that are not UTF-8)"}}), 400
    if request.path.startswith("/api/"):
        return jsonify(error_body(message, 400)), 400
    return render_template("error.html", status=400, title="请求有误", message=message), 400


MAX_BODY = 1024 * 1024
"""Largest request body of any kind (bytes), unless MAX_CONTENT_LENGTH says
otherwise: no form of the service needs more; larger ones are a 413 unread."""


def install(app: Flask) -> None:
    """Run the check before every other ``before_request`` hook (the CSRF
    check reads the form too); bound every request body (MAX_CONTENT_LENGTH,
    default :data:`MAX_BODY`)."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY

    def _refuse_invalid_text() -> Any:
        field = bad_field()
        if field is None:
            return None
        log.info("refused invalid Unicode in %s %s (field %r)", request.method,
                 redact(request.path.encode("utf-8", "backslashreplace").decode()),
                 field.encode("utf-8", "backslashreplace").decode())
        return _refusal(field)

    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_invalid_text)
