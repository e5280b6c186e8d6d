"""The outbox (dedupe, retries, no personal data), reviewers' passwords
(argon2) and third-party / download links (expiry, uses)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from search_api.store import (
    MAX_ATTEMPTS,
    DuplicateUser,
    OutboxMessage,
    PersonalDataRefused,
    RequestNotFound,
    Store,
    UserNotFound,
    hash_token,
)
from tests.store.conftest import FAST_HASHER
from tests.store.store_helpers import (
    APPLICANT,
    AUTHORITY,
    ID_NUMBER,
    PHONE,
    T0,
    P,
    d,
    submitted,
)
from tests.store.store_helpers import Clock as Tick

# --- outbox -----------------------------------------------------------------------------------


def reminder(key: str | None = "remind:YH-20260302-0001:2026-03-10:provider",
             body: str = "申请 YH-20260302-0001 的答复期限即将届满（2026-03-12）。") -> OutboxMessage:
    return OutboxMessage(kind="reminder.due_soon", recipient_role="department_reviewer",
                         recipient="department:省交通运输厅", subject="答复期限提醒", body=body,
                         request_number="YH-20260302-0001", dedupe_key=key)


def test_events_notify_through_role_addresses(store: Store, clock: Tick) -> None:
    req = submitted()
    store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
    message, confirmation = store.pending_messages()
    assert (message.recipient_role, message.recipient) == ("authority_reviewer", "authority")
    assert message.kind == "request.submitted" and message.request_number == req.number
    assert message.dedupe_key == f"event:{req.number}:1:authority"
    # The applicant gave an e-mail address: a confirmation (issue 10).
    assert confirmation.recipient == f"applicant:{req.number}"
    assert confirmation.subject == f"申请已受理：受理编号 {req.number}"
    assert f"受理编号：{req.number}" in confirmation.body
    assert "规范性审核应于 2026-03-" in confirmation.body
    loaded, version = store.load(req.number)
    store.save(P.forward(loaded, actor=AUTHORITY, on=d(3)), expected_version=version,
               actor=AUTHORITY, at=clock(), outbox=[reminder()])
    recipients = [m.recipient for m in store.pending_messages()]
    assert recipients == ["authority", f"applicant:{req.number}", "department:省交通运输厅",
                          f"applicant:{req.number}", "department:省交通运输厅"]


def test_a_reminder_run_twice_is_queued_once(store: Store, clock: Tick) -> None:
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    assert store.add_message(reminder(), at=clock()) is True
    assert store.add_message(reminder(), at=clock()) is False
    assert store.add_message(reminder(key=None), at=clock()) is True
    assert store.add_message(reminder(key=None), at=clock()) is True
    kinds = [m.kind for m in store.pending_messages()]
    assert kinds.count("reminder.due_soon") == 3


def test_sent_and_failed_messages(store: Store, clock: Tick) -> None:
    # No e-mail address: no confirmation, one message from the filing.
    store.add_request(submitted(email=""), access_code_hash="h", actor=APPLICANT, at=clock())
    store.add_message(reminder(), at=clock())
    first, second = store.pending_messages()
    assert first.id is not None and second.id is not None
    sent_at = clock()
    store.mark_sent(first.id, sent_at)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert [m.id for m in store.pending_messages()] == [second.id]
        store.mark_failed(second.id, f"550 mailbox unavailable ({attempt})", clock())
    assert store.pending_messages() == []
    done, failed = store.message(first.id), store.message(second.id)
    assert done is not None and done.status == "sent" and done.sent_at == sent_at
    assert failed is not None and failed.status == "failed"
    assert failed.attempts == MAX_ATTEMPTS and failed.last_error == "550 mailbox unavailable (5)"
    with pytest.raises(LookupError):
        store.mark_sent(9999, clock())
    assert store.pending_messages(limit=0) == []


@pytest.mark.parametrize("body", [f"身份证号 {ID_NUMBER}", f"请回电{PHONE}", "电话 +86 138 1234 5678"])
def test_messages_with_personal_data_are_refused(store: Store, clock: Tick, body: str) -> None:
    with pytest.raises(PersonalDataRefused) as info:
        store.add_message(reminder(body=body), at=clock())
    assert ID_NUMBER not in str(info.value) and PHONE not in str(info.value)
    assert store.pending_messages() == []


def test_a_save_with_a_leaking_message_is_refused_whole(store: Store, clock: Tick) -> None:
    req = submitted(phone="0851-88888888")
    store.add_request(req, access_code_hash="h", actor=APPLICANT, at=clock())
    loaded, version = store.load(req.number)
    leaking = reminder(body="申请人电话 0851-88888888")  # the applicant's own landline
    with pytest.raises(PersonalDataRefused, match="applicant's identity or contact"):
        store.save(P.forward(loaded, actor=AUTHORITY, on=d(3)), expected_version=version,
                   actor=AUTHORITY, at=clock(), outbox=[leaking])
    assert store.load(req.number) == (loaded, 1)


# --- users ------------------------------------------------------------------------------------


def test_passwords(store: Store, clock: Tick) -> None:
    store.add_user("zhao", "correct horse battery", "department_reviewer", "省交通运输厅",
                   at=clock())
    user = store.check_password("zhao", "correct horse battery")
    assert user is not None
    assert (user.username, user.role, user.department, user.active) == (
        "zhao", "department_reviewer", "省交通运输厅", True)
    assert store.check_password("zhao", "wrong password!") is None
    assert store.check_password("nobody", "correct horse battery") is None
    with pytest.raises(DuplicateUser):
        store.add_user("zhao", "another password", "auditor", at=clock())
    with pytest.raises(ValueError, match="at least 10"):
        store.add_user("qian", "short", "auditor", at=clock())


def test_password_hashes_are_argon2(store: Store, clock: Tick) -> None:
    store.add_user("li", "a long enough password", "authority_reviewer", at=clock())
    with store.engine.connect() as conn:
        from search_api.store.schema import users

        stored = conn.execute(users.select()).one().password_hash
    assert stored.startswith("$argon2id$") and "a long enough password" not in stored


def test_a_store_opened_without_parameters_hashes_with_argon2s_defaults(
        url: str, clock: Tick) -> None:
    # The service opens its store so; the service tests use cheap parameters
    # (tests/api/conftest.py), so this is where the defaults are checked.
    defaults = PasswordHasher()
    with Store.open(url) as plain:
        plain.migrate()
        plain.add_user("zheng", "a password of zheng", "auditor", at=clock())
        with plain.engine.connect() as conn:
            from search_api.store.schema import users

            stored = conn.execute(users.select()).one().password_hash
        assert (f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}"
                in stored) and not defaults.check_needs_rehash(stored)
        assert plain.check_password("zheng", "a password of zheng") is not None


def test_inactive_users_cannot_sign_in(store: Store, clock: Tick) -> None:
    store.add_user("sun", "auditor password", "auditor", at=clock())
    store.set_user_active("sun", False)
    assert store.check_password("sun", "auditor password") is None
    user = store.get_user("sun")
    assert user is not None and user.active is False
    store.set_user_active("sun", True)
    assert store.check_password("sun", "auditor password") is not None
    with pytest.raises(UserNotFound):
        store.set_user_active("ghost", True)


def test_old_hashes_are_redone_on_sign_in(url: str, store: Store, clock: Tick) -> None:
    store.add_user("wu", "a password of wu", "department_head", at=clock())
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    with Store.open(url, password_hasher=stronger) as upgraded:
        assert upgraded.check_password("wu", "a password of wu") is not None
        with upgraded.engine.connect() as conn:
            from search_api.store.schema import users

            stored = conn.execute(users.select()).one().password_hash
        assert "m=16,t=2,p=1" in stored and not stronger.check_needs_rehash(stored)
        assert upgraded.check_password("wu", "a password of wu") is not None
    assert FAST_HASHER.verify(stored, "a password of wu")


def test_set_password(store: Store, clock: Tick) -> None:
    store.add_user("zhou", "first password", "auditor", at=clock())
    store.set_password("zhou", "second password")
    assert store.check_password("zhou", "first password") is None
    assert store.check_password("zhou", "second password") is not None
    assert [u.username for u in store.list_users()] == ["zhou"]


# --- links ------------------------------------------------------------------------------------


def test_links_expire(store: Store, clock: Tick) -> None:
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    token = hash_token("third-party-secret")
    expires = T0 + timedelta(days=30)
    store.add_link("third_party", token, "YH-20260302-0001", "a", expires, at=clock())
    link = store.find_link("third_party", token, T0 + timedelta(days=29))
    assert link is not None and link.party_key == "a" and link.request_number == "YH-20260302-0001"
    assert link.expires_at == expires
    assert store.find_link("third_party", token, expires) is None
    assert store.find_link("download", token, T0) is None
    assert store.find_link("third_party", hash_token("guess"), T0) is None


def test_download_links_count_their_uses(store: Store, clock: Tick) -> None:
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    token = hash_token("download-secret")
    store.add_link("download", token, "YH-20260302-0001", None, T0 + timedelta(days=5),
                   at=clock(), max_uses=2)
    assert [getattr(store.use_link("download", token, T0 + timedelta(hours=h)), "uses", None)
            for h in (1, 2, 3)] == [1, 2, None]
    assert store.find_link("download", token, T0) is None


def test_links_need_a_request_and_a_future_expiry(store: Store, clock: Tick) -> None:
    with pytest.raises(RequestNotFound):
        store.add_link("download", "h1", "YH-none", None, T0 + timedelta(days=1), at=T0)
    store.add_request(submitted(), access_code_hash="h", actor=APPLICANT, at=clock())
    with pytest.raises(ValueError, match="expire after"):
        store.add_link("download", "h1", "YH-20260302-0001", None, T0, at=T0)
    with pytest.raises(ValueError, match="third_party or download"):
        store.add_link("upload", "h1", "YH-20260302-0001", None,  # type: ignore[arg-type]
                       T0 + timedelta(days=1), at=T0)
