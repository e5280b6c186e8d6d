"""The clients of the crash benchmark: plain HTTP/1.1 over loopback
(``http.client``, one connection per exchange), with retries on transport
errors, and what each one saw.

A write is *acknowledged* when the service answered it as done:

- a request filed: ``201`` with its receipt number (``POST /api/v1/requests``);
- a data error report or catalogue correction filed: ``201`` with its
  ``JC-`` receipt number (``POST /api/v1/datasets/<id>/reports``);
- a third party's answer: ``200`` (``POST /api/v1/consultations/<token>``);
- a reviewer's action: the ``302`` after ``POST /review/requests/<n>/<action>``
  whose session carries the flash "操作已完成" (sessions are server-side: read
  from the service's database, where it was committed before the answer);
- a reviewer's sign-in: the ``302`` to ``/review/``.

A connection refused, reset or cut, or a timeout, is retried with the same
body: the first attempt may or may not have been stored, which is allowed;
only an acknowledged write must be. Every loop here is bounded in attempts
and by the run's hard deadline, and only ``127.0.0.1`` is contacted.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from functools import partial
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.crash import identity

HOST = "127.0.0.1"
TRANSPORT_ERRORS = (OSError, http.client.HTTPException)  # refused, reset, timeout, cut short
MAX_ATTEMPTS = 200
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
STALE = "申请刚刚被更新"  # StaleRequest over the JSON API: try again
DONE_FLASH = "操作已完成"
CONSULT_FLASH = re.compile(r"“([^”]+)”.*?/consult/([A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
PARTIES = ("第三方甲公司", "第三方乙公司")
SAMPLE_S = 0.25  # how often a client process counts its filings in flight


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def exchange(port: int, method: str, path: str, *, body: bytes | None = None,
             headers: dict[str, str] | None = None, timeout: float = 60.0) -> Reply:
    """One HTTP exchange on a fresh connection to 127.0.0.1:port.

    Raises:
        OSError, http.client.HTTPException: refused, reset, timed out, cut short.
    """
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, response.msg, data)
    finally:
        conn.close()


def post_json(port: int, path: str, payload: Any, timeout: float = 60.0) -> Reply:
    return exchange(port, "POST", path, body=json.dumps(payload, ensure_ascii=False).encode(),
                    headers={"Content-Type": "application/json"}, timeout=timeout)


def count(counter: dict[str, int], key: object) -> None:
    counter[str(key)] = counter.get(str(key), 0) + 1


class Context:
    """What every client thread of one run shares: the port, the deadlines
    (``time.time()``), the back-off and the run's random numbers."""

    def __init__(self, port: int, deadline: float, hard_deadline: float, seed: int,
                 timeout: float = 60.0) -> None:
        self.port, self.deadline, self.hard_deadline = port, deadline, hard_deadline
        self.timeout = timeout
        self._seed = seed
        self._local = threading.local()
        self._lock = threading.Lock()
        self.in_flight = 0  # filings (requests, reports) sent and not yet answered, here

    def flying(self, delta: int) -> None:
        with self._lock:
            self.in_flight += delta

    @property
    def rng(self) -> random.Random:
        rng = getattr(self._local, "rng", None)
        if rng is None:
            rng = self._local.rng = random.Random(f"{self._seed}-{threading.get_ident()}")
        return rng

    def more(self) -> bool:
        """Start new work? (Until the run's deadline.)"""
        return time.time() < self.deadline

    def may_retry(self, attempts: int) -> bool:
        return attempts < MAX_ATTEMPTS and time.time() < self.hard_deadline

    def backoff(self, attempt: int) -> None:
        delay = min(1.0, 0.05 * 2 ** min(attempt, 5)) * (0.5 + self.rng.random())
        time.sleep(max(0.0, min(delay, self.hard_deadline - time.time())))


# --- applicants and third parties (JSON API) -------------------------------------------------

