"""The scheduler: work due at a moment (ID stops on their 停止希望日, the daily mail), done by
one process.

It has the push worker's shape: a loop in `serve` (on by default, `CAREBOOK_SCHEDULER`)
and in `carebook worker`, `run_once` for tests and `--once`, the clock injected. Several
processes may run it against one database: each pass first takes (or renews) the lease
row `job_lease['scheduledStops']` with one conditional UPDATE, and only the holder works.
A holder that dies stops renewing; after `lease_seconds` another process takes over and
catches up on everything that fell due meanwhile (a pass handles every due stop, not only
today's). The stops themselves are guarded too (`scheduled → done` in one UPDATE), so even
two holders could not stop an ID twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.models import JobLease
from store.writer import begin_write

from . import db
from .admin.scheduled_stops import StopPass, run_stops
from .clock import Clock
from .mail.daily import send_daily_mail
from .mail.service import Mailer
from .settings import Settings

log = logging.getLogger("carebook.scheduler")

LEASE_NAME: Final = "scheduledStops"


def new_holder() -> str:
    """This process, recognisably in the lease row: host, pid and a random tail."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def take_lease(
    sessionmaker: async_sessionmaker[AsyncSession],
    holder: str,
    now: datetime,
    ttl: timedelta,
    name: str = LEASE_NAME,
) -> bool:
    """Take or renew the lease: free, expired or already ours → ours until now + ttl."""
    async with sessionmaker() as session:
        await begin_write(session)
        result = await session.execute(
            update(JobLease)
            .where(
                JobLease.name == name,
                or_(
                    JobLease.holder == holder,
                    JobLease.holder.is_(None),
                    JobLease.expires_at.is_(None),
                    JobLease.expires_at <= now,
                ),
            )
            .values(holder=holder, expires_at=now + ttl)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0):
            await session.commit()
            return True
        if await session.get(JobLease, name) is not None:
            await session.rollback()
            return False
        # No row yet (a database made without the migration's row): the first insert wins.
        session.add(JobLease(name=name, holder=holder, expires_at=now + ttl))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return False
        return True


async def release_lease(
    sessionmaker: async_sessionmaker[AsyncSession], holder: str, name: str = LEASE_NAME
) -> None:
    """Give the lease up at shutdown so that another process need not wait for it to expire."""
    async with sessionmaker() as session:
        await begin_write(session)
        await session.execute(
            update(JobLease)
            .where(JobLease.name == name, JobLease.holder == holder)
            .values(holder=None, expires_at=None)
            .execution_options(synchronize_session=False)
        )
        await session.commit()


@dataclass(frozen=True)
class Pass:
    held: bool
    work: StopPass = field(default_factory=StopPass)
    daily_mails: int = 0


class Scheduler:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        holder: str | None = None,
        mailer: Mailer | None = None,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.holder = holder or new_holder()
        self.mailer = mailer or Mailer(settings)
        self.ttl = timedelta(seconds=settings.scheduler.lease_seconds)
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> Pass:
        """One pass: take the lease, then carry out what is due (and the notices)."""
        now = self.clock.now()
        if not await take_lease(self.sessionmaker, self.holder, now, self.ttl):
            return Pass(held=False)
        work = await run_stops(self.sessionmaker, self.settings, self.mailer, now)
        mails = await send_daily_mail(self.sessionmaker, self.settings, self.mailer, now)
        if work.stopped or work.notices or mails:
            log.info(
                "scheduler: %d ID stop(s) carried out, %d notice(s) sent, %d daily mail(s)",
                work.stopped, work.notices, mails,
            )
        return Pass(held=True, work=work, daily_mails=mails)

    async def run_forever(self) -> None:
        failures = 0
        poll = float(self.settings.scheduler.poll_seconds)
        try:
            while True:
                try:
                    await self.run_once()
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception("scheduler pass failed (%d in a row)", failures)
                await asyncio.sleep(poll * min(2 ** max(failures - 1, 0), 10))
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(release_lease(self.sessionmaker, self.holder))

    def start(self) -> asyncio.Task[None]:
        """Run in the background of the current event loop (the app's lifespan)."""
        self._task = asyncio.create_task(self.run_forever(), name="carebook-scheduler")
        return self._task

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def run_scheduler(settings: Settings, *, once: bool = False) -> Pass | None:
    """`carebook worker`'s scheduler, on an engine of its own; runs until cancelled."""
    engine = db.create_engine(settings.database)
    scheduler = Scheduler(settings, db.session_factory(engine), Clock())
    try:
        if once:
            result = await scheduler.run_once()
            await release_lease(scheduler.sessionmaker, scheduler.holder)
            return result
        await scheduler.run_forever()
        return None
    finally:
        await engine.dispose()
