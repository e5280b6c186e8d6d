"""A read-only subset of the CKAN Action API (``/api/3/action/...``).

Harvesters and scripts written for CKAN portals (e.g. the ``ckanapi``
package, which POSTs JSON by default) work against this portal unmodified.
Answers use CKAN's envelope ``{"help", "success", "result"}`` and, on
failure, ``{"success": false, "error": {"__type", "message"}}``: that is
what CKAN clients parse, so these endpoints do not use the portal's own
error shape.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify

from search_api.engine.base import SearchError, SearchQuery
from search_api.interop.ckan_common import (
    MAX_ROWS,
    MAX_START,
    CkanError,
    absolute_url,
    all_entries,
    envelope,
    help_url,
    package_of,
    param_flag,
    param_int,
    param_text,
    portal_engine,
    portal_labels,
    request_params,
)
from search_api.interop.ckan_dicts import (
    group_dict,
    organization_dict,
    resource_id,
    tag_dict,
)
from search_api.interop.ckan_search import engine_page, package_search

bp = Blueprint("ckan", __name__, url_prefix="/api/3/action")


def package_list() -> Any:
    """Return the names of the site's datasets (packages), sorted.

    :param limit: how many to return (optional); :param offset: where to start."""
    params = request_params()
    names = sorted(portal_engine().all_ids())
    offset = param_int(params, "offset", 0, MAX_START)
    if "limit" in params:
        return names[offset:offset + param_int(params, "limit", 0, MAX_START)]
    return names[offset:]


def package_show() -> Any:
    """Return the metadata of a dataset (package) and its resources.

    :param id: the id or name of the dataset."""
    params = request_params()
    identifier = param_text(params, "id") or param_text(params, "name_or_id")
    if not identifier:
        raise CkanError("Validation Error", "id: missing value", 409)
    record = portal_engine().get(identifier)
    if record is None:
        raise CkanError("Not Found Error", "Not found", 404)
    return package_of(record)


def _counted(facet_key: str) -> dict[str, int]:
    result = portal_engine().search(SearchQuery(page=1, per_page=1))
    return dict(result.facets.get(facet_key, {}))


def _listing(params: dict[str, Any], facet_key: str,
             make: Callable[[str, str, int | None], dict[str, Any]]) -> Any:
    counts = _counted(facet_key)
    names = sorted(counts)
    if param_text(params, "sort").startswith("package_count"):
        names.sort(key=lambda n: -counts[n])
    offset = param_int(params, "offset", 0, MAX_START)
    limit = param_int(params, "limit", len(names), MAX_START)
    names = names[offset:offset + limit]
    if not param_flag(params, "all_fields"):
        return names
    return [make(code, portal_labels().name(facet_key, code), counts[code]) for code in names]


def organization_list() -> Any:
    """Return the names of the organizations (departments that publish).

    :param all_fields: return dicts with title and package_count (default false);
    :param sort: ``name`` or ``package_count``; :param limit; :param offset."""
    return _listing(request_params(), "department", organization_dict)


def group_list() -> Any:
    """Return the names of the groups (the portal's themes).

    :param all_fields: return dicts with title and package_count (default false)."""
    return _listing(request_params(), "theme", group_dict)


def _show(facet_key: str, kind: str,
          make: Callable[[str, str, int | None], dict[str, Any]]) -> Any:
    params = request_params()
    code = param_text(params, "id")
    if not code:
        raise CkanError("Validation Error", "id: missing value", 409)
    counts = _counted(facet_key)
    if code not in counts:
        raise CkanError("Not Found Error", f"{kind} not found", 404)
    found = make(code, portal_labels().name(facet_key, code), counts[code])
    found.update({"users": [], "extras": [], "groups": [], "tags": []})
    if param_flag(params, "include_datasets", True):
        found["packages"] = engine_page("", {facet_key: (code,)}, "name", 0, MAX_ROWS)[1]
    return found


def organization_show() -> Any:
    """Return one organization (department).

    :param id: its name; :param include_datasets: add its datasets (default true)."""
    return _show("department", "Organization", organization_dict)


def group_show() -> Any:
    """Return one group (theme).

    :param id: its name; :param include_datasets: add its datasets (default true)."""
    return _show("theme", "Group", group_dict)


def tag_list() -> Any:
    """Return the tags (keywords) of all datasets, sorted.

    :param query: only tags containing this text; :param all_fields: dicts."""
    params = request_params()
    query = param_text(params, "query")
    tags = sorted({k for entry in all_entries() for k in entry.record.keywords if query in k})
    return [tag_dict(t) for t in tags] if param_flag(params, "all_fields") else tags


_RESOURCE_INDEX: dict[str, Any] = {"built": 0.0, "count": -1, "map": {}}
RESOURCE_INDEX_SECONDS = 300


def _resource_owner(identifier: str) -> str | None:
    """The dataset id owning the resource UUID ``identifier`` (an index of all
    resource ids, rebuilt when the catalogue size changes or after 5 minutes)."""
    index = _RESOURCE_INDEX
    count = portal_engine().count()
    if (index["count"] != count or time.monotonic() - index["built"] > RESOURCE_INDEX_SECONDS
            or identifier not in index["map"]):
        index["map"] = {resource_id(entry.record.id, d.filename): entry.record.id
                        for entry in all_entries() for d in entry.downloads}
        index["count"], index["built"] = count, time.monotonic()
    owner = index["map"].get(identifier)
    return str(owner) if owner else None


def resource_show() -> Any:
    """Return one resource (a published file) by its id.

    :param id: the resource's UUID."""
    params = request_params()
    identifier = param_text(params, "id")
    if not identifier:
        raise CkanError("Validation Error", "id: missing value", 409)
    owner = _resource_owner(identifier)
    record = portal_engine().get(owner) if owner else None
    if record is None:
        raise CkanError("Not Found Error", "Resource was not found.", 404)
    for resource in package_of(record)["resources"]:
        if resource["id"] == identifier:
            return resource
    raise CkanError("Not Found Error", "Resource was not found.", 404)


def status_show() -> Any:
    """Return the site's CKAN-compatible API version and name."""
    request_params()
    return {"ckan_version": "2.10.0", "site_title": current_app.config.get("PORTAL_NAME", ""),
            "site_description": "", "site_url": absolute_url(""), "locale_default": "zh_Hans_CN",
            "error_emails_to": None, "extensions": []}


def help_show() -> Any:
    """Return the help text of an action.

    :param name: the action's name."""
    params = request_params()
    name = param_text(params, "name")
    handler = ACTIONS.get(name)
    if handler is None:
        raise CkanError("Not Found Error", f"Action function not found: {name!r}", 404)
    return handler.__doc__


ACTIONS: dict[str, Callable[[], Any]] = {
    "package_list": package_list, "package_show": package_show,
    "package_search": package_search, "organization_list": organization_list,
    "organization_show": organization_show, "group_list": group_list,
    "group_show": group_show, "tag_list": tag_list, "resource_show": resource_show,
    "status_show": status_show, "help_show": help_show,
}


@bp.route("/<action>", methods=["GET", "POST"])
def action(action: str) -> Any:
    handler = ACTIONS.get(action)
    try:
        if handler is None:
            raise CkanError("Bad request", f"Action name not known: {action}. This portal "
                            f"supports {', '.join(sorted(ACTIONS))}", 400)
        return envelope(action, handler())
    except SearchError as exc:
        return jsonify({"help": help_url(action), "success": False,
                        "error": {"__type": "Validation Error", "message": str(exc)}}), 409
    except CkanError as exc:
        return jsonify({"help": help_url(action), "success": False,
                        "error": {"__type": exc.kind, "message": exc.message}}), exc.status
