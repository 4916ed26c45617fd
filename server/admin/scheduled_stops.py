"""ID stops on their 停止希望日 (様式3): scheduled at approval, carried out at 00:00 JST.

An ID stop whose date is still to come is not carried out at approval: it waits as a
`ScheduledStop`, shown in the city's inbox (where it can be cancelled) and in the ledger.
Some days before, the person is told by mail, so that nothing is left unsent on their
tablet when it is wiped. At 00:00 Japan time of the day the scheduler carries it out,
exactly once: each stop moves from `scheduled` in one guarded UPDATE, whichever process
gets there; the scheduler's lease (`server/scheduler.py`) keeps the work in one process.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.models import Application, Office, ScheduledStop, User
from store.models.enums import StopState, UserStatus
from store.writer import begin_write

from ..audit.service import Actor
from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..errors import Conflict, InvalidInput, NotFound
from ..mail import templates
from ..mail.service import Mailer
from ..mail.templates import Letter
from ..settings import Settings
from .common import (
    date_text,
    deliver,
    office_ref,
    record,
    start_of_day_jst,
    today_jst,
    user_not_found,
    user_ref,
    users_by_id,
)
from .schemas import ScheduledStopOut
from .users import stop_user

log = logging.getLogger("carebook.admin")

Sessions = async_sessionmaker[AsyncSession]
# A 停止希望日 further ahead than this is a typing mistake more often than a plan.
FURTHEST_AHEAD = timedelta(days=366)


def is_future(stop_on: date | None, now: datetime) -> bool:
    """A date after today (JST) waits; today or a past day is carried out at once."""
    return stop_on is not None and stop_on > today_jst(now)


def check_stop_date(stop_on: date, now: datetime) -> None:
    if stop_on > today_jst(now) + FURTHEST_AHEAD:
        raise InvalidInput(
            "停止希望日が1年以上先です。日付を確かめてください。",
            "The requested stop date is more than a year ahead; check the date.",
            code="stop_date_too_far",
        )


async def pending_stop(session: AsyncSession, user_id: uuid.UUID) -> ScheduledStop | None:
    found: ScheduledStop | None = await session.scalar(
        select(ScheduledStop).where(
            ScheduledStop.user_id == user_id, ScheduledStop.state == StopState.scheduled
        )
    )
    return found


def already_scheduled(stop: ScheduledStop) -> Conflict:
    return Conflict(
        f"このIDは{date_text(stop.stop_on)}に停止する予定です。変えるには、予定を取り消してください。",
        f"This ID is already scheduled to stop on {stop.stop_on.isoformat()}; "
        "cancel that first to change it.",
        code="stop_scheduled",
        stopOn=stop.stop_on.isoformat(),
    )


async def schedule_stop(
    session: AsyncSession,
    ctx: AuthContext,
    user_id: uuid.UUID,
    *,
    stop_on: date,
    reason: str,
    application_id: uuid.UUID | None = None,
) -> ScheduledStop:
    """Record the stop for 00:00 JST of `stop_on`. The caller has begun the write and commits."""
    check_stop_date(stop_on, ctx.now)
    user = await session.scalar(
        select(User).where(User.id == user_id).with_for_update(of=User)
    )
    if user is None:
        raise user_not_found()
    if user.status == UserStatus.stopped:
        raise Conflict(
            "このIDはすでに停止されています。",
            "This ID has already been stopped.",
            code="already_stopped",
        )
    if ctx.user is not None and ctx.user.id == user_id:
        raise Conflict(
            "自分自身のIDは停止できません。", "You cannot stop your own ID.", code="stop_self"
        )
    existing = await pending_stop(session, user.id)
    if existing is not None:
        raise already_scheduled(existing)
    stop = ScheduledStop(
        user_id=user.id,
        application_id=application_id,
        stop_on=stop_on,
        due_at=start_of_day_jst(stop_on),
        reason=reason,
        state=StopState.scheduled,
        scheduled_by_id=ctx.user_id,
        created_at=ctx.now,
    )
    session.add(stop)
    await session.flush()
    await record(
        session,
        ctx,
        "admin.user_stop_scheduled",
        target_type="user",
        target_id=user.id,
        stopOn=stop_on.isoformat(),
        scheduledStopId=str(stop.id),
        applicationId=str(application_id) if application_id else None,
    )
    return stop


async def stop_now(
    session: AsyncSession,
    ctx: AuthContext,
    user_id: uuid.UUID,
    *,
    reason: str,
    application_id: uuid.UUID | None = None,
) -> None:
    """Stop at once; a stop scheduled for later is done with (the ID stopped earlier)."""
    scheduled = await pending_stop(session, user_id)
    await stop_user(session, ctx, user_id, reason=reason, application_id=application_id)
    if scheduled is not None:
        scheduled.state = StopState.done
        scheduled.done_at = ctx.now


async def stop_outs(
    session: AsyncSession, stops: Sequence[ScheduledStop]
) -> list[ScheduledStopOut]:
    if not stops:
        return []
    people = await users_by_id(
        session,
        {s.user_id for s in stops}
        | {u for s in stops for u in (s.scheduled_by_id, s.cancelled_by_id) if u},
    )
    office_ids = {people[s.user_id].office_id for s in stops if s.user_id in people}
    offices = {
        o.id: o
        for o in await session.scalars(
            select(Office).where(Office.id.in_({o for o in office_ids if o}))
        )
    }

    def name(user_id: uuid.UUID | None) -> str | None:
        return people[user_id].name if user_id in people else None

    out = []
    for s in stops:
        person = people[s.user_id]
        office = offices.get(person.office_id) if person.office_id else None
        out.append(
            ScheduledStopOut(
                id=s.id,
                user=user_ref(person),
                stop_on=s.stop_on,
                due_at=s.due_at,
                reason=s.reason,
                state=s.state,
                application_id=s.application_id,
                office=office_ref(office) if office else None,
                scheduled_by=name(s.scheduled_by_id),
                notice_sent_at=s.notice_sent_at,
                done_at=s.done_at,
                cancelled_at=s.cancelled_at,
                cancelled_by=name(s.cancelled_by_id),
                cancel_reason=s.cancel_reason,
                created_at=s.created_at,
            )
        )
    return out


async def _applicant_of(session: AsyncSession, stop: ScheduledStop) -> User | None:
    if stop.application_id is None:
        return None
    application = await session.get(Application, stop.application_id)
    if application is None or application.applicant_id is None:
        return None
    return await session.get(User, application.applicant_id)


class ScheduledStops:
    """The city's view of the stops waiting for their day, and cancelling one."""

    def __init__(self, session: AsyncSession, ctx: AuthContext, mailer: Mailer) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def list(self, state: StopState | None) -> list[ScheduledStopOut]:
        """The soonest first."""
        stmt = select(ScheduledStop).order_by(ScheduledStop.due_at, ScheduledStop.id)
        if state is not None:
            stmt = stmt.where(ScheduledStop.state == state)
        return await stop_outs(self.session, list(await self.session.scalars(stmt)))

    async def cancel(self, stop_id: uuid.UUID, reason: str) -> ScheduledStopOut:
        await begin_write(self.session)
        result = await self.session.execute(
            update(ScheduledStop)
            .where(ScheduledStop.id == stop_id, ScheduledStop.state == StopState.scheduled)
            .values(
                state=StopState.cancelled,
                cancelled_at=self.ctx.now,
                cancelled_by_id=self.ctx.user_id,
                cancel_reason=reason.strip() or None,
            )
            .execution_options(synchronize_session=False)
        )
        stop = await self.session.get(ScheduledStop, stop_id, populate_existing=True)
        if stop is None:
            raise NotFound(
                "予定されたID停止が見つかりません。",
                "No such scheduled ID stop.",
                code="scheduled_stop_not_found",
            )
        if not getattr(result, "rowcount", 0):
            done = stop.state == StopState.done
            raise Conflict(
                "このID停止はすでに"
                + ("実行されています。" if done else "取り消されています。"),
                "This ID stop has already been " + ("carried out." if done else "cancelled."),
                code="scheduled_stop_not_pending",
                state=stop.state,
            )
        await record(
            self.session,
            self.ctx,
            "admin.user_stop_cancelled",
            target_type="user",
            target_id=stop.user_id,
            scheduledStopId=str(stop.id),
            stopOn=stop.stop_on.isoformat(),
        )
        person = await self.session.get(User, stop.user_id)
        applicant = await _applicant_of(self.session, stop)
        await self.session.commit()
        letters: list[Letter] = []
        assert person is not None
        when = date_text(stop.stop_on)
        # The person hears of it only if they were told of the stop in the first place.
        if stop.notice_sent_at is not None and person.email:
            letters.append(
                templates.id_stop_cancelled(
                    person.email, name=person.name, subject_name=person.name, stop_on=when
                )
            )
        if applicant is not None and applicant.email:
            letters.append(
                templates.id_stop_cancelled(
                    applicant.email, name=applicant.name, subject_name=person.name, stop_on=when
                )
            )
        await deliver(self.mailer, letters)
        return (await stop_outs(self.session, [stop]))[0]


