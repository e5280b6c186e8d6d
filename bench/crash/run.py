"""No acknowledged write is lost (issue #6): the real service under gunicorn,
hundreds of writes in flight, the master and all workers SIGKILLed at random
moments and restarted; then every write the clients were told is done is
looked up in the database.

    .venv/bin/python -m bench.crash.run [--db sqlite|postgresql|both]
        [--in-flight 500] [--kills 5] [--seconds 60] [--processes 4] [--report-share 0.2]

Per database:

1. a fresh database (SQLite file under bench/out/crash/<db>/, or a new
   PostgreSQL schema), opened and migrated as the service does it
   (``open_services(load_settings(...))`` on the service's environment), with
   reviewers (``Store.add_user``); the
   sample catalogue is built and indexed once (``portal build --index``);
2. ``gunicorn -w 4 -k gthread --threads 8 'search_api:create_app()'`` on a
   free loopback port, in its own process group, rate limits raised (the
   load comes from one address), personal data encrypted;
3. a batch of consulted requests made through the reviewers' pages, for
   their third-party links;
4. ``--processes`` client processes keep ``--in-flight`` filings in flight
   (one thread each, back to back) for ``--seconds`` — requests, and with
   probability ``--report-share`` a data error report through
   ``POST /api/v1/datasets/<id>/reports`` instead — plus third parties
   answering through their links and reviewers forwarding and consulting
   (which makes more links); connection errors are retried;
5. meanwhile ``--kills`` times: ``os.killpg(pgid, SIGKILL)``, restart, wait;
6. then, the service stopped: every acknowledged request and report is
   stored once with its marker, no marker is stored twice unless its client
   retried, every acknowledged answer, review action and sign-in is
   recorded, every request and report has its audit records and
   ``verify_audit()`` finds the chain intact.

Prints a table per database and writes bench/out/crash/summary.json; exits 1
if anything acknowledged was lost, a duplicate is unexplained or the audit
chain is broken. Traffic goes to 127.0.0.1 only; the run stops by itself.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.crash import client
from bench.crash.server import REPO, Service, free_port
from bench.crash.verify import Verdict, verify
from search_api.settings import load_settings
from search_api.store import new_key
from search_api.store.engine import parse_url
from search_api.wiring import open_services

OUT = REPO / "bench" / "out" / "crash"
PG_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
HIGH = str(10**9)


@dataclass
class Options:
    in_flight: int = 500
    kills: int = 5
    seconds: float = 60.0
    processes: int = 4
    workers: int = 4
    threads: int = 8
    prepare: int | None = None  # consulted requests made before the load (default in_flight/2)
    answerers: int | None = None  # default in_flight/20
    reviewers: int | None = None  # default in_flight/100
    grace: float = 60.0  # after --seconds, for writes in flight to finish their retries
    report_share: float = 0.2  # of the filings, data error reports (the rest: requests)
    seed: int | None = None
    pg_url: str = PG_URL
    keep: bool = False  # keep the PostgreSQL schema


@dataclass
class Result:
    db: str
    url: str
    seed: int = 0  # of the kill moments and the clients' choices
    submissions_sent: int = 0
    submissions_acked: int = 0
    reports_sent: int = 0
    reports_acked: int = 0
    answers_sent: int = 0
    answers_acked: int = 0
    reviews_sent: int = 0
    reviews_acked: int = 0
    logins_acked: int = 0
    retried: int = 0  # writes that needed more than one attempt
    transport_errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # every HTTP status seen
    unacked: dict[str, int] = field(default_factory=dict)  # why writes were not acknowledged
    kills: list[dict[str, float]] = field(default_factory=list)
    in_flight_median: float = 0.0  # filings (requests, reports) in flight, every 0.25 s
    in_flight_min: int = 0
    # From a kill to the first 201 of a filing (request or report) sent after it
    # (the outage seen by clients).
    no_ack_after_kill_s: list[float] = field(default_factory=list)
    load_seconds: float = 0.0
    run_seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    p99_e2e_ms: float = 0.0  # from the first attempt, retries across crashes included
    writes_per_s: float = 0.0
    client_errors: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase
    verdict: Verdict = field(default_factory=Verdict)
    # The service's settings (load_settings of its environment), to open its
    # database as it does; secrets inside: never written to result.json.
    settings: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def lost(self) -> int:
        v = self.verdict
        return (len(v.lost) + len(v.lost_reports) + len(v.lost_answers) + len(v.lost_reviews)
                + len(v.lost_logins))

    @property
    def ok(self) -> bool:
        return self.verdict.ok and not self.client_errors

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["settings"]
        data.update(lost=self.lost, ok=self.ok, failures=self.verdict.failures)
        return data


# --- preparation -------------------------------------------------------------------------

def build_site(out: Path) -> dict[str, Path]:
    """``portal build datasets --out <out>/site --index`` into <out>'s own
    search database and labels file; returns their paths."""
    paths = {"site": out / "site", "search_db": out / "search.sqlite3",
             "labels": out / "labels.json"}
    out.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_SEARCH_DB=str(paths["search_db"]), PORTAL_LABELS_FILE=str(paths["labels"]),
               PORTAL_CATALOG_JSON=str(paths["site"] / "catalog.json"))
    done = subprocess.run([str(Path(sys.executable).parent / "portal"), "build", "datasets",
                           "--out", str(paths["site"]), "--index", "--quiet"], cwd=REPO, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"portal build --index failed:\n{done.stderr[-2000:]}")
    return paths


def fresh_database(kind: str, folder: Path, pg_url: str) -> tuple[str, str | None]:
    """(url, PostgreSQL schema or None) of an empty database."""
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{folder / 'portal.sqlite3'}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{folder / 'portal.sqlite3'}", None
    schema = f"crash_{uuid.uuid4().hex[:12]}"
    admin = create_engine(parse_url(pg_url))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    sep = "&" if "?" in pg_url else "?"
    return f"{pg_url}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(pg_url: str, schema: str) -> None:
    admin = create_engine(parse_url(pg_url))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def service_env(url: str, secret_key: str, personal_key: str, paths: dict[str, Path],
                folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DATABASE_URL=url, PORTAL_SECRET_KEY=secret_key,
        PORTAL_PERSONAL_DATA_KEY=personal_key,
        PORTAL_SEARCH_DB=str(paths["search_db"]), PORTAL_LABELS_FILE=str(paths["labels"]),
        PORTAL_CATALOG_JSON=str(paths["site"] / "catalog.json"), PORTAL_SITE_DIR="",
        PORTAL_CATALOG_DIR=str(REPO / "datasets"),
        PORTAL_CALENDAR_DIRS=str(REPO / "datasets" / "calendars"),
        PORTAL_MAIL_LOG=str(folder / "mail.log"),
        PORTAL_RATE_PUBLIC_WRITES=HIGH, PORTAL_RATE_SECRET_ATTEMPTS=HIGH,
    )
    return env


def conditional_datasets(port: int) -> list[list[str]]:
    """[id, department] of every conditional dataset that offers delivery by
    download (the clients' applications ask for it), from the search engine."""
    reply = client.exchange(port, "GET", "/api/v1/search?open_type=conditional&per_page=100")
    body = reply.json()
    if reply.status != 200 or not body or not body.get("hits"):
        raise RuntimeError(f"no conditional dataset found: {reply.status} {reply.text[:200]}")
    found = []
    for hit in body["hits"]:
        record = client.exchange(port, "GET", f"/api/v1/datasets/{hit['id']}").json() or {}
        if "download" in ((record.get("dataset") or {}).get("provision") or []):
            found.append([hit["id"], hit["department"]])
    if not found:
        raise RuntimeError("no conditional dataset offers delivery by download")
    return found


def report_datasets(port: int) -> list[str]:
    """Ids of the datasets errors are reported on: every one the search
    engine finds (open, conditional), up to 100."""
    reply = client.exchange(port, "GET", "/api/v1/search?per_page=100")
    body = reply.json()
    if reply.status != 200 or not body or not body.get("hits"):
        raise RuntimeError(f"no dataset found: {reply.status} {reply.text[:200]}")
    return [str(hit["id"]) for hit in body["hits"]]


def prepare_consultations(ctx: client.Context, n: int, datasets: list[list[str]],
                          authority: str, reviewers: dict[str, str], password: str,
                          service_env: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                    list[dict[str, Any]], list[dict[str, str]]]:
    """``n`` requests filed, forwarded and consulted through the pages before
    the load: (submissions, reviews, logins, third-party links)."""
    desk = client.Reviewer(ctx, password, service_env)
    for user in [authority, *reviewers.values()]:
        if desk.browser(user) is None:
            raise RuntimeError(f"reviewer {user} cannot sign in: {desk.logins[-1]}")

    def one(i: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        dataset_id, department = datasets[i % len(datasets)]
        rec = client.submit(ctx, dataset_id)
        if not rec["acked"]:
            return rec, []
        # Its own sign-ins: threads sharing one server-side session would
        # pop each other's flashes (the acknowledgement read here).
        reviewer = client.Reviewer(ctx, password, service_env)
        return rec, reviewer.forward_and_consult(rec["number"], department, authority,
                                                 reviewers)

    with ThreadPoolExecutor(8) as pool:
        done = list(pool.map(one, range(n)))
    submissions = [rec for rec, _ in done]
    reviews = [r for _, rs in done for r in rs]
    links = [{"token": link["token"], "number": r["number"], "party": link["party"]}
             for r in reviews for link in r["links"]]
    if n and not links:
        raise RuntimeError(f"no consultation could be prepared: {reviews[:2] or submissions[:2]}")
    return submissions, reviews, desk.logins, links


# --- the run -------------------------------------------------------------------------------

def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def kill_loop(service: Service, offsets: list[float], started: float, stop: threading.Event,
              kills: list[dict[str, float]], errors: list[str]) -> None:
    """At each offset (seconds after ``started``, monotonic): SIGKILL the
    whole group, restart, wait until it answers."""
    try:
        for offset in offsets:
            if stop.wait(max(0.0, started + offset - time.monotonic())):
                return
            at, wall = time.monotonic() - started, time.time()
            victims = service.kill()
            service.start()
            restart = service.wait_ready(120)
            kills.append({"planned_s": round(offset, 2), "at_s": round(at, 2), "wall": wall,
                          "processes": victims, "restart_s": round(restart, 2)})
    except Exception as exc:  # reported: the run fails
        errors.append(f"kill loop: {type(exc).__name__}: {exc}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


@dataclass
class Records:
    """Every write the clients made, as they saw it (see :mod:`bench.crash.client`)."""

    submissions: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    logins: list[dict[str, Any]] = field(default_factory=list)
    in_flight: list[list[int]] = field(default_factory=list)  # per process, sampled


@dataclass
class Setup:
    url: str
    port: int
    secret_key: str
    personal_key: str
    password: str
    datasets: list[list[str]]  # [id, department] of the conditional datasets
    reviewers: dict[str, str]  # department → reviewer
    report_datasets: list[str] = field(default_factory=list)  # ids to report errors on
    authority: str = "crash-authority"
    links: list[dict[str, str]] = field(default_factory=list)  # prepared third-party links


def run_database(kind: str, opts: Options, paths: dict[str, Path], out: Path) -> Result:
    """One run on ``kind`` (sqlite or postgresql): fresh database, service,
    prepared consultations, load with kills, checks. Never raises for a lost
    write: the result says."""
    begun = time.monotonic()
    folder = out / kind
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    seed = opts.seed if opts.seed is not None else random.randrange(2**32)
    url, schema = fresh_database(kind, folder, opts.pg_url)
    result = Result(db=kind, url=url, seed=seed)
    records = Records()
    try:
        setup = Setup(url=url, port=free_port(), secret_key=secrets.token_hex(32),
                      personal_key=new_key(), password=secrets.token_urlsafe(18),
                      datasets=[], reviewers={})
        service = Service(service_env(url, setup.secret_key, setup.personal_key, paths, folder),
                          setup.port, folder / "gunicorn.log", workers=opts.workers,
                          threads=opts.threads)
        result.settings = load_settings(environ=service.env, base=REPO)
        try:
            _prepare(service, setup, opts, seed, result, records)
            _load(service, setup, opts, seed, folder, result, records)
        finally:
            mark = time.monotonic()
            service.stop()
            result.phases["stop"] = time.monotonic() - mark
        mark = time.monotonic()
        result.verdict = verify(result.settings, records.submissions, records.answers,
                                records.reviews, records.logins, records.reports)
        result.phases["verify"] = time.monotonic() - mark
    finally:
        if schema and not opts.keep:
            drop_schema(opts.pg_url, schema)
    _summarise(result, records)
    result.run_seconds = time.monotonic() - begun
    (folder / "result.json").write_text(json.dumps(result.to_json(), ensure_ascii=False,
                                                   indent=1))
    return result


def _prepare(service: Service, setup: Setup, opts: Options, seed: int, result: Result,
             records: Records) -> None:
    """Migrate, add the reviewers, start the service, make the consulted batch."""
    mark = time.monotonic()
    # Opened, migrated and checked as the service opens its database.
    services = open_services(load_settings(environ=service.env, base=REPO))
    store = services.store
    try:
        now = datetime.now(UTC)
        store.add_user(setup.authority, setup.password, "authority_reviewer", at=now)
        result.phases["database"] = time.monotonic() - mark
        service.start()
        result.phases["first start"] = service.wait_ready(120)
        setup.datasets = conditional_datasets(setup.port)
        setup.report_datasets = report_datasets(setup.port)
        for department in sorted({d for _, d in setup.datasets}):
            setup.reviewers[department] = f"crash-{department}"
            store.add_user(setup.reviewers[department], setup.password, "department_reviewer",
                           department, at=now)
    finally:
        services.close()
    mark = time.monotonic()
    n = opts.prepare if opts.prepare is not None else max(4, opts.in_flight // 2)
    ctx = client.Context(setup.port, time.time() + 600, time.time() + 600, seed)
    submissions, reviews, logins, links = prepare_consultations(
        ctx, n, setup.datasets, setup.authority, setup.reviewers, setup.password, service.env)
    for rec in [*submissions, *reviews, *logins]:
        rec["phase"] = "prepare"
    records.submissions += submissions
    records.reviews += reviews
    records.logins += logins
    setup.links = links
    result.phases["prepare"] = time.monotonic() - mark


def _load(service: Service, setup: Setup, opts: Options, seed: int, folder: Path,
          result: Result, records: Records) -> None:
    """The client processes, started together, and the kills meanwhile."""
    answerers = opts.answerers if opts.answerers is not None else max(1, opts.in_flight // 20)
    desks = opts.reviewers if opts.reviewers is not None else max(1, opts.in_flight // 100)
    start_at = time.time() + 2.0
    deadline = start_at + opts.seconds
    hard_deadline = deadline + opts.grace
    spawn = multiprocessing.get_context("spawn")
    procs = []
    for i, (subs, ans, revs) in enumerate(zip(split(opts.in_flight, opts.processes),
                                              split(answerers, opts.processes),
                                              split(desks, opts.processes), strict=True)):
        config = {
            "port": setup.port, "deadline": deadline, "hard_deadline": hard_deadline,
            "start_at": start_at, "seed": seed + i + 1, "submitters": subs, "answerers": ans,
            "reviewer_threads": revs, "datasets": setup.datasets,
            "tokens": setup.links[i::opts.processes], "password": setup.password,
            "service_env": service.env, "authority": setup.authority,
            "reviewers": setup.reviewers, "timeout": 60.0,
            "report_datasets": setup.report_datasets, "report_share": opts.report_share,
        }
        out_path = folder / f"client-{i}.json"
        out_path.unlink(missing_ok=True)
        proc = spawn.Process(target=client.load_process, args=(config, str(out_path)),
                             name=f"crash-client-{i}")
        proc.start()
        procs.append((proc, out_path))

    # One random moment in each of --kills equal slots of the load (so that
    # the service serves between crashes); the clients start 2 s from now.
    rng = random.Random(seed)
    margin = min(opts.seconds * 0.1, 5.0)
    slot = (opts.seconds - 2 * margin) / max(1, opts.kills)
    offsets = [2.0 + margin + slot * (i + rng.random()) for i in range(opts.kills)]
    stop, kill_errors = threading.Event(), list[str]()
    killer = threading.Thread(target=kill_loop, name="killer", daemon=True, args=(
        service, offsets, time.monotonic(), stop, result.kills, kill_errors))
    killer.start()
    try:
        for proc, _ in procs:
            proc.join(max(1.0, hard_deadline + 60 - time.time()))
    finally:
        load_end = time.time()
        stop.set()
        killer.join(180)
        for proc, _ in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(10)
                result.client_errors.append(f"{proc.name} did not finish")
    result.client_errors += kill_errors
    if len(result.kills) != opts.kills:
        result.client_errors.append(f"{len(result.kills)} of {opts.kills} kills done")
    for proc, out_path in procs:
        if not out_path.exists():
            result.client_errors.append(f"{proc.name} wrote no results "
                                        f"(exit code {proc.exitcode})")
            continue
        data = json.loads(out_path.read_text())
        records.submissions += data["submissions"]
        records.reports += data["reports"]
        records.answers += data["answers"]
        records.reviews += data["reviews"]
        records.logins += data["logins"]
        records.in_flight.append(data["in_flight"])
        result.client_errors += [f"{proc.name}: {c}" for c in data["crashes"]]
        if data["threads_alive"]:
            result.client_errors.append(f"{proc.name}: threads still running: "
                                        f"{data['threads_alive'][:5]}")
    result.load_seconds = max(0.001, load_end - start_at)
    result.phases["load"] = result.load_seconds


def _summarise(result: Result, records: Records) -> None:
    load_submissions = [s for s in records.submissions if s.get("phase") != "prepare"]
    load_reviews = [r for r in records.reviews if r.get("phase") != "prepare"]
    result.submissions_sent = len(records.submissions)
    result.submissions_acked = sum(1 for s in records.submissions if s["acked"])
    result.reports_sent = len(records.reports)
    result.reports_acked = sum(1 for r in records.reports if r["acked"])
    result.answers_sent = len(records.answers)
    result.answers_acked = sum(1 for a in records.answers if a["acked"])
    result.reviews_sent = len(records.reviews)
    result.reviews_acked = sum(1 for r in records.reviews if r["acked"])
    result.logins_acked = sum(1 for rec in records.logins if rec["acked"])
    writes = [*records.submissions, *records.reports, *records.answers, *records.reviews]
    result.retried = sum(1 for w in writes if w.get("posts", w["attempts"]) > 1)
    result.transport_errors = sum(sum(w["transport_errors"].values()) for w in writes)
    for w in writes:
        for status, n in w["statuses"].items():
            result.statuses[status] = result.statuses.get(status, 0) + n
        if not w["acked"]:
            why = (w.get("error") or "no answer before the deadline")[:80]
            result.unacked[why] = result.unacked.get(why, 0) + 1
    result.client_errors += [f"request refused: {rec['error']}" for rec in records.submissions
                             if rec["error"]][:5]
    result.client_errors += [f"report refused: {rec['error']}" for rec in records.reports
                             if rec["error"]][:5]
    totals = [sum(s) for s in zip(*records.in_flight, strict=False)]
    if totals:
        result.in_flight_median = statistics.median(totals)
        result.in_flight_min = min(totals)
    # Throughput and latency of the load phase (the prepared batch excluded).
    done = [w for w in [*load_submissions, *records.reports, *records.answers, *load_reviews]
            if w["acked"]]
    result.writes_per_s = len(done) / max(0.001, result.load_seconds)
    result.p50_ms = percentile([w["latency"] * 1000 for w in done], 0.50)
    result.p99_ms = percentile([w["latency"] * 1000 for w in done], 0.99)
    result.p99_e2e_ms = percentile([w["e2e"] * 1000 for w in done], 0.99)
    filed = [(s["sent_at"], s["acked_at"]) for s in [*load_submissions, *records.reports]
             if s["acked"]]
    for kill in result.kills:
        first = min((at for sent, at in filed if sent > kill["wall"]), default=None)
        if first is not None:
            result.no_ack_after_kill_s.append(round(first - kill["wall"], 2))


# --- report ---------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    def row(name: str, get: Any) -> list[str]:
        return [name, *(str(get(r)) for r in results)]

    rows = [
        ["", *(r.db for r in results)],
        row("requests sent", lambda r: r.submissions_sent),
        row("requests acknowledged", lambda r: r.submissions_acked),
        row("error reports sent / acked", lambda r: f"{r.reports_sent} / {r.reports_acked}"),
        row("third-party answers sent / acked", lambda r: f"{r.answers_sent} / {r.answers_acked}"),
        row("review actions sent / acked", lambda r: f"{r.reviews_sent} / {r.reviews_acked}"),
        row("sign-ins acked", lambda r: r.logins_acked),
        row("LOST (acknowledged, not stored)", lambda r: r.lost),
        row("duplicates (retried, allowed)", lambda r: r.verdict.retried_duplicates),
        row("duplicates (unexplained)", lambda r: len(r.verdict.unexplained_duplicates)),
        row("report duplicates, retried / unexplained",
            lambda r: f"{r.verdict.retried_report_duplicates} / "
            f"{len(r.verdict.unexplained_report_duplicates)}"),
        row("writes not acknowledged", lambda r: sum(r.unacked.values())),
        row("stored, not acknowledged (requests / reports)",
            lambda r: f"{r.verdict.stored_unacked} / {r.verdict.stored_unacked_reports}"),
        row("requests / reports stored",
            lambda r: f"{r.verdict.stored_requests} / {r.verdict.stored_reports}"),
        row("receipt numbers skipped (YH / JC)",
            lambda r: f"{r.verdict.receipt_numbers_skipped} / {r.verdict.report_numbers_skipped}"),
        row("consultations left without links",
            lambda r: len(r.verdict.parties_without_link)),
        row("kills (SIGKILL master+workers)", lambda r: len(r.kills)),
        row("processes killed", lambda r: sum(int(k["processes"]) for k in r.kills)),
        row("kill → first 201 sent after it, s", lambda r: " ".join(
            f"{x:.1f}" for x in r.no_ack_after_kill_s)),
        row("filings in flight, median (min)",
            lambda r: f"{r.in_flight_median:.0f} ({r.in_flight_min})"),
        row("writes retried / transport errors",
            lambda r: f"{r.retried} / {r.transport_errors}"),
        row("HTTP statuses (all exchanges)", lambda r: " ".join(f"{k}:{v}" for k, v in sorted(
            r.statuses.items()))),
        row("acked writes/s (load phase)", lambda r: f"{r.writes_per_s:.1f}"),
        row("p50 latency, acked attempt ms", lambda r: f"{r.p50_ms:.0f}"),
        row("p99 latency, acked attempt ms", lambda r: f"{r.p99_ms:.0f}"),
        row("p99 incl. retries ms", lambda r: f"{r.p99_e2e_ms:.0f}"),
        row("audit records / chain", lambda r: f"{r.verdict.audit_records} / "
            f"{'intact' if not r.verdict.audit_problems else 'BROKEN'}"),
        row("requests without audit records", lambda r: len(r.verdict.without_audit)),
        row("reports without report.received / notice",
            lambda r: f"{len(r.verdict.reports_without_audit)} / "
            f"{len(r.verdict.reports_without_notice)}"),
        row("load s / run s", lambda r: f"{r.load_seconds:.1f} / {r.run_seconds:.1f}"),
        row("result", lambda r: "ok" if r.ok else "FAILED"),
    ]
    widths = [max(len(line[i]) for line in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                     for line in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash.run", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--in-flight", type=int, default=500,
                        help="filings kept in flight (one client thread each)")
    parser.add_argument("--report-share", type=float, default=0.2,
                        help="share of the filings that are data error reports (0 to 1)")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--prepare", type=int, help="consulted requests made before the load")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.in_flight < 1 or args.kills < 0 or args.seconds <= 0 or args.processes < 1:
        parser.error("--in-flight and --processes must be positive, --kills not negative")
    if not 0 <= args.report_share <= 1:
        parser.error("--report-share is between 0 and 1")
    opts = Options(in_flight=args.in_flight, kills=args.kills, seconds=args.seconds,
                   processes=args.processes, prepare=args.prepare, seed=args.seed,
                   pg_url=args.pg_url, keep=args.keep, report_share=args.report_share)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"building and indexing the sample catalogue into {args.out} ...", flush=True)
    paths = build_site(args.out)
    results = []
    for kind in kinds:
        print(f"{kind}: {opts.in_flight} in flight, {opts.kills} kills, {opts.seconds:.0f} s ...",
              flush=True)
        results.append(run_database(kind, opts, paths, args.out))
        for failure in results[-1].verdict.failures + results[-1].client_errors:
            print(f"  {kind}: {failure}", flush=True)
        for why, n in sorted(results[-1].unacked.items()):
            print(f"  {kind}: {n} write(s) not acknowledged: {why}", flush=True)
    print()
    print(table(results))
    (args.out / "summary.json").write_text(json.dumps(
        [r.to_json() for r in results], ensure_ascii=False, indent=1))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
