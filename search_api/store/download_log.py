"""Which requests are downloads of a published file, from a web-server
access log line or from a request the service answered itself.

Counting is for the yearly statistics (000 §50, 004 §43): per day, dataset
and file, nothing else. The address, the user agent and the time of day are
read only to decide whether a line counts and are never stored.

A download is a successful (200) GET of a file inside a dataset's folder of
the site, ``/datasets/<id>/<file>``, other than its page ``index.html``:
the CSV, Excel-safe CSV and JSON forms, ``datapackage.json`` and any other
published file. Partial answers (206), revalidations (304), HEAD requests and
clients that call themselves robots are not downloads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from domain.catalogue.descriptor import IDENTIFIER_RE

CHINA = ZoneInfo("Asia/Shanghai")

# nginx/Apache "combined" (and "common") format:
# 203.0.113.9 - - [23/Nov/2026:10:15:32 +0800] "GET /datasets/x/a.csv HTTP/1.1" 200 512 "-" "UA"
_LINE = re.compile(
    r'^\S+ \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<target>\S+)(?: [^"]*)?" '
    r'(?P<status>\d{3}) \S+(?: "[^"]*" "(?P<agent>[^"]*)")?')
_ROBOT = re.compile(r"bot|spider|crawl|slurp|monitor|uptime|pingdom|headless", re.IGNORECASE)
_FILE = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


@dataclass(frozen=True)
class Download:
    day: date  # in China
    dataset_id: str
    file: str


def download_of(path: str, *, method: str = "GET", status: int = 200,
                agent: str = "", prefix: str = "/") -> tuple[str, str] | None:
    """``(dataset id, file name)`` when a request counts as a download, else None.

    ``prefix`` is where the site is mounted (``/`` or e.g. ``/opendata/``).
    """
    if method != "GET" or status != 200 or _ROBOT.search(agent):
        return None
    path = unquote(urlsplit(path).path)
    if not path.startswith(prefix):
        return None
    parts = path[len(prefix):].split("/")
    if len(parts) != 3 or parts[0] != "datasets":
        return None
    dataset_id, file = parts[1], parts[2]
    if not IDENTIFIER_RE.match(dataset_id) or not _FILE.match(file) \
            or file == "index.html" or "." not in file or file.startswith("."):
        return None
    return dataset_id, file


def parse_line(line: str, *, prefix: str = "/") -> Download | None:
    """The download a combined-format access log line records, or None
    (not a download, or not a line of that format)."""
    match = _LINE.match(line)
    if match is None:
        return None
    try:
        when = datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z")
    except ValueError:
        return None
    found = download_of(match["target"], method=match["method"], status=int(match["status"]),
                        agent=match["agent"] or "", prefix=prefix)
    if found is None:
        return None
    return Download(when.astimezone(CHINA).date(), found[0], found[1])
