"""Backup while the service writes, and restore: SQLite's online backup API,
PostgreSQL's pg_dump / pg_restore."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from search_api.store import BackupError, RequestNotFound, Store
from tests.store.store_helpers import APPLICANT, SYSTEM, submitted
from tests.store.store_helpers import Clock as Tick


def need_pg_tools(backend: str) -> None:
    if backend == "postgresql":
        missing = [t for t in ("pg_dump", "pg_restore") if shutil.which(t) is None]
        if missing:
            reason = (f"{', '.join(missing)} not installed "
                      "(apt-get install postgresql-client)")
            print(reason)
            pytest.skip(reason)


class Writer(threading.Thread):
    """Another connection that keeps writing audit records until stopped."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.written = 0
        self.error: BaseException | None = None
        self.clock = Tick()

    def run(self) -> None:
        try:
            with Store.open(self.url) as store:
                while not self.stop.is_set():
                    store.append_audit(actor=SYSTEM, action="test.write", subject="w",
                                       detail={"n": self.written}, at=self.clock())
                    self.written += 1
        except BaseException as exc:  # reported by the test
            self.error = exc


def test_backup_while_another_connection_writes(store: Store, url: str, backend: str,
                                                tmp_path: Path, clock: Tick) -> None:
    need_pg_tools(backend)
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    writer = Writer(url)
    writer.start()
    try:
        while writer.written < 20 and writer.error is None and writer.is_alive():
            threading.Event().wait(0.01)
        before = writer.written
        store.backup(tmp_path / "backup.bin")
        after = writer.written
        while writer.written < after + 20 and writer.error is None and writer.is_alive():
            threading.Event().wait(0.01)  # and the service went on writing
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None, writer.error
    final = len(store.audit_records(limit=100_000))
    assert not (tmp_path / "backup.bin.partial").exists()

    Store.restore(url, tmp_path / "backup.bin")  # the service is stopped now
    with Store.open(url) as restored:
        restored.migrate()
        assert restored.verify_audit() == []
        count = len(restored.audit_records(limit=100_000))
        assert 1 + before <= count <= 1 + after + 1 < final
        assert restored.load("YH-20260302-0001")[1] == 1
        # The chain goes on from the restored head.
        restored.append_audit(actor=SYSTEM, action="test.after-restore", subject="r",
                              detail={}, at=clock())
        assert restored.verify_audit() == []


def test_restore_undoes_later_writes(store: Store, url: str, backend: str, tmp_path: Path,
                                     clock: Tick) -> None:
    need_pg_tools(backend)
    day = submitted().received
    assert store.next_receipt_number(day) == "YH-20260302-0001"
    store.add_request(submitted("YH-20260302-0001"), access_code_hash="h", actor=APPLICANT,
                      at=clock())
    store.backup(tmp_path / "portal.backup")
    assert store.next_receipt_number(day) == "YH-20260302-0002"
    store.add_request(submitted("YH-20260302-0002"), access_code_hash="h", actor=APPLICANT,
                      at=clock())
    store.close()
    Store.restore(url, tmp_path / "portal.backup")
    with Store.open(url) as restored:
        assert restored.load("YH-20260302-0001")[1] == 1
        with pytest.raises(RequestNotFound):
            restored.load("YH-20260302-0002")
        assert restored.next_receipt_number(day) == "YH-20260302-0002"
        assert restored.verify_audit() == []


def test_sqlite_backup_into_a_fresh_file(store: Store, backend: str, tmp_path: Path,
                                         clock: Tick) -> None:
    if backend != "sqlite":
        need_pg_tools(backend)
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    target = tmp_path / "copy.bin"
    store.backup(target)
    store.backup(target)  # an existing backup is replaced whole
    fresh = f"sqlite:///{tmp_path / 'fresh' / 'portal.sqlite3'}"
    if backend == "sqlite":
        conn = sqlite3.connect(target)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        conn.close()
        Store.restore(fresh, target)
        with Store.open(fresh) as copy:
            assert copy.load("YH-20260302-0001")[0] == submitted()
            assert copy.verify_audit() == []
    else:
        with pytest.raises(BackupError, match="not an SQLite database"):
            Store.restore(fresh, target)


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupError, match="not an SQLite database"):
        Store.restore(f"sqlite:///{tmp_path / 'x.sqlite3'}", junk)
    with pytest.raises(BackupError, match="no backup file"):
        Store.restore(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path / "missing.bin")


def test_pg_backup_without_the_client_programs(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with Store.open("postgresql://postgres@127.0.0.1:5432/test") as store, \
            pytest.raises(BackupError, match=r"pg_dump was not found.*postgresql-client"):
        store.backup(tmp_path / "x.dump")


def test_backups_are_readable_by_their_owner_only(store: Store, backend: str, tmp_path: Path,
                                                  clock: Tick) -> None:
    """A backup holds applicants' personal data: 0600 even under umask 022."""
    import os
    import stat

    if backend != "sqlite":
        need_pg_tools(backend)
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    old = os.umask(0o022)
    try:
        target = tmp_path / "backup.bin"
        store.backup(target)
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        target.chmod(0o644)
        store.backup(target)  # replacing a readable one makes it private again
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_pg_backup_and_restore_over_the_local_socket(url: str, backend: str,
                                                     tmp_path: Path, clock: Tick) -> None:
    """The deployment's URL form (docs/operators.md): no host, the socket
    folder as ?host=, peer authentication; pg_dump/pg_restore get the same."""
    if backend != "postgresql":
        pytest.skip("a PostgreSQL connection form")
    need_pg_tools(backend)
    from sqlalchemy import URL, make_url

    socket_dir = "/var/run/postgresql"
    if not Path(socket_dir).is_dir():
        pytest.skip(f"no local PostgreSQL socket in {socket_dir}")
    tcp = make_url(url)
    local = URL.create(tcp.drivername, tcp.username, tcp.password, database=tcp.database,
                       query={**tcp.query, "host": socket_dir})
    address = local.render_as_string(hide_password=False)
    from search_api.store.backup import _libpq

    # This machine also trusts TCP on localhost: the tools must be told the socket.
    assert _libpq(local)[0].endswith(f"?host={socket_dir}"), _libpq(local)[0]
    target = tmp_path / "socket.dump"
    with Store.open(address) as store:
        store.migrate()
        store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
        store.backup(target)
    assert target.stat().st_size > 0
    Store.restore(address, target)
    with Store.open(address) as restored:
        assert restored.load("YH-20260302-0001")[1] == 1
