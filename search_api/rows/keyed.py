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

from flask import current_app, jsonify, url_for

from search_api.store.grants import Grant
from search_api.tables.store import RowStoreError, Table
from search_api.web.api_keys import authorise, keyed_rows
from search_api.web.errors import ApiError

log = logging.getLogger(__name__)
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
