"""Static pages that run under a Content-Security-Policy without
'unsafe-inline'.

The theme writes a few small scripts inline (mkdocs-material: the site scope
and storage helpers, the colour palette, the anchor fix). A policy without
'unsafe-inline' would block them, and hashes would have to follow every
theme upgrade in the web server's configuration. Instead,
:func:`externalize_scripts` moves each distinct inline script into a file
under ``assets/`` and loads it with ``<script src>`` at the same place, so
order and blocking behaviour stay the same. ``new URL("<base>", location)``
(the theme's site root, relative to the page) becomes the folder above the
script file itself, which is the site root on every page depth.

``STATIC_POLICY`` is the policy the static pages are served with: by the
shipped nginx configuration (``deploy/nginx/``) and by ``portal serve``.
When the search API lives on another host (``search_api_url`` in
portal.yaml, which the built pages call), :func:`static_policy` adds that
origin to ``connect-src``; the service and ``portal deploy nginx-headers``
both derive it from that one setting.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
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


def static_policy(api_url: str = "") -> str:
    """The policy of the static pages, calling the search API at ``api_url``."""
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src 'self' data:; font-src 'self' data:; connect-src {connect_sources(api_url)}; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'self'")


STATIC_POLICY = static_policy()

_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
_SCOPE = re.compile(r'new URL\("(?P<base>[^"]*)",location\)')
_DATA_TYPES = ("application/json", "application/ld+json")


def _executable(attrs: str) -> bool:
    if "src=" in attrs:
        return False
    match = re.search(r'type="([^"]*)"', attrs)
    return match is None or match.group(1) in ("text/javascript", "module")


def externalize_page(text: str, root: str, scripts: dict[str, str]) -> str:
    """``text`` with every executable inline script replaced by a
    ``<script src>`` under ``{root}assets/``; ``scripts`` collects the file
    names and bodies (one file per distinct body). Data blocks
    (``application/json``, ``application/ld+json``) stay inline: they do not
    run and CSP does not apply to them."""

    def replace(match: re.Match[str]) -> str:
        attrs, body = match.group("attrs"), match.group("body")
        if not _executable(attrs) or not body.strip():
            return match.group(0)
        body = _SCOPE.sub('new URL("..",document.currentScript.src)', body)
        name = f"inline-{hashlib.sha256(body.encode()).hexdigest()[:12]}.js"
        scripts[name] = body
        return f'<script{attrs} src="{root}assets/{name}"></script>'

    return _SCRIPT.sub(replace, text)


def externalize_scripts(site: Path) -> int:
    """Rewrite every HTML page under ``site`` (see :func:`externalize_page`)
    and write the script files into ``site/assets``. Returns how many files."""
    scripts: dict[str, str] = {}
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        scope = _SCOPE.search(text)
        if scope and scope.group("base").startswith("/"):  # 404.html: absolute links
            root = scope.group("base").rstrip("/") + "/"
        else:
            root = "../" * (len(page.relative_to(site).parts) - 1)
        new = externalize_page(text, root, scripts)
        if new != text:
            page.write_text(new, encoding="utf-8")
    (site / "assets").mkdir(parents=True, exist_ok=True)
    for name, body in scripts.items():
        (site / "assets" / name).write_text(body, encoding="utf-8")
    return len(scripts)
