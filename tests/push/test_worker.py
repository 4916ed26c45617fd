"""The worker: 404/410 clean-up, retries with backoff and Retry-After, giving up, a worker
that dies or is stopped mid-batch (every row delivered after restart, none twice), and
several workers sharing one outbox."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from server.clock import FrozenClock
from server.push.worker import LEASE, Job, PushWorker, SendResult
from server.settings import Settings
from store.models import Outbox, PushSubscription
from tests.push.conftest import Member, make_member, make_room, post
from tests.support.push_receiver import PushReceiver


async def _room_with_readers(
    sessionmaker: Any, settings: Settings, clock: FrozenClock, receiver: PushReceiver, n: int
) -> tuple[Member, list[Member], uuid.UUID]:
    author = await make_member(sessionmaker, settings, clock, receiver, "author")
    readers = [
        await make_member(sessionmaker, settings, clock, receiver, f"reader-{i:02d}")
        for i in range(n)
    ]
    room_id = await make_room(sessionmaker, clock, [author.user.id] + [r.user.id for r in readers])
    return author, readers, room_id


async def _statuses(sessionmaker: Any) -> Counter[str]:
    async with sessionmaker() as session:
        return Counter((await session.scalars(select(Outbox.status))).all())


async def _subscriptions(sessionmaker: Any) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(PushSubscription)) or 0)


async def test_gone_subscriptions_are_deleted_with_their_rows(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    author, (gone, unknown, fine), room_id = await _room_with_readers(
        sessionmaker, settings, clock, receiver, 3
    )
    receiver.gone(gone.subscription)
    receiver.fail_next(unknown.subscription, 404)
    await post(sessionmaker, room_id, author.user.id, clock.now())
    await worker.run_once()
    assert [a.status for a in receiver.attempts(gone.subscription)] == [410]
    assert [a.status for a in receiver.attempts(unknown.subscription)] == [404]
    async with sessionmaker() as session:
        left = set((await session.scalars(select(PushSubscription.endpoint))).all())
    assert gone.subscription["endpoint"] not in left
    assert unknown.subscription["endpoint"] not in left
    assert fine.subscription["endpoint"] in left
    assert await _statuses(sessionmaker) == Counter({"sent": 1})  # the others cascaded away

    await post(sessionmaker, room_id, author.user.id, clock.now())
    await worker.run_once()
    assert len(receiver.attempts(gone.subscription)) == 1  # never tried again


async def test_429_waits_for_retry_after_and_500_backs_off(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    author, (limited, broken), room_id = await _room_with_readers(
        sessionmaker, settings, clock, receiver, 2
    )
    receiver.fail_next(limited.subscription, 429, retry_after=120)
    receiver.fail_next(broken.subscription, 500, times=2)
    await post(sessionmaker, room_id, author.user.id, clock.now())
    await worker.run_once()
    assert receiver.received() == []
    assert await _statuses(sessionmaker) == Counter({"pending": 2})

    clock.advance(seconds=10)  # first backoff step: the 500 is tried again, fails again
    await worker.run_once()
    assert [a.status for a in receiver.attempts(broken.subscription)] == [500, 500]
    assert len(receiver.attempts(limited.subscription)) == 1  # Retry-After: 120 s

    clock.advance(seconds=20)  # second step for the 500 (20 s): delivered
    await worker.run_once()
    assert len(receiver.received(broken.subscription)) == 1
    assert len(receiver.attempts(limited.subscription)) == 1

    clock.advance(seconds=90)  # 120 s after the 429
    await worker.run_once()
    assert len(receiver.received(limited.subscription)) == 1
    assert await _statuses(sessionmaker) == Counter({"sent": 2})
    async with sessionmaker() as session:
        attempts = sorted((await session.scalars(select(Outbox.attempts))).all())
    assert attempts == [2, 3]


async def test_a_push_service_that_keeps_failing_is_given_up(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    author, (reader,), room_id = await _room_with_readers(
        sessionmaker, settings, clock, receiver, 1
    )
    receiver.fail_next(reader.subscription, 503, times=100, retry_after=1)
    await post(sessionmaker, room_id, author.user.id, clock.now())
    for _ in range(settings.push.max_attempts + 2):
        await worker.run_once()
        clock.advance(hours=2)
    assert len(receiver.attempts(reader.subscription)) == settings.push.max_attempts
    assert await _statuses(sessionmaker) == Counter({"dead": 1})
    assert await _subscriptions(sessionmaker) == 2  # kept: the service may come back


async def test_a_refused_push_is_dead_at_once(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    author, (reader,), room_id = await _room_with_readers(
        sessionmaker, settings, clock, receiver, 1
    )
    receiver.fail_next(reader.subscription, 413)
    await post(sessionmaker, room_id, author.user.id, clock.now())
    await worker.run_once()
    clock.advance(hours=1)
    await worker.run_once()
    assert len(receiver.attempts(reader.subscription)) == 1
    assert await _statuses(sessionmaker) == Counter({"dead": 1})


async def test_a_redirect_is_not_followed(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    """Issue 13, item 7: a 3xx from a push service is a failure; the worker does not send the
    push (with its VAPID signature) to wherever the Location points."""
    author, (reader, elsewhere), room_id = await _room_with_readers(
        sessionmaker, settings, clock, receiver, 2
    )
    for status in (307, 302):
        receiver.redirect_next(reader.subscription, elsewhere.subscription["endpoint"], status)
        await post(sessionmaker, room_id, author.user.id, clock.now())
        await worker.run_once()
        clock.advance(hours=1)
        await worker.run_once()
    assert [a.status for a in receiver.attempts(reader.subscription)] == [307, 302]
    # The other endpoint got only its own two pushes, never a redirected one.
    assert len(receiver.received(elsewhere.subscription)) == 2
    assert (await _statuses(sessionmaker))["dead"] == 2


async def test_a_stored_endpoint_outside_the_rules_is_never_sent_to(
    sessionmaker: Any, settings: Settings, clock: FrozenClock, receiver: PushReceiver,
) -> None:
    """A row stored under older rules (or a test-only setting since turned off) is refused at
    send time too, and not retried."""
    from dataclasses import replace

    author, (reader,), room_id = await _room_with_readers(
        sessionmaker, settings, clock, receiver, 1
    )
    strict = replace(settings, push=replace(settings.push, allow_http_loopback=False))
    worker = PushWorker(strict, sessionmaker, clock)
    await post(sessionmaker, room_id, author.user.id, clock.now())
    await worker.run_once()
    clock.advance(hours=2)
    await worker.run_once()
    assert receiver.attempts(reader.subscription) == []
    assert await _statuses(sessionmaker) == Counter({"dead": 1})


class Crash(BaseException):
    """The worker process dying: not an `Exception`, so nothing in the worker catches it."""


class DiesAfter:
    """A sender that delivers `k` pushes, then dies before the next one leaves."""

    def __init__(self, real: Any, k: int) -> None:
        self.real = real
        self.k = k
        self.sent = 0
        self.lock = threading.Lock()

    def __call__(self, job: Job) -> SendResult:
        with self.lock:
            if self.sent >= self.k:
                raise Crash()
            self.sent += 1
        return self.real(job)  # type: ignore[no-any-return]


async def test_worker_dying_mid_batch_loses_nothing_and_sends_nothing_twice(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    n, k = 30, 11
    author, readers, room_id = await _room_with_readers(sessionmaker, settings, clock, receiver, n)
    await post(sessionmaker, room_id, author.user.id, clock.now())

    dying = PushWorker(settings, sessionmaker, clock, sender=DiesAfter(worker.sender, k))
    try:
        await dying.run_once()
    except Crash:
        pass
    else:
        raise AssertionError("the worker should have died")
    finally:
        dying.close()
    assert len(receiver.received()) == k
    statuses = await _statuses(sessionmaker)
    assert statuses["sent"] == k
    assert statuses["sending"] == n - k  # claimed by the dead worker: leased

    assert await worker.run_once() == 0  # the lease still holds
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await worker.run_once() == n - k
    delivered = Counter(m.subscription for m in receiver.received())
    assert delivered == Counter({r.user.login_id: 1 for r in readers})
    assert await _statuses(sessionmaker) == Counter({"sent": n})


class Slow:
    """A sender whose pushes take a while, so a stop lands while they are in flight."""

    def __init__(self, real: Any, delivered: threading.Event) -> None:
        self.real = real
        self.delivered = delivered

    def __call__(self, job: Job) -> SendResult:
        result: SendResult = self.real(job)
        self.delivered.set()  # the push service has answered this one
        threading.Event().wait(0.2)
        return result


async def test_worker_stopped_mid_batch_records_what_it_sent(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    n = 40  # more than the pool's 16 threads: some are still queued when the stop comes
    author, readers, room_id = await _room_with_readers(sessionmaker, settings, clock, receiver, n)
    await post(sessionmaker, room_id, author.user.id, clock.now())
    delivered = threading.Event()
    stopping = PushWorker(settings, sessionmaker, clock, sender=Slow(worker.sender, delivered))
    task = asyncio.create_task(stopping.run_once())
    # Stopped once the push service has taken a first push, whatever the machine's load: the
    # rest of the batch is in flight or still queued then (each send lingers 0.2 s).
    assert await asyncio.to_thread(delivered.wait, 60), "no push was ever sent"
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    stopping.close()
    before = len(receiver.received())
    assert 0 < before
    assert (await _statuses(sessionmaker))["sent"] == before  # every accepted push recorded

    clock.advance(seconds=LEASE.total_seconds() + 1)
    await worker.run_once()
    delivered = Counter(m.subscription for m in receiver.received())
    assert delivered == Counter({r.user.login_id: 1 for r in readers})


async def test_several_workers_share_the_outbox_without_sending_twice(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
) -> None:
    n = 60
    author, readers, room_id = await _room_with_readers(sessionmaker, settings, clock, receiver, n)
    await post(sessionmaker, room_id, author.user.id, clock.now())
    small = type(settings.push)(**{**settings.push.__dict__, "batch_size": 7})
    shared = type(settings)(**{**settings.__dict__, "push": small})
    workers = [PushWorker(shared, sessionmaker, clock) for _ in range(3)]
    try:
        tried = await asyncio.gather(*(w.run_once() for w in workers))
    finally:
        for w in workers:
            w.close()
    assert sum(tried) == n
    delivered = Counter(m.subscription for m in receiver.received())
    assert delivered == Counter({r.user.login_id: 1 for r in readers})
