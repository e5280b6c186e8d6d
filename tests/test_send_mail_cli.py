"""Commands say what went wrong: `portal send-mail` exits 1 naming the mail
server when it cannot be reached and shows the retry schedule with
--status; an unreachable database, a failed restore or a search setting
the engine cannot use is one plain line (not a traceback) and exit 1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from search_api.store import OutboxMessage, Store


def _portal(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run([sys.executable, "-m", "portal", *args], cwd=cwd, capture_output=True,
                          text=True, env=dict(base, **env), timeout=120)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.heavy  # among the longest of test-fast: started first (tests/conftest.py)
def test_smtp_down_exits_1_naming_the_server_and_status_shows_the_retry(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    with Store.open(url) as store:
        store.migrate()
        store.add_message(OutboxMessage(kind="test", recipient_role="authority_reviewer",
                                        recipient="review@example.gov.cn", subject="s",
                                        body="正文"), at=datetime.now(UTC))
    port = _closed_port()
    settings = {"PORTAL_DATABASE_URL": url, "PORTAL_SMTP_HOST": "127.0.0.1",
                "PORTAL_SMTP_PORT": str(port), "PORTAL_CATALOG_DIR": str(tmp_path)}
    sent = _portal(["send-mail"], tmp_path, **settings)
    assert sent.returncode == 1, sent.stderr
    assert f"not sent: SMTP server 127.0.0.1:{port}: ConnectionRefusedError" in sent.stderr
    assert "review@example.gov.cn" not in sent.stderr
    status = _portal(["send-mail", "--status"], tmp_path, **settings)
    assert status.returncode == 0, status.stderr
    assert "outbox: 1 pending, 0 sent, 0 failed for good" in status.stdout
    assert "at least 10 minutes later, at most 5 attempts" in status.stdout
    assert "#1 test to authority_reviewer: 1 attempt(s), next try from" in status.stdout
    assert f"127.0.0.1:{port}" in status.stdout
    # A run with nothing failing exits 0 (the message waits out its 10-minute lease).
    again = _portal(["send-mail"], tmp_path, PORTAL_DATABASE_URL=url,
                    PORTAL_MAIL_LOG=str(tmp_path / "mail.log"),
                    PORTAL_CATALOG_DIR=str(tmp_path))
    assert again.returncode == 0, again.stderr


def test_unreachable_database_is_one_line_and_exit_1(tmp_path: Path) -> None:
    port = _closed_port()
    answer = _portal(["send-mail"], tmp_path,
                     PORTAL_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/test")
    assert answer.returncode == 1
    assert "Traceback" not in answer.stderr
    assert f'the database cannot be used: connection to server at "127.0.0.1", port {port}' \
        in answer.stderr


def test_a_failed_restore_is_one_line_and_exit_1(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-backup.bin"
    bogus.write_bytes(b"nothing")
    answer = _portal(["db", "restore", str(bogus), "--yes"], tmp_path,
                     PORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    assert answer.returncode == 1 and "Traceback" not in answer.stderr
    assert "is not an SQLite database" in answer.stderr


def _queue(url: str, count: int) -> None:
    with Store.open(url) as store:
        store.migrate()
        for i in range(count):
            store.add_message(OutboxMessage(kind="test", recipient_role="authority_reviewer",
                                            recipient=f"review{i}@example.gov.cn", subject="s",
                                            body="正文"), at=datetime.now(UTC))


def _stopped_run(tmp_path: Path, host: str, port: int) -> tuple[subprocess.CompletedProcess[str],
                                                                 float]:
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    _queue(url, 25)  # more than one claimed batch (10)
    started = time.monotonic()
    sent = _portal(["send-mail"], tmp_path, PORTAL_DATABASE_URL=url, PORTAL_SMTP_HOST=host,
                   PORTAL_SMTP_PORT=str(port), PORTAL_SMTP_TIMEOUT="2",
                   PORTAL_CATALOG_DIR=str(tmp_path))
    elapsed = time.monotonic() - started
    with Store.open(url) as store:
        tried = [m for m in store.pending_messages(limit=100) if m.attempts]
        assert len(tried) == 1  # one attempt, then the run stopped
        # The untried messages of the claimed batch were released: a run right
        # after this one can take them (only the failed one waits its lease).
        assert len(store.claim_messages("next-run", datetime.now(UTC), limit=100)) == 24
    return sent, elapsed


def test_smtp_refusing_connections_stops_the_run_after_one_attempt(tmp_path: Path) -> None:
    port = _closed_port()
    sent, _ = _stopped_run(tmp_path, "127.0.0.1", port)
    assert sent.returncode == 1
    lines = [line for line in sent.stderr.splitlines() if line.startswith("not sent:")]
    assert lines == [f"not sent: SMTP server 127.0.0.1:{port}: ConnectionRefusedError: "
                     "Connection refused; run stopped after this failure, 24 other message(s) "
                     "wait for the next run"], sent.stderr
    assert "sent 0, failed 1," in sent.stderr


def test_a_server_that_never_answers_costs_one_timeout(tmp_path: Path) -> None:
    """A black hole: the port accepts the TCP connection (the kernel's
    backlog) but nothing ever answers, as with a filtered or hung server. The
    run waits SMTP_TIMEOUT (2 s here) once, not once per message."""
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(64)  # never accepted, never answered
        port = int(hole.getsockname()[1])
        sent, elapsed = _stopped_run(tmp_path, "127.0.0.1", port)
    assert sent.returncode == 1
    assert f"not sent: SMTP server 127.0.0.1:{port}: " in sent.stderr
    assert "timed out (no answer within 2 s, PORTAL_SMTP_TIMEOUT)" in sent.stderr
    assert "24 other message(s) wait for the next run" in sent.stderr
    assert elapsed < 2 * 25  # one timeout, not one per message (the process start is included)


def test_an_unroutable_address_is_given_up_within_the_timeout(tmp_path: Path) -> None:
    """192.0.2.1 (TEST-NET-1, RFC 5737) is never routed: depending on the
    network the connection is refused at once or never answered."""
    sent, elapsed = _stopped_run(tmp_path, "192.0.2.1", 25)
    assert sent.returncode == 1
    assert "not sent: SMTP server 192.0.2.1:25: " in sent.stderr
    assert "24 other message(s) wait for the next run" in sent.stderr
    assert elapsed < 30


def test_a_bad_search_setting_is_one_line_and_exit_1(tmp_path: Path) -> None:
    answer = _portal(["serve", "--port", str(_closed_port())], tmp_path,
                     PORTAL_SECRET_KEY="x", PORTAL_SEARCH_CONCURRENCY="abc",
                     PORTAL_SEARCH_DB=str(tmp_path / "search.sqlite3"))
    assert answer.returncode == 1 and "Traceback" not in answer.stderr
    assert "SEARCH_CONCURRENCY must be a whole number, not 'abc'" in answer.stderr
