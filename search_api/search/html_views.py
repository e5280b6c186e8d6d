"""``GET /find``: the search page rendered by the service.

Same parameters, engine and answer as ``/api/v1/search`` (its parser and
answer builder are reused, so both always agree); facets and pages are
links, so a browser without JavaScript (or a screen reader, a text browser)
can search, narrow and page through results.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from search_api.engine.base import FILTER_KEYS, SearchQuery
from search_api.search import html_links as links
from search_api.search.labels import LabelStore
from search_api.search.views import (
    FILTER_LABELS,
    PARAMS,
    beyond_last_page,
    page_count,
    parse_search_args,
    result_body,
)
from search_api.web.errors import ApiError

bp = Blueprint("search_html", __name__)

# The facets in the order of the JavaScript page.
FACET_ORDER = ("open_type", "department", "theme", "format", "update_frequency", "region")
# Page numbers shown either side of the current page.
PAGE_WINDOW = 2


def _facets(query: SearchQuery, facets: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each facet with its options as links that add or remove the value."""
    out = []
    for key in FACET_ORDER:
        options = facets.get(key) or []
        chosen = set(query.filters.get(key, ()))
        if not options:
            continue
        out.append({"key": key, "title": FILTER_LABELS[key], "options": [
            {**option, "chosen": option["value"] in chosen,
             "href": links.toggle(query, key, option["value"])} for option in options]})
    return out


def _pager(query: SearchQuery, pages: int) -> list[dict[str, Any]]:
    """Links to the previous/next page and to nearby page numbers."""
    current = query.page
    items: list[dict[str, Any]] = []
    if current > 1:
        items.append({"label": "上一页", "href": links.page_link(query, current - 1),
                      "rel": "prev"})
    for number in range(max(1, current - PAGE_WINDOW), min(pages, current + PAGE_WINDOW) + 1):
        items.append({"label": str(number), "href": links.page_link(query, number),
                      "current": number == current, "number": True})
    if current < pages:
        items.append({"label": "下一页", "href": links.page_link(query, current + 1),
                      "rel": "next"})
    return items


def _hits(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Hits with their highlights marked safe: the engine escapes the record
    text and adds only <mark> tags (search_api.engine.highlight)."""
    return [{**hit, "title_html": Markup(hit["highlights"].get("title") or "") or hit["title"],
             "summary_html": Markup(hit["highlights"].get("summary") or "") or hit["summary"]}
            for hit in body["hits"]]


def _known_args(args: MultiDict[str, str], labels: dict[str, dict[str, str]],
                ) -> tuple[MultiDict[str, str], list[str]]:
    """The arguments the search understands, and a sentence for each one
    left out (an old link may name a department that no longer has data):
    a reader gets results for the rest instead of a refusal."""
    kept: MultiDict[str, str] = MultiDict()
    dropped: list[str] = []
    for key, raw in args.items(multi=True):
        if key not in PARAMS:
            continue  # e.g. a tracking parameter: nothing to tell the reader
        if key not in FILTER_KEYS:
            kept.add(key, raw)
            continue
        for value in (v.strip() for v in raw.split(",")):
            known = labels.get(key)
            if known is not None and value and value not in known:
                dropped.append(f"{FILTER_LABELS[key]}“{value[:40]}”不存在，已忽略。")
            elif value:
                kept.add(key, value)
    return kept, dropped


@bp.after_request
def _not_indexed(response: Response) -> Response:
    # Every query and facet combination is a page of its own: search engines
    # should follow the links to the datasets, not index the result lists.
    response.headers["X-Robots-Tag"] = "noindex, follow"
    return response


@bp.get(links.PATH)
def find() -> Any:
    """Search results as an HTML page; a bad parameter gives the page with
    the reason in Chinese (400), never an error page without a way on."""
    store: LabelStore = current_app.extensions["portal_labels"]
    labels = store.get()
    args, ignored = _known_args(request.args, labels)
    try:
        query = parse_search_args(args, labels)
    except ApiError as exc:
        return render_template("search_results.html", q=args.get("q", "")[:200],
                               error=exc.message, body=None, ignored=ignored), 400
    if not query.q and not query.filters:
        return render_template("search_results.html", q="", error=None, body=None,
                               ignored=ignored)
    result = current_app.extensions["portal_engine"].search(query)
    pages = page_count(result.total, query.per_page)
    if query.page > pages:
        return render_template(
            "search_results.html", q=query.q, body=None,
            error=beyond_last_page(query.page, result.total, pages),
            first_page=links.page_link(query, 1), ignored=ignored), 400
    body = result_body(query, result, labels)
    return render_template(
        "search_results.html", q=query.q, error=None, body=body, hits=_hits(body),
        facets=_facets(query, body["facets"]), pager=_pager(query, pages), ignored=ignored,
        clear_filters=links.href(links.query_pairs(query, filters={})) if query.filters else "")
