"""The mkdocs-material adapter: the only module that knows the theme.

It writes the navigation pages (home, catalogue, departments…) as Markdown
pages wrapping HTML fragments, runs mkdocs once, and extracts a *shell*: a
built page whose content is a marker, at the depth of the dataset pages.
Dataset pages are then rendered by pouring each fragment into the shell,
which costs a string replacement instead of a full mkdocs page render
(mkdocs renders the whole navigation into every page).

Two backends render the pages from the same ``mkdocs.yml``: ``material``
(mkdocs with mkdocs-material, the default) and ``zensical`` (Zensical, the
successor of mkdocs-material by its makers; mkdocs-material's end of life
is 5 May 2027). ``portal build --theme-backend zensical`` chooses it. Both
give the same pages, header, navigation and content (tests/test_theme_backends.py).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import logging
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
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
    """The theme's generator (mkdocs or Zensical) failed; the message carries
    its own explanation."""


# The generators that render the theme's pages; the first is the default.
THEME_BACKENDS = ("material", "zensical")
DEFAULT_BACKEND = THEME_BACKENDS[0]
# Files the theme writes that the portal does not publish: ours lists the
# dataset pages too (sitemap); the search API answers searches (Zensical's
# index of the navigation pages would be a second, partial search).
UNPUBLISHED = frozenset({"sitemap.xml", "sitemap.xml.gz", "search.json"})


@dataclass(frozen=True)
class NavPage:
    """A page that goes through mkdocs. ``path`` is its folder ("" = home).

    With ``link`` set it is no page but a navigation entry leading to that
    address (a page of the request service)."""

    path: str
    title: str
    body_html: str
    in_nav: bool = True
    description: str = ""
    link: str = ""
    # Extra <head> elements of this page (e.g. a feed's autodiscovery link).
    head_html: str = ""


# The service's pages share the site's header, navigation and footer: the
# build writes the theme's page layout here (a JSON object, see
# ``service_chrome``); the service reads it from its SITE_DIR. Neither
# imports the other: the file is the contract.
CHROME_PATH = "assets/service-chrome.json"
CHROME_ROOT = "PORTALSITEROOT/"


@dataclass(frozen=True)
class Shell:
    """A built page of the theme with markers for the dataset page parts."""

    text: str

    def fill(self, *, title: str, description: str, content_html: str, canonical: str,
             head_html: str = "") -> str:
        """The shell with this page's parts; ``head_html`` (trusted markup,
        e.g. a feed's autodiscovery link) goes at the end of <head>."""
        page = self.text.replace(f"<p>{_CONTENT_MARK}</p>", content_html, 1)
        if head_html:
            page = with_head(page, head_html)
        page = page.replace(SHELL_PATH + "/", canonical)
        page = page.replace(_TITLE_MARK, html.escape(title, quote=True))
        return page.replace(_DESC_MARK, html.escape(description, quote=True))


def with_head(page_html: str, head_html: str) -> str:
    """``page_html`` with ``head_html`` added just before ``</head>``."""
    return page_html.replace("</head>", f"{head_html}\n</head>", 1)


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


def pages_digest(pages: Sequence[NavPage]) -> str:
    """A digest of the pages' text (what :func:`build_theme_pages` keys its
    output by when the caller gives no key of its own)."""
    sha = hashlib.sha256()
    for page in pages:
        for text in (page.path, page.title, page.body_html, str(page.in_nav), page.description,
                     page.link, page.head_html):
            sha.update(text.encode())
            sha.update(b"\0")
    return sha.hexdigest()


def _pages_key(pages: str, config_file: Path, site_name: str,
               site_url: str, footer: str, extra_files: Mapping[str, str],
               backend: str) -> str:
    sha = hashlib.sha256()
    for part in (config_file.read_bytes(), site_name.encode(), site_url.encode(), backend.encode(),
                 footer.encode(), json.dumps(sorted(extra_files.items())).encode(),
                 Path(__file__).with_name("csp.py").read_bytes()):
        sha.update(part)
    for asset in sorted(STATIC.iterdir()):
        sha.update(asset.read_bytes())
    sha.update(pages.encode())
    return sha.hexdigest()


