"""Delivery of approved conditional data by download (000 §31, 002 §36):
the applicant, signed in with the access code, asks for a link; the link is
random, expires, counts its uses, and works only in the session of the
applicant who asked for it. Every download is recorded in the audit log.
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

from domain.catalog import dataset_folders, load_dataset
from domain.model import Dataset
from domain.request_records import Actor
from domain.request_states import DeliveryMethod, Role, State
from search_api import service
from search_api.security import new_secret
from search_api.store import hash_token

log = logging.getLogger(__name__)
bp = Blueprint("delivery", __name__)
MAX_USES = 20


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


@bp.post("/requests/<number>/download-link")
def make_link(number: str) -> Any:
    if number not in session.get("my_requests", []):
        abort(403, description="请先用申请编号和查询码登录。")
    req, _ = service.store().load(number)
    if req.state is not State.DELIVERED or req.decision is None or \
            req.decision.delivery_method not in (None, DeliveryMethod.DOWNLOAD):
        abort(400, description="该申请尚未提供数据，或约定的提供方式不是下载。")
    token = new_secret()
    hours = int(current_app.config["DOWNLOAD_LINK_HOURS"])
    now = service.now()
    service.store().add_link("download", hash_token(token), number, None,
                             now + timedelta(hours=hours), at=now, max_uses=MAX_USES)
    session.setdefault("download_links", [])
    session["download_links"] = [*session["download_links"], hash_token(token)][-10:]
    flash(f"下载链接已生成，{hours} 小时内有效，仅限本次登录使用。", "success")
    return redirect(url_for("delivery.files", token=token))


def _usable(token: str, count: bool) -> Any:
    digest = hash_token(token)
    if digest not in session.get("download_links", []):
        abort(403, description="下载链接仅限申请人本人在获取链接的浏览器中使用。")
    store = service.store()
    link = (store.use_link if count else store.find_link)("download", digest, service.now())
    if link is None:
        abort(410, description="下载链接已过期或已达使用次数上限，请在申请进度页面重新获取。")
    return link


@bp.get("/download/<token>/")
def files(token: str) -> Any:
    link = _usable(token, count=False)
    req, _ = service.store().load(link.request_number)
    found = catalogue_dataset(req.application.dataset_id)
    resources = found[0].resources if found else ()
    return render_template("download.html", req=req, token=token, resources=resources,
                           link=link)


@bp.get("/download/<token>/<name>")
def download(token: str, name: str) -> Any:
    link = _usable(token, count=True)
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
