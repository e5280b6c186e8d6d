"""Commands say what went wrong: `portal send-mail` exits 1 naming the mail
server when it cannot be reached and shows the retry schedule with
--status; an unreachable database or a failed restore is one plain line
(not a traceback) and exit 1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from search_api.store import OutboxMessage, Store


def _portal(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run([sys.executable, "-m", "portal", *args], cwd=cwd, capture_output=True,
                          text=True, env=dict(base, **env), timeout=120)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
