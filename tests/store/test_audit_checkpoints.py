"""Signed checkpoints anchor the audit chain outside the database (issue 11,
"History that cannot be rewritten"), on SQLite and PostgreSQL.

Each attack is made as someone with write access to the database would: the
append-only triggers off, records deleted or rewritten, hashes recomputed
and the head moved. The chain alone then reads "intact" for the truncation
and the rewrites (asserted, to show what the checkpoints add); checked
against a checkpoint signed before the attack, each is caught.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select, text, update

from search_api.store import Store
from search_api.store import audit_checkpoints as ac
from search_api.store.audit import canonical, record_hash
from search_api.store.personal import pii_problems
from search_api.store.schema import audit_head, audit_log
from tests.store.store_helpers import SYSTEM
from tests.store.store_helpers import Clock as Tick


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    key, folder = tmp_path / "secret" / "audit.key", tmp_path / "published"
    ac.new_signing_key(key, folder)
    return key, folder


def records(store: Store, clock: Tick, n: int, start: int = 1) -> None:
    for i in range(start, start + n):
        store.append_audit(actor=SYSTEM, action="test.record", subject=f"s{i}",
                           detail={"i": i, "text": "审核"}, at=clock())


def checked(store: Store, folder: Path, public: Path | None = None) -> list[str]:
    return ac.verify(ac.read(folder / ac.CHECKPOINT_FILE),
                     ac.load_public_key(public or folder / ac.PUBLIC_KEY_FILE),
                     ac.chain_state(store))


def rechain(conn: Connection, start: int) -> None:
    """Recompute every hash from record ``start`` on and move the head to
    the last record: a rewrite the chain alone cannot see."""
    prev = conn.execute(select(audit_log.c.hash).where(audit_log.c.seq == start - 1)) \
        .scalar_one_or_none() or "0" * 64
    last = start - 1
    for row in conn.execute(select(audit_log).where(audit_log.c.seq >= start)
                            .order_by(audit_log.c.seq)).all():
        digest = record_hash(at=row.at, actor_role=row.actor_role, actor=row.actor,
                             action=row.action, subject=row.subject, detail=row.detail,
                             prev_hash=prev)
        conn.execute(update(audit_log).where(audit_log.c.seq == row.seq)
                     .values(prev_hash=prev, hash=digest))
        prev, last = digest, row.seq
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=last, hash=prev))


def attack(store: Store, backend: str, *statements: Any, rechain_from: int | None = None) -> None:
    """Run ``statements`` with the append-only triggers off, as the
    database's owner could."""
    conn = store.engine.connect()
    conn.begin()
    if backend == "sqlite":
        for what in ("update", "delete"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS audit_log_no_{what}"))
    else:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    try:
        for sql in statements:
            conn.execute(text(sql) if isinstance(sql, str) else sql)
        if rechain_from is not None:
            rechain(conn, rechain_from)
        conn.commit()
    finally:
        conn.close()


def test_an_intact_chain_verifies_and_grows(store: Store, clock: Tick,
                                            keys: tuple[Path, Path]) -> None:
    records(store, clock, 5)
    first = ac.make_checkpoint(store, *keys, clock())
    records(store, clock, 2, start=6)
    second = ac.make_checkpoint(store, *keys, clock())
    assert (first.seq, second.seq) == (5, 7)
    assert first.head_hex == store.audit_hashes([5])[5]
    assert checked(store, keys[1]) == []
    lines = (keys[1] / ac.CHECKPOINT_FILE).read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["seq"] == 5


def test_truncation_with_the_head_moved_back(store: Store, clock: Tick, backend: str,
                                             keys: tuple[Path, Path]) -> None:
    records(store, clock, 5)
    ac.make_checkpoint(store, *keys, clock())
    attack(store, backend, "DELETE FROM audit_log WHERE seq >= 4",
           "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)")
    assert store.verify_audit() == []  # the chain alone cannot tell
    problems = checked(store, keys[1])
    assert len(problems) == 1 and problems[0].startswith("records 4 to 5 are missing: the "
                                                         "audit log ends at record 3"), problems
    assert "deleted from the end" in problems[0]


def test_truncation_then_new_records_past_the_checkpoint(
        store: Store, clock: Tick, backend: str, keys: tuple[Path, Path]) -> None:
    """Cut back to 3, then appended again up to 6: record 5 exists, but not
    the one that was signed."""
    records(store, clock, 5)
    ac.make_checkpoint(store, *keys, clock())
    attack(store, backend, "DELETE FROM audit_log WHERE seq >= 4",
           "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)")
    records(store, clock, 3, start=4)
    assert store.verify_audit() == []
    problems = checked(store, keys[1])
    assert len(problems) == 1 and problems[0].startswith(
        "record 5 no longer has the hash signed at"), problems


def test_deletion_in_the_middle(store: Store, clock: Tick, backend: str,
                                keys: tuple[Path, Path]) -> None:
    records(store, clock, 6)
    ac.make_checkpoint(store, *keys, clock())
    attack(store, backend, "DELETE FROM audit_log WHERE seq = 3")
    assert store.verify_audit()  # a gap: the chain sees it
    # Renumbered and re-hashed, the gap is gone and the chain reads intact;
    # the signed record 6 no longer exists and record 5 is not what was signed.
    attack(store, backend, *(f"UPDATE audit_log SET seq = {n - 1} WHERE seq = {n}"
                             for n in range(4, 7)), rechain_from=3)
    assert store.verify_audit() == []
    problems = checked(store, keys[1])
    assert any(p.startswith("record 6 is missing: the audit log ends at record 5")
               for p in problems), problems


def test_deletion_in_the_middle_before_a_signed_record(
        store: Store, clock: Tick, backend: str, keys: tuple[Path, Path]) -> None:
    records(store, clock, 4)
    ac.make_checkpoint(store, *keys, clock())  # signs record 4
    records(store, clock, 3, start=5)
    ac.make_checkpoint(store, *keys, clock())  # signs record 7
    # Record 2 removed, the rest renumbered and re-hashed, then one record
    # added so that the log has as many records as before.
    attack(store, backend, "DELETE FROM audit_log WHERE seq = 2",
           *(f"UPDATE audit_log SET seq = {n - 1} WHERE seq = {n}" for n in range(3, 8)),
           rechain_from=2)
    records(store, clock, 1, start=8)
    assert store.verify_audit() == []
    problems = checked(store, keys[1])
    assert problems == [f"record 4 no longer has the hash signed at {ac.read(keys[1] / ac.CHECKPOINT_FILE)[0].checkpoint.at}: the log was rewritten from record 4 or before (hashes recomputed); 1 later signed record(s) differ too"], problems  # type: ignore[union-attr]  # noqa: E501


def test_full_suffix_rewrite_with_recomputed_hashes(store: Store, clock: Tick, backend: str,
                                                    keys: tuple[Path, Path]) -> None:
    records(store, clock, 6)
    ac.make_checkpoint(store, *keys, clock())
    forged = canonical({"i": 0, "text": "改写"})
    attack(store, backend, update(audit_log).where(audit_log.c.seq >= 3).values(detail=forged),
           rechain_from=3)
    assert store.verify_audit() == []  # every hash recomputed: the chain reads intact
    problems = checked(store, keys[1])
    assert len(problems) == 1 and problems[0].startswith("record 6 no longer has the hash "
                                                         "signed at"), problems
    assert "rewritten from record 6 or before (hashes recomputed)" in problems[0]


def test_tampered_checkpoint_file_and_wrong_key(store: Store, clock: Tick, tmp_path: Path,
                                                keys: tuple[Path, Path]) -> None:
    records(store, clock, 3)
    ac.make_checkpoint(store, *keys, clock())
    path = keys[1] / ac.CHECKPOINT_FILE
    honest = path.read_text()
    # Moving the signed head back to record 2 (to hide a truncation) needs a
    # new signature: with the old one the line no longer verifies.
    data = json.loads(honest)
    data.update(seq=2, head=ac._b32(bytes.fromhex(store.audit_hashes([2])[2])))
    path.write_text(canonical(data) + "\n")
    problems = checked(store, keys[1])
    assert problems == [f"checkpoint line 1 (record 2, {data['at']}) has a bad signature: the "
                        "checkpoint file was altered or signed with another key"], problems
    path.write_text(honest + "not json\n")
    assert checked(store, keys[1]) == [
        "checkpoint line 2 cannot be read (Expecting value: line 1 column 1 (char 0)): the "
        "checkpoint file was altered"]
    path.write_text(honest)
    other = tmp_path / "other"
    ac.new_signing_key(tmp_path / "other.key", other)
    assert "bad signature" in checked(store, keys[1], other / ac.PUBLIC_KEY_FILE)[0]


def test_a_broken_chain_is_never_signed(store: Store, clock: Tick, backend: str,
                                        keys: tuple[Path, Path]) -> None:
    records(store, clock, 4)
    ac.make_checkpoint(store, *keys, clock())
    attack(store, backend, "DELETE FROM audit_log WHERE seq = 4",
           "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)")
    with pytest.raises(ac.CheckpointError, match="not intact, so it was not signed"):
        ac.make_checkpoint(store, *keys, clock())
    assert len(ac.read(keys[1] / ac.CHECKPOINT_FILE)) == 1


def test_once_a_day_and_mailed_to_the_authority(store: Store, clock: Tick,
                                                keys: tuple[Path, Path]) -> None:
    records(store, clock, 2)
    morning = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    first = ac.daily_checkpoint(store, *keys, morning)
    assert first is not None
    assert ac.daily_checkpoint(store, *keys, morning + timedelta(hours=5)) is None
    records(store, clock, 1, start=3)
    second = ac.daily_checkpoint(store, *keys, morning + timedelta(days=1))
    assert second is not None and second.seq == 3
    mails = [m for m in store.pending_messages() if m.kind == "audit.checkpoint"]
    assert [m.recipient for m in mails] == ["authority", "authority"]
    assert first.line() in mails[0].body and second.line() in mails[1].body
    assert "审计日志" in mails[0].subject
    # What the authority keeps verifies like the file itself.
    kept = keys[1] / "kept.jsonl"
    kept.write_text("".join(line + "\n" for m in mails for line in m.body.splitlines()
                            if line.startswith("{")))
    assert ac.verify(ac.read(kept), ac.load_public_key(keys[1] / ac.PUBLIC_KEY_FILE),
                     ac.chain_state(store)) == []


def test_checkpoint_lines_never_read_as_personal_data() -> None:
    """base32 has no 0, 1, 8 or 9: no run of it is a mobile or ID number."""
    key = ac.Ed25519PrivateKey.generate()
    for i in range(300):
        cp = ac.sign(key, i, f"{i:064x}"[-64:].replace("a", "1"), datetime.now(UTC))
        assert pii_problems({"body": ac.message(cp).body}) == [], cp.line()


def test_new_key_is_private_and_never_replaced(tmp_path: Path) -> None:
    key, folder = tmp_path / "k" / "audit.key", tmp_path / "pub"
    public = ac.new_signing_key(key, folder)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"PUBLIC KEY" in public.read_bytes() and b"PRIVATE" not in public.read_bytes()
    with pytest.raises(ac.CheckpointError, match="exists"):
        ac.new_signing_key(key, folder)
    with pytest.raises(ac.CheckpointError, match="inside the checkpoint folder"):
        ac.new_signing_key(folder / "audit.key", folder)
    with pytest.raises(ac.CheckpointError, match="not an unencrypted PEM private key"):
        ac.load_signing_key(public)


def test_a_builds_records_join_the_chain(store: Store, clock: Tick,
                                         keys: tuple[Path, Path]) -> None:
    """record_publication appends many records in three statements; they
    chain like single appends, before and after them."""
    records(store, clock, 2)
    seqs = store.record_publication(
        [("dataset.published", f"ds-{i}", {"status": "active", "note": "电话13812345678"})
         for i in range(300)], actor="portal build", at=clock())
    assert seqs == list(range(3, 303))
    records(store, clock, 1, start=303)
    assert store.verify_audit() == []
    assert "13812345678" not in store.audit_records("ds-7")[0].detail  # masked like append
    ac.make_checkpoint(store, *keys, clock())
    assert checked(store, keys[1]) == []
    assert store.record_publication([], actor="portal build", at=clock()) == []


def test_a_key_other_than_the_published_one_signs_nothing(store: Store, clock: Tick,
                                                          tmp_path: Path,
                                                          keys: tuple[Path, Path]) -> None:
    records(store, clock, 1)
    other = tmp_path / "other.key"
    ac.new_signing_key(other, tmp_path / "elsewhere")
    with pytest.raises(ac.CheckpointError, match="does not match the published public key"):
        ac.make_checkpoint(store, other, keys[1], clock())
    assert not (keys[1] / ac.CHECKPOINT_FILE).exists()
