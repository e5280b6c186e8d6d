"""Jinja2 rendering of the portal's page fragments.

Templates produce HTML fragments only (no theme markup), so the theme that
wraps them (mkdocs-material today, a successor tomorrow) can be replaced in
``builder.theme`` without touching them. Autoescaping is on: every value
from the catalogue is shown as text, never as markup.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


def _json_script(data: Any) -> str:
    """JSON safe to embed in a <script> element (no '</script>' breakout).

    U+2028, U+2029 and U+0085 are escaped too: ``render`` splits fragments
    into lines with str.splitlines(), which breaks at them, and a line break
    inside a JSON string is invalid JSON."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace(
        "\x85", "\\u0085")


def _filesize(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _thousands(value: int) -> str:
    return f"{value:,}"


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between builds (Jinja's per-user folder in the
    temporary directory; a template is compiled again when its source
    changes): compiling them cost most of a one-dataset rebuild's rendering.
    None when no safe folder can be had (compiling each time is correct too)."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # Jinja refuses a folder it does not own
        return None


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["json_script"] = _json_script
    env.filters["filesize"] = _filesize
    env.filters["thousands"] = _thousands
    return env


def render(template: str, **context: Any) -> str:
    """Render ``template`` to an HTML fragment with no blank lines.

    Blank lines would end a raw-HTML block in Markdown, so they are dropped:
    the fragment survives being placed in a Markdown page unchanged.
    """
    html = environment().get_template(template).render(**context)
    return "\n".join(line for line in html.splitlines() if line.strip())


def templates_digest() -> str:
    """A fingerprint of every template and static asset (cache invalidation)."""
    import hashlib

    sha = hashlib.sha256()
    for folder in (TEMPLATES, Path(__file__).parent / "static"):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                sha.update(path.name.encode())
                sha.update(path.read_bytes())
    return sha.hexdigest()
