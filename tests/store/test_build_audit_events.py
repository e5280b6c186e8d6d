"""`portal build` records what it published, withdrew and took down in the
service's audit log (003 §34) and publishes the audit checkpoints under
site/audit/; `portal audit new-key | checkpoint | verify` from the command
line (issue 11), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from portal.cli import main
from search_api.store import Store
from search_api.store import audit_checkpoints as ac
from tests.conftest import MINIMAL

WITHDRAWAL = ("status: withdrawn\nwithdrawal:\n  date: 2026-11-20\n"
              "  reason: 站点数据改由新的数据集发布，本数据集撤回后保留目录信息供查阅。\n")


def portal(*args: str, **env: str | None) -> Result:
    return CliRunner().invoke(main, list(args), env={"PORTAL_DATABASE_URL": None,
                                                     "PORTAL_AUDIT_CHECKPOINT_DIR": None,
                                                     "PORTAL_AUDIT_SIGNING_KEY": None, **env})


def build(catalog: Path, out: Path, *extra: str, **env: str | None) -> Result:
    return portal("build", str(catalog), "--out", str(out), "--cache-dir",
                  str(out.parent / "cache"), "--today", "2026-11-23", "--quiet", *extra, **env)


def publication_events(store: Store) -> list[tuple[str, str, str]]:
    return [(r.action, r.subject, r.actor) for r in store.audit_records()
            if r.action.startswith("dataset.")]


def test_build_records_publish_withdraw_and_take_down(store: Store, url: str,
                                                      tmp_path: Path) -> None:
    catalog, out = tmp_path / "catalog", tmp_path / "site"
    shutil.copytree(MINIMAL, catalog)
    first = build(catalog, out, "--service-db", url)
    assert first.exit_code == 0, first.output
    assert "recorded in the audit log: 2 published, 0 withdrawn, 0 taken down" in first.output
    events = publication_events(store)
    assert sorted(events) == [("dataset.published", "jtj-0001", "portal build"),
                              ("dataset.published", "rsj-0001", "portal build")]
    assert [json.loads(r.detail)["status"] for r in store.audit_records()
            if r.action == "dataset.published"] == ["active", "active"]

    # Nothing changed: nothing recorded.
    assert build(catalog, out, "--service-db", url).exit_code == 0
    assert len(publication_events(store)) == 2

    descriptor = catalog / "bus-stops" / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8") + WITHDRAWAL, encoding="utf-8")
    shutil.rmtree(catalog / "social-security")
    # The database URL from the environment, as cron runs it.
    third = build(catalog, out, PORTAL_DATABASE_URL=url)
    # 2: a dataset that was online was taken down (the operators' report says so).
    assert third.exit_code == 2, third.output
    assert publication_events(store)[2:] == [("dataset.withdrawn", "jtj-0001", "portal build"),
                                             ("dataset.taken_down", "rsj-0001", "portal build")]
    assert store.verify_audit() == []


def test_build_without_a_database_says_the_changes_were_not_recorded(tmp_path: Path) -> None:
    result = build(MINIMAL, tmp_path / "site")
    assert result.exit_code == 0, result.output
    assert ("publication changes (2 published, 0 withdrawn, 0 taken down) NOT recorded in the "
            "audit log: no service database given") in result.output


def test_checkpoint_verify_and_publish_from_the_command_line(store: Store, url: str,
                                                             backend: str,
                                                             tmp_path: Path) -> None:
    key, folder = tmp_path / "keys" / "audit.key", tmp_path / "audit"
    env = {"PORTAL_DATABASE_URL": url, "PORTAL_AUDIT_SIGNING_KEY": str(key),
           "PORTAL_AUDIT_CHECKPOINT_DIR": str(folder)}
    unconfigured = portal("audit", "checkpoint", PORTAL_DATABASE_URL=url)
    assert unconfigured.exit_code == 1 and "PORTAL_AUDIT_SIGNING_KEY" in unconfigured.output
    assert portal("audit", "new-key", **env).exit_code == 0
    again = portal("audit", "new-key", **env)
    assert again.exit_code == 1 and "exists" in again.output
    # The build records its datasets; the checkpoint signs them.
    assert build(MINIMAL, tmp_path / "site", **env).exit_code == 0
    signed = portal("audit", "checkpoint", **env)
    assert signed.exit_code == 0, signed.output
    assert "record 2 signed" in signed.output
    ok = portal("audit", "verify", **env)
    assert ok.exit_code == 0 and "1 checkpoint(s)" in ok.output and "intact" in ok.output

    # Published with the site, with the public key; the private key never.
    site = tmp_path / "site"
    assert build(MINIMAL, site, **env).exit_code == 0
    assert sorted(p.name for p in (site / "audit").iterdir()) == [ac.PUBLIC_KEY_FILE,
                                                                  ac.CHECKPOINT_FILE]
    assert (site / "audit" / ac.CHECKPOINT_FILE).read_bytes() == \
        (folder / ac.CHECKPOINT_FILE).read_bytes()
    shutil.copy(key, folder / "stray.key")
    leaked = build(MINIMAL, site, **env)
    assert leaked.exit_code == 1 and "holds a private key" in leaked.output
    assert not (site / "audit" / "stray.key").exists()
    (folder / "stray.key").unlink()

    # Truncated behind the checkpoint: the chain alone says intact, verify does not.
    with store.engine.begin() as conn:
        if backend == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
        conn.execute(text("UPDATE audit_head SET seq = 1, "
                          "hash = (SELECT hash FROM audit_log WHERE seq = 1)"))
    assert store.verify_audit() == []
    broken = portal("audit", "verify", **env)
    assert broken.exit_code == 1
    assert "record 2 is missing: the audit log ends at record 1" in broken.output
    # The published copy and key, as anyone can download them, say the same.
    public = portal("audit", "verify", "--checkpoints", str(site / "audit" / ac.CHECKPOINT_FILE),
                    PORTAL_DATABASE_URL=url)
    assert public.exit_code == 1 and "record 2 is missing" in public.output
    refused = portal("audit", "checkpoint", **env)
    assert refused.exit_code == 1 and "not signed" in refused.output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_remind_makes_one_checkpoint_a_day(store: Store, url: str, tmp_path: Path) -> None:
    key, folder = tmp_path / "keys" / "audit.key", tmp_path / "audit"
    env = {"PORTAL_DATABASE_URL": url, "PORTAL_AUDIT_SIGNING_KEY": str(key),
           "PORTAL_AUDIT_CHECKPOINT_DIR": str(folder), "PORTAL_MAIL_LOG": str(tmp_path / "mail"),
           "PORTAL_AUTHORITY_EMAIL": "authority@example.gov.cn"}
    assert portal("audit", "new-key", **env).exit_code == 0
    for _ in range(2):
        result = portal("remind", **env)
        assert result.exit_code == 0, result.output
    assert len(ac.read(folder / ac.CHECKPOINT_FILE)) == 1
    mail = (tmp_path / "mail").read_text(encoding="utf-8")
    assert mail.count("[audit.checkpoint]") == 1 and "审计日志" in mail
    assert (folder / ac.CHECKPOINT_FILE).read_text(encoding="utf-8").strip() in mail
    off = portal("remind", PORTAL_DATABASE_URL=url, PORTAL_MAIL_LOG=str(tmp_path / "mail"))
    assert off.exit_code == 0 and "audit checkpoints are off" in off.output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_changes_the_database_could_not_take_are_recorded_by_the_next_build(
        store: Store, url: str, tmp_path: Path) -> None:
    catalog, out = tmp_path / "catalog", tmp_path / "site"
    shutil.copytree(MINIMAL, catalog)
    with store.engine.begin() as conn:  # the audit log unusable for a while
        conn.execute(text("ALTER TABLE audit_head RENAME TO audit_head_away"))
    failed = build(catalog, out, "--service-db", url)
    assert failed.exit_code == 1 and "kept in" in failed.output, failed.output
    assert (out / "index.html").is_file()  # the site itself was built
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_head_away RENAME TO audit_head"))
    assert publication_events(store) == []
    shutil.rmtree(catalog / "social-security")
    later = build(catalog, out, "--service-db", url)
    assert later.exit_code == 2, later.output  # a take-down
    assert publication_events(store) == [
        ("dataset.published", "jtj-0001", "portal build"),
        ("dataset.published", "rsj-0001", "portal build"),
        ("dataset.taken_down", "rsj-0001", "portal build")]
    assert not (out.parent / "cache" / "audit-pending.json").exists()
