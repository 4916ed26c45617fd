"""Password hashing (argon2id) and the password policy of SECURITY.md item 2 (NIST 800-63B)."""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import os
import secrets
import threading
import unicodedata
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 13
MAX_LENGTH = 128
SERVICE_WORDS = ("carebook", "ケアブック", "けあぶっく")

_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def _hash(time_cost: int, memory_kib: int, password: str) -> str:
    return _hasher(time_cost, memory_kib).hash(password)


def _verify(time_cost: int, memory_kib: int, password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Same work as a real check, so an unknown user takes as long as a known one.
        _hasher(time_cost, memory_kib).hash(password)
        return False
    try:
        return _hasher(time_cost, memory_kib).verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# argon2id is memory-hard on purpose: each hash fills `memory_kib` (64 MiB). Done in the server
# process, every sign-in would lift its peak memory by that much for good (VmHWM) and hold the
# event loop for the whole hash. So hashes run in one helper process per server process,
# started on first use; it imports nothing but this module's dependencies.
_POOL: tuple[int, ProcessPoolExecutor] | None = None


def _exit_with_the_server() -> None:
    """In the helper: exit the moment the process that started it is gone, however it went
    (a SIGKILL, a crash, a test's server stopped): a helper must never outlive its server,
    holding 64 MiB and a resource tracker each."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def wait() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(0)

    threading.Thread(target=wait, name="carebook-exit-with-server", daemon=True).start()


def _submit(fn: object, *args: object) -> Future[object]:
    global _POOL
    for attempt in range(2):
        if _POOL is None or _POOL[0] != os.getpid():
            _POOL = (os.getpid(), ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_the_server))
        try:
            return _POOL[1].submit(fn, *args)  # type: ignore[arg-type]
        except BrokenProcessPool:  # the helper died: start another one
            _POOL = None
            if attempt:
                raise
    raise AssertionError("unreachable")


def stop_helper() -> None:
    """Stop this process's helper cleanly (the app's shutdown): it exits, and its queues are
    released rather than reported as leaked; the next hash, if any, starts another."""
    global _POOL
    pool, _POOL = _POOL, None
    if pool is not None and pool[0] == os.getpid():
        pool[1].shutdown(wait=True)  # hashes already asked for are finished first


@dataclass(frozen=True)
class PasswordHashing:
    """argon2id with the installation's cost (in the helper process); tests use cheap
    parameters. The `*_async` forms wait without holding the event loop."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024

    def hash(self, password: str) -> str:
        return str(_submit(_hash, self.time_cost, self.memory_kib, password).result())

    def verify(self, password_hash: str | None, password: str) -> bool:
        return bool(
            _submit(_verify, self.time_cost, self.memory_kib, password_hash, password).result()
        )

    async def hash_async(self, password: str) -> str:
        future = _submit(_hash, self.time_cost, self.memory_kib, password)
        return str(await asyncio.wrap_future(future))

    async def verify_async(self, password_hash: str | None, password: str) -> bool:
        future = _submit(_verify, self.time_cost, self.memory_kib, password_hash, password)
        return bool(await asyncio.wrap_future(future))


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    words = [line for line in lines if line and not line.startswith("#")]
    return frozenset(w.strip().lower() for w in words if w.strip())


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class PasswordProblem:
    code: str
    ja: str
    en: str


def password_problems(
    password: str,
    *,
    login_id: str = "",
    name: str = "",
    name_kana: str = "",
    birth_date: date | None = None,
) -> list[PasswordProblem]:
    """Every reason this password is refused; an empty list means it is acceptable."""
    problems: list[PasswordProblem] = []
    length = len(password)
    if length < MIN_LENGTH:
        problems.append(
            PasswordProblem("too_short", f"{MIN_LENGTH}文字以上にしてください。",
                            f"Use at least {MIN_LENGTH} characters.")
        )
    if length > MAX_LENGTH:
        problems.append(
            PasswordProblem("too_long", f"{MAX_LENGTH}文字以内にしてください。",
                            f"Use at most {MAX_LENGTH} characters.")
        )
    folded = _normalise(password)
    compact = folded.replace(" ", "")
    if (
        folded in common_passwords()
        or compact in common_passwords()
        or (length >= MIN_LENGTH and len(set(compact)) < 5)
    ):
        problems.append(
            PasswordProblem("common", "よく使われるパスワードは使えません。",
                            "This password is too common.")
        )
    personal: list[str] = []
    for value in (login_id, name, name_kana):
        value = _normalise(value).replace(" ", "").replace("\u3000", "")
        if len(value) >= 2:
            personal.append(value)
    if any(p in compact for p in personal):
        problems.append(
            PasswordProblem("personal", "ログインIDや氏名を含むパスワードは使えません。",
                            "Do not use your login ID or name in the password.")
        )
    if birth_date is not None:
        digits = "".join(ch for ch in folded if ch.isdigit())
        forms = {
            birth_date.strftime("%Y%m%d"),
            birth_date.strftime("%y%m%d"),
            birth_date.strftime("%m%d%Y"),
        }
        if any(f in digits for f in forms):
            problems.append(
                PasswordProblem("birth_date", "生年月日を含むパスワードは使えません。",
                                "Do not use your date of birth in the password.")
            )
    if any(_normalise(word) in compact for word in SERVICE_WORDS):
        problems.append(
            PasswordProblem("service_name", "サービス名を含むパスワードは使えません。",
                            "Do not use the service's name in the password.")
        )
    return problems


def random_initial_password() -> str:
    """A random one-time password for a newly issued ID (shown once, forced change)."""
    return secrets.token_urlsafe(15)
