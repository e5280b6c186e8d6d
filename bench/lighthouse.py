"""Lighthouse (mobile) on the built sample portal: accessibility, SEO,
best-practices and performance of the public pages and the request form.

    make bench-lighthouse            # or: python -m bench.lighthouse [--page NAME ...]

Installs Lighthouse 12.2.3 with npm into bench/.node (git-ignored; 13 needs
Node 22), builds and indexes the sample catalogue into bench/out/lighthouse,
serves it with `portal serve` (site and service in one process, as
`make run`) and runs Lighthouse with Debian's Chromium (CHROME_PATH,
default /usr/bin/chromium). Prints the four scores per page, the audits that
cost accessibility or SEO points, and the load average. Targets (issue
#15): accessibility >= 95 and SEO 100 on every page; exit status 1 when a
target is missed. Not part of `make test`: it needs npm and the network.

Performance is measured on the development server (no compression, no
caching headers) on a shared machine: compare it between runs on the same
machine, never with production.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NODE_DIR = REPO / "bench" / ".node"
LIGHTHOUSE = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_VERSION = "12.2.3"
WORK = REPO / "bench" / "out" / "lighthouse"
CATEGORIES = ("accessibility", "seo", "best-practices", "performance")
TARGETS = {"accessibility": 95, "seo": 100}
PAGES = {
    "home": "/",
    "catalogue": "/catalog/",
    "dataset": "/datasets/jtj-0001/",
    "department": "/departments/jtj/",
    "search": "/search/?q=%E5%85%AC%E4%BA%A4",
    "statistics": "/statistics/",
    "announcements": "/announcements/",
    "request-form": "/apply/rsj-0003",
}


def install_lighthouse() -> None:
    """npm install the pinned Lighthouse into bench/.node once."""
    if LIGHTHOUSE.exists():
        return
    if not shutil.which("npm"):
        sys.exit("npm not found: install Node.js 18-20 and npm (apt-get install npm)")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund",
                    "-E", f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)


def build_sample() -> Path:
    """Build and index datasets/ into WORK (exit 2, some withheld, is fine)."""
    WORK.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "portal", "build", str(REPO / "datasets"),
                           "--out", "site", "--index"], cwd=WORK, env=_env())
    if done.returncode not in (0, 2):
        sys.exit(f"portal build failed ({done.returncode})")
    return WORK / "site"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env["PORTAL_CATALOG_DIR"] = str(REPO / "datasets")
    env.setdefault("PORTAL_SECRET_KEY", "bench-only-not-secret")
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(site: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start `portal serve` on a free port; returns the process and base URL."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "portal", "serve", "--port", str(port),
                                "--site", str(site)], cwd=WORK, env=_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as answer:
                if answer.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.5)
    process.kill()
    sys.exit("portal serve did not answer within 60 s")


def run_lighthouse(url: str, report: Path) -> dict[str, object]:
    """One mobile Lighthouse run; returns the parsed JSON report."""
    env = dict(os.environ)
    env.setdefault("CHROME_PATH", "/usr/bin/chromium")
    subprocess.run([str(LIGHTHOUSE), url, "--quiet", "--output=json",
                    f"--output-path={report}", "--only-categories=" + ",".join(CATEGORIES),
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                   check=True, env=env)
    return dict(json.loads(report.read_text(encoding="utf-8")))


def lost_points(result: dict[str, object], category: str) -> list[str]:
    """Audits of ``category`` that failed (score below 1), with their titles."""
    categories = result["categories"]
    audits = result["audits"]
    assert isinstance(categories, dict) and isinstance(audits, dict)
    out = []
    for ref in categories[category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref.get("weight", 0) and audit.get("score") is not None and audit["score"] < 1:
            out.append(f"{ref['id']} ({audit['title']})")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", action="append", choices=sorted(PAGES),
                        help="only this page (repeatable; default: all)")
    args = parser.parse_args(argv)
    install_lighthouse()
    site = build_sample()
    process, base = serve(site)
    missed = []
    try:
        print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}")
        print(f"{'page':<14}" + "".join(f"{c:>16}" for c in CATEGORIES))
        for name in args.page or list(PAGES):
            result = run_lighthouse(base + PAGES[name], WORK / f"{name}.json")
            cats = result["categories"]
            assert isinstance(cats, dict)
            scores = {c: round(100 * (cats[c]["score"] or 0)) for c in CATEGORIES}
            print(f"{name:<14}" + "".join(f"{scores[c]:>16}" for c in CATEGORIES), flush=True)
            for category, target in TARGETS.items():
                for audit in lost_points(result, category):
                    print(f"{'':<14}{category}: {audit}")
                if scores[category] < target:
                    missed.append(f"{name} {category} {scores[category]} < {target}")
        print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"reports: {WORK}/*.json")
    if missed:
        print("targets missed: " + "; ".join(missed))
        return 1
    print("targets met: accessibility >= 95, SEO 100 on every page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