def application(rng: random.Random, dataset_id: str, marker: str) -> dict[str, Any]:
    """A complete application with a valid identity; ``marker`` leads the purpose."""
    person = rng.random() < 0.7
    return {
        "dataset_id": dataset_id,
        "applicant_type": "person" if person else "organisation",
        "applicant_name": rng.choice(("李明", "王芳", "张伟", "刘洋")) if person
        else rng.choice(("云河示例科技有限公司", "黔中数据研究院有限公司")),
        "identity_number": identity.id_number(rng) if person else identity.credit_code(rng),
        "phone": identity.mobile(rng),
        "email": f"{marker[-12:]}@example.com",
        "purpose": f"{marker} 研究本市公共服务供给结构",
        "scope_of_use": "课题组内部分析，不对外提供",
        "period_of_use": "一年",
        "security_measures": "加密存储，专人管理，用后删除",
        "delivery_method": "download",
        "commitment_accepted": True,
    }


def new_marker() -> str:
    return f"crash-{uuid.uuid4().hex}"


def new_record(marker: str, dataset_id: str) -> dict[str, Any]:
    """What a client saw of one filing (request or report): attempts,
    transport errors and statuses, and whether and when it was acknowledged."""
    return {"marker": marker, "dataset": dataset_id, "attempts": 0, "transport_errors": {},
            "statuses": {}, "acked": False, "number": None, "latency": None, "e2e": None,
            "sent_at": None, "acked_at": None, "error": None}


def file_until_receipt(ctx: Context, path: str, payload: dict[str, Any],
                       rec: dict[str, Any]) -> dict[str, Any] | None:
    """POST ``payload`` to ``path`` until a ``201`` with a receipt number,
    retrying transport errors and 429/5xx with the same body (counted as in
    flight while sent). Updates ``rec``; returns the 201's JSON body, or
    None when refused (``rec["error"]``) or out of attempts or time."""
    first = time.monotonic()
    while ctx.may_retry(rec["attempts"]):
        rec["attempts"] += 1
        started, sent_at = time.monotonic(), time.time()
        ctx.flying(1)
        try:
            reply = post_json(ctx.port, path, payload, ctx.timeout)
        except TRANSPORT_ERRORS as exc:
            count(rec["transport_errors"], type(exc).__name__)
            ctx.backoff(rec["attempts"])
            continue
        finally:
            ctx.flying(-1)
        count(rec["statuses"], reply.status)
        body = reply.json()
        if reply.status == 201 and isinstance(body, dict) and body.get("number"):
            done = time.monotonic()
            rec.update(acked=True, number=str(body["number"]), latency=done - started,
                       e2e=done - first, sent_at=sent_at, acked_at=time.time())
            return body
        if reply.status in RETRY_STATUS:
            ctx.backoff(rec["attempts"])
            continue
        rec["error"] = reply.text[:300]
        return None
    return None


def submit(ctx: Context, dataset_id: str, marker: str | None = None) -> dict[str, Any]:
    """File one request, retrying transport errors with the same body."""
    marker = marker or new_marker()
    rec = new_record(marker, dataset_id)
    body = file_until_receipt(ctx, "/api/v1/requests", application(ctx.rng, dataset_id, marker),
                              rec)
    if body is not None:
        rec["access_code"] = body.get("access_code")
    return rec


def error_report(rng: random.Random, marker: str) -> dict[str, Any]:
    """A data error report (or, one in five, a catalogue correction) whose
    description leads with ``marker``; the reporter leaves an e-mail address
    holding the marker (so the receipt is queued for them), a mobile number
    or nothing."""
    kind = "catalogue_correction" if rng.random() < 0.2 else "data_error"
    row = str(rng.randrange(1, 500))
    contact = rng.choice((f"{marker[-12:]}@example.com", identity.mobile(rng), ""))
    return {"kind": kind, "field": rng.choice(("name", "address", "longitude", "update")),
            "row": row, "description": f"{marker} 第{row}行数值有误，应以原始登记为准",
            "evidence": "原始登记表", "reporter_name": rng.choice(("王女士", "赵先生", "")),
            "reporter_contact": contact}


def file_report(ctx: Context, dataset_id: str, marker: str | None = None) -> dict[str, Any]:
    """File one data error report through the JSON API, retrying transport
    errors with the same body (there is no idempotency key for reports: a
    cut attempt that was stored makes a duplicate, which is allowed)."""
    marker = marker or new_marker()
    rec = new_record(marker, dataset_id)
    payload = error_report(ctx.rng, marker)
    rec.update(kind=payload["kind"], contact=payload["reporter_contact"])
    file_until_receipt(ctx, f"/api/v1/datasets/{dataset_id}/reports", payload, rec)
    return rec


