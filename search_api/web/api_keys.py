"""API keys of approved conditional data (issue #16; 002 §36 接口访问): the
plumbing the keyed rows API, the sandbox and download links share — the key
store and the keyed row store hung on the app, ``authorise`` (a Bearer key →
its grant, after the daily quota), and ``stopped`` (a suspended or revoked
grant stops every way of delivery at once). Keys are shown once and stored
hashed; a key is never logged.

The pages are features: the applicant's key (search_api.requests.api_keys),
the provider's supervision (search_api.requests.supervision), the keyed
rows (search_api.rows.keyed) and the sandbox (search_api.sandbox).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, request

from domain.procedures.data_grants import refusal, stop_reason
from search_api import service
from search_api.store import hash_token
from search_api.store.grants import Grant, KeyInfo, KeyStore
from search_api.tables.keyed import keyed_rows_db
from search_api.tables.store import RowStore
from search_api.web.errors import ApiError

log = logging.getLogger(__name__)


def install(app: Flask) -> None:
    """The key store and the keyed row store (KEYED_ROWS_DB, loaded from
    CATALOG_DIR by ``portal index``, never from the site)."""
    app.extensions["portal_keys"] = KeyStore(app.extensions["portal_store"])
    app.extensions["portal_keyed_rows"] = RowStore(Path(keyed_rows_db(app.config)))


def keys() -> KeyStore:
    store: KeyStore = current_app.extensions["portal_keys"]
    return store


def stopped(number: str) -> str | None:
    """Why the data of request ``number`` may not be delivered now (its
    grant suspended or revoked by the provider), or None; download links
    check it as keys do."""
    grant = keys().grant(number)
    return None if grant is None else stop_reason(grant.status)


def keyed_rows() -> RowStore:
    store: RowStore = current_app.extensions["portal_keyed_rows"]
    return store


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

    def admit(info: KeyInfo) -> None:
        if info.revoked:
            raise ApiError(BAD_KEY, 401)
        terms = info.grant.terms
        why = refusal(info.grant.status, terms.valid_from, terms.valid_to, service.today())
        if why:
            raise ApiError(why, 403)
        if terms.method != method:
            raise ApiError(f"这个密钥获批的提供方式是{METHOD[terms.method]}，"
                           f"不能用于{METHOD[method]}。", 403)

    quota = int(current_app.config["API_KEY_DAILY_QUOTA"])
    # One transaction for the key, its grant and the count (see use_key).
    used = keys().use_key(key_hash, service.now(), service.today(), quota, admit)
    if used is None:
        raise ApiError(BAD_KEY, 401)
    info, counted = used
    if not counted:
        raise ApiError(f"这个密钥今天的调用次数已达上限（{quota} 次），请明天再试。", 429)
    return info.grant, key_hash