# -- the job the scheduler runs -----------------------------------------------------------------


class SchedulerContext(AuthContext):
    """The server itself acting (no user, no request): audited as `system:scheduler`."""

    @property
    def actor(self) -> Actor:
        return Actor(login_id="system:scheduler")


def scheduler_context(settings: Settings, now: datetime) -> SchedulerContext:
    return SchedulerContext(settings=settings, now=now, ip="", user_agent="carebook-scheduler")


@dataclass(frozen=True)
class StopPass:
    stopped: int = 0
    notices: int = 0


async def _due_ids(sessionmaker: Sessions, now: datetime) -> list[uuid.UUID]:
    async with sessionmaker() as session:
        return list(
            await session.scalars(
                select(ScheduledStop.id)
                .where(ScheduledStop.state == StopState.scheduled, ScheduledStop.due_at <= now)
                .order_by(ScheduledStop.due_at)
            )
        )


async def carry_out_due(
    sessionmaker: Sessions, settings: Settings, mailer: Mailer, now: datetime
) -> int:
    """Every stop due by `now` (all of them after downtime), each in its own transaction.

    One stop that fails (logged) does not hold up the others; it is tried again next pass.
    """
    done = 0
    for stop_id in await _due_ids(sessionmaker, now):
        try:
            done += await _carry_out(sessionmaker, settings, mailer, now, stop_id)
        except Exception:
            log.exception("scheduled ID stop %s could not be carried out", stop_id)
    return done


