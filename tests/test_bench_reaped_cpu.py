"""The load benchmark counts the CPU of PostgreSQL backends that ended
during a run (issue #17): a closed connection's backend leaves the live
processes, and its CPU is then only in its parent's sums of reaped children."""

from __future__ import annotations

import subprocess
import sys

from bench.rows_load import processes_cpu

# A parent that runs a child burning ≈ 0.3 s of CPU, waits for it, then
# waits for its own stdin to close (so that it can be looked at while alive).
_PARENT = """
import subprocess, sys
subprocess.run([sys.executable, "-c",
                "import time\\nend = time.process_time() + 0.3\\n"
                "while time.process_time() < end: pass"], check=True)
print("ready", flush=True)
sys.stdin.read()
"""


def test_reaped_children_s_cpu_is_counted_only_when_asked() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        alone = processes_cpu(lambda pid, name, ppid: pid == parent.pid)
        with_reaped = processes_cpu(lambda pid, name, ppid: pid == parent.pid, reaped=True)
    finally:
        assert parent.stdin is not None
        parent.stdin.close()
        parent.wait(30)
        assert parent.stdout is not None
        parent.stdout.close()
    assert with_reaped - alone >= 0.25  # the child's 0.3 s (clock ticks of 10 ms)
    assert alone < 0.25
