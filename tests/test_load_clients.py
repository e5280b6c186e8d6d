"""bench.load's ``--clients``: the request runs come from that many client
addresses, each sent as nginx would pass it on (X-Forwarded-For)."""

from __future__ import annotations

import ipaddress
import shutil
from collections.abc import Iterator

import pytest

from bench.load import _REQUESTS, lua_strings, pacing, run_wrk
from tests.http_recorder import Seen, recording_server

pytestmark = pytest.mark.skipif(not shutil.which("wrk"), reason="needs Debian's wrk")


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[Seen]]]:
    with recording_server(201, b'{"number": "A-1", "access_code": "c"}') as served:
        yield served


def _drive(base: str, clients: int) -> None:
    script = _REQUESTS % {"bodies": lua_strings(['{"a": 1}']), "clients": clients} + pacing(2, 0)
    run = run_wrk("requests", base, script, 1, 2, 0)
    assert run.posts > 10 and run.gets > 10


def test_many_clients_send_their_addresses(recorder: tuple[str, list[Seen]]) -> None:
    base, seen = recorder
    _drive(base, 64)
    sent = [s.forwarded_for for s in seen]
    assert {s.method for s in seen} == {"GET", "POST"}  # filings and status reads
    assert None not in sent  # every request names its client
    addresses = {ipaddress.ip_address(a) for a in sent if a is not None}
    # Drawn at random among 10.0.0.1 … 10.0.0.64 (tens of requests: never one address).
    assert len(addresses) > 1
    assert all(a in ipaddress.ip_network("10.0.0.0/25") and int(a) & 127 in range(1, 65)
               for a in addresses)


def test_one_client_sends_no_address(recorder: tuple[str, list[Seen]]) -> None:
    base, seen = recorder
    _drive(base, 1)
    assert seen and {s.forwarded_for for s in seen} == {None}