def build_theme_pages(pages: Sequence[NavPage] | Callable[[], Sequence[NavPage]], *,
                      config_file: Path, staging: Path,
                      site_name: str, site_url: str, strict: bool = True,
                      footer: str = "", extra_files: Mapping[str, str] | None = None,
                      backend: str = DEFAULT_BACKEND, pages_key: str | None = None) -> Shell:
    """Build ``pages`` with the theme into ``staging/site`` and return the shell.

    When the pages, the theme configuration, the backend and the assets are
    those of the previous run, its output is reused (the generator is not
    run). ``footer`` is the text of every page's footer (plain text; escaped
    here); ``extra_files`` ({site path: text}) are published as they are;
    ``backend`` is one of ``THEME_BACKENDS``. ``pages`` may be a function
    that renders them, with ``pages_key`` a key of everything they are made
    of: they are not rendered again while that key is the last one's.

    Raises:
        ThemeError: the generator reported an error (or a warning, when
            strict), or ``backend`` is unknown.
    """
    if backend not in THEME_BACKENDS:
        raise ThemeError(f"unknown theme backend {backend!r}; expected one of "
                         f"{', '.join(THEME_BACKENDS)}")
    extra_files = extra_files or {}
    render = functools.cache(pages if callable(pages) else lambda: pages)  # at most once
    known = staging / "pages-key"  # "<pages_key> <digest of the pages it gave>"
    digest = None
    if pages_key is not None and known.is_file():
        said = known.read_text(encoding="utf-8").split()
        digest = said[1] if len(said) == 2 and said[0] == pages_key else None
    if digest is None:
        digest = pages_digest(render())
        if pages_key is not None:
            staging.mkdir(parents=True, exist_ok=True)
            known.write_text(f"{pages_key} {digest}", encoding="utf-8")
    key = _pages_key(digest, config_file, site_name, site_url, footer, extra_files, backend)
    key_file, shell_file = staging / "key", staging / "shell.html"
    if key_file.is_file() and shell_file.is_file() and (staging / "site").is_dir() \
            and key_file.read_text(encoding="utf-8") == key:
        return Shell(shell_file.read_text(encoding="utf-8"))
    if key_file.exists():
        key_file.unlink()  # a failed run below must not leave a valid-looking key
    docs, site = staging / "docs", staging / "site"
    nav = _write_docs(render(), docs, extra_files)
    if site.exists():
        shutil.rmtree(site)  # nothing of another backend's run may stay
    if backend == "zensical":
        _run_zensical(config_file, staging, site_name=site_name, site_url=site_url,
                      footer=footer, nav=nav, strict=strict)
    else:
        _run_mkdocs(config_file, docs, site, site_name=site_name, site_url=site_url,
                    footer=footer, nav=nav, strict=strict)
    externalize_scripts(site)  # no inline scripts: CSP without 'unsafe-inline'
    for page in render():
        built = site / page.path / "index.html"
        if page.head_html and not page.link and built.is_file():
            built.write_text(with_head(built.read_text(encoding="utf-8"), page.head_html),
                             encoding="utf-8")
    shell_html = site / SHELL_PATH / "index.html"
    text = shell_html.read_text(encoding="utf-8")
    shutil.rmtree(site / SHELL_PATH)
    if f"<p>{_CONTENT_MARK}</p>" not in text:
        raise ThemeError("the theme's page layout has no content marker; "
                         "builder/theme.py must be adapted to this theme version")
    shell_file.write_text(text, encoding="utf-8")
    chrome = site / CHROME_PATH
    chrome.write_text(json.dumps(service_chrome(text, site_name), ensure_ascii=False),
                      encoding="utf-8")
    key_file.write_text(key, encoding="utf-8")
    return Shell(text)


