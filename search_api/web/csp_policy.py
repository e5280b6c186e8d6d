"""The Content-Security-Policy of the static pages, served by the shipped
nginx configuration (``portal deploy nginx-headers`` writes it) and by
``portal serve``. The builder moves every inline script into a file
(builder/csp.py), so no 'unsafe-inline' is needed. When the search API lives on
another host (``search_api_url`` in portal.yaml, which the built pages call),
:func:`static_policy` adds that origin to ``connect-src``; the service and
nginx both derive it from that one setting.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit


def api_origin(api_url: str) -> str:
    """The origin (``scheme://host[:port]``) of the search API's address;
    empty when the address is empty (the API answers on the site's host).

    Raises:
        ValueError: the address is not an absolute http(s) address.
    """
    if not api_url.strip():
        return ""
    parts = urlsplit(api_url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc \
            or not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", parts.netloc):
        raise ValueError(f"search_api_url {api_url!r} is not an http(s) address")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def connect_sources(api_url: str = "") -> str:
    """The ``connect-src`` sources: the page's own origin and the API's."""
    origin = api_origin(api_url)
    return "'self'" + (f" {origin}" if origin else "")


def page_policy(connect: str, *, nonce: str = "", frame_ancestors: str = "'self'") -> str:
    """The policy of an HTML page: everything from the page's own origin,
    ``connect`` the ``connect-src`` sources (:func:`connect_sources`); with
    a ``nonce``, the page's own script and style elements carrying it run too
    (the service's pages); ``frame_ancestors`` who may frame it."""
    own = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return ("default-src 'self'; "
            f"script-src {own}; style-src {own}; "
            f"img-src 'self' data:; font-src 'self' data:; connect-src {connect}; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; "
            f"frame-ancestors {frame_ancestors}")


def static_policy(api_url: str = "") -> str:
    """The policy of the static pages, calling the search API at ``api_url``."""
    return page_policy(connect_sources(api_url))


STATIC_POLICY = static_policy()
