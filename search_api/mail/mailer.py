"""Sending the outbox (SMTP when configured, else a mail log) and the
overdue-supervision reminders (000 §43, 002 §44).

Role addresses are resolved only when sending, so the outbox never holds an
applicant's contacts: ``applicant:<number>`` → the request's e-mail; ``operator:<number>`` → the
e-mail of an authorised-operation applicant;
``department:<code>`` / ``department_head:<code>`` → the department's
address in ``vocabularies.yaml``; ``data_officer:<code>`` → its
``data_officer_email`` (else the department's); ``authority`` → AUTHORITY_EMAIL;
third parties are consulted in writing (the mailer records that).
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.catalogue.catalog import load_vocabularies
from domain.procedures.identity import mask_contact
from domain.procedures.request_records import Actor
from domain.procedures.request_states import Action, Role, State
from domain.procedures.requests import Procedure
from domain.procedures.roles import AUTHORITY
from search_api.mail import digest, supervision
from search_api.mail.outbox_status import outbox_status
from search_api.store import OutboxMessage, StaleRequest, Store
from search_api.store.operations import OperationStore
from search_api.store.report_store import ReportStore
from search_api.web import labels_zh
from search_api.web.law_text import LawText

log = logging.getLogger(__name__)
CHINA = ZoneInfo("Asia/Shanghai")
OPEN = frozenset({State.SUBMITTED, State.FORWARDED, State.EXPLANATION_REQUESTED,
                  State.EXPLANATION_ANSWERED, State.CONSULTING, State.APPROVED})


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    written: int = 0  # third parties: delivered in writing by the provider
    # Why messages failed, each reason once (mail server with host and port,
    # the error; never an address or other personal data).
    errors: list[str] = field(default_factory=list)
    # The mail server could not be reached: the run stopped there, and this
    # many other messages wait for the next run (not counted as failed).
    stopped: bool = False
    waiting: int = 0

    def note(self, error: str) -> None:
        if error not in self.errors:
            self.errors.append(error)


class DeliveryError(Exception):
    """The mail server refused or could not be reached; the message names
    the server (host:port) and the error, nothing about the recipient."""


class ServerUnreachable(DeliveryError):
    """No SMTP session could be opened (refused, no answer within
    SMTP_TIMEOUT, no greeting): every other message would fail the same way."""


def smtp_error(host: str, port: int, exc: BaseException) -> str:
    """A description of an SMTP failure without personal data: the server
    and, for an SMTP answer, its code; for a network error, the system's."""
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = f"{type(exc).__name__} {exc.smtp_code}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = type(exc).__name__  # its text lists the addresses
    elif isinstance(exc, OSError):
        detail = f"{type(exc).__name__}: {exc.strerror or exc}"
    else:
        detail = type(exc).__name__
    return f"SMTP server {host}:{port}: {detail}"


class Addresses:
    def __init__(self, store: Store, config: Mapping[str, Any]):
        self.store = store
        self.authority = str(config.get("AUTHORITY_EMAIL") or "")
        found: list[Any] = []
        vocab = load_vocabularies(Path(str(config.get("CATALOG_DIR") or "datasets")), found)
        self.departments = {d.code: getattr(d, "contact_email", "") for d in vocab.departments}
        self.officers = {d.code: getattr(d, "data_officer_email", "") or self.departments[d.code]
                         for d in vocab.departments}

    def resolve(self, msg: OutboxMessage) -> str | None:
        kind, _, rest = msg.recipient.partition(":")
        if "@" in msg.recipient and not rest:
            return msg.recipient
        if kind == "applicant":
            req, _ = self.store.load(rest)
            return req.application.email or None
        if kind == "reporter":  # data error reports: the contact the reporter left
            return ReportStore(self.store).reporter_email(rest)
        if kind == "operator":  # authorised operation: the e-mail the market entity gave
            return OperationStore(self.store).operator_email(rest)
        if kind in ("department", "department_head"):
            return self.departments.get(rest) or None
        if kind == "data_officer":
            return self.officers.get(rest) or None
        if kind == AUTHORITY:
            return self.authority or None
        return None