def _write_docs(pages: Sequence[NavPage], docs: Path,
                extra_files: Mapping[str, str]) -> list[dict[str, str]]:
    """Write the Markdown sources of ``pages``, the assets, ``extra_files``
    and the shell page into ``docs`` (emptied first); return the navigation."""
    if docs.exists():
        shutil.rmtree(docs)
    (docs / "assets").mkdir(parents=True)
    for asset in STATIC.iterdir():
        shutil.copyfile(asset, docs / "assets" / asset.name)
    nav = []
    for page in pages:
        if page.link:
            nav.append({page.title: page.link})
            continue
        target = docs / page.path / "index.md" if page.path else docs / "index.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_markdown(page), encoding="utf-8")
        if page.in_nav:
            nav.append({page.title: f"{page.path}/index.md" if page.path else "index.md"})
    for rel, text in extra_files.items():
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    shell = docs / SHELL_PATH / "index.md"
    shell.parent.mkdir(parents=True, exist_ok=True)
    shell.write_text(f"---\ntitle: {_TITLE_MARK}\ndescription: {_DESC_MARK}\n"
                     "hide: [navigation, toc]\n---\n\n"
                     f"{_CONTENT_MARK}\n", encoding="utf-8")
    return nav


def _run_mkdocs(config_file: Path, docs: Path, site: Path, *, site_name: str, site_url: str,
                footer: str, nav: list[dict[str, str]], strict: bool) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    try:
        # The theme prints site_name unescaped in most places and with "| e"
        # in some: escaped text marked safe is right in both.
        config = load_config(config_file=str(config_file), docs_dir=str(docs),
                             site_dir=str(site), site_name=Markup(html.escape(site_name)),
                             site_url=site_url, copyright=html.escape(footer),
                             nav=nav, strict=strict)
        mkdocs_build(config)
    except (MkDocsException, SystemExit) as exc:  # mkdocs' Abort derives from SystemExit
        raise ThemeError(f"mkdocs build failed: {exc}") from exc


def _run_zensical(config_file: Path, staging: Path, *, site_name: str, site_url: str,
                  footer: str, nav: list[dict[str, str]], strict: bool) -> None:
    """Build ``staging/docs`` into ``staging/site`` with Zensical.

    Zensical takes no settings besides a configuration file, and resolves
    its folders against that file's folder (absolute folders make 0.0.x
    panic): the theme's ``mkdocs.yml`` is copied into ``staging`` with the
    build's settings in place of the placeholders."""
    import zensical

    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    # Zensical 0.0.x prints the site name and the copyright unescaped (its
    # templates do not autoescape): escape both. Where a template adds
    # "| e" (the logo's tooltip) a name with &, < or > shows escaped twice.
    config.update(docs_dir="docs", site_dir="site", site_name=html.escape(site_name),
                  site_url=site_url,
                  copyright=html.escape(footer), nav=nav, strict=strict)
    # The classic variant is mkdocs-material's look (the default "modern"
    # one changes fonts and icons); its search box would need Zensical's
    # search index: the search API answers searches instead.
    config["theme"] = {**config.get("theme", {}), "variant": "classic"}
    config["plugins"] = {"search": {"enabled": False}}
    derived = staging / "zensical.yml"
    derived.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    try:
        zensical.build(str(derived.resolve()), {"clean": True, "strict": strict})
    except BaseException as exc:  # a Rust panic arrives as a BaseException
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ThemeError(f"Zensical build failed: {exc}") from exc
    if not (staging / "site" / SHELL_PATH / "index.html").is_file():
        raise ThemeError("Zensical build failed: it wrote no pages (see its output above)")


def service_chrome(shell_text: str, site_name: str) -> dict[str, str]:
    """The layout the service pours its pages into: the shell with links made
    relative to a site-root marker (``CHROME_ROOT``, which the service
    replaces by the site's address) and without the page heading (service
    pages bring their own). Keys: ``name`` (the portal's name), ``page``
    (HTML with the title, description and content markers)."""
    depth = SHELL_PATH.count("/") + 1
    up = "../" * depth
    page = shell_text.replace(f"<h1>{_TITLE_MARK}</h1>", "", 1)
    page = re.sub(r'<link rel="canonical"[^>]*>', "", page, count=1)
    # Relative addresses of the shell, from deepest to the site root itself.
    page = page.replace(f'"{up}', f'"{CHROME_ROOT}').replace(f'"{up.rstrip("/")}"',
                                                               f'"{CHROME_ROOT}"')
    page = page.replace(f'new URL("{up.rstrip("/")}",', f'new URL("{CHROME_ROOT}",')
    return {"name": site_name, "page": page, "title_mark": _TITLE_MARK,
            "description_mark": _DESC_MARK, "content_mark": f"<p>{_CONTENT_MARK}</p>",
            "root_mark": CHROME_ROOT}
