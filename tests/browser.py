"""Real headless Chromium (Debian's `chromium` package) driven by Playwright,
and a static file server on loopback for a built site."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# One Chromium per test process (a launch takes seconds): started on first
# use, closed at the end of the session (tests/conftest.py).
_SHARED: dict[str, Any] = {}


def _shared_browser() -> Any:
    browser = _SHARED.get("browser")
    if browser is None or not browser.is_connected():
        if "playwright" not in _SHARED:
            from playwright.sync_api import sync_playwright

            _SHARED["playwright"] = sync_playwright().start()
        browser = _SHARED["playwright"].chromium.launch(executable_path=CHROMIUM,
                                                        args=CHROMIUM_ARGS)
        _SHARED["browser"] = browser
    return browser


def close_shared_browser() -> None:
    """Close the process's Chromium and Playwright, if started."""
    browser, playwright = _SHARED.pop("browser", None), _SHARED.pop("playwright", None)
    if browser is not None and browser.is_connected():
        browser.close()
    if playwright is not None:
        playwright.stop()


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright browser on Debian's Chromium; fails (not skips) when it
    is missing, because `make test` installs it. The browser is shared by
    the tests of the process; the pages (contexts) opened inside the block
    are closed when it ends, so each user of it starts clean."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("PORTAL_SKIP_BROWSER") == "1":
            pytest.skip("PORTAL_SKIP_BROWSER=1 and no chromium")
        pytest.fail(f"{CHROMIUM} not found: run `make browser` (apt-get install chromium fonts-noto-cjk)")
    browser = _shared_browser()
    before = set(browser.contexts)
    try:
        yield browser
    finally:
        if browser.is_connected():
            for context in browser.contexts:
                if context not in before:
                    context.close()


# Counts the page's fetch() and XMLHttpRequest calls in flight, and the
# reading of their answers: a call ends one task after it settles, so the
# page's own handlers of the answer have run by then (see settle()).
_PENDING_SCRIPT = """(() => {
  if (window.__ptPending !== undefined) return;
  let pending = 0;
  const later = () => { setTimeout(() => { pending -= 1; }, 0); };
  const track = promise => { pending += 1; promise.then(later, later); return promise; };
  window.__ptPending = () => pending;
  const fetch = window.fetch;
  window.fetch = function (...args) { return track(fetch.apply(this, args)); };
  for (const name of ['json', 'text', 'blob', 'arrayBuffer', 'formData']) {
    const read = Response.prototype[name];
    Response.prototype[name] = function (...args) { return track(read.apply(this, args)); };
  }
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    send.apply(this, args);  // throws (nothing in flight) when the request is not opened
    pending += 1;
    this.addEventListener('loadend', later, {once: true});
  };
})();"""
_SETTLED = """async (limit) => {
  const end = Date.now() + limit;
  const done = () => document.readyState === 'complete' && window.__ptPending() === 0;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  return true;
}"""


def watch_requests(context: Any) -> None:
    """Make every page of ``context`` count its requests in flight, for
    :func:`settle` (an init script: it runs before the page's own scripts,
    and the pages' Content-Security-Policy does not apply to it)."""
    context.add_init_script(script=_PENDING_SCRIPT)


def settle(page: Any, seconds: float = 15) -> None:
    """Wait until the page has loaded and none of the fetch() or
    XMLHttpRequest calls its scripts made is in flight or being handled (the
    search results, a dataset's live parts): what Playwright's "networkidle"
    waits for, without its fixed half second of quiet after the last request.
    The page's context must have gone through :func:`watch_requests`; fails
    when the page is still busy after ``seconds``."""
    page.wait_for_load_state("load")
    # One evaluate that waits inside the page (wait_for_function would use
    # eval, which the pages' CSP forbids).
    assert page.evaluate("() => typeof window.__ptPending === 'function'"), \
        "the page's context does not count its requests (watch_requests)"
    assert page.evaluate(_SETTLED, seconds * 1000), f"{page.url}: still loading after {seconds} s"


AXE_SCRIPT = Path(__file__).parent / "data" / "axe" / "axe.min.js"


def inject_axe(context: Any) -> None:
    """Load axe-core into every page of ``context`` as it opens (an init
    script, sent to the browser once, rather than a script tag of half a
    megabyte sent with each page)."""
    context.add_init_script(path=str(AXE_SCRIPT))
# Every rule axe-core runs by default (WCAG 2.0/2.1/2.2 A and AA plus its
# best practices such as landmark-unique and region); none is disabled.
_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, help: v.help, impact: v.impact,
      targets: v.nodes.map(n => n.target.join(' ')),
      summary: v.nodes.length ? v.nodes[0].failureSummary : ''}));
}"""


def axe_violations(page: Any, where: str) -> list[str]:
    """Run axe-core (tests/data/axe, vendored) on the page as it is now and
    return one line per violation: where, rule id, impact, help and the
    elements concerned. axe is there already when the context went through
    :func:`inject_axe`; otherwise it is added as a script tag, and then the
    context must be opened with ``bypass_csp=True``: the portal's
    Content-Security-Policy forbids the injected script, as it should."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    found = page.evaluate(_RUN_AXE)
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']}\n    on {v['targets'][:6]}"
            f"\n    {v['summary'].replace(chr(10), ' ')[:300]}" for v in found]