def _deliver(config: Mapping[str, Any], to: str, msg: OutboxMessage, now: datetime) -> None:
    host = str(config.get("SMTP_HOST") or "")
    if host:
        mail = EmailMessage()
        mail["From"] = str(config.get("SMTP_FROM"))
        mail["To"] = to
        mail["Subject"] = msg.subject
        for name, value in _headers(config, now).items():
            mail[name] = value
        mail.set_content(msg.body)
        port = int(config.get("SMTP_PORT") or 25)
        # The timeout bounds the connection, the greeting and every answer:
        # a host that does not answer costs SMTP_TIMEOUT once per run.
        timeout = float(config.get("SMTP_TIMEOUT") or 10)
        try:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        except (OSError, smtplib.SMTPException) as exc:
            error = smtp_error(host, port, exc)
            if isinstance(exc, TimeoutError) or "timed out" in str(exc):
                error += f" (no answer within {timeout:g} s, PORTAL_SMTP_TIMEOUT)"
            raise ServerUnreachable(error) from exc
        try:
            with smtp:
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(smtp_error(host, port, exc)) from exc
        return
    path = Path(str(config.get("MAIL_LOG") or "var/mail.log"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        # The mail log stands in for SMTP; addresses are masked all the same.
        headers = "".join(f"{k}: {v}\n" for k, v in _headers(config, now).items())
        handle.write(f"--- {now.isoformat()} to {mask_contact(to)} [{msg.kind}]\n"
                     f"Subject: {msg.subject}\n{headers}{msg.body}\n")


def _headers(config: Mapping[str, Any], now: datetime) -> dict[str, str]:
    """Date (Beijing time) and a unique Message-ID in the sender's domain:
    mail servers and clients rank messages without them as suspicious."""
    domain = str(config.get("SMTP_FROM") or "").rpartition("@")[2] or "localhost"
    return {"Date": format_datetime(now.astimezone(CHINA)),
            "Message-ID": make_msgid(domain=domain)}


def sender_name() -> str:
    """This sender's name on its claims: host, process and a random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def send_pending(store: Store, config: Mapping[str, Any], now: datetime, *,
                 sender: str | None = None, batch: int = 10) -> SendReport:
    """Send the outbox: claim ``batch`` messages at a time (so that two
    senders running at once, e.g. two cron jobs, never send the same
    message), send each, and record it sent or failed. A failed message
    keeps its claim until the lease runs out, so it is retried on a later
    run, not in a loop within this one. When the mail server cannot be
    reached the run stops after that one attempt: the messages claimed but
    not tried are released for the next run (``report.stopped``,
    ``report.waiting``).
    """
    report = SendReport()
    addresses = Addresses(store, config)
    digest.queue_digest(store, config, now)
    sender = sender or sender_name()
    started = time.monotonic()
    while True:
        # Leases count from the moment of each claim, not from the run's start.
        at = now + timedelta(seconds=time.monotonic() - started)
        claimed = store.claim_messages(sender, at, limit=batch)
        if not claimed:
            return report
        for position, msg in enumerate(claimed):
            try:
                _send_one(store, config, addresses, msg, now, report)
            except ServerUnreachable:
                store.release_messages(sender, [m.id for m in claimed[position + 1:]
                                                if m.id is not None])
                report.stopped = True
                report.waiting = _waiting(store, msg)
                return report


def _waiting(store: Store, failed: OutboxMessage) -> int:
    """Pending messages other than ``failed`` (they wait for the next run)."""
    pending = outbox_status(store).counts["pending"]
    current = store.message(failed.id) if failed.id is not None else None
    return pending - (1 if current is not None and current.status == "pending" else 0)


def _send_one(store: Store, config: Mapping[str, Any], addresses: Addresses, msg: OutboxMessage,
              now: datetime, report: SendReport) -> None:
    assert msg.id is not None
    if digest.held_back(config, msg):
        return  # goes out in the authority's daily digest; the claim runs out
    if msg.recipient.startswith("third_party:"):
        store.mark_sent(msg.id, now)  # the written consultation goes by post/hand
        report.written += 1
        return
    try:
        to = addresses.resolve(msg)
    except Exception as exc:  # e.g. a record gone, a sealed contact under an old key
        # One message that cannot be addressed must not stop the others.
        log.warning("message %s: recipient %s not resolved: %s", msg.id, msg.recipient_role,
                    exc.__class__.__name__)
        error = f"recipient not resolved: {exc.__class__.__name__}"
        store.mark_failed(msg.id, error, now)
        report.failed += 1
        report.note(f"{msg.recipient_role}: {error}")
        return
    if not to:
        store.mark_failed(msg.id, f"no e-mail address for {msg.recipient_role}", now)
        report.failed += 1
        report.note(f"no e-mail address for {msg.recipient_role}")
        return
    try:
        _deliver(config, to, msg, now)
    except DeliveryError as exc:
        log.warning("message %s not sent: %s", msg.id, exc)
        store.mark_failed(msg.id, str(exc), now)
        report.failed += 1
        report.note(str(exc))
        if isinstance(exc, ServerUnreachable):
            raise
    except OSError as exc:  # the mail log cannot be written
        error = f"mail log {config.get('MAIL_LOG')}: {type(exc).__name__}: {exc.strerror or exc}"
        log.warning("message %s not written: %s", msg.id, error)
        store.mark_failed(msg.id, error, now)
        report.failed += 1
        report.note(error)
    else:
        store.mark_sent(msg.id, now)
        report.sent += 1


def lapse_explanations(store: Store, procedure: Procedure, today: date, now: datetime) -> int:
    """End, as 不予处理, every explanation demand whose bureau-policy pause
    ran out unanswered (:meth:`Procedure.lapse_explanation`); the applicant
    and the department are told. Nothing to do without a pause. Returns how
    many ended; a request changed meanwhile is left for the next run."""
    if procedure.profile.explanation_pause is None:
        return 0
    system = Actor(Role.SYSTEM, "portal remind")
    ended = 0
    for summary in store.list_requests(states=frozenset({State.EXPLANATION_REQUESTED}),
                                       limit=100_000):
        req, version = store.load(summary.number)
        if Action.LAPSE_EXPLANATION not in procedure.allowed_actions(req, Role.SYSTEM, today):
            continue
        try:
            store.save(procedure.lapse_explanation(req, actor=system, on=today),
                       expected_version=version, actor=system, at=now)
        except StaleRequest:
            continue
        ended += 1
    return ended


def remind(store: Store, procedure: Procedure, today: date, now: datetime) -> int:
    """Queue one reminder per due-soon or overdue period: to the department,
    its head, its data officer and the supervising authority (see
    :mod:`search_api.mail.supervision`), each naming the period's basis and the
    basis of the reminder in Chinese; safe to run repeatedly (dedupe keys).
    The applicant's own period (a policy pause) is not reminded to anyone:
    :func:`lapse_explanations` ends it."""
    queued = 0
    law = LawText(procedure.profile)
    for summary in store.list_requests(states=OPEN, limit=100_000):
        req, _ = store.load(summary.number)
        for d in procedure.deadlines(req, today):
            if d.status not in ("due_soon", "overdue") or d.due is None:
                continue
            if d.responsible == "applicant":
                continue
            what = labels_zh.PERIODS.get(d.what, d.what)
            state = labels_zh.DEADLINE_STATUS[d.status]
            for target in supervision.targets(procedure.profile, summary.department,
                                              str(d.responsible)):
                role, address = target.role, target.address
                added = store.add_message(OutboxMessage(
                    kind=f"reminder.{d.status}", recipient_role=role, recipient=address,
                    subject=f"【督办】申请 {summary.number} {what}{state}",
                    body=(f"有条件开放申请 {summary.number}（数据资源 {summary.dataset_id}）的"
                          f"{what}期限为 {labels_zh.due_text(d.due, d.provisional)}"
                          f"（{law.basis(d.basis)}），目前{state}。请及时办理。\n"
                          f"督办依据：{law.basis(target.basis)}。"),
                    request_number=summary.number,
                    dedupe_key=f"remind:{summary.number}:{d.what}:{d.party}:{d.status}:{d.due}:{role}",
                ), at=now)
                queued += int(added)
    return queued