def answer(ctx: Context, item: dict[str, str]) -> dict[str, Any]:
    """A third party's answer through its token, retrying transport errors
    and a concurrent update of the same request (409 "申请刚刚被更新")."""
    choice = ctx.rng.choice(("agree", "object"))
    reasons = f"{new_marker()} {'涉及本公司经营信息' if choice == 'object' else '同意'}"
    rec: dict[str, Any] = {**item, "answer": choice, "reasons": reasons, "attempts": 0,
                           "transport_errors": {}, "statuses": {}, "acked": False,
                           "latency": None, "e2e": None, "error": None}
    first = time.monotonic()
    while ctx.may_retry(rec["attempts"]):
        rec["attempts"] += 1
        started = time.monotonic()
        try:
            reply = post_json(ctx.port, f"/api/v1/consultations/{item['token']}",
                              {"answer": choice, "reasons": reasons}, ctx.timeout)
        except TRANSPORT_ERRORS as exc:
            count(rec["transport_errors"], type(exc).__name__)
            ctx.backoff(rec["attempts"])
            continue
        count(rec["statuses"], reply.status)
        body = reply.json()
        if reply.status == 200 and isinstance(body, dict) and body.get("ok"):
            done = time.monotonic()
            rec.update(acked=True, latency=done - started, e2e=done - first)
            return rec
        if reply.status in RETRY_STATUS or (reply.status == 409 and STALE in reply.text):
            ctx.backoff(rec["attempts"])
            continue
        rec["error"] = reply.text[:300]  # e.g. 409 "already answered" after a cut attempt
        return rec
    return rec


# --- reviewers (HTML pages, session cookie, CSRF) --------------------------------------------

