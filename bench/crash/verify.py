"""After the run, with the service stopped: what the clients were told is
done must be in the database, once (read with :class:`search_api.store.Store`).

Requests and data error reports are found by the ``crash-<uuid>`` marker
their client put in the purpose or the description: an acknowledged
receipt number must hold its own marker, a marker may be stored under two
numbers only if its client sent it more than once (a cut attempt that was
stored, then the retry), and every stored filing must have its audit
record (and a report its department's notice in the outbox, written in the
same transaction)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from domain.procedures.request_records import Request
from domain.procedures.request_states import EventKind
from search_api.store import RequestNotFound, Store, hash_token
from search_api.store.engine import READ
from search_api.store.report_store import ReportStore
from search_api.store.schema import (
    audit_log,
    links,
    outbox,
    receipt_counters,
    reports,
    request_events,
    requests,
)
from search_api.web.security import secret_hash
from search_api.wiring import open_services

MARKER = re.compile(r"crash-[0-9a-f]{32}")


@dataclass
class Verdict:
    stored_requests: int = 0
    acked_submissions: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged, not stored as acknowledged
    duplicate_numbers: list[str] = field(default_factory=list)  # a receipt number twice
    retried_duplicates: int = 0  # extra requests of a marker the client sent more than once
    unexplained_duplicates: list[str] = field(default_factory=list)  # sent once, stored twice
    stored_unacked: int = 0  # a cut attempt was stored (allowed)
    receipt_numbers_skipped: int = 0  # numbers drawn but never used (a crash in between)
    # Third parties consulted whose link was never stored (the consultation is
    # saved before its links, in another transaction): not a lost
    # acknowledged write, but such a party can never answer.
    parties_without_link: list[str] = field(default_factory=list)
    unknown_markers: list[str] = field(default_factory=list)  # stored, never sent
    # Data error reports (POST /api/v1/datasets/<id>/reports), checked the same way.
    stored_reports: int = 0
    acked_reports: int = 0
    lost_reports: list[str] = field(default_factory=list)  # acknowledged, not stored as such
    retried_report_duplicates: int = 0
    unexplained_report_duplicates: list[str] = field(default_factory=list)
    stored_unacked_reports: int = 0
    report_numbers_skipped: int = 0  # JC- numbers drawn but never used
    unknown_report_markers: list[str] = field(default_factory=list)
    reports_without_audit: list[str] = field(default_factory=list)  # no report.received record
    reports_without_notice: list[str] = field(default_factory=list)  # no department message
    acked_answers: int = 0
    lost_answers: list[str] = field(default_factory=list)
    acked_reviews: int = 0
    lost_reviews: list[str] = field(default_factory=list)
    acked_logins: int = 0
    lost_logins: list[str] = field(default_factory=list)
    audit_records: int = 0
    without_audit: list[str] = field(default_factory=list)  # audit_records(subject=n) empty
    audit_short: list[str] = field(default_factory=list)  # fewer request.* records than events
    events_mismatch: list[str] = field(default_factory=list)  # snapshot vs request_events
    audit_problems: list[str] = field(default_factory=list)  # store.verify_audit()

    @property
    def failures(self) -> list[str]:
        out: list[str] = []
        for name in ("lost", "duplicate_numbers", "unexplained_duplicates", "unknown_markers",
                     "lost_reports", "unexplained_report_duplicates", "unknown_report_markers",
                     "reports_without_audit", "reports_without_notice", "lost_answers", "lost_reviews", "lost_logins", "without_audit",
                     "audit_short", "events_mismatch", "audit_problems"):
            items: list[str] = getattr(self, name)
            if items:
                out.append(f"{name}: {len(items)} (e.g. {'; '.join(items[:3])})")
        return out

    @property
    def ok(self) -> bool:
        return not self.failures


def verify(settings: Mapping[str, Any], submissions: list[dict[str, Any]],
           answers: list[dict[str, Any]], reviews: list[dict[str, Any]],
           logins: list[dict[str, Any]], reports: Sequence[dict[str, Any]] = ()) -> Verdict:
    """Check every acknowledged write of the clients' records against the
    service's database, opened as the service opens it
    (``open_services(settings)``, ``settings`` from ``load_settings``; not
    migrated). Never raises for a lost write: the verdict lists it.

    Raises:
        WrongPersonalDataKey: the settings' key does not open the stored data.
    """
    v = Verdict()
    services = open_services(settings, migrate=False)
    store = services.store
    try:
        _requests(store, v, submissions)
        _reports(store, v, list(reports))
        loaded: dict[str, Request | None] = {}

        def load(number: str) -> Request | None:
            if number not in loaded:
                try:
                    loaded[number] = store.load(number)[0]
                except RequestNotFound:
                    loaded[number] = None
            return loaded[number]

        _answers(v, answers, load)
        _reviews(store, v, reviews, load)
        _logins(store, v, logins)
        v.audit_problems = store.verify_audit()
    finally:
        services.close()
    return v


def _requests(store: Store, v: Verdict, submissions: list[dict[str, Any]]) -> None:
    with store.engine.connect() as conn:
        conn.execution_options(**READ)
        with conn.begin():
            rows = conn.execute(select(requests.c.number, requests.c.snapshot,
                                       requests.c.access_code_hash)).all()
            event_counts: dict[str, int] = dict(conn.execute(
                select(request_events.c.request_number, func.count())
                .group_by(request_events.c.request_number)).all())
            audit_counts: dict[str, int] = dict(conn.execute(
                select(audit_log.c.subject, func.count())
                .where(audit_log.c.action.like("request.%")).group_by(audit_log.c.subject)).all())
            v.audit_records = int(conn.execute(select(func.count()).select_from(audit_log))
                                  .scalar_one())
            link_counts: dict[str, int] = dict(conn.execute(
                select(links.c.request_number, func.count()).where(links.c.kind == "third_party")
                .group_by(links.c.request_number)).all())
            drawn = sum(int(n) for n in conn.execute(select(receipt_counters.c.last).where(
                receipt_counters.c.prefix == "YH")).scalars())
    v.stored_requests = len(rows)
    v.receipt_numbers_skipped = drawn - len(rows)
    v.duplicate_numbers = [n for n, c in Counter(r.number for r in rows).items() if c > 1]
    marker_of: dict[str, str | None] = {}
    code_hash = {row.number: row.access_code_hash for row in rows}
    by_marker: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        found = MARKER.search(str(row.snapshot["application"].get("purpose", "")))
        marker_of[row.number] = found.group(0) if found else None
        if found:
            by_marker[found.group(0)].append(row.number)
        recorded = len(row.snapshot.get("events", []))
        parties = len(row.snapshot.get("third_parties", []))
        if link_counts.get(row.number, 0) < parties:
            v.parties_without_link.append(f"{row.number}: {parties} parties, "
                                          f"{link_counts.get(row.number, 0)} links")
        if event_counts.get(row.number, 0) != recorded:
            v.events_mismatch.append(f"{row.number}: {recorded} events in the snapshot, "
                                     f"{event_counts.get(row.number, 0)} in request_events")
        if audit_counts.get(row.number, 0) < recorded:
            v.audit_short.append(f"{row.number}: {audit_counts.get(row.number, 0)} audit "
                                 f"records for {recorded} events")
        if not store.audit_records(subject=row.number, limit=1):
            v.without_audit.append(row.number)

    sent = {rec["marker"]: rec for rec in submissions}
    v.unknown_markers = [m for m in by_marker if m not in sent]
    for rec in submissions:
        numbers = by_marker.get(rec["marker"], [])
        if rec["acked"]:
            v.acked_submissions += 1
            if rec["number"] not in marker_of:
                v.lost.append(f"{rec['number']} ({rec['marker']}) is not stored")
            elif marker_of[rec["number"]] != rec["marker"]:
                v.lost.append(f"{rec['number']} holds {marker_of[rec['number']]}, "
                              f"not {rec['marker']}")
            elif rec.get("access_code") is not None \
                    and code_hash[rec["number"]] != secret_hash(rec["access_code"]):
                v.lost.append(f"{rec['number']}: the access code of the receipt does not open it")
        elif numbers:
            v.stored_unacked += 1
        allowed, unexplained = _duplicates(rec, numbers)
        v.retried_duplicates += allowed
        if unexplained:
            v.unexplained_duplicates.append(unexplained)


def _duplicates(rec: dict[str, Any], numbers: list[str]) -> tuple[int, str | None]:
    """(allowed duplicates, unexplained duplicate) of one filing stored as ``numbers``."""
    if len(numbers) <= 1:
        return 0, None
    if rec["attempts"] > 1:
        return len(numbers) - 1, None
    return 0, f"{rec['marker']} sent once, stored as {', '.join(numbers)}"


def _reports(store: Store, v: Verdict, sent: list[dict[str, Any]]) -> None:
    """Every acknowledged report number is stored once, with its marker,
    kind and dataset, its ``report.received`` audit record, the department's
    notice, and a reporter sealed with the run's key (an e-mail contact opens)."""
    with store.engine.connect() as conn:
        conn.execution_options(**READ)
        with conn.begin():
            rows = conn.execute(select(reports.c.number, reports.c.kind, reports.c.dataset_id,
                                       reports.c.description)).all()
            audited = set(conn.execute(select(audit_log.c.subject).where(
                audit_log.c.action == "report.received")).scalars())
            noticed = set(conn.execute(select(outbox.c.dedupe_key).where(
                outbox.c.kind == "report.received")).scalars())
            drawn = sum(int(n) for n in conn.execute(select(receipt_counters.c.last).where(
                receipt_counters.c.prefix == "JC")).scalars())
    v.stored_reports = len(rows)
    v.report_numbers_skipped = drawn - len(rows)
    stored = {row.number: row for row in rows}
    by_marker: dict[str, list[str]] = defaultdict(list)
    marker_of: dict[str, str | None] = {}
    for row in rows:
        found = MARKER.search(row.description)
        marker_of[row.number] = found.group(0) if found else None
        if found:
            by_marker[found.group(0)].append(row.number)
        if row.number not in audited:
            v.reports_without_audit.append(row.number)
        if f"report:{row.number}:received:department" not in noticed:
            v.reports_without_notice.append(row.number)
    markers = {rec["marker"] for rec in sent}
    v.unknown_report_markers = [m for m in by_marker if m not in markers]
    opener = ReportStore(store)
    for rec in sent:
        numbers = by_marker.get(rec["marker"], [])
        if rec["acked"]:
            v.acked_reports += 1
            number, found_row = rec["number"], stored.get(rec["number"])
            if found_row is None:
                v.lost_reports.append(f"{number} ({rec['marker']}) is not stored")
            elif marker_of[number] != rec["marker"]:
                v.lost_reports.append(f"{number} holds {marker_of[number]}, not {rec['marker']}")
            elif (found_row.kind, found_row.dataset_id) != (rec.get("kind", found_row.kind),
                                                            rec["dataset"]):
                v.lost_reports.append(f"{number}: stored as {found_row.kind} on "
                                      f"{found_row.dataset_id}, "
                                      f"sent as {rec.get('kind')} on {rec['dataset']}")
            elif "@" in (rec.get("contact") or "") \
                    and opener.reporter_email(number) != rec["contact"]:
                v.lost_reports.append(f"{number}: the sealed reporter does not open to the "
                                      "contact sent")
        elif numbers:
            v.stored_unacked_reports += 1
        allowed, unexplained = _duplicates(rec, numbers)
        v.retried_report_duplicates += allowed
        if unexplained:
            v.unexplained_report_duplicates.append(unexplained)


