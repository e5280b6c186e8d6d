"""The mkdocs-material adapter: the only module that knows the theme.

It writes the navigation pages (home, catalogue, departments…) as Markdown
pages wrapping HTML fragments, runs mkdocs once, and extracts a *shell*: a
built page whose content is a marker, at the depth of the dataset pages.
Dataset pages are then rendered by pouring each fragment into the shell,
which costs a string replacement instead of a full mkdocs page render
(mkdocs renders the whole navigation into every page). A successor theme
(e.g. Zensical, which reads the same mkdocs.yml) replaces this module only.
"""

from __future__ import annotations

import hashlib
import html
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from markupsafe import Markup

from builder.csp import externalize_scripts

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
SHELL_PATH = "datasets/_shell"
_CONTENT_MARK = "PORTALSHELLCONTENT"
_TITLE_MARK = "PORTALSHELLTITLE"
_DESC_MARK = "PORTALSHELLDESCRIPTION"


class ThemeError(RuntimeError):
    """mkdocs failed; the message carries mkdocs' own explanation."""


@dataclass(frozen=True)
class NavPage:
    """A page that goes through mkdocs. ``path`` is its folder ("" = home)."""

    path: str
    title: str
    body_html: str
    in_nav: bool = True
    description: str = ""


@dataclass(frozen=True)
class Shell:
    """A built page of the theme with markers for the dataset page parts."""

    text: str

    def fill(self, *, title: str, description: str, content_html: str, canonical: str) -> str:
        page = self.text.replace(f"<p>{_CONTENT_MARK}</p>", content_html, 1)
        page = page.replace(SHELL_PATH + "/", canonical)
        page = page.replace(_TITLE_MARK, html.escape(title, quote=True))
        return page.replace(_DESC_MARK, html.escape(description, quote=True))


def _markdown(page: NavPage) -> str:
    # The tabs carry the navigation; pages use the full width.
    # mkdocs renders front matter into the page without escaping it (its
    # Jinja environment does not autoescape): escape text from the catalogue.
    front: dict[str, object] = {"title": html.escape(page.title),
                                "hide": ["navigation", "toc"]}
    if page.description:
        front["description"] = html.escape(page.description, quote=True)
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    # The fragment is one raw-HTML block: Markdown leaves it untouched, so
    # text from the catalogue is never read as Markdown (no link tricks).
    return f"---\n{header}---\n\n<div class=\"pt-page\">\n{page.body_html}\n</div>\n"


def _pages_key(pages: Sequence[NavPage], config_file: Path, site_name: str,
               site_url: str) -> str:
    sha = hashlib.sha256()
    for part in (config_file.read_bytes(), site_name.encode(), site_url.encode(),
                 Path(__file__).with_name("csp.py").read_bytes()):
        sha.update(part)
    for asset in sorted(STATIC.iterdir()):
        sha.update(asset.read_bytes())
    for page in pages:
        for text in (page.path, page.title, page.body_html, str(page.in_nav), page.description):
            sha.update(text.encode())
            sha.update(b"\0")
    return sha.hexdigest()


def build_theme_pages(pages: Sequence[NavPage], *, config_file: Path, staging: Path,
                      site_name: str, site_url: str, strict: bool = True) -> Shell:
    """Build ``pages`` with mkdocs into ``staging/site`` and return the shell.

    When the pages, the theme configuration and the assets are those of the
    previous run, its output is reused (mkdocs is not run).

    Raises:
        ThemeError: mkdocs reported an error (or a warning, when strict).
    """
    key = _pages_key(pages, config_file, site_name, site_url)
    key_file, shell_file = staging / "key", staging / "shell.html"
    if key_file.is_file() and shell_file.is_file() and (staging / "site").is_dir() \
            and key_file.read_text(encoding="utf-8") == key:
        return Shell(shell_file.read_text(encoding="utf-8"))
    if key_file.exists():
        key_file.unlink()  # a failed run below must not leave a valid-looking key
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    docs = staging / "docs"
    site = staging / "site"
    if docs.exists():
        shutil.rmtree(docs)
    (docs / "assets").mkdir(parents=True)
    for asset in STATIC.iterdir():
        shutil.copyfile(asset, docs / "assets" / asset.name)
    nav = []
    for page in pages:
        target = docs / page.path / "index.md" if page.path else docs / "index.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_markdown(page), encoding="utf-8")
        if page.in_nav:
            nav.append({page.title: f"{page.path}/index.md" if page.path else "index.md"})
    shell = docs / SHELL_PATH / "index.md"
    shell.parent.mkdir(parents=True, exist_ok=True)
    shell.write_text(f"---\ntitle: {_TITLE_MARK}\ndescription: {_DESC_MARK}\n"
                     "hide: [navigation, toc]\n---\n\n"
                     f"{_CONTENT_MARK}\n", encoding="utf-8")
    try:
        # The theme prints site_name unescaped in most places and with "| e"
        # in some: escaped text marked safe is right in both.
        config = load_config(config_file=str(config_file), docs_dir=str(docs),
                             site_dir=str(site), site_name=Markup(html.escape(site_name)),
                             site_url=site_url,
                             nav=nav, strict=strict)
        mkdocs_build(config)
    except (MkDocsException, SystemExit) as exc:  # mkdocs' Abort derives from SystemExit
        raise ThemeError(f"mkdocs build failed: {exc}") from exc
    externalize_scripts(site)  # no inline scripts: CSP without 'unsafe-inline'
    shell_html = site / SHELL_PATH / "index.html"
    text = shell_html.read_text(encoding="utf-8")
    shutil.rmtree(site / SHELL_PATH)
    if f"<p>{_CONTENT_MARK}</p>" not in text:
        raise ThemeError("the theme's page layout has no content marker; "
                         "builder/theme.py must be adapted to this theme version")
    shell_file.write_text(text, encoding="utf-8")
    key_file.write_text(key, encoding="utf-8")
    return Shell(text)
