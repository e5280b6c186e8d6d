"""What every CKAN action shares: its error, reading its parameters (query
string, JSON or form body), the envelope of its answer, absolute URLs, and
the package dicts of the search engine's records."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask import current_app, jsonify, request

from domain.catalogue.public_record import CatalogEntry
from search_api.interop.ckan_dicts import package_dict

# The largest rows and start a client may ask for.
MAX_ROWS = 1000
MAX_START = 10_000_000


class CkanError(Exception):
    """A failed action: CKAN's error type (``kind``), its message and the HTTP status."""
    def __init__(self, kind: str, message: str, status: int):
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status


def request_params() -> dict[str, Any]:
    """The action's parameters: the query string, updated by a JSON object or form body.

    Raises:
        CkanError: a JSON body that is not a readable object (400).
    """
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


def help_url(action: str) -> str:
    """The ``help`` URL of an envelope."""
    return f"{request.host_url}api/3/action/help_show?name={action}"


def envelope(action: str, result: Any) -> Any:
    """CKAN's success envelope around ``result``."""
    return jsonify({"help": help_url(action), "success": True, "result": result})


def param_int(params: dict[str, Any], name: str, default: int, upper: int) -> int:
    """A whole-number parameter in 0..``upper``.

    Raises:
        CkanError: not a whole number, or out of range (409, as CKAN).
    """
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError, OverflowError):
        raise CkanError("Validation Error", f"{name}: must be a whole number", 409) from None
    if value < 0 or value > upper:
        raise CkanError("Validation Error", f"{name}: must be between 0 and {upper}", 409)
    return value


def param_flag(params: dict[str, Any], name: str, default: bool = False) -> bool:
    """A boolean parameter (true, 1, yes, on; any case)."""
    raw = params.get(name, default)
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("true", "1", "yes", "on")


def param_text(params: dict[str, Any], name: str) -> str:
    """A text parameter, stripped; empty when absent."""
    raw = params.get(name)
    return "" if raw is None else str(raw).strip()


def absolute_url(path: str) -> str:
    """``path`` on the public site (PUBLIC_SITE_URL, else this host)."""
    base = current_app.config.get("PUBLIC_SITE_URL") or request.host_url
    return base.rstrip("/") + "/" + path.lstrip("/")


def entry_of(record: Mapping[str, Any]) -> CatalogEntry:
    """A search-engine record (an entry of catalog.json) as the typed record
    and its files.

    Raises:
        domain.catalogue.public_record.RecordFormatError: the index holds
            something ``portal index`` never writes.
    """
    return CatalogEntry.from_json(record)


def package_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """The CKAN package dict of a search-engine record."""
    return package_dict(entry_of(record), absolute_url)


def portal_engine() -> Any:
    """The app's search engine."""
    return current_app.extensions["portal_engine"]


def portal_labels() -> Any:
    """The app's facet labels."""
    return current_app.extensions["portal_labels"]


def all_entries() -> Iterator[CatalogEntry]:
    """Every published record with its files, in id order."""
    for record in portal_engine().records():
        yield entry_of(record)


def all_packages() -> Iterator[dict[str, Any]]:
    """The package dict of every published record."""
    for entry in all_entries():
        yield package_dict(entry, absolute_url)


