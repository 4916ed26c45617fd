"""The push worker: delivers outbox rows with pywebpush, at least once, never twice once sent.

Claiming: due rows (`pending`, or `sending` whose lease ran out because a worker died) are
taken in small batches in a short transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
several workers share the outbox; SQLite has one writer anyway), set to `sending` with
`next_attempt_at` = now + lease, and committed before anything is sent. Sends run in a
thread pool; each result is committed as soon as it arrives. A row becomes `sent` only after
the push service accepted it, and a `sent` row is never claimed again. A worker killed
between a push service's 201 and the commit of `sent` would have that one row re-sent after
the lease: the only duplicate an outbox cannot rule out, and a cancelled worker (SIGTERM,
app shutdown) avoids it by waiting for the sends in flight before it stops.

Outcomes: 2xx → sent; 404/410 → the subscription is deleted (its rows cascade); 429, 5xx,
408 and network errors → retried with exponential backoff, never before Retry-After, and
`dead` after `max_attempts`; any other refusal (400/401/403/413) → `dead` at once. A
delivered `wipe` push deletes its subscription: that device is done with notifications.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import json
import logging
import signal
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import Table, and_, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.models import Outbox, PushSubscription
from store.models.enums import OutboxStatus
from store.writer import begin_write
from sync import notify

from .. import db
from ..clock import Clock
from ..settings import PushSettings, Settings
from .endpoints import endpoint_allowed
from .keys import VapidKeys, load_vapid_keys
from .outbox import SENDING, add_waker, remove_waker

if TYPE_CHECKING:
    import requests

log = logging.getLogger("carebook.push")

LEASE: Final = timedelta(minutes=2)  # well above a batch's worst case of sends timing out
SEND_TIMEOUT_S: Final = 10.0
BACKOFF_BASE_S: Final = 10.0
BACKOFF_CAP_S: Final = 3600.0
RETRY_AFTER_CAP_S: Final = 24 * 3600.0
_OUTBOX = cast(Table, Outbox.__table__)


class Outcome(StrEnum):
    sent = "sent"
    gone = "gone"  # 404/410: the browser dropped the subscription
    retry = "retry"  # 429/5xx/network: try again later
    failed = "failed"  # refused for good (our fault or a bad subscription)


@dataclass(frozen=True)
class Job:
    """One claimed outbox row with what is needed to send it."""

    id: uuid.UUID
    subscription_id: uuid.UUID
    endpoint: str
    p256dh: str
    auth: str
    payload: dict[str, Any]
    ttl: int
    urgency: str
    topic: str | None
    attempts: int  # including this one


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    status: int | None = None
    retry_after_s: float | None = None
    error: str | None = None


Sender = Callable[[Job], SendResult]


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds, from delta-seconds or an HTTP date (relative to real time)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def classify(status: int, retry_after: str | None = None) -> SendResult:
    if 200 <= status < 300:
        return SendResult(Outcome.sent, status)
    if status in (404, 410):
        return SendResult(Outcome.gone, status, error=f"HTTP {status}")
    if status in (408, 429) or status >= 500:
        return SendResult(
            Outcome.retry, status, _retry_after_seconds(retry_after), error=f"HTTP {status}"
        )
    return SendResult(Outcome.failed, status, error=f"HTTP {status}")


@functools.cache
def _no_redirect_session_class() -> type[requests.Session]:
    """A push service answers 201 (or an error) itself; it never redirects. A 3xx is answered
    as a failure, not followed: following it would let a push service, or whoever answers
    for its name, send the server's request to an internal host. Built on the first send,
    like the import of requests itself (see `WebPushSender.__call__`)."""
    import requests

    class NoRedirectSession(requests.Session):
        def request(self, method: str, url: str, *args: Any,  # type: ignore[override]
                    **kwargs: Any) -> requests.Response:
            kwargs["allow_redirects"] = False
            return super().request(method, url, *args, **kwargs)

    return NoRedirectSession


class WebPushSender:
    """Sends one job with pywebpush; one `requests.Session` per pool thread (keep-alive)."""

    def __init__(
        self, keys: VapidKeys, subject: str, push: PushSettings,
        timeout: float = SEND_TIMEOUT_S,
    ) -> None:
        self.keys = keys
        self.subject = subject
        self.push = push
        self.timeout = timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = _no_redirect_session_class()()
            self._local.session = session
        return session

    def __call__(self, job: Job) -> SendResult:
        if not endpoint_allowed(job.endpoint, self.push):
            # Stored under older rules or settings: never sent, never retried.
            return SendResult(Outcome.failed, error="endpoint not allowed")
        # Imported on the first send, not with the server: a process that never sends a push
        # (most requests, every process but the worker's) does not carry them in memory.
        import requests
        from pywebpush import WebPushException, webpush

        headers: dict[str, str | int | float] = {"Urgency": job.urgency}
        if job.topic:
            headers["Topic"] = job.topic
        # A fresh claims dict for every send: pywebpush writes `aud` (and `exp`) into the
        # dict it is given, and a shared one would carry one push service's aud to the next.
        claims: dict[str, str | int] = {"sub": self.subject}
        try:
            response = webpush(
                subscription_info={
                    "endpoint": job.endpoint,
                    "keys": {"p256dh": job.p256dh, "auth": job.auth},
                },
                data=json.dumps(job.payload, separators=(",", ":"), ensure_ascii=False),
                vapid_private_key=self.keys.vapid,
                vapid_claims=claims,
                ttl=job.ttl,
                headers=headers,
                timeout=self.timeout,
                requests_session=self._session(),
            )
        except WebPushException as exc:
            # `is not None`, not truthiness: a requests.Response for a 4xx/5xx is falsy.
            if exc.response is not None:
                status = exc.status_code or 0
                return classify(status, exc.retry_after)
            return SendResult(Outcome.failed, error=str(exc)[:500])
        except requests.RequestException as exc:
            return SendResult(Outcome.retry, error=f"{type(exc).__name__}: {exc}"[:500])
        status = getattr(response, "status_code", 201)
        return classify(int(status))


def backoff(attempts: int, retry_after_s: float | None) -> timedelta:
    """10 s, 20 s, 40 s … capped at an hour; never sooner than the push service asked."""
    delay = min(BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), BACKOFF_CAP_S)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, RETRY_AFTER_CAP_S))
    return timedelta(seconds=delay)


class PushWorker:
    """Delivers the outbox; `run_once` for tests and the CLI, `start`/`stop` for the app."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        sender: Sender | None = None,
        lease: timedelta = LEASE,
        poll_interval: float | None = None,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.lease = lease
        self.poll_interval = (
            float(settings.push.poll_seconds) if poll_interval is None else poll_interval
        )
        self.batch_size = settings.push.batch_size
        self.max_attempts = settings.push.max_attempts
        if sender is None:
            keys = load_vapid_keys(settings.data_dir, settings.push.vapid_private_key)
            sender = WebPushSender(keys, settings.push.vapid_subject, settings.push)
        self.sender = sender
        self._executor: ThreadPoolExecutor | None = None
        self._task: asyncio.Task[None] | None = None
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- one pass -------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Deliver until nothing is due; returns how many rows were tried.

        Claims are pipelined: the next small batch is claimed while the previous one is still
        being sent, so the pool never idles at a batch's tail, and no more than `window`
        rows are held under one worker's lease at a time.
        """
        loop = asyncio.get_running_loop()
        pool = self._pool()
        window = max(self.batch_size, 2 * self.settings.push.concurrency)
        futures: dict[asyncio.Future[SendResult], Job] = {}
        total = 0
        exhausted = False
        try:
            while True:
                if not exhausted and len(futures) <= window // 2:
                    want = min(self.batch_size, window - len(futures))
                    jobs = await self._claim(want)
                    exhausted = len(jobs) < want
                    for job in jobs:
                        futures[loop.run_in_executor(pool, self.sender, job)] = job
                    total += len(jobs)
                if not futures:
                    if exhausted:
                        return total
                    continue
                done, _ = await asyncio.wait(set(futures), return_when=asyncio.FIRST_COMPLETED)
                crash = await self._record_done(done, futures)
                if crash is not None:
                    await self._drain(futures)
                    raise crash
        except asyncio.CancelledError:
            await self._drain(futures)
            raise

    def _due(self, now: datetime) -> Any:
        return and_(
            Outbox.status.in_([OutboxStatus.pending, SENDING]),
            Outbox.next_attempt_at <= now,
        )

    async def _claim(self, limit: int) -> list[Job]:
        now = self.clock.now()
        async with self.sessionmaker() as session:
            # A plain read first, so an idle poll never takes SQLite's write lock.
            if await session.scalar(select(Outbox.id).where(self._due(now)).limit(1)) is None:
                return []
            await session.rollback()
            await begin_write(session)
            ids = list(
                await session.scalars(
                    select(Outbox.id)
                    .where(self._due(now))
                    .order_by(Outbox.next_attempt_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                await session.rollback()
                return []
            # Rows that crashed workers over and over stop here.
            await session.execute(
                update(Outbox)
                .where(Outbox.id.in_(ids), Outbox.attempts >= self.max_attempts)
                .values(status=OutboxStatus.dead, last_error="gave up: too many attempts")
                .execution_options(synchronize_session=False)
            )
            await session.execute(
                update(Outbox)
                .where(Outbox.id.in_(ids), Outbox.attempts < self.max_attempts)
                .values(
                    status=SENDING,
                    next_attempt_at=now + self.lease,
                    attempts=Outbox.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            rows = (
                await session.execute(
                    select(
                        Outbox.id,
                        Outbox.subscription_id,
                        Outbox.payload,
                        Outbox.ttl,
                        Outbox.urgency,
                        Outbox.topic,
                        Outbox.attempts,
                        PushSubscription.endpoint,
                        PushSubscription.p256dh,
                        PushSubscription.auth,
                    )
                    .join(PushSubscription, PushSubscription.id == Outbox.subscription_id)
                    .where(Outbox.id.in_(ids), Outbox.status == SENDING)
                )
            ).all()
            await session.commit()
        return [
            Job(
                id=row.id,
                subscription_id=row.subscription_id,
                endpoint=row.endpoint,
                p256dh=row.p256dh,
                auth=row.auth,
                payload=dict(row.payload),
                ttl=row.ttl,
                urgency=row.urgency,
                topic=row.topic,
                attempts=row.attempts,
            )
            for row in rows
        ]

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self.settings.push.concurrency, thread_name_prefix="carebook-push"
            )
        return self._executor

    async def _drain(self, futures: dict[asyncio.Future[SendResult], Job]) -> None:
        """Stopping (shutdown, SIGTERM, KeyboardInterrupt in a send): let the sends already on
        the wire finish and record them, so the next worker does not send them again."""
        if futures:
            done, _ = await asyncio.wait(set(futures), timeout=SEND_TIMEOUT_S + 2)
            await self._record_done(done, futures)

    async def _record_done(
        self,
        done: Iterable[asyncio.Future[SendResult]],
        futures: dict[asyncio.Future[SendResult], Job],
    ) -> BaseException | None:
        """Record finished sends; return a non-`Exception` failure (a dying worker) to raise."""
        results: list[tuple[Job, SendResult]] = []
        crash: BaseException | None = None
        for future in done:
            job = futures.pop(future)
            error = future.exception()
            if error is None:
                results.append((job, future.result()))
            elif isinstance(error, Exception):
                results.append((job, SendResult(Outcome.retry, error=repr(error)[:500])))
            else:
                crash = crash or error
        if results:
            await self._record(results)
        return crash

    async def _record(self, results: list[tuple[Job, SendResult]]) -> None:
        now = self.clock.now()
        sent: list[uuid.UUID] = []
        succeeded: set[uuid.UUID] = set()
        drop: set[uuid.UUID] = set()
        later: list[dict[str, Any]] = []
        for job, result in results:
            if result.outcome == Outcome.sent:
                succeeded.add(job.subscription_id)
                if job.payload.get("type") == "wipe":
                    drop.add(job.subscription_id)
                else:
                    sent.append(job.id)
            elif result.outcome == Outcome.gone:
                drop.add(job.subscription_id)
            elif result.outcome == Outcome.retry and job.attempts < self.max_attempts:
                later.append(
                    {
                        "b_id": job.id,
                        "b_status": OutboxStatus.pending,
                        "b_next": now + backoff(job.attempts, result.retry_after_s),
                        "b_error": result.error,
                    }
                )
            else:
                log.warning("push to subscription %s given up: %s", job.subscription_id,
                            result.error)
                later.append(
                    {
                        "b_id": job.id,
                        "b_status": OutboxStatus.dead,
                        "b_next": now,
                        "b_error": result.error,
                    }
                )
        async with self.sessionmaker() as session:
            await begin_write(session)
            if sent:
                await session.execute(
                    update(Outbox)
                    .where(Outbox.id.in_(sent), Outbox.status == SENDING)
                    .values(status=OutboxStatus.sent, sent_at=now, last_error=None)
                    .execution_options(synchronize_session=False)
                )
            if succeeded - drop:
                await session.execute(
                    update(PushSubscription)
                    .where(PushSubscription.id.in_(succeeded - drop))
                    .values(last_success_at=now)
                    .execution_options(synchronize_session=False)
                )
            if later:
                await session.execute(
                    _OUTBOX.update()
                    .where(_OUTBOX.c.id == bindparam("b_id"), _OUTBOX.c.status == SENDING)
                    .values(
                        status=bindparam("b_status"),
                        next_attempt_at=bindparam("b_next"),
                        last_error=bindparam("b_error"),
                    ),
                    later,
                )
            if drop:
                # Its outbox rows go with it (ON DELETE CASCADE).
                await session.execute(
                    delete(PushSubscription)
                    .where(PushSubscription.id.in_(drop))
                    .execution_options(synchronize_session=False)
                )
            await session.commit()

    # --- running in the background --------------------------------------------------------

    def wake(self) -> None:
        """Poll now instead of at the next tick (thread-safe; called after a post commits)."""
        loop, event = self._loop, self._event
        if loop is None or event is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop already closed
            loop.call_soon_threadsafe(event.set)

    async def run_forever(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        add_waker(self.wake)
        failures = 0
        try:
            while True:
                self._event.clear()
                try:
                    await self.run_once()
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception("push worker pass failed (%d in a row)", failures)
                wait = self.poll_interval * min(2 ** max(failures - 1, 0), 30)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event.wait(), wait)
        finally:
            remove_waker(self.wake)

    def start(self) -> asyncio.Task[None]:
        """Run in the background of the current event loop (the app's lifespan)."""
        self._task = asyncio.create_task(self.run_forever(), name="carebook-push-worker")
        return self._task

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


async def run_worker(settings: Settings, *, once: bool = False) -> int:
    """`carebook worker`: deliver until SIGTERM/SIGINT (or once), on an engine of its own."""
    engine = db.create_engine(settings.database)
    worker = PushWorker(settings, db.session_factory(engine), Clock())
    listener: notify.PgListener | None = None
    stop_observing: Callable[[], None] | None = None
    try:
        if once:
            return await worker.run_once()
        if settings.database.dialect == "postgresql":
            # Wake up when a serve process commits a post (its NOTIFY), not only every poll.
            listener = notify.PgListener(notify.listener_dsn(settings.database.url))
            stop_observing = listener.hub.observe(lambda _event: worker.wake())
        task = worker.start()
        if listener is not None:
            await listener.start()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return 0
    finally:
        if stop_observing is not None:
            stop_observing()
        if listener is not None:
            await listener.stop()
        await worker.stop()
        await engine.dispose()
