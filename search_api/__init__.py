"""The portal's service: search API and CKAN-compatible API (and, in later
blueprints, conditional-open requests and third-party consultations).

``create_app(test_config=None)`` applies the declared defaults
(``search_api.settings``), then ``PORTAL_*`` environment variables, then
``test_config``. Production: ``gunicorn -w 4 'search_api:create_app()'``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, current_app, request, send_from_directory
from werkzeug.exceptions import NotFound

from search_api import service
from search_api.engine import open_engine
from search_api.governance import views as governance_views
from search_api.interop import ckan, openapi
from search_api.operations import api as operations_api
from search_api.operations import review as operation_review
from search_api.operations import views as operation_views
from search_api.participation import api as participation_api
from search_api.participation import moderation as moderation_views
from search_api.participation import views as participation_views
from search_api.register import views as register_views
from search_api.reports import api as report_api
from search_api.reports import views as report_views
from search_api.requests import api as requests_api
from search_api.requests import api_keys as api_keys_views
from search_api.requests import consult as consult_views
from search_api.requests import delivery as delivery_views
from search_api.requests import review as review_views
from search_api.requests import supervision as supervision_views
from search_api.requests import views as requests_views
from search_api.rows import api as rows_api
from search_api.sandbox import api as sandbox_api
from search_api.search import html_views as search_html_views
from search_api.search import views as search_views
from search_api.search.labels import LabelStore
from search_api.settings import load_settings
from search_api.statistics import api as statistics_api
from search_api.store.download_log import download_of
from search_api.store.download_store import DownloadBuffer, DownloadStore
from search_api.tables.store import RowStore
from search_api.web import chrome, errors, headers, labels_zh, security, shared_state, text_guard
from search_api.web.api_keys import install as install_keys
from search_api.web.law_text import LawText

log = logging.getLogger(__name__)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(load_settings(test_config))
    if not app.config["SECRET_KEY"]:
        if not app.config.get("ALLOW_RANDOM_SECRET_KEY"):
            # Every gunicorn worker would sign with its own key: forms posted
            # to another worker would fail their CSRF check at random.
            raise RuntimeError("PORTAL_SECRET_KEY is not set; set it to a long random value "
                               "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)")
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        log.warning("PORTAL_SECRET_KEY is not set: using a random key for this single process")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    app.extensions["portal_engine"] = open_engine(app.config)
    app.extensions["portal_labels"] = LabelStore(Path(app.config["LABELS_FILE"]))
    app.extensions["portal_rows"] = RowStore(Path(app.config["ROWS_DB"]))
    service.install(app)
    install_keys(app)  # keyed API delivery, sandbox, supervision of use (#16)
    app.register_blueprint(api_keys_views.bp)
    app.register_blueprint(supervision_views.bp)
    app.register_blueprint(sandbox_api.bp)
    app.jinja_env.globals["grant_form"] = api_keys_views.grant_form
    app.jinja_env.globals["key_status"] = api_keys_views.key_status
    app.jinja_env.globals["misuse_for"] = supervision_views.misuse_for
    law = LawText(app.extensions["portal_procedure"].profile)
    app.context_processor(lambda: {"law": law})
    security.install(app)
    shared_state.install(app)  # server-side sessions, shared rate limits
    headers.install(app)
    # Every date counted through a year without its holiday notice is marked 暂定.
    app.jinja_env.globals["PROVISIONAL_HINT"] = labels_zh.PROVISIONAL_HINT
    text_guard.install(app)  # before every other hook: refuses invalid Unicode
    chrome.install(app)

    errors.register(app)
    app.register_blueprint(search_views.bp)
    app.register_blueprint(search_html_views.bp)
    app.register_blueprint(requests_views.bp)
    app.register_blueprint(register_views.bp)
    app.register_blueprint(review_views.bp)
    app.register_blueprint(consult_views.bp)
    app.register_blueprint(delivery_views.bp)
    app.register_blueprint(requests_api.bp)
    app.register_blueprint(report_views.bp)
    app.register_blueprint(report_api.bp)
    app.register_blueprint(participation_views.bp)
    app.register_blueprint(participation_api.bp)
    app.register_blueprint(moderation_views.bp)
    app.register_blueprint(governance_views.bp)
    app.register_blueprint(operation_views.bp)
    app.register_blueprint(operation_review.bp)
    app.register_blueprint(operations_api.bp)
    app.register_blueprint(statistics_api.bp)
    app.register_blueprint(rows_api.bp)
    app.register_blueprint(ckan.bp)
    # CKAN answers on /api/action/ too; ckanapi uses that form.
    app.register_blueprint(ckan.bp, url_prefix="/api/action", name="ckan_unversioned")
    app.register_blueprint(openapi.bp)
    _allow_cross_origin_reads(app)
    _serve_static_site(app)
    return app


def _allow_cross_origin_reads(app: Flask) -> None:
    """The read-only API may be called from the static site on another host."""
    allowed = [o.strip() for o in str(app.config["CORS_ORIGINS"]).split(",") if o.strip()]

    @app.after_request
    def _cors(response: Response) -> Response:
        if request.path.startswith("/api/") and request.method in ("GET", "HEAD", "OPTIONS"):
            origin = request.headers.get("Origin", "")
            if "*" in allowed:
                response.headers["Access-Control-Allow-Origin"] = "*"
            elif origin in allowed:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Vary"] = "Origin"
        return response


def _count_download(response: Response) -> None:
    """Count a download of a published file (000 §50): per day, dataset and
    file only, in memory; a background thread writes the counts (the
    download never waits for the database)."""
    # request.path is decoded already; download_of decodes log targets.
    found = download_of(quote(request.path), method=request.method, status=response.status_code,
                        agent=request.headers.get("User-Agent", ""))
    if found is None:
        return
    buffer: DownloadBuffer = current_app.extensions["portal_download_buffer"]
    buffer.add((service.today(), found[0], found[1]))


def _serve_static_site(app: Flask) -> None:
    """Serve the built site at / when SITE_DIR is set (one process for the
    whole portal in development; production puts a web server in front)."""
    site_dir = str(app.config.get("SITE_DIR") or "")
    if not site_dir:
        return
    root = Path(site_dir).resolve()
    counting = bool(app.config.get("COUNT_DOWNLOADS"))
    app.extensions["portal_download_buffer"] = DownloadBuffer(
        DownloadStore(app.extensions["portal_store"]))

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def _site(path: str) -> Any:
        if path.startswith("api/"):
            raise NotFound()
        target = root / path
        if path == "" or path.endswith("/") or target.is_dir():
            path = path.rstrip("/") + "/index.html" if path else "index.html"
        # send_from_directory refuses paths that leave the folder.
        response = send_from_directory(root, path)
        if counting:
            _count_download(response)
        return response
