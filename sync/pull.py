"""Serving pulls: what changed in the user's rooms since the cursor, from one snapshot, at a
cost in proportion to the rooms that changed, not to the rooms the user is in.

A pull reads the user, the rooms changed since its cursor and the client's last mutation
ids in one read transaction (REPEATABLE READ on PostgreSQL, a WAL snapshot on SQLite), so
the cursor it hands out and the data it serves describe the same moment, and "my mutation N
is applied" never arrives before its effect. The most frequent pull, a client that keeps up
and finds nothing new, needs no more than that first read: it runs as one statement, which
is its own snapshot, with no transaction around it (`store/one_statement.py`); a pull that
finds anything to do reads again in a snapshot of its own.

The cursor is one stream position P (`sync/cursor.py`, `sync/stream.py`). **What the
client holds**, by construction: for every room whose current stay began at or before P
(`room_member.joined_position ≤ P`), everything up to P. A pull brings those rooms from P to
a boundary B — the stream position its snapshot sees, which nothing can still commit below
(the invariant in `sync/stream.py`) — in a *pass*, room by room in room-id order, paged by
`limit` across rooms; the cursor says how far the pass got (`cursor.Progress`) and, once it
is through, moves P to B.

- Finding the rooms: every change, a member joining or leaving included, sets its room's
  `changed_position`, which is indexed. The rooms changed after P (few, for a client that
  keeps up) are joined with the user's stays; a room that did not change after P costs
  nothing, however many rooms the user is in. When many rooms changed (a client back after
  days) the user's stays drive the lookup instead.
- A room the user is in whose stay began after P (joined since, rejoined, or every room on a
  first pull or after a reset) is served from scratch as of B: its room, patient, members,
  report titles, live posts, comments and receipts whose version is at most the room's
  version at B, in version order. Rows changed after B are left out here and arrive in the
  next pass as changes after B: no gap, no duplicate. If the client had a cursor, the room is
  listed in `resetRooms` first (it may hold an older copy).
- A room held since P is served from the change log, positions (P, B], deduplicated to the
  latest change per entity, each as the row's current state (`put`) or a tombstone (`del`).
- A stay that began after B is left for the next pass (the room did not exist for the
  client at B).
- A room the user has left since P (and is not in again) is listed in `revokedRooms` at
  once, and nothing of it is served; a stopped user (or a device flagged for wipe) gets
  `wipe`. Every answer is computed from the snapshot's membership: nothing is cached.
- An old-format cursor, a cursor of another epoch (a restored backup) or a user who could
  not read rooms before: every room is served from scratch, the rooms the client may hold
  are reset, and those it may no longer hold are revoked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    JSON,
    and_,
    bindparam,
    func,
    join,
    literal,
    null,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from store.models import (
    ChangeLog,
    ClientMutation,
    Comment,
    Device,
    Office,
    Patient,
    Post,
    ReadReceipt,
    ReportTitle,
    Room,
    RoomMember,
    SystemSetting,
    User,
    UserSession,
)
from store.models.enums import UserStatus
from store.one_statement import begin_one_statement

from . import attention_pull, medications, wire
from . import cursor as cursors
from .access import RoomAccess, UserState
from .changes import EntityType
from .cursor import Cursor, LegacyCursor, Progress, Stage
from .stream import STREAM_POSITION, room_version_at

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
# Rooms changed since the cursor, looked up through `room.changed_position`; beyond this many
# (a client back after a long time), the user's stays drive the lookup instead.
CHANGED_ROOMS_CAP = 200


@dataclass(frozen=True)
class RoomServed:
    """A room whose data a pull returned: for the audit log (one event per room)."""

    room_id: uuid.UUID
    patient_id: uuid.UUID
    count: int


@dataclass(frozen=True)
class PullResult:
    body: wire.PullOut
    served: list[RoomServed]
    session_ended: bool = False  # the sign-in session asked about is gone: sign in again


@dataclass
class _Item:
    version: int
    change: wire.Change


async def begin_snapshot(session: AsyncSession) -> None:
    """Open a read transaction that sees one consistent moment of the whole database."""
    await session.run_sync(_begin_snapshot)


def _begin_snapshot(session: Session) -> None:
    if session.in_transaction():
        raise RuntimeError("a pull needs a session outside any transaction")
    if session.get_bind().dialect.name == "postgresql":
        session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
    else:
        session.connection()


async def pull(
    session: AsyncSession,
    user_id: uuid.UUID,
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
    *,
    secret: str,
    device_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
) -> PullResult:
    """The changes `user_id` may see since `cursor` (None: from scratch); see module doc.

    With `session_id`, the pull also checks in its snapshot that this sign-in session still
    exists (`PullResult.session_ended` otherwise), for callers that resolved it earlier.
    Raises `cursor.CursorError` for a token this server did not sign.
    """
    previous = cursors.decode(cursor, secret) if cursor else None
    limit = max(1, min(int(limit), MAX_LIMIT))
    since = previous.position if isinstance(previous, Cursor) else -1

    def quick_read(sync_session: Session) -> _State | None:
        # The common pull, a client that keeps up, in one statement and one pass through
        # SQLAlchemy's greenlet: no BEGIN and no ROLLBACK (store/one_statement.py). The
        # statement is its own snapshot, so its stream position and its changed rooms agree;
        # a pull that finds anything to do reads again in a snapshot of its own.
        begin_one_statement(sync_session)
        try:
            found = _read_state(sync_session, user_id, device_id, session_id, since)
        finally:
            sync_session.rollback()
        return found if _nothing_new(previous, found) else None

    def first_read(sync_session: Session) -> _State:
        # Open the snapshot every later read of this pull shares, and read the state in it.
        _begin_snapshot(sync_session)
        return _read_state(sync_session, user_id, device_id, session_id, since)

    try:
        found = None
        if isinstance(previous, Cursor) and previous.progress is None:
            found = await session.run_sync(quick_read)
        if found is None:
            found = await session.run_sync(first_read)
        if found.epoch is None:
            await session.rollback()
            await cursors.ensure_epoch(session)
            found = await session.run_sync(first_read)
            assert found.epoch is not None
        return await _Pull(session, user_id, previous, found, limit, secret).run()
    finally:
        if session.in_transaction():
            await session.rollback()


# --- what every pull reads first ------------------------------------------------------------


@dataclass(frozen=True)
class _Stay:
    """One of the user's stays in a room that changed after the cursor's position."""

    access: RoomAccess
    joined: int | None  # the stay's joined_position (None: not stamped yet → from scratch)
    current: bool


@dataclass(frozen=True)
class _State:
    """What every pull reads first, as of its snapshot."""

    epoch: str | None
    head: int  # the stream position the snapshot sees
    user: UserState | None
    device_flagged: bool
    session_alive: bool
    last_mutation_ids: dict[str, int]
    stays: list[_Stay]  # in rooms changed after `since` (all of them unless `capped`)
    capped: bool


def _read_state(
    session: Session,
    user_id: uuid.UUID,
    device_id: uuid.UUID | None,
    session_id: uuid.UUID | None,
    since: int,
) -> _State:
    """The epoch, the stream position, the user, the device's wipe flag, whether the sign-in
    session still exists, the clients' last mutation ids and the user's stays in the rooms
    changed after `since`, in one query (on the session's connection, as plain rows).

    A pull that finds nothing new needs nothing else, and every statement is a round trip
    (on PostgreSQL): outer joins on a one-row anchor and scalar subqueries make it one. The
    rooms changed after `since` come from the index on `room.changed_position`, at most
    `CHANGED_ROOMS_CAP` + 1 of them (a materialised CTE, so that no planner drives the join
    from the user's stays instead).
    """
    dialect = session.get_bind().dialect.name
    shape = (dialect, device_id is not None, session_id is not None)
    statement = _STATE_QUERIES.get(shape)
    if statement is None:
        statement = _STATE_QUERIES[shape] = _state_query(*shape)
    params: dict[str, Any] = {"user_id": user_id, "since": since}
    if device_id is not None:
        params["device_id"] = device_id
    if session_id is not None:
        params["session_id"] = session_id
    rows = session.connection().execute(statement, params).all()
    first = rows[0]
    user = (
        None
        if first.user_id is None
        else UserState(first.user_status, first.user_role, int(first.membership_version))
    )
    last_ids = {str(k): int(v) for k, v in (first.mutations or {}).items()}
    return _State(
        None if first.epoch is None else str(first.epoch),
        int(first.head),
        user,
        first.flagged is not None,
        first.alive is not None,
        last_ids,
        _stays_from(rows),
        int(first.changed_count) > CHANGED_ROOMS_CAP,
    )


def _nothing_new(previous: Cursor | LegacyCursor | None, found: _State) -> bool:
    """The common pull: a client that keeps up, and nothing changed in its rooms."""
    user = found.user
    return (
        isinstance(previous, Cursor)
        and previous.epoch == found.epoch
        and previous.readable
        and previous.progress is None
        and user is not None
        and user.may_read_rooms
        and not found.device_flagged
        and found.session_alive
        and not found.stays
        and not found.capped
    )


# Built once per dialect and shape, with bound parameters: SQLAlchemy then reuses the
# statement's cache key and compiled form instead of rebuilding both for every pull.
_STATE_QUERIES: dict[tuple[str, bool, bool], Any] = {}


def _left_since(since: Any) -> Any:
    """A stay that is open, or ended after `since` (or not stamped yet: counted as recent)."""
    return or_(
        RoomMember.left_at.is_(None),
        RoomMember.left_position.is_(None),
        RoomMember.left_position > since,
    )


def _state_query(dialect: str, with_device: bool, with_session: bool) -> Any:
    epoch = select(SystemSetting.value).where(SystemSetting.key == cursors.EPOCH_KEY)
    flagged: Any = (
        select(Device.wipe_requested_at)
        .where(Device.id == bindparam("device_id"))
        .scalar_subquery()
        if with_device
        else null()
    )
    alive: Any = (
        select(UserSession.id).where(UserSession.id == bindparam("session_id"))
        .scalar_subquery()
        if with_session
        else literal(1)
    )
    aggregate = func.json_object_agg if dialect == "postgresql" else func.json_group_object
    mutations = (
        select(aggregate(ClientMutation.client_id, ClientMutation.last_mutation_id))
        .where(ClientMutation.user_id == bindparam("user_id"))
        .scalar_subquery()
    )
    changed = (
        select(Room.id, Room.patient_id, Room.status, Room.version)
        .where(Room.changed_position > bindparam("since"))
        .limit(CHANGED_ROOMS_CAP + 1)
        .cte("changed")
        .prefix_with("MATERIALIZED")
    )
    anchor = select(literal(1).label("one")).subquery()
    return (
        select(
            epoch.scalar_subquery().label("epoch"),
            STREAM_POSITION.label("head"),
            flagged.label("flagged"),
            alive.label("alive"),
            type_coerce(mutations, JSON).label("mutations"),
            select(func.count()).select_from(changed).scalar_subquery().label("changed_count"),
            User.id.label("user_id"),
            User.status.label("user_status"),
            User.role.label("user_role"),
            User.membership_version.label("membership_version"),
            changed.c.id.label("room_id"),
            changed.c.patient_id.label("patient_id"),
            changed.c.status.label("status"),
            changed.c.version.label("version"),
            RoomMember.permission.label("permission"),
            RoomMember.joined_position.label("joined_position"),
            RoomMember.left_at.label("left_at"),
        )
        .select_from(anchor)
        .outerjoin(User, User.id == bindparam("user_id"))
        .outerjoin(
            join(changed, RoomMember, RoomMember.room_id == changed.c.id),
            and_(RoomMember.user_id == User.id, _left_since(bindparam("since"))),
        )
    )


def _stays_from(rows: Iterable[Any]) -> list[_Stay]:
    stays: list[_Stay] = []
    for row in rows:
        if row.room_id is None:
            continue
        access = RoomAccess(row.room_id, row.patient_id, row.permission, row.status,
                            int(row.version))
        joined = None if row.joined_position is None else int(row.joined_position)
        stays.append(_Stay(access, joined, row.left_at is None))
    return stays


async def _stays(
    session: AsyncSession, user_id: uuid.UUID, since: int, *, changed_only: bool = True
) -> list[_Stay]:
    """The user's stays that are open or ended after `since`, driven by the user's stays (not
    by the rooms changed): in rooms changed after `since` or, with `changed_only` off, in
    any room (every room the client may hold)."""
    statement = (
        select(
            RoomMember.room_id,
            Room.patient_id,
            Room.status,
            Room.version,
            RoomMember.permission,
            RoomMember.joined_position,
            RoomMember.left_at,
        )
        .join(Room, Room.id == RoomMember.room_id)
        .where(RoomMember.user_id == user_id, _left_since(since))
    )
    if changed_only:
        statement = statement.where(Room.changed_position > since)
    return _stays_from(await session.execute(statement))


# --- one pull -----------------------------------------------------------------------------------


@dataclass
class _Room:
    """A room the user is in now, as this pull sees it."""

    access: RoomAccess
    joined: int | None


def _current(stays: Sequence[_Stay]) -> dict[uuid.UUID, _Room]:
    rooms: dict[uuid.UUID, _Room] = {}
    for stay in stays:
        if not stay.current:
            continue
        known = rooms.get(stay.access.room_id)
        if known is not None and known.access.can_write:
            continue  # two open stays would be a data error; the wider one wins
        rooms[stay.access.room_id] = _Room(stay.access, stay.joined)
    return rooms


@dataclass
class _Answer:
    rooms: dict[str, wire.RoomChanges] = field(default_factory=dict)
    served: list[RoomServed] = field(default_factory=list)
    reset: set[uuid.UUID] = field(default_factory=set)
    budget: int = 0
    last: str | None = None  # the last room with changes in the answer

    def add(
        self, access: RoomAccess, changes: list[wire.Change], more: bool, counted: int
    ) -> None:
        """Answer `changes` of the room; `counted` of them (rows read) spend the budget."""
        self.budget -= counted
        if not changes and not more:
            return
        key = str(access.room_id)
        known = self.rooms.get(key)
        if known is None:
            self.rooms[key] = wire.RoomChanges(changes, more)
            self.served.append(RoomServed(access.room_id, access.patient_id, len(changes)))
        else:  # the next pass went on with the same room, in the same answer
            known.changes.extend(changes)
            known.has_more = more
            self.served = [
                RoomServed(s.room_id, s.patient_id, s.count + len(changes))
                if s.room_id == access.room_id else s
                for s in self.served
            ]
        self.last = key


class _Pull:
    def __init__(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        previous: Cursor | LegacyCursor | None,
        found: _State,
        limit: int,
        secret: str,
    ) -> None:
        assert found.epoch is not None
        self.session = session
        self.user_id = user_id
        self.previous = previous
        self.found = found
        self.epoch = found.epoch
        self.limit = limit
        self.secret = secret

    def _answer(
        self, cursor: Cursor | None, answer: _Answer, revoked: Iterable[uuid.UUID],
        *, wipe: bool = False,
    ) -> PullResult:
        token = cursors.encode(cursor, self.secret) if cursor is not None else None
        return PullResult(
            wire.PullOut(
                cursor=token,
                rooms=answer.rooms,
                revoked_rooms=sorted(str(r) for r in revoked),
                reset_rooms=sorted(str(r) for r in answer.reset),
                last_mutation_ids={} if wipe else self.found.last_mutation_ids,
                wipe=wipe,
            ),
            answer.served,
        )

    async def run(self) -> PullResult:
        found, previous = self.found, self.previous
        if not found.session_alive:
            return PullResult(wire.PullOut(None, {}, [], [], {}, False), [],
                              session_ended=True)
        state = found.user
        if state is None or state.status == UserStatus.stopped or found.device_flagged:
            return self._answer(None, _Answer(), await self._held(), wipe=True)
        if not state.may_read_rooms:
            held = await self._held() if self._was_readable() else set()
            return self._answer(Cursor(self.epoch, found.head, readable=False), _Answer(), held)
        if isinstance(previous, Cursor) and previous.epoch == self.epoch and previous.readable:
            return await self._incremental(previous)
        return await self._from_scratch()

    def _was_readable(self) -> bool:
        previous = self.previous
        return isinstance(previous, LegacyCursor) or (
            isinstance(previous, Cursor) and previous.readable
        )

    async def _held(self) -> set[uuid.UUID]:
        """Every room the client may hold (for a wipe or a lost right to read rooms)."""
        previous = self.previous
        if isinstance(previous, LegacyCursor):
            return set(previous.rooms)
        if not isinstance(previous, Cursor):
            return set()
        since = previous.position if previous.epoch == self.epoch else -1
        stays = await _stays(self.session, self.user_id, since, changed_only=False)
        return {stay.access.room_id for stay in stays}

    async def _incremental(self, previous: Cursor) -> PullResult:
        since = previous.position
        stays = self.found.stays
        if self.found.capped:
            stays = await _stays(self.session, self.user_id, since)
        rooms = _current(stays)
        revoked = {s.access.room_id for s in stays if s.access.room_id not in rooms}
        answer = _Answer(budget=self.limit)
        cursor = await self._passes(rooms, since, previous.progress, answer,
                                    may_hold=since >= 0)
        return self._answer(cursor, answer, revoked)

    async def _from_scratch(self) -> PullResult:
        """No cursor, an old-format one, another epoch's, or the user could not read rooms:
        every current room from scratch; rooms the client may hold are reset or revoked."""
        previous = self.previous
        stays = await _stays(self.session, self.user_id, -1, changed_only=False)
        rooms = _current(stays)
        answer = _Answer(budget=self.limit)
        revoked: set[uuid.UUID] = set()
        if isinstance(previous, LegacyCursor):
            revoked = set(previous.rooms) - rooms.keys()
            answer.reset = set(previous.rooms) & rooms.keys()
        elif isinstance(previous, Cursor) and previous.readable:
            # Another epoch: positions went back in time (a restored backup); what the client
            # holds cannot be told from them, so every room it could hold is reset or revoked.
            everywhere = set(await self.session.scalars(select(Room.id)))
            revoked = everywhere - rooms.keys()
            answer.reset = set(rooms)
        cursor = await self._passes(rooms, -1, None, answer, may_hold=False)
        return self._answer(cursor, answer, revoked)

    async def _passes(
        self,
        rooms: dict[uuid.UUID, _Room],
        since: int,
        progress: Progress | None,
        answer: _Answer,
        *,
        may_hold: bool,
    ) -> Cursor:
        """Serve the pass the cursor is in (or a new one up to the snapshot's position) and,
        while the budget lasts, the next one; returns the cursor of where it stopped."""
        head = self.found.head
        while True:
            boundary = progress.boundary if progress is not None else head
            stopped = await self._pass(rooms, since, boundary, progress, answer, may_hold)
            if stopped is not None:
                return Cursor(self.epoch, since, True, stopped)
            since, progress, may_hold = boundary, None, True
            if answer.budget <= 0 or boundary >= head:
                if answer.budget <= 0 and answer.last is not None and boundary < head:
                    answer.rooms[answer.last].has_more = True  # pull again: more after it
                return Cursor(self.epoch, since, True)

    async def _pass(
        self,
        rooms: dict[uuid.UUID, _Room],
        since: int,
        boundary: int,
        progress: Progress | None,
        answer: _Answer,
        may_hold: bool,
    ) -> Progress | None:
        """Bring the rooms from `since` to `boundary`, in room-id order from where `progress`
        stopped; returns where this pull stopped, or None when the pass is through."""
        order = sorted(rooms)
        for index, room_id in enumerate(order):
            resume: Progress | None = None
            if progress is not None:
                if room_id < progress.room_id:
                    continue
                if room_id == progress.room_id:
                    if progress.stage == Stage.done:
                        continue
                    resume = progress
            room = rooms[room_id]
            if room.joined is not None and room.joined > boundary:
                continue  # joined after the boundary: the next pass serves it
            if since < 0 or room.joined is None or room.joined > since:
                stopped = await self._scratch(room, boundary, resume, answer, may_hold)
            else:
                stopped = await self._delta(room, since, boundary, resume, answer)
            if stopped is not None:
                return stopped
            if answer.budget <= 0 and index < len(order) - 1:
                if answer.last is not None:
                    answer.rooms[answer.last].has_more = True  # pull again: more after it
                return Progress(boundary, room_id, Stage.done)
        return None

    async def _scratch(
        self, room: _Room, boundary: int, resume: Progress | None, answer: _Answer,
        may_hold: bool,
    ) -> Progress | None:
        access = room.access
        snapshot = await self.session.scalar(
            select(room_version_at(access.room_id, boundary))
        )
        if snapshot is None:
            return None  # nothing of the room at the boundary
        after = resume.version if resume is not None and resume.stage == Stage.scratch else -1
        if after < 0 and may_hold:
            answer.reset.add(access.room_id)  # the client may hold an older copy
        changes, last, more = await _page(self.session, access, int(snapshot), after,
                                          answer.budget, self.user_id)
        answer.add(access, changes, more, len(changes) - 2)  # the heading does not count
        if more:
            return Progress(boundary, access.room_id, Stage.scratch, last)
        return None

    async def _delta(
        self, room: _Room, since: int, boundary: int, resume: Progress | None, answer: _Answer
    ) -> Progress | None:
        access = room.access
        after = (resume.at, resume.version) if resume is not None and \
            resume.stage == Stage.delta else None
        changes, last, more, read = await _delta(self.session, access, since, boundary, after,
                                                 answer.budget, self.user_id)
        answer.add(access, changes, more, read)
        if more:
            assert last is not None
            return Progress(boundary, access.room_id, Stage.delta, last[1], last[0])
        return None


# --- from scratch: live rows up to the room's version at the boundary, in version order ----


async def _page(
    session: AsyncSession, access: RoomAccess, snapshot: int, after: int, limit: int,
    user_id: uuid.UUID,
) -> tuple[list[wire.Change], int, bool]:
    """Live rows with `after` < version ≤ `snapshot`, at most `limit`, headed by the room
    and its patient; returns them, the version of the last one and whether more remain."""
    room_id = access.room_id
    heading = await _room_and_patient(session, access, snapshot)
    items: list[_Item] = []
    fetch = limit + 1

    def window(column: Any) -> list[Any]:
        return [column > after, column <= snapshot]

    for row in await session.execute(
        _member_select()
        .where(RoomMember.room_id == room_id, *window(RoomMember.version))
        .order_by(RoomMember.version)
        .limit(fetch)
    ):
        items.append(_Item(row.RoomMember.version, _member_change(row)))
    for title in await session.scalars(
        _fresh(select(ReportTitle))
        .where(ReportTitle.room_id == room_id, *window(ReportTitle.version))
        .order_by(ReportTitle.version)
        .limit(fetch)
    ):
        items.append(_Item(title.version, _title_change(title)))
    for post in await session.scalars(
        _fresh(select(Post))
        .where(Post.room_id == room_id, Post.deleted_at.is_(None), *window(Post.version))
        .order_by(Post.version)
        .limit(fetch)
    ):
        items.append(_Item(post.version, _post_change(post)))
    for comment in await session.scalars(
        _fresh(select(Comment))
        .where(Comment.room_id == room_id, Comment.deleted_at.is_(None),
               *window(Comment.version))
        .order_by(Comment.version)
        .limit(fetch)
    ):
        items.append(_Item(comment.version, _comment_change(comment)))
    for receipt in await session.scalars(
        _fresh(select(ReadReceipt))
        .where(ReadReceipt.room_id == room_id, *window(ReadReceipt.version))
        .order_by(ReadReceipt.version)
        .limit(fetch)
    ):
        items.append(_Item(receipt.version, _receipt_change(receipt)))
    for version, change in await attention_pull.page(session, room_id, user_id, window, fetch):
        items.append(_Item(version, change))
    for version, change in await medications.page(session, room_id, window, fetch):
        items.append(_Item(version, change))
    items.sort(key=lambda item: item.version)
    more = len(items) > limit
    items = items[:limit]
    last = items[-1].version if items else after
    return heading + [item.change for item in items], last, more


async def _room_and_patient(
    session: AsyncSession, access: RoomAccess, version: int
) -> list[wire.Change]:
    room = await session.scalar(_fresh(select(Room)).where(Room.id == access.room_id))
    patient = await session.scalar(_fresh(select(Patient)).where(Patient.id == access.patient_id))
    assert room is not None and patient is not None
    return [
        wire.change(EntityType.room, str(room.id), version, wire.room_data(room)),
        wire.change(EntityType.patient, str(patient.id), version, wire.patient_data(patient)),
    ]


# --- incremental: the change log between the cursor and the boundary -------------------------


async def _delta(
    session: AsyncSession,
    access: RoomAccess,
    since: int,
    boundary: int,
    after: tuple[int, int] | None,
    limit: int,
    user_id: uuid.UUID,
) -> tuple[list[wire.Change], tuple[int, int] | None, bool, int]:
    """The room's changes at positions (`since`, `boundary`], after (position, version)
    `after`, at most `limit` change-log rows: returns them (the latest per entity), the
    (position, version) of the last row read, whether more remain and how many rows were
    read."""
    statement = select(
        ChangeLog.position, ChangeLog.version, ChangeLog.entity_type, ChangeLog.entity_id
    ).where(
        ChangeLog.room_id == access.room_id,
        ChangeLog.position > since,
        ChangeLog.position <= boundary,
    )
    if after is not None:
        at, seen = literal(after[0]), literal(after[1])
        statement = statement.where(
            ChangeLog.position >= at,
            tuple_(ChangeLog.position, ChangeLog.version) > tuple_(at, seen),
        )
    rows = list(
        await session.execute(
            statement.order_by(ChangeLog.position, ChangeLog.version).limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return [], None, False, 0
    last = (int(rows[-1].position), int(rows[-1].version))
    latest: dict[tuple[str, str], int] = {}
    for row in rows:
        # Another member's personal state is in the room's log but never served to this one.
        if attention_pull.visible(row.entity_type, row.entity_id, user_id):
            latest[(row.entity_type, row.entity_id)] = int(row.version)
    by_type: dict[str, list[str]] = {}
    for entity_type, entity_id in latest:
        by_type.setdefault(entity_type, []).append(entity_id)
    current = await _current_states(session, access, by_type, user_id)
    items: list[_Item] = []
    for (entity_type, entity_id), version in latest.items():
        state = current.get((entity_type, entity_id))
        if state is None:
            items.append(_Item(version, wire.change(entity_type, entity_id, version, None)))
        else:
            row_version, change = state
            change.version = max(version, row_version)
            items.append(_Item(version, change))
    items.sort(key=lambda item: item.version)
    return [item.change for item in items], last, more, len(rows)


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    out: list[uuid.UUID] = []
    for value in values:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            continue
    return out


async def _current_states(
    session: AsyncSession, access: RoomAccess, by_type: dict[str, list[str]],
    user_id: uuid.UUID,
) -> dict[tuple[str, str], tuple[int, wire.Change]]:
    """Current `put` changes by (type, id); tombstoned or missing rows are left out (→ del)."""
    room_id = access.room_id
    out: dict[tuple[str, str], tuple[int, wire.Change]] = {}

    def put(change: wire.Change, version: int) -> None:
        out[(wire.change_type(change), change.id)] = (version, change)

    for entity_type, ids in by_type.items():
        keys = _uuids(ids)
        if entity_type in (EntityType.room, EntityType.patient):
            for change in await _room_and_patient(session, access, 0):
                if wire.change_type(change) == entity_type and change.id in ids:
                    put(change, 0)
        elif entity_type == EntityType.member:
            for row in await session.execute(
                _member_select().where(RoomMember.room_id == room_id, RoomMember.id.in_(keys))
            ):
                put(_member_change(row), row.RoomMember.version)
        elif entity_type == EntityType.report_title:
            for title in await session.scalars(
                _fresh(select(ReportTitle)).where(
                    ReportTitle.room_id == room_id, ReportTitle.id.in_(keys)
                )
            ):
                put(_title_change(title), title.version)
        # Posts and comments by primary key alone, the room checked here: with `room_id` in
        # the WHERE clause a planner without statistics (SQLite before its first ANALYZE)
        # walks the room's (room_id, version) index instead, every row of a long room.
        elif entity_type == EntityType.post:
            for post in await session.scalars(
                _fresh(select(Post)).where(Post.id.in_(keys), Post.deleted_at.is_(None))
            ):
                if post.room_id == room_id:
                    put(_post_change(post), post.version)
        elif entity_type == EntityType.comment:
            for comment in await session.scalars(
                _fresh(select(Comment)).where(Comment.id.in_(keys), Comment.deleted_at.is_(None))
            ):
                if comment.room_id == room_id:
                    put(_comment_change(comment), comment.version)
        elif entity_type == EntityType.receipt:
            for receipt in await session.scalars(
                _fresh(select(ReadReceipt)).where(
                    ReadReceipt.room_id == room_id, ReadReceipt.user_id.in_(keys)
                )
            ):
                put(_receipt_change(receipt), receipt.version)
        elif entity_type == EntityType.medication:
            for version, change in await medications.current(session, room_id, keys):
                put(change, version)
        elif entity_type in attention_pull.TYPES:
            for version, change in await attention_pull.current(
                session, room_id, user_id, entity_type, keys
            ):
                put(change, version)
    return out


# --- rows to changes ---------------------------------------------------------------------------
# --- rows to changes ---------------------------------------------------------------------------


def _fresh(stmt: Any) -> Any:
    # The caller's session may hold older copies of these rows (expire_on_commit is off).
    return stmt.execution_options(populate_existing=True)


def _member_select() -> Any:
    return _fresh(
        select(
            RoomMember,
            User.name,
            User.name_kana,
            User.job_type,
            Office.id.label("office_id"),
            Office.name.label("office_name"),
            Office.phone.label("office_phone"),
        )
        .join(User, User.id == RoomMember.user_id)
        .outerjoin(Office, Office.id == User.office_id)
    )


def _member_change(row: Any) -> wire.Change:
    member: RoomMember = row.RoomMember
    return wire.change(EntityType.member, str(member.id), member.version,
                       wire.member_data(member, row))


def _title_change(title: ReportTitle) -> wire.Change:
    return wire.change(EntityType.report_title, str(title.id), title.version,
                       wire.report_title_data(title))


def _post_change(post: Post) -> wire.Change:
    return wire.change(EntityType.post, str(post.id), post.version, wire.post_data(post))


def _comment_change(comment: Comment) -> wire.Change:
    return wire.change(EntityType.comment, str(comment.id), comment.version,
                       wire.comment_data(comment))


def _receipt_change(receipt: ReadReceipt) -> wire.Change:
    return wire.change(EntityType.receipt, str(receipt.user_id), receipt.version,
                       wire.receipt_data(receipt))
