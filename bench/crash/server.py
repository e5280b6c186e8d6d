"""The real service under gunicorn, in its own process group so that a
crash takes the master and every worker at once (``os.killpg(pgid, SIGKILL)``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.crash.client import TRANSPORT_ERRORS, exchange

REPO = Path(__file__).resolve().parents[2]
READY_PATH = "/api/v1/search?per_page=1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group ``pgid`` (Linux /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


class Service:
    """``gunicorn -c python:search_api.gunicorn_conf -w W --threads T -b
    127.0.0.1:PORT 'search_api:create_app()'``: the deployment's settings
    (its worker class; its access log formatted, written to /dev/null)."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path, *, workers: int = 4,
                 threads: int = 8) -> None:
        self.env, self.port, self.log_path = env, port, log_path
        self.workers, self.threads = workers, threads
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [gunicorn, "-c", "python:search_api.gunicorn_conf", "--access-logfile",
                 "/dev/null", "-w", str(self.workers), "--threads", str(self.threads),
                 "-b", f"127.0.0.1:{self.port}", "--timeout", "120", "--backlog", "2048",
                 "search_api:create_app()"],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        self.starts += 1

    @property
    def pgid(self) -> int:
        assert self.proc is not None
        return self.proc.pid  # a session leader leads its process group

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds until the service answers a search; raises RuntimeError
        (with the end of its log) when it dies or does not answer in time."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited while starting:\n{self.log_tail()}")
            try:
                if exchange(self.port, "GET", READY_PATH, timeout=30).status == 200:
                    return time.monotonic() - started
            except TRANSPORT_ERRORS:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def kill(self) -> int:
        """SIGKILL the master and all workers at once; returns how many
        processes were killed. Waits until none of them is left."""
        assert self.proc is not None
        pgid = self.pgid
        victims = len(group_members(pgid))
        os.killpg(pgid, signal.SIGKILL)
        self.proc.wait()
        deadline = time.monotonic() + 10
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.01)
        return victims

    def stop(self) -> None:
        """A graceful stop (SIGTERM to the group), SIGKILL after 15 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.pgid, signal.SIGTERM)
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.pgid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            self.proc.wait()
        deadline = time.monotonic() + 10
        while group_members(self.pgid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
