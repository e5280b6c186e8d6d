"""Which access-log lines count as downloads (000 §50): successful GETs of
a published file, by day in China; pages, robots, partial and conditional
answers do not count."""

from __future__ import annotations

from datetime import date

import pytest

from search_api.store.download_log import Download, parse_line

UA = '"-" "Mozilla/5.0 (Windows NT 10.0) Chrome/120"'


def line(target: str, status: int = 200, *, method: str = "GET", agent: str = UA,
         when: str = "23/Nov/2026:10:15:32 +0800") -> str:
    return f'203.0.113.9 - - [{when}] "{method} {target} HTTP/1.1" {status} 5120 {agent}\n'


@pytest.mark.parametrize(("text", "expected"), [
    (line("/datasets/jtj-0001/bus-stops.csv"), ("jtj-0001", "bus-stops.csv")),
    (line("/datasets/jtj-0001/bus-stops.excel.csv"), ("jtj-0001", "bus-stops.excel.csv")),
    (line("/datasets/jtj-0001/datapackage.json?x=1"), ("jtj-0001", "datapackage.json")),
    (line("/datasets/jtj-0001/%E7%AB%99%E7%82%B9.json"), ("jtj-0001", "站点.json")),
    # common log format (no referrer or agent) counts too
    ('198.51.100.1 - - [23/Nov/2026:10:00:00 +0800] "GET /datasets/a-1/x.csv HTTP/1.0" 200 1',
     ("a-1", "x.csv")),
])
def test_downloads_counted(text: str, expected: tuple[str, str]) -> None:
    assert parse_line(text) == Download(date(2026, 11, 23), *expected)


@pytest.mark.parametrize("text", [
    line("/datasets/jtj-0001/"),  # the page
    line("/datasets/jtj-0001/index.html"),
    line("/datasets/jtj-0001/bus-stops.csv", 304),  # revalidated: no bytes sent
    line("/datasets/jtj-0001/bus-stops.csv", 206),  # a range: part of a download
    line("/datasets/jtj-0001/bus-stops.csv", 404),
    line("/datasets/jtj-0001/bus-stops.csv", method="HEAD"),
    line("/datasets/jtj-0001/bus-stops.csv", agent='"-" "Googlebot/2.1"'),
    line("/datasets/jtj-0001/bus-stops.csv", agent='"-" "Baiduspider"'),
    line("/catalog.json"),
    line("/datasets/JTJ_0001/a.csv"),  # not an identifier
    line("/datasets/jtj-0001/sub/a.csv"),  # no such place for a file
    line("/datasets/jtj-0001/.hidden"),
    line("/datasets/jtj-0001/../../etc/passwd"),
    "garbage line\n", "",
    line("/datasets/jtj-0001/a.csv", when="99/Nov/2026:10:15:32 +0800"),
])
def test_not_downloads(text: str) -> None:
    assert parse_line(text) is None


def test_day_is_the_day_in_china() -> None:
    # 16:30 UTC on the 22nd is 00:30 on the 23rd in Beijing.
    hit = parse_line(line("/datasets/a-1/x.csv", when="22/Nov/2026:16:30:00 +0000"))
    assert hit is not None and hit.day == date(2026, 11, 23)


def test_site_under_a_prefix() -> None:
    text = line("/opendata/datasets/a-1/x.csv")
    assert parse_line(text) is None
    assert parse_line(text, prefix="/opendata/") == Download(date(2026, 11, 23), "a-1", "x.csv")
