"""A valid catalogue whose every text field carries script-injection payloads.

Each payload that could run sets ``window.__pwned`` (or calls ``alert``), so
a browser test can tell whether any of them executed. The catalogue passes
``portal check``: hostile text is legitimate data, and the site must show it
as text.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import MINIMAL


def pwn(n: int) -> str:
    return f"window.__pwned={n}"


SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
BREAK_SCRIPT = f"</script><script>{pwn(1)}</script>"
JINJA = "{{ 7*7 }}{% raw %}{{ config }}{% endraw %}"
MARKDOWN = (f"[点我](javascript:{pwn(2)}) <a href=\"javascript:{pwn(3)}\">链接</a> "
            f"![x](javascript:{pwn(4)}) **粗体** <https://example.org>")
SVG = f"\"><svg/onload={pwn(5)}>"
STYLE = "<style>body{display:none}</style>"
JSONLD_BREAK = f"\"}}]}}\u2028</script><script>{pwn(6)}</script>\u2029结束"

TITLE = f"公交站点{BREAK_SCRIPT}{JINJA}{JSONLD_BREAK}"
# Every payload string, to look for as text in the pages.
PAYLOADS = [SCRIPT, IMG, BREAK_SCRIPT, MARKDOWN, SVG, STYLE]


def _dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build_xss_catalog(target: Path) -> Path:
    """Write the hostile catalogue into ``target`` (a copy of the minimal one)."""
    shutil.copytree(MINIMAL, target)
    portal = _load(target / "portal.yaml")
    portal.update({
        "name": f"门户{SCRIPT}",
        "bureau": f"大数据局{IMG}",
        "city": f"测试市{JINJA}{SVG}",
        # A javascript: contact is refused by portal check (issue 11): here
        # the address tries to leave its attribute instead.
        "contact_email": f"\"><svg onload={pwn(7)}>//@test.example",
        "contact_phone": f"0990{SVG}",
        "contact_address": MARKDOWN,
        "licence_name": f"</title><script>{pwn(8)}</script>协议",
        # Web addresses (portal check accepts only http/https) with quotes
        # and angle brackets trying to leave the attribute.
        "base_url": f"https://data.test.example/'onmouseover='{pwn(9)}'/",
        "request_service_url": f"http://127.0.0.1:5000/'onfocus='{pwn(10)}'autofocus='",
        "search_api_url": "",  # the live server's own host answers the search API
    })
    _dump(target / "portal.yaml", portal)

    vocab = _load(target / "vocabularies.yaml")
    for term in vocab["departments"]:
        if term["code"] == "jtj":
            term.update(name=f"交通局\u2028{SCRIPT}\x85", short_name=f"交通{IMG}",
                        contact_email=f"\"><img src=x onerror={pwn(11)}>@jtj.example",
                        contact_phone=SVG)
    for term in vocab["themes"]:
        if term["code"] == "transport":
            term["name"] = f"交通{STYLE}<b onmouseover={pwn(12)}>出行</b>"
    for term in vocab["update_frequencies"]:
        if term["code"] == "monthly":
            term["name"] = f"每月{IMG}"
    _dump(target / "vocabularies.yaml", vocab)

    bus = _load(target / "bus-stops" / "datapackage.yaml")
    bus.update({
        "title": TITLE,
        "description": f"{MARKDOWN} {IMG} {JINJA} ${{7*7}} <!-- {SCRIPT}",
        "keywords": [BREAK_SCRIPT, SVG, "公交"],
        "usage_requirements": STYLE,
        "contact": {"name": f"<iframe src=javascript:{pwn(13)}>",
                    "phone": SCRIPT, "email": f"\" onmouseover=\"{pwn(14)}\"@x.example"},
        "emergency": {"event": f"暴雨{SCRIPT}", "since": "2026-11-01"},
    })
    resource = bus["resources"][0]
    resource.update(title=BREAK_SCRIPT, description=f"{IMG}{MARKDOWN}")
    fields = resource["schema"]["fields"]
    fields[1].update(title=f"名称{SCRIPT}", description=IMG, unit=SVG)
    fields.append({"name": f"<svg onload={pwn(15)}>", "type": "string", "title": "注入列"})
    _dump(target / "bus-stops" / "datapackage.yaml", bus)
    header = ",".join(f"\"{f['name']}\"" for f in fields)
    quoted_markdown = MARKDOWN.replace('"', '""')
    rows = [f"S0001,\"{IMG}\",121.47,31.23,\"{BREAK_SCRIPT}\"",
            f"S0002,\"{quoted_markdown}\",121.45,31.25,\"{JINJA}\"",
            f"S0003,\"<a href=javascript:{pwn(16)}>x</a>\",121.40,31.20,\"{STYLE}\""]
    (target / "bus-stops" / "data" / "bus-stops.csv").write_text(
        header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")

    # A withdrawn dataset: its notice is on the announcements page.
    shutil.copytree(target / "bus-stops", target / "withdrawn")
    withdrawn = _load(target / "withdrawn" / "datapackage.yaml")
    withdrawn.update(name="jtj-0002", title=f"已撤回{SCRIPT}", status="withdrawn",
                     withdrawal={"date": "2026-11-10", "reason": f"撤回原因{BREAK_SCRIPT}{IMG}"})
    del withdrawn["emergency"]
    _dump(target / "withdrawn" / "datapackage.yaml", withdrawn)

    social = _load(target / "social-security" / "datapackage.yaml")
    social.update(title=f"社保{IMG}", open_conditions=f"条件{SCRIPT}{MARKDOWN}",
                  legal_basis=f"《依据》{SVG}")
    _dump(target / "social-security" / "datapackage.yaml", social)
    return target
