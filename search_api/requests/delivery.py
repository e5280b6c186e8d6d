"""Delivery of approved conditional data by download (000 §31, 002 §36):
the applicant, signed in with the access code, asks for a link; the link is
random, expires, counts its uses, and works only in the session of the
applicant who asked for it. Every download is recorded in the audit log.

The link's token is a bearer secret and never enters a URL: asking for a
link (``POST /requests/<number>/download-link``) stores the token's hash
with the request and binds the same hash to the applicant's session, then
redirects (303) to the token-free ``/requests/<number>/files/``, which
lists the files; ``/requests/<number>/files/<name>`` sends one. So no
request line, Referer header, browser history or access log ever holds the
token (older ``/download/<token>/...`` paths are still redacted from logs by
:mod:`search_api.web.logredact`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)

from domain.catalogue.catalog import load_dataset
from domain.catalogue.model import Dataset
from domain.catalogue.paths import dataset_folders
from domain.procedures.request_records import Actor
from domain.procedures.request_states import DeliveryMethod, Role, State
from search_api import service
from search_api.store import Link, hash_token
from search_api.web.access_codes import MY_REQUESTS as MINE
from search_api.web.access_codes import proved, proved_cases
from search_api.web.api_keys import stopped
from search_api.web.security import new_secret

log = logging.getLogger(__name__)
bp = Blueprint("delivery", __name__)
MAX_USES = 20
# request number → hash of its newest download link's token (never the token)
SESSION_KEY = "download_link_hashes"
NOT_BOUND = "下载链接仅限申请人本人在获取链接的浏览器中使用：请用申请编号和查询码登录后，在申请进度页面获取链接。"
EXPIRED = "下载链接已过期或已达使用次数上限，请在申请进度页面重新获取。"


def catalogue_dataset(identifier: str) -> tuple[Dataset, Path] | None:
    """The dataset's model and folder in the catalogue (CATALOG_DIR)."""
    root = Path(current_app.config["CATALOG_DIR"])
    candidates = [root / identifier] + [f for f in dataset_folders(root) if f.name != identifier]
    for folder in candidates:
        if not folder.is_dir():
            continue
        dataset = load_dataset(folder, root, [])
        if dataset is not None and dataset.identifier == identifier:
            return dataset, folder
    return None


def _bindings() -> dict[str, str]:
    """This session's download bindings, number → token hash (an old or
    tampered-with value counts as none)."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}


@bp.post("/requests/<number>/download-link")
def make_link(number: str) -> Any:
    """Issue a new download link for a delivered request and bind it to this
    session (it replaces the session's earlier link for the request); then
    redirect (303) to the token-free download page.

    Aborts:
        403: the session has not signed in to the request with its access code.
        400: the request is not delivered, or delivery is not by download.
    """
    if not proved(MINE, number):
        abort(403, description="请先用申请编号和查询码登录。")
    req, _ = service.store().load(number)
    if req.state is not State.DELIVERED or req.decision is None or \
            req.decision.delivery_method not in (None, DeliveryMethod.DOWNLOAD):
        abort(400, description="该申请尚未提供数据，或约定的提供方式不是下载。")
    if why := stopped(number):  # suspended or revoked by the provider (#16)
        abort(403, description=why)
    token_hash = hash_token(new_secret())  # the token itself is dropped here, unseen
    hours = int(current_app.config["DOWNLOAD_LINK_HOURS"])
    now = service.now()
    service.store().add_link("download", token_hash, number, None,
                             now + timedelta(hours=hours), at=now, max_uses=MAX_USES)
    mine = proved_cases(MINE)
    # Only requests still signed in to keep a binding: the cookie stays small.
    session[SESSION_KEY] = {**{k: v for k, v in _bindings().items() if k in mine},
                            number: token_hash}
    session.pop("download_links", None)  # the list of the token-in-URL links, now unused
    log.info("download link issued for request %s, valid %d h", number, hours)
    flash(f"下载链接已生成，{hours} 小时内有效，仅限本次登录使用。", "success")
    return redirect(url_for("delivery.files", number=number), code=303)


def _usable(number: str, count: bool) -> Link:
    """The link bound to this session for ``number``, counting one use when
    ``count`` (a download; listing the files is free).

    Aborts:
        403: no link of this request is bound to this session.
        410: the link expired or has no uses left.
    """
    token_hash = _bindings().get(number)
    if token_hash is None or not proved(MINE, number):
        abort(403, description=NOT_BOUND)
    if why := stopped(number):  # the links stop at once (#16)
        abort(403, description=why)
    store = service.store()
    link = (store.use_link if count else store.find_link)("download", token_hash, service.now())
    if link is None:
        abort(410, description=EXPIRED)
    if link.request_number != number:  # pragma: no cover - bound per number by make_link
        log.warning("download link bound to %s belongs to %s", number, link.request_number)
        abort(403, description=NOT_BOUND)
    return link


@bp.get("/requests/<number>/files/")
def files(number: str) -> Any:
    """The files of the delivered dataset, with the link's expiry and uses."""
    link = _usable(number, count=False)
    req, _ = service.store().load(link.request_number)
    found = catalogue_dataset(req.application.dataset_id)
    resources = found[0].resources if found else ()
    return render_template("download.html", req=req, resources=resources, link=link)


@bp.get("/requests/<number>/files/<name>")
def download(number: str, name: str) -> Any:
    """Send one file of the delivered dataset and audit it; each call counts
    one use of the link.

    Aborts:
        403, 410: see :func:`_usable`.
        404: the dataset left the catalogue, or has no file ``name``.
    """
    link = _usable(number, count=True)
    req, _ = service.store().load(link.request_number)
    found = catalogue_dataset(req.application.dataset_id)
    if found is None:
        abort(404, description="数据文件暂不可用，请联系数据提供部门。")
    dataset, folder = found
    resource = next((r for r in dataset.resources if r.name == name), None)
    if resource is None:
        abort(404, description="没有这个文件。")
    path = folder / resource.path  # the loader kept only paths inside the folder
    service.store().append_audit(
        actor=Actor(Role.APPLICANT, f"applicant:{req.number}"), action="download",
        subject=req.number, detail={"dataset": dataset.identifier, "resource": name},
        at=service.now())
    return send_file(path, as_attachment=True,
                     download_name=f"{dataset.identifier}-{Path(resource.path).name}")
