"""Delivery of approved conditional data by API key (issue #16; 002 §36
接口访问): the grant an approval states (:mod:`domain.data_grants`), keys
shown once and stored hashed, the keyed rows API, the provider's suspension
and revocation, and the supervision of use reports.

``install(app)`` puts the parts in the app: the key store, the keyed row
store (KEYED_ROWS_DB, loaded from CATALOG_DIR by ``portal index``), the
applicant's and the provider's pages.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from search_api.keys.catalogue import keyed_rows_db
from search_api.keys.store import KeyStore
from search_api.rows.store import RowStore


def install(app: Flask) -> None:
    from search_api.keys import supervision_views, views
    from search_api.sandbox import api as sandbox_api

    app.extensions["portal_keys"] = KeyStore(app.extensions["portal_store"])
    app.extensions["portal_keyed_rows"] = RowStore(Path(keyed_rows_db(app.config)))
    app.register_blueprint(views.bp)
    app.register_blueprint(supervision_views.bp)
    app.register_blueprint(sandbox_api.bp)
    app.jinja_env.globals["grant_form"] = views.grant_form
    app.jinja_env.globals["key_status"] = views.key_status
    app.jinja_env.globals["misuse_for"] = supervision_views.misuse_for


def keys() -> KeyStore:
    store: KeyStore = current_app.extensions["portal_keys"]
    return store


def stopped(number: str) -> str | None:
    """Why the data of request ``number`` may not be delivered now (its
    grant suspended or revoked by the provider), or None; download links
    check it as keys do."""
    from domain.data_grants import GrantStatus

    grant = keys().grant(number)
    if grant is None or grant.status is GrantStatus.ACTIVE:
        return None
    return "数据使用授权已被数据提供部门" + ("撤销。" if grant.status is GrantStatus.REVOKED
                                        else "暂停，暂停期间不能获取数据。")


def keyed_rows() -> RowStore:
    store: RowStore = current_app.extensions["portal_keyed_rows"]
    return store
