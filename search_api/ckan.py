"""A read-only subset of the CKAN Action API (``/api/3/action/...``).

Harvesters and scripts written for CKAN portals (e.g. the ``ckanapi``
package, which POSTs JSON by default) work against this portal unmodified.
Answers use CKAN's envelope ``{"help", "success", "result"}`` and, on
failure, ``{"success": false, "error": {"__type", "message"}}``: that is
what CKAN clients parse, so these endpoints do not use the portal's own
error shape.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from search_api.engine.base import SearchError, SearchQuery

bp = Blueprint("ckan", __name__, url_prefix="/api/3/action")

MAX_ROWS = 1000
# CKAN's fq fields → the portal's filters.
FQ_FIELDS = {"organization": "department", "groups": "theme", "res_format": "format",
             "open_type": "open_type", "update_frequency": "update_frequency",
             "region": "region"}


class CkanError(Exception):
    def __init__(self, kind: str, message: str, status: int):
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status


def _params() -> dict[str, Any]:
    params: dict[str, Any] = dict(request.args.items())
    if request.method == "POST":
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            params.update(body)
        elif request.is_json and request.get_data():
            # As CKAN does: a JSON body that cannot be read is refused, not ignored.
            raise CkanError("Bad request", "JSON Error: the request body must be a JSON "
                            "object of the action's parameters", 400)
        else:
            params.update(request.form.items())
    return params


def _envelope(action: str, result: Any) -> Any:
    return jsonify({"help": f"{request.host_url}api/3/action/help_show?name={action}",
                    "success": True, "result": result})


def _int(params: dict[str, Any], name: str, default: int, upper: int) -> int:
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError, OverflowError):
        raise CkanError("Validation Error", f"{name}: must be a whole number", 409) from None
    if value < 0 or value > upper:
        raise CkanError("Validation Error", f"{name}: must be between 0 and {upper}", 409)
    return value


def _absolute(path: str) -> str:
    base = current_app.config.get("PUBLIC_SITE_URL") or request.host_url
    return base.rstrip("/") + "/" + path.lstrip("/")


def package_dict(record: dict[str, Any]) -> dict[str, Any]:
    """A portal record as a CKAN package."""
    resources = [{
        "id": f"{record['id']}/{d['filename']}",
        "package_id": record["id"],
        "name": d["filename"],
        "description": d["label"],
        "url": _absolute(d["url"]),
        "format": "JSON" if d["filename"].endswith(".json") else "CSV",
        "mimetype": d["media_type"],
        "size": d["bytes"],
        "hash": f"sha256:{d['sha256']}",
        "position": position,
    } for position, d in enumerate(record.get("downloads") or [])]
    extras = [{"key": key, "value": str(record.get(key) or "")} for key in (
        "open_type", "open_type_name", "update_frequency", "update_frequency_name", "freshness",
        "region_name", "open_conditions", "legal_basis", "status")]
    contact = record.get("contact") or {}
    return {
        "id": record["id"], "name": record["id"], "title": record["title"],
        "notes": record["summary"], "type": "dataset", "state": "active", "private": False,
        "url": _absolute(record["url"]),
        "metadata_created": record.get("published"),
        "metadata_modified": record.get("last_updated"),
        "license_title": record.get("licence") or "",
        "maintainer": contact.get("name", ""), "maintainer_email": contact.get("email", ""),
        "organization": {"id": record["department"], "name": record["department"],
                         "title": record["department_name"], "type": "organization",
                         "is_organization": True, "state": "active"},
        "owner_org": record["department"],
        "groups": [{"id": record["theme"], "name": record["theme"],
                    "title": record["theme_name"]}],
        "tags": [{"name": k, "display_name": k, "state": "active"} for k in record["keywords"]],
        "num_tags": len(record["keywords"]),
        "resources": resources, "num_resources": len(resources),
        "extras": extras,
    }


def _engine() -> Any:
    return current_app.extensions["portal_engine"]


def _parse_fq(fq: str) -> dict[str, tuple[str, ...]]:
    filters: dict[str, list[str]] = {}
    for part in fq.replace("+", " ").split():
        if ":" not in part:
            raise CkanError("Validation Error", f"fq: cannot read {part!r}; write field:value", 409)
        field, value = part.split(":", 1)
        key = FQ_FIELDS.get(field.strip())
        if key is None:
            raise CkanError("Validation Error",
                            f"fq: unsupported field {field!r}; use one of {', '.join(FQ_FIELDS)}",
                            409)
        value = value.strip().strip('"')
        filters.setdefault(key, []).append(value.lower() if key == "format" else value)
    return {k: tuple(v) for k, v in filters.items()}


def package_list() -> Any:
    _params()  # takes none, but a malformed body is refused as by every action
    return sorted(_engine().all_ids())


def package_show() -> Any:
    params = _params()
    identifier = str(params.get("id") or params.get("name_or_id") or "")
    if not identifier:
        raise CkanError("Validation Error", "id: missing value", 409)
    record = _engine().get(identifier)
    if record is None:
        raise CkanError("Not Found Error", "Not found", 404)
    return package_dict(record)


def package_search() -> Any:
    params = _params()
    rows = _int(params, "rows", 10, MAX_ROWS)
    start = _int(params, "start", 0, 10_000_000)
    q = str(params.get("q") or "").strip()
    if q in ("*:*", "*"):
        q = ""
    sort = {"metadata_modified desc": "updated", "title_string asc": "name",
            "name asc": "name"}.get(str(params.get("sort") or "").strip(), "relevance")
    filters = _parse_fq(str(params.get("fq") or ""))
    if rows == 0:
        result = _engine().search(SearchQuery(q=q, filters=filters, sort=sort, page=1, per_page=1))
        return {"count": result.total, "results": [], "sort": sort, "search_facets": {}}
    # The engine pages by page/per_page; fetch the pages covering [start, start+rows).
    per_page = 100
    first, last = start // per_page + 1, (start + rows - 1) // per_page + 1
    hits: list[dict[str, Any]] = []
    total = 0
    for page in range(first, last + 1):
        result = _engine().search(SearchQuery(q=q, filters=filters, sort=sort, page=page,
                                              per_page=per_page))
        total = result.total
        hits.extend(h.record for h in result.hits)
        if page >= math.ceil(total / per_page):
            break
    offset = start - (first - 1) * per_page
    return {"count": total, "sort": sort,
            "results": [package_dict(r) for r in hits[offset:offset + rows]],
            "search_facets": {}}


def organization_list() -> Any:
    params = _params()
    all_fields = str(params.get("all_fields", "")).lower() in ("true", "1")
    result = _engine().search(SearchQuery(page=1, per_page=1))
    counts = result.facets.get("department", {})
    labels = current_app.extensions["portal_labels"]
    if not all_fields:
        return sorted(counts)
    return [{"id": code, "name": code, "title": labels.name("department", code),
             "display_name": labels.name("department", code), "package_count": count,
             "type": "organization", "is_organization": True, "state": "active"}
            for code, count in sorted(counts.items())]


ACTIONS = {"package_list": package_list, "package_show": package_show,
           "package_search": package_search, "organization_list": organization_list}


@bp.route("/<action>", methods=["GET", "POST"])
def action(action: str) -> Any:
    handler = ACTIONS.get(action)
    try:
        if handler is None:
            raise CkanError("Bad request", f"Action name not known: {action}. This portal "
                            f"supports {', '.join(sorted(ACTIONS))}", 400)
        return _envelope(action, handler())
    except SearchError as exc:
        return jsonify({"help": f"{request.host_url}api/3/action/help_show?name={action}",
                        "success": False,
                        "error": {"__type": "Validation Error", "message": str(exc)}}), 409
    except CkanError as exc:
        return jsonify({"help": f"{request.host_url}api/3/action/help_show?name={action}",
                        "success": False,
                        "error": {"__type": exc.kind, "message": exc.message}}), exc.status
