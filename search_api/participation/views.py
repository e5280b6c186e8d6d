"""Public participation pages (issue #5): file a data demand (开放需求,
000 §30, 004 §35), a suggestion (意见建议, 003 §9, 003 §27) or a reuse for the
showcase (应用成果, 002 §37); read the moderated ones with the departments'
public replies. The filing rules are shared with the JSON API
(:func:`search_api.participation.api.file_item`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from domain.catalogue.public_record import PublicRecord
from domain.procedures.participation import Incomplete, Kind
from search_api import service
from search_api.participation.api import file_item, public_dict
from search_api.web.public_names import department_names
from search_api.web.security import rate_limit

bp = Blueprint("participation", __name__)
PAGES = {"demands": Kind.DEMAND, "suggestions": Kind.SUGGESTION, "showcase": Kind.REUSE}
TITLES = {Kind.DEMAND: "开放需求", Kind.SUGGESTION: "意见建议", Kind.REUSE: "数据应用成果展示"}
_SEPARATORS = re.compile(r"[\s,，、;；]+")
FIELD_BOUND = 20_000
"""Characters kept of a form field (each field's own limit is far lower)."""


def _page(page: str) -> Kind:
    kind = PAGES.get(page)
    if kind is None:
        abort(404)
    return kind


def _dataset(dataset_id: str) -> PublicRecord | None:
    if not dataset_id:
        return None
    return service.published(dataset_id[:200])


def _form(kind: Kind, page: str, values: dict[str, str], errors: list[str],
          status: int = 200) -> Any:
    dataset = _dataset(values.get("dataset_id", ""))
    return render_template("participation/form.html", kind=kind, page=page, values=values,
                           errors=errors, dataset=dataset, title=TITLES[kind],
                           departments=sorted(department_names().items())), status


@bp.get("/<any(demands, suggestions, showcase):page>/new")
def form(page: str) -> Any:
    dataset_id = request.args.get("dataset", "")[:200]
    values = {"dataset_id": dataset_id if _dataset(dataset_id) else ""}
    if _page(page) is Kind.REUSE:
        values["dataset_ids"] = values.pop("dataset_id")
    return _form(_page(page), page, values, [])


@bp.post("/<any(demands, suggestions, showcase):page>/new")
def submit(page: str) -> Any:
    kind = _page(page)
    rate_limit(current_app, "public_write")
    # Bounded far above every field's limit: over-long input is refused by
    # the rules with the limit named, never silently shortened.
    values = {k: str(v)[:FIELD_BOUND] for k, v in request.form.items() if k != "csrf_token"}
    ids = [d for d in _SEPARATORS.split(values.get("dataset_ids", "")) if d][:50]
    if values.get("dataset_id"):
        ids.append(values["dataset_id"])
    try:
        item = file_item(kind, values, ids)
    except Incomplete as exc:
        values.pop("contact", None)  # never echoed back into a page
        return _form(kind, page, values, list(exc.problems), 400)
    return render_template("participation/receipt.html", item=item, page=page,
                           title=TITLES[kind], due=service.participation().due(item),
                           provisional=service.participation().provisional(item))


@bp.get("/<any(demands, suggestions, showcase):page>")
def public_list(page: str) -> Any:
    """Moderated items only (待审核 and 未通过审核 never appear)."""
    kind = _page(page)
    items = [public_dict(i) for i in service.participation_store().public(kind)]
    return render_template("participation/list.html", kind=kind, page=page, items=items,
                           title=TITLES[kind], reply_days=service.participation().reply_days)
