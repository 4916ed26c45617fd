"""argon2id runs in one helper process per server process (server/auth/passwords.py); the
helper goes when its server goes, even when the server is killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

STARTS_A_HELPER = """
import multiprocessing, sys
from server.auth.passwords import PasswordHashing
assert PasswordHashing(time_cost=1, memory_kib=8).verify(None, "x") is False
print(*[child.pid for child in multiprocessing.active_children()], flush=True)
sys.stdin.read()
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie waiting for its new parent (init) to reap it has exited too.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "\nState:\tZ" not in status.read_text()


def test_the_hashing_helper_exits_when_its_server_is_killed() -> None:
    server = subprocess.Popen([sys.executable, "-c", STARTS_A_HELPER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    try:
        assert server.stdout is not None
        helpers = [int(pid) for pid in server.stdout.readline().split()]
        assert helpers and all(_alive(pid) for pid in helpers)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in helpers)
    finally:
        server.kill()
        server.wait()
