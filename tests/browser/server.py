"""A real `carebook serve` in a subprocess, for browser tests and CLI smoke tests.

The server listens on 127.0.0.1 but is addressed as http://localhost:<port>:
WebAuthn refuses IP-address origins, and CAREBOOK_BASE_URL must match the origin.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tests.conftest import server_env

START_TIMEOUT_S = 60.0
T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion in a thread of its own.

    Browser tests use it to arrange or check data: with Playwright's sync API alive, the
    test's own thread cannot call `asyncio.run`.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def carebook_executable() -> str:
    """The console script installed beside the interpreter that runs the tests."""
    script = Path(sys.executable).parent / "carebook"
    if not script.exists():
        raise RuntimeError(f"{script} is missing: install the project (`make install`)")
    return str(script)


def run_carebook(
    args: Sequence[str], env: dict[str, str], *, timeout: float = 180, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one `carebook …` command with the test server's environment."""
    return subprocess.run(
        [carebook_executable(), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        check=False,
    )


@dataclass
class LiveServer:
    url: str  # http://localhost:<port>
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = log_path.read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(
                f"carebook serve exited with {process.returncode} before answering:\n{log}"
            )
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.1)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    raise RuntimeError(
        f"carebook serve did not answer {url}/api/health within {START_TIMEOUT_S:.0f}s "
        f"({last_error}):\n{log}"
    )


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 10) -> None:
    """SIGTERM (as systemd stops a unit), then SIGKILL when it does not end in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def live_server_process(
    data_dir: Path,
    database_url: str,
    *,
    demo: bool = False,
    serve_args: Sequence[str] = (),
    base_url: str | None = None,
    **extra_env: str,
) -> Iterator[LiveServer]:
    """Start `carebook serve` on a free port (after `carebook demo` when asked); stop it after.

    `base_url` is the address users reach it by when that is not the process itself (a
    reverse proxy in front of several processes); by default, http://localhost:<port>.
    """
    port = free_port()
    url = f"http://localhost:{port}"
    env = server_env(data_dir, database_url, CAREBOOK_BASE_URL=base_url or url, PORT=str(port),
                     **extra_env)
    if demo:
        loaded = run_carebook(["demo"], env)
        if loaded.returncode != 0:
            raise RuntimeError(
                f"carebook demo failed ({loaded.returncode}):\n{loaded.stdout}\n{loaded.stderr}"
            )
    log_path = data_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [carebook_executable(), "serve", "--host", "127.0.0.1", "--port", str(port),
             *serve_args],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            _wait_until_healthy(url, process, log_path)
            yield LiveServer(url=url, port=port, env=env, process=process, log_path=log_path)
        finally:
            stop_process(process)
