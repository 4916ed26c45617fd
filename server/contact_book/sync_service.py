"""The sync API's rules around the engine: who asks, what the audit log records, which hooks
run with a post, and the live event stream. The engine (`sync/`) does the syncing itself."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import pairwise
from typing import Any

from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from store.models import Device, UserSession
from store.models.enums import UserStatus
from store.writer import begin_write
from sync import notify
from sync.access import user_rooms, user_state
from sync.cursor import CursorError
from sync.hooks import Hooks, MutationRecord, NewPost
from sync.pull import pull
from sync.push import ClientIdTaken, Mutation, apply_mutations
from sync.wire import PokeEvent, PullOut, PushOut, RevokedEvent, WipeEvent

from .. import db
from ..audit import service as audit
from ..auth.context import AuthContext
from ..clock import Clock
from ..errors import Conflict, InvalidInput, Unauthenticated
from ..push.outbox import enqueue_post_notifications
from ..settings import Settings

HEARTBEAT_S = 20.0
log = logging.getLogger("carebook.sync")


class SyncService:
    """Pull and push for the signed-in user of one request."""

    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        assert ctx.user is not None
        self.session = session
        self.ctx = ctx
        self.user_id = ctx.user.id

    async def pull(self, cursor: str | None, limit: int) -> PullOut:
        try:
            result = await pull(
                self.session,
                self.user_id,
                cursor,
                limit,
                secret=self.ctx.settings.secret_key,
                device_id=self.ctx.device.id if self.ctx.device is not None else None,
                # The sign-in may come from the middleware's cache: the pull's own snapshot
                # confirms the session still exists (server/auth/session_cache.py).
                session_id=self.ctx.session.id if self.ctx.session is not None else None,
            )
        except CursorError:
            raise InvalidInput(
                "同期の位置情報が無効です。端末のデータを読み込み直してください。",
                "The sync cursor is not valid. Please reload this device's data from scratch.",
                code="sync_cursor_invalid",
            ) from None
        if result.session_ended:
            self.ctx.clear_session_cookie()
            raise Unauthenticated()
        if result.served:
            # After the read snapshot: the audit chain appends at its own head.
            await begin_write(self.session)
            for room in result.served:
                await audit.record(
                    self.session,
                    at=self.ctx.now,
                    actor=self.ctx.actor,
                    action="sync.pull",
                    target_type="room",
                    target_id=room.room_id,
                    room_id=room.room_id,
                    patient_id=room.patient_id,
                    details={"count": room.count},
                )
            await self.session.commit()
        return result.body

    async def push(self, client_id: str, mutations: Sequence[Mutation]) -> PushOut:
        ids = [mutation.id for mutation in mutations]
        if any(b <= a for a, b in pairwise(ids)):
            raise InvalidInput(
                "変更の番号は昇順で送ってください。",
                "Mutation ids must rise within a push.",
                code="mutation_order",
            )
        hooks = Hooks(post_created=_enqueue_push, mutation_done=self._audit_mutation)
        try:
            results = await apply_mutations(
                self.session, self.user_id, client_id, mutations, self.ctx.now, hooks
            )
        except ClientIdTaken:
            raise Conflict(
                "この端末IDは別のシステム利用者のものです。アプリを読み込み直してください。",
                "This client id belongs to another user. Please reload the app.",
                code="client_id_taken",
            ) from None
        return PushOut([result.wire() for result in results])

    async def _audit_mutation(self, session: AsyncSession, record: MutationRecord) -> None:
        details: dict[str, Any] = {"clientId": record.client_id, "mutationId": record.mutation_id}
        if record.reason_code is not None:
            details["reason"] = record.reason_code
        await audit.record(
            session,
            at=record.at,
            actor=self.ctx.actor,
            action=record.name,
            outcome=record.status,
            target_type=record.entity_type,
            target_id=record.entity_id,
            room_id=record.room_id,
            patient_id=record.patient_id,
            details=details,
        )


async def _enqueue_push(session: AsyncSession, post: NewPost) -> None:
    await enqueue_post_notifications(
        session,
        room_id=post.room_id,
        post_id=post.post_id,
        author_id=post.author_id,
        urgent=post.urgent,
        at=post.at,
        addressee_ids=post.addressee_ids,
        addressees_only=post.comment,
    )


# --- live events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamEvent:
    """One server-sent event: `event` name and its `data` (a wire Struct), or a comment
    (heartbeat)."""

    event: str | None = None
    data: PokeEvent | RevokedEvent | WipeEvent = field(default_factory=WipeEvent)
    comment: str | None = None


@dataclass(frozen=True)
class _Check:
    ok: bool
    wipe: bool = False
    rooms: dict[uuid.UUID, int] = field(default_factory=dict)


class EventStream:
    """The pokes of one signed-in user's live stream, re-checking the user as it goes.

    It subscribes before its first event, so a client that pulls once the stream
    is open misses nothing. It ends when the session ends (sign-out, timeout, ID
    stop), saying `wipe` first when the user was stopped or the device flagged.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: Settings,
        ctx: AuthContext,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        assert ctx.user is not None and ctx.session is not None
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.settings = settings
        self.user_id = ctx.user.id
        self.session_id = ctx.session.id
        self.device_id = ctx.device.id if ctx.device is not None else None
        self.heartbeat_s = heartbeat_s

    async def events(self) -> AsyncIterator[StreamEvent]:
        subscription = notify.hub().subscribe(self.user_id)
        try:
            check = await self._check()
            if not check.ok:
                if check.wipe:
                    yield StreamEvent("wipe")
                return
            subscription.set_rooms(check.rooms)
            yield StreamEvent(comment="connected")
            while True:
                item = await subscription.next(self.heartbeat_s)
                if item is None:
                    yield StreamEvent(comment="heartbeat")
                    check = await self._check()
                    if not check.ok:
                        if check.wipe:
                            yield StreamEvent("wipe")
                        return
                    continue
                if isinstance(item, notify.Poke):
                    if item.room_id in subscription.rooms:
                        yield _poke(item.room_id, item.version)
                    continue
                check = await self._check()
                if not check.ok:
                    if check.wipe:
                        yield StreamEvent("wipe")
                    return
                for room_id in sorted(subscription.rooms - check.rooms.keys()):
                    yield StreamEvent("revoked", RevokedEvent(room_id))
                poke = (
                    check.rooms.keys()
                    if isinstance(item, notify.Resync)
                    else check.rooms.keys() - subscription.rooms
                )
                subscription.set_rooms(check.rooms)
                for room_id in sorted(poke):
                    yield _poke(room_id, check.rooms[room_id])
        finally:
            subscription.close()

    async def _check(self) -> _Check:
        now = self.clock.now()
        async with self.sessionmaker() as session:
            state = await user_state(session, self.user_id)
            if state is None or state.status == UserStatus.stopped:
                return _Check(ok=False, wipe=True)
            if self.device_id is not None:
                flagged = await session.scalar(
                    select(Device.wipe_requested_at).where(Device.id == self.device_id)
                )
                if flagged is not None:
                    return _Check(ok=False, wipe=True)
            found = (
                await session.execute(
                    select(UserSession.expires_at, UserSession.last_seen_at).where(
                        UserSession.id == self.session_id
                    )
                )
            ).first()
            idle = timedelta(seconds=self.settings.auth.idle_timeout_s)
            if (
                found is None
                or state.status != UserStatus.active
                or now >= found.expires_at
                or now - found.last_seen_at >= idle
            ):
                return _Check(ok=False)
            rooms = await user_rooms(session, self.user_id, state)
            await session.rollback()
        return _Check(ok=True, rooms={r: a.version for r, a in rooms.items()})


def _poke(room_id: uuid.UUID, version: int) -> StreamEvent:
    return StreamEvent("poke", PokeEvent(room_id, version))


# --- the notifier's life ----------------------------------------------------------------------


@asynccontextmanager
async def sync_notifier_lifespan(app: Litestar) -> AsyncIterator[None]:
    """On PostgreSQL, LISTEN for other processes' pokes while the app runs. On SQLite, give
    the query planner statistics at start and refresh them at close: the pull's queries
    stay index lookups however long a room grows (`db.refresh_planner_statistics`)."""
    settings: Settings = app.state.settings
    engine = app.state.engine
    listener: notify.PgListener | None = None
    if settings.database.dialect == "postgresql":
        listener = notify.PgListener(notify.listener_dsn(settings.database.url))
        await listener.start()
    await _planner_statistics(engine, closing=False)
    try:
        yield
    finally:
        if listener is not None:
            await listener.stop()
        await _planner_statistics(engine, closing=True)


async def _planner_statistics(engine: Any, *, closing: bool) -> None:
    try:
        await db.refresh_planner_statistics(engine, closing=closing)
    except Exception as exc:  # statistics help; they never stop the server from serving
        log.warning("cannot refresh SQLite planner statistics (%s)", type(exc).__name__)