class Browser:
    """Cookies and form posts, one exchange per call (no retries here)."""

    def __init__(self, ctx: Context, cookies: dict[str, str] | None = None) -> None:
        self.ctx = ctx
        self.cookies = dict(cookies or {})

    def send(self, method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        headers: dict[str, str] = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        reply = exchange(self.ctx.port, method, path, body=body, headers=headers,
                         timeout=self.ctx.timeout)
        for header in reply.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if not morsel.value or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return reply


class SessionReader:
    """Reads the flashes of a browser's session from the service's database
    (sessions are server-side; the cookie holds only the session's id)."""

    _stores: dict[str, Any] = {}
    _lock = threading.Lock()

    def __init__(self, service_env: dict[str, str]) -> None:
        """``service_env``: the service's environment; its database is opened
        as the service opens it (``open_services(load_settings(...))``)."""
        from bench.crash.server import REPO
        from search_api.settings import load_settings
        from search_api.store.session_store import StoreSessions
        from search_api.wiring import open_services

        database_url = service_env["PORTAL_DATABASE_URL"]
        with self._lock:
            if database_url not in self._stores:
                services = open_services(load_settings(environ=service_env, base=REPO),
                                         migrate=False)
                self._stores[database_url] = StoreSessions(services.store)
            self._sessions = self._stores[database_url]

    def flashes(self, cookies: dict[str, str]) -> list[tuple[str, str]]:
        from search_api.web.sessions import id_hash

        value = cookies.get("session")
        if not value:
            return []
        record = self._sessions.load(id_hash(value))
        if record is None:
            return []
        return [(str(c), str(m)) for c, m in record.data.get("_flashes", [])]


class Reviewer:
    """One reviewer at a desk: signs in as the users it needs (lazily, or
    with cookies given), forwards and consults, retrying transport errors."""

    def __init__(self, ctx: Context, password: str, service_env: dict[str, str],
                 cookies: dict[str, dict[str, str]] | None = None) -> None:
        self.ctx, self.password = ctx, password
        self.sessions = SessionReader(service_env)
        self.browsers = {user: Browser(ctx, c) for user, c in (cookies or {}).items()}
        self.logins: list[dict[str, Any]] = []

    def _retrying(self, call: Callable[[], Reply], rec: dict[str, Any]) -> Reply | None:
        while self.ctx.may_retry(rec["attempts"]):
            rec["attempts"] += 1
            try:
                reply = call()
            except TRANSPORT_ERRORS as exc:
                count(rec["transport_errors"], type(exc).__name__)
                self.ctx.backoff(rec["attempts"])
                continue
            count(rec["statuses"], reply.status)
            if reply.status in RETRY_STATUS:
                self.ctx.backoff(rec["attempts"])
                continue
            return reply
        return None

    def browser(self, user: str) -> Browser | None:
        if user in self.browsers:
            return self.browsers[user]
        rec: dict[str, Any] = {"user": user, "attempts": 0, "transport_errors": {},
                               "statuses": {}, "acked": False}
        self.logins.append(rec)
        while self.ctx.may_retry(rec["attempts"]):
            browser = Browser(self.ctx)
            page = self._retrying(partial(browser.send, "GET", "/review/login"), rec)
            token = CSRF.search(page.text) if page is not None else None
            if token is None:
                return None
            form = {"csrf_token": token.group(1), "username": user, "password": self.password}
            reply = self._retrying(partial(browser.send, "POST", "/review/login", form), rec)
            if reply is None:
                return None
            if reply.status == 302 and "/review/login" not in reply.headers.get("Location", ""):
                rec["acked"] = True
                self.browsers[user] = browser
                return browser
            if reply.status == 400:  # CSRF: the login page was from before a cut; again
                continue
            rec["error"] = f"{reply.status} {reply.text[:200]}"
            return None
        return None

    def page(self, user: str, number: str, rec: dict[str, Any]) -> str | None:
        """The request's page as ``user`` (signing in again if sent to the login)."""
        for _ in range(3):
            browser = self.browser(user)
            if browser is None:
                return None
            reply = self._retrying(partial(browser.send, "GET", f"/review/requests/{number}"),
                                   rec)
            if reply is None:
                return None
            if reply.status == 200:
                return reply.text
            if reply.status == 302 and "/review/login" in reply.headers.get("Location", ""):
                self.browsers.pop(user, None)
                continue
            rec["error"] = f"page {reply.status}"
            return None
        return None

    def act(self, user: str, number: str, action: str,
            fields: dict[str, str] | None = None) -> dict[str, Any]:
        """Do ``action`` on request ``number`` as ``user``; the record says
        whether it was acknowledged and, for a consultation, the links."""
        rec: dict[str, Any] = {"user": user, "number": number, "action": action,
                               "fields": fields or {}, "attempts": 0, "transport_errors": {},
                               "statuses": {}, "acked": False, "posts": 0, "links": [],
                               "latency": None, "e2e": None, "error": None, "flash": None}
        first = time.monotonic()
        while self.ctx.may_retry(rec["attempts"]):
            html = self.page(user, number, rec)
            if html is None:
                return rec
            if f'data-action="{action}"' not in html:
                # Not (or no longer) possible: an earlier, cut attempt may have done it.
                rec["error"] = "action not offered" + (" after a cut attempt" if rec["posts"]
                                                       else "")
                return rec
            token, version = CSRF.search(html), VERSION.search(html)
            if token is None or version is None:
                rec["error"] = "no form"
                return rec
            browser = self.browsers[user]
            form = {"csrf_token": token.group(1), "version": version.group(1), **(fields or {})}
            rec["attempts"] += 1
            rec["posts"] += 1
            started = time.monotonic()
            try:
                reply = browser.send("POST", f"/review/requests/{number}/{action}", form)
            except TRANSPORT_ERRORS as exc:
                count(rec["transport_errors"], type(exc).__name__)
                self.ctx.backoff(rec["attempts"])
                continue
            count(rec["statuses"], reply.status)
            if reply.status in RETRY_STATUS or reply.status == 400:
                self.ctx.backoff(rec["attempts"])
                continue
            if reply.status != 302:
                rec["error"] = f"{reply.status} {reply.text[:200]}"
                return rec
            flashes = self.sessions.flashes(browser.cookies)
            rec["flash"] = flashes[-1][1][:200] if flashes else None
            if any(DONE_FLASH in message for _, message in flashes):
                done = time.monotonic()
                rec.update(acked=True, latency=done - started, e2e=done - first)
                rec["links"] = [{"party": name, "token": tok} for _, message in flashes
                                for name, tok in CONSULT_FLASH.findall(message)]
            # Show the page once, as a browser would: it pops the flashes.
            self._retrying(partial(browser.send, "GET", f"/review/requests/{number}"),
                           {"attempts": 0, "transport_errors": {}, "statuses": {}})
            return rec
        return rec

    def forward_and_consult(self, number: str, department: str, authority: str,
                            reviewers: dict[str, str]) -> list[dict[str, Any]]:
        """Normative review (forward), then a consultation of two third parties."""
        done = [self.act(authority, number, "forward")]
        if done[0]["acked"]:
            done.append(self.act(reviewers[department], number, "start_consultation",
                                 {"parties": "\n".join(PARTIES)}))
        return done


# --- one client process ------------------------------------------------------------------

def load_process(config: dict[str, Any], out_path: str) -> None:
    """One client process: ``submitters`` threads filing back to back (a
    data error report on one of ``report_datasets`` with probability
    ``report_share``, a request otherwise), ``answerers`` answering
    consultations from the pool, ``reviewers`` forwarding and consulting
    acknowledged requests to refill the pool. Writes everything it saw to
    ``out_path`` (JSON) at the end."""
    ctx = Context(config["port"], config["deadline"], config["hard_deadline"], config["seed"],
                  config.get("timeout", 60.0))
    datasets: list[list[str]] = config["datasets"]  # [id, department]
    department = {dataset_id: dept for dataset_id, dept in datasets}
    pool: deque[dict[str, str]] = deque(config["tokens"])
    candidates: deque[tuple[str, str]] = deque(maxlen=2000)  # (number, dataset)
    submissions: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    report_datasets: list[str] = config.get("report_datasets") or [d for d, _ in datasets]
    report_share: float = config.get("report_share", 0.0)
    answers: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    logins: list[dict[str, Any]] = []
    crashes: list[str] = []
    per_thread = config.get("max_per_thread", 100_000)

    def guarded(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except Exception:  # the thread's bug, reported; the run fails on it
                crashes.append(traceback.format_exc())
        return run

    def submitter() -> None:
        for _ in range(per_thread):
            if not ctx.more():
                return
            if ctx.rng.random() < report_share:
                reports.append(file_report(ctx, ctx.rng.choice(report_datasets)))
                continue
            dataset_id = ctx.rng.choice(datasets)[0]
            rec = submit(ctx, dataset_id)
            submissions.append(rec)
            if rec["acked"] and ctx.rng.random() < 0.05:
                candidates.append((rec["number"], dataset_id))

    def answerer() -> None:
        for _ in range(per_thread):
            if not ctx.more():
                return
            try:
                item = pool.popleft()
            except IndexError:
                time.sleep(0.05)
                continue
            answers.append(answer(ctx, item))

    def reviewer() -> None:
        desk = Reviewer(ctx, config["password"], config["service_env"])
        try:
            for _ in range(per_thread):
                if not ctx.more():
                    return
                try:
                    number, dataset = candidates.popleft()
                except IndexError:
                    time.sleep(0.1)
                    continue
                for rec in desk.forward_and_consult(number, department[dataset],
                                                    config["authority"], config["reviewers"]):
                    reviews.append(rec)
                    for link in rec["links"]:
                        pool.append({"token": link["token"], "number": number,
                                     "party": link["party"]})
        finally:
            logins.extend(desk.logins)

    threads = [threading.Thread(target=guarded(work), name=f"{work.__name__}-{i}", daemon=True)
               for work, n in ((submitter, config["submitters"]), (answerer, config["answerers"]),
                               (reviewer, config["reviewer_threads"]))
               for i in range(n)]
    samples: list[int] = []  # filings in flight, every SAMPLE_S from start_at to deadline

    def sampler() -> None:
        tick = config["start_at"] + SAMPLE_S
        while tick < ctx.deadline:
            time.sleep(max(0.0, tick - time.time()))
            samples.append(ctx.in_flight)
            tick += SAMPLE_S

    # Start together (threads are cheap to start; the first requests land at once).
    while time.time() < config["start_at"]:
        time.sleep(0.01)
    for thread in threads:
        thread.start()
    watcher = threading.Thread(target=sampler, name="sampler", daemon=True)
    watcher.start()
    for thread in threads:
        thread.join(max(1.0, ctx.hard_deadline + 30 - time.time()))
    watcher.join(SAMPLE_S * 4)
    alive = [t.name for t in threads if t.is_alive()]
    Path(out_path).write_text(json.dumps({
        "submissions": submissions, "reports": reports, "answers": answers, "reviews": reviews,
        "logins": logins,
        "crashes": crashes, "threads_alive": alive, "unused_tokens": len(pool),
        "in_flight": samples,
    }, ensure_ascii=False))
