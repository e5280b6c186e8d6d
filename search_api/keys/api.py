"""The keyed face of the rows API: ``Authorization: Bearer <key>`` on
``/api/v1/datasets/<id>/resources[/<table>/rows]`` serves the conditional
tables of the key's approved dataset, within the approved fields and period,
under a daily quota per key. Refusals in the API's one JSON error shape:
401 (no key, unknown or replaced key), 403 (suspended, revoked, expired, not
yet valid, another dataset or table, another delivery method), 429 (quota).
The key is never logged: only its SHA-256 is looked up.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from flask import current_app, jsonify, request, url_for

from domain.data_grants import refusal
from search_api import service
from search_api.errors import ApiError
from search_api.keys import keyed_rows, keys
from search_api.keys.store import Grant
from search_api.rows.store import RowStoreError, Table
from search_api.store import hash_token

log = logging.getLogger(__name__)
NO_KEY = ("请在请求头中提供获批的接口密钥：Authorization: Bearer <密钥>。"
          "密钥在申请进度页面获取。")
BAD_KEY = "接口密钥无效或已被更换，请在申请进度页面查看或重新获取密钥。"
METHOD = {"api": "接口调用", "sandbox": "数据沙箱"}


def presented() -> bool:
    """Whether the request carries an Authorization header (then the keyed
    rules apply, and a bad key is refused rather than ignored)."""
    return "Authorization" in request.headers


def authorise(method: str) -> tuple[Grant, str]:
    """The grant of the request's key and the key's hash, after counting
    this call against the key's daily quota.

    Raises:
        ApiError: 401, 403 or 429 as the module says, in Chinese.
    """
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(NO_KEY, 401)
    key_hash = hash_token(token)
    info = keys().key(key_hash)
    if info is None or info.revoked:
        raise ApiError(BAD_KEY, 401)
    grant = info.grant
    terms = grant.terms
    why = refusal(grant.status, terms.valid_from, terms.valid_to, service.today())
    if why:
        raise ApiError(why, 403)
    if terms.method != method:
        raise ApiError(f"这个密钥获批的提供方式是{METHOD[terms.method]}，"
                       f"不能用于{METHOD[method]}。", 403)
    quota = int(current_app.config["API_KEY_DAILY_QUOTA"])
    if keys().count_use(key_hash, service.now(), service.today(), quota) is None:
        raise ApiError(f"这个密钥今天的调用次数已达上限（{quota} 次），请明天再试。", 429)
    return grant, key_hash


def _approved_tables(grant: Grant, dataset_id: str) -> list[Table]:
    if dataset_id != grant.terms.dataset_id:
        raise ApiError("这个密钥只能读取获批的数据集，不能读取其他数据集。", 403)
    try:
        tables = keyed_rows().tables_of(dataset_id)
    except RowStoreError as exc:
        current_app.logger.error("keyed data API unavailable: %s", exc)
        raise ApiError("数据接口暂时不可用，请稍后再试。", 503) from None
    out = []
    for table in tables:
        approved = grant.terms.fields.get(table.resource, ())
        fields = tuple(f for f in table.fields if f.name in approved)
        if fields:
            out.append(replace(table, fields=fields))
    return out


def resources(dataset_id: str) -> Any:
    grant, _ = authorise("api")
    tables = _approved_tables(grant, dataset_id)
    return jsonify({"ok": True, "dataset": dataset_id, "valid_to": str(grant.terms.valid_to),
                    "resources": [
        {"name": t.resource, "title": t.title, "rows": t.rows,
         "fields": [{"name": f.name, "type": f.type, "title": f.title} for f in t.fields],
         "url": url_for("rows.rows", dataset_id=dataset_id, resource=t.resource,
                        _external=True)}
        for t in tables]})


def rows(dataset_id: str, resource: str) -> Any:
    from search_api.rows.api import answer_page  # the rows API imports this module

    grant, _ = authorise("api")
    table = next((t for t in _approved_tables(grant, dataset_id) if t.resource == resource),
                 None)
    if table is None:
        raise ApiError(f"这个密钥未获准读取“{resource[:60]}”表。获准的表：" +
                       ("、".join(grant.terms.fields) or "无") + "。", 403)
    return answer_page(keyed_rows(), table)
