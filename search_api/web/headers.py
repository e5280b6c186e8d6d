"""Security headers on every answer of the service, and the per-request CSP
nonce that templates use for what must stay inline.

- ``Content-Security-Policy`` without ``'unsafe-inline'``: scripts and styles
  come from the service's own origin, or carry the request's nonce:
  ``<script nonce="{{ csp_nonce() }}">``, ``<style nonce="{{ csp_nonce() }}">``.
  Style *attributes* (``style="..."``) cannot carry a nonce and are blocked:
  use a class of ``static/service.css``. The static site's pages, when this
  service serves them (``portal serve``), get the static site's policy
  (:func:`search_api.web.csp_policy.static_policy`, the same as the shipped nginx
  configuration); JSON answers get a policy that allows nothing. When the
  search API lives on another host (``search_api_url`` in portal.yaml),
  its origin is added to ``connect-src`` of both.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``,
  ``Permissions-Policy`` (no camera, microphone, location, payment...).
- Framing: service pages ``frame-ancestors 'none'`` and ``X-Frame-Options:
  DENY``; static pages may be framed by the portal itself only (SAMEORIGIN).
- Session cookie: HttpOnly, SameSite=Lax, and Secure when
  ``PUBLIC_SITE_URL`` is https.
- ``Strict-Transport-Security`` on answers over https only (browsers ignore
  it over plain http, RFC 6797 §7.2): the request's own scheme, or behind
  nginx the ``X-Forwarded-Proto`` of a trusted proxy (``TRUSTED_PROXIES``,
  :func:`search_api.web.security.install`); a client's own header is not trusted.

The mechanism is :func:`install` (one call in the app factory); a view may set
its own header first and it is kept.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, Response, g, request

from domain.catalogue.catalog import load_portal_info
from search_api.web.csp_policy import connect_sources, page_policy, static_policy

PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "interest-cohort=()")
HSTS = "max-age=31536000; includeSubDomains"
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def csp_nonce() -> str:
    """This request's nonce (base64url, 128 bits), made on first use."""
    nonce = g.get("_csp_nonce")
    if nonce is None:
        nonce = secrets.token_urlsafe(16)
        g._csp_nonce = nonce
    return str(nonce)


def service_policy(nonce: str, connect: str = "'self'") -> str:
    """The policy of the service's own HTML pages (never framed); ``connect``
    lists the ``connect-src`` sources (:func:`search_api.web.csp_policy.connect_sources`)."""
    return page_policy(connect, nonce=nonce, frame_ancestors="'none'")


def _is_service_page() -> bool:
    """A page rendered by this service (not a file of the static site)."""
    endpoint = request.endpoint or ""
    return endpoint != "_site" and not request.path.startswith("/api/")


# Pages about one person's case: never indexed (robots.txt disallows them too).
PRIVATE_PREFIXES = ("/review", "/consult", "/requests")


def install(app: Flask) -> None:
    """Expose ``csp_nonce()`` to templates and add the headers to every answer."""
    # Cookie flags (HttpOnly, SameSite=Lax, Secure under https) are set where
    # the session cookie is made: search_api.web.sessions.install.

    # An API on another host (search_api_url in portal.yaml, the address the
    # built pages call) is allowed in connect-src, as nginx's snippet does
    # (`portal deploy nginx-headers`); an invalid portal.yaml stops start-up
    # elsewhere (search_api.deployment), so problems are not repeated here.
    portal_yaml = Path(str(app.config.get("CATALOG_DIR") or "datasets")) / "portal.yaml"
    api_url = load_portal_info(portal_yaml.parent, []).search_api_url or ""
    try:
        connect, static = connect_sources(api_url), static_policy(api_url)
    except ValueError as exc:
        raise RuntimeError(f"{portal_yaml}: {exc}") from exc

    @app.context_processor
    def _nonce_global() -> dict[str, object]:
        return {"csp_nonce": csp_nonce}

    @app.after_request
    def _security_headers(response: Response) -> Response:
        # Each header unless the answer set it already, in this order.
        # Werkzeug's setdefault scans the headers three times per call:
        # the names present are read once instead (every answer, issue #17).
        added = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
                 ("Permissions-Policy", PERMISSIONS_POLICY)]
        if request.is_secure:
            added.append(("Strict-Transport-Security", HSTS))
        path = request.path
        if path.startswith(PRIVATE_PREFIXES):
            added.append(("X-Robots-Tag", "noindex, nofollow"))
        if path.startswith("/api/"):
            added += [("Content-Security-Policy", API_POLICY), ("X-Frame-Options", "DENY")]
        elif _is_service_page():
            added += [("Content-Security-Policy", service_policy(csp_nonce(), connect)),
                      ("X-Frame-Options", "DENY")]
        else:
            added += [("Content-Security-Policy", static), ("X-Frame-Options", "SAMEORIGIN")]
        headers = response.headers
        present = {key.lower() for key in headers.keys()}
        for key, value in added:
            if key.lower() not in present:
                headers.add(key, value)
        return response