async def _carry_out(
    sessionmaker: Sessions, settings: Settings, mailer: Mailer, now: datetime, stop_id: uuid.UUID
) -> int:
    ctx = scheduler_context(settings, now)
    async with sessionmaker() as session:
        await begin_write(session)
        # The guarded move to `done` is what makes it once: a second process finds 0 rows.
        claimed = await session.execute(
            update(ScheduledStop)
            .where(ScheduledStop.id == stop_id, ScheduledStop.state == StopState.scheduled)
            .values(state=StopState.done, done_at=now)
            .execution_options(synchronize_session=False)
        )
        if not getattr(claimed, "rowcount", 0):
            await session.rollback()
            return 0
        stop = await session.get(ScheduledStop, stop_id, populate_existing=True)
        assert stop is not None
        person = await session.get(User, stop.user_id)
        assert person is not None
        already = person.status == UserStatus.stopped  # stopped meanwhile by the city
        if not already:
            await stop_user(
                session, ctx, stop.user_id, reason=stop.reason, application_id=stop.application_id
            )
        await record(
            session,
            ctx,
            "scheduler.user_stop_carried_out",
            target_type="user",
            target_id=stop.user_id,
            scheduledStopId=str(stop.id),
            stopOn=stop.stop_on.isoformat(),
            alreadyStopped=already or None,
        )
        applicant = await _applicant_of(session, stop)
        await session.commit()
    if applicant is not None and applicant.email:
        await deliver(
            mailer,
            [
                templates.id_stop_done(
                    applicant.email,
                    name=applicant.name,
                    subject_name=person.name,
                    stop_on=date_text(stop.stop_on),
                )
            ],
        )
    return 1


async def send_notices(
    sessionmaker: Sessions, settings: Settings, mailer: Mailer, now: datetime
) -> int:
    """Tell each person whose stop is `id_stop_notice_days` away or nearer, once."""
    horizon = now + timedelta(days=settings.scheduler.id_stop_notice_days)
    async with sessionmaker() as session:
        ids = list(
            await session.scalars(
                select(ScheduledStop.id).where(
                    ScheduledStop.state == StopState.scheduled,
                    ScheduledStop.notice_sent_at.is_(None),
                    ScheduledStop.due_at > now,
                    ScheduledStop.due_at <= horizon,
                )
            )
        )
    sent = 0
    for stop_id in ids:
        try:
            sent += await _notify(sessionmaker, settings, mailer, now, stop_id)
        except Exception:
            log.exception("notice of scheduled ID stop %s could not be sent", stop_id)
    return sent


async def _notify(
    sessionmaker: Sessions, settings: Settings, mailer: Mailer, now: datetime, stop_id: uuid.UUID
) -> int:
    async with sessionmaker() as session:
        await begin_write(session)
        claimed = await session.execute(
            update(ScheduledStop)
            .where(
                ScheduledStop.id == stop_id,
                ScheduledStop.state == StopState.scheduled,
                ScheduledStop.notice_sent_at.is_(None),
            )
            .values(notice_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if not getattr(claimed, "rowcount", 0):
            await session.rollback()
            return 0
        stop = await session.get(ScheduledStop, stop_id, populate_existing=True)
        assert stop is not None
        person = await session.get(User, stop.user_id)
        assert person is not None
        await record(
            session,
            scheduler_context(settings, now),
            "scheduler.user_stop_notice_sent",
            target_type="user",
            target_id=stop.user_id,
            scheduledStopId=str(stop.id),
        )
        await session.commit()
    if not person.email:
        return 0
    letter = templates.id_stop_notice(
        person.email, name=person.name, login_id=person.login_id, stop_on=date_text(stop.stop_on)
    )
    if await deliver(mailer, [letter]):
        return 1
    # Not sent (the mail server was away): the next pass tries again.
    async with sessionmaker() as session:
        await begin_write(session)
        await session.execute(
            update(ScheduledStop)
            .where(ScheduledStop.id == stop_id, ScheduledStop.notice_sent_at == now)
            .values(notice_sent_at=None)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
    return 0


async def run_stops(
    sessionmaker: Sessions, settings: Settings, mailer: Mailer, now: datetime
) -> StopPass:
    """One pass of the job: due stops first (a notice after the stop would be pointless)."""
    stopped = await carry_out_due(sessionmaker, settings, mailer, now)
    notices = await send_notices(sessionmaker, settings, mailer, now)
    return StopPass(stopped=stopped, notices=notices)