def _answers(v: Verdict, answers: list[dict[str, Any]], load: Any) -> None:
    for rec in answers:
        if not rec["acked"]:
            continue
        v.acked_answers += 1
        req = load(rec["number"])
        party = next((p for p in req.third_parties if p.name == rec["party"]), None) \
            if req is not None else None
        if party is None or party.answer != rec["answer"] or party.reasons != rec["reasons"]:
            got = "no such party" if party is None else f"{party.answer!r} {party.reasons[:50]!r}"
            v.lost_answers.append(f"{rec['number']} {rec['party']}: acknowledged "
                                  f"{rec['answer']!r}, stored {got}")


def _reviews(store: Store, v: Verdict, reviews: list[dict[str, Any]], load: Any) -> None:
    now = datetime.now(UTC)
    for rec in reviews:
        if not rec["acked"]:
            continue
        v.acked_reviews += 1
        req = load(rec["number"])
        kinds = {e.kind for e in req.events} if req is not None else set()
        problem = None
        if rec["action"] == "forward" and EventKind.FORWARDED not in kinds:
            problem = "not forwarded"
        elif rec["action"] == "start_consultation":
            names = {p.name for p in req.third_parties} if req is not None else set()
            wanted = set(rec["fields"]["parties"].splitlines())
            if EventKind.CONSULTATION_STARTED not in kinds or not wanted <= names:
                problem = "no consultation of the parties"
            elif len(rec["links"]) != len(wanted):
                problem = f"{len(rec['links'])} link(s) shown for {len(wanted)} parties"
            for link in rec["links"]:
                found = store.find_link("third_party", hash_token(link["token"]), now)
                if found is None or found.request_number != rec["number"]:
                    problem = f"the link of {link['party']} is not stored"
        if problem:
            v.lost_reviews.append(f"{rec['number']} {rec['action']}: {problem}")


def _logins(store: Store, v: Verdict, logins: list[dict[str, Any]]) -> None:
    acked = Counter(rec["user"] for rec in logins if rec["acked"])
    v.acked_logins = sum(acked.values())
    for user, n in acked.items():
        stored = sum(1 for r in store.audit_records(subject=f"user:{user}", limit=100_000)
                     if r.action == "sign_in")
        if stored < n:
            v.lost_logins.append(f"{user}: {n} sign-ins acknowledged, {stored} recorded")
