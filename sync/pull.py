"""Serving pulls: what changed in each of the user's rooms since the cursor, from one snapshot.

A pull reads the user's rooms, the rooms' changes and the client's last mutation
ids in one read transaction (REPEATABLE READ on PostgreSQL, a WAL snapshot on
SQLite), so the cursor it hands out and the data it serves describe the same
moment, and "my mutation N is applied" never arrives before its effect.

- A room the cursor does not know (first pull, joined since, or reset after an
  epoch change) is served from scratch: its room, patient, members, report
  titles, live posts, comments and receipts, paged by `limit` in room-version
  order up to the room version the paging started from (the snapshot). Whatever
  changed after the snapshot then arrives through the change log, so nothing is
  missed and nothing needs an offset.
- A known room is served from the change log after the cursor's room version,
  deduplicated to the latest change per entity, each as the row's current state
  (`put`) or a tombstone (`del`).
- A room the user no longer belongs to is listed in `revokedRooms` and nothing of
  it is served again; a stopped user (or a device flagged for wipe) gets `wipe`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, and_, bindparam, func, literal, null, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import (
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
)
from server.models.enums import UserStatus

from . import cursor as cursors
from . import wire
from .access import RoomAccess, UserState, rooms_from_rows
from .changes import EntityType
from .cursor import Cursor, RoomPosition

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000


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


@dataclass
class _Item:
    version: int
    change: wire.Change


async def begin_snapshot(session: AsyncSession) -> None:
    """Open a read transaction that sees one consistent moment of the whole database."""
    if session.in_transaction():
        raise RuntimeError("a pull needs a session outside any transaction")
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
    else:
        await session.connection()


async def pull(
    session: AsyncSession,
    user_id: uuid.UUID,
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
    *,
    secret: str,
    device_id: uuid.UUID | None = None,
) -> PullResult:
    """The changes `user_id` may see since `cursor` (None: from scratch); see module doc.

    Raises `cursor.CursorError` for a token this server did not sign.
    """
    previous = cursors.decode(cursor, secret) if cursor else None
    limit = max(1, min(int(limit), MAX_LIMIT))
    await begin_snapshot(session)
    try:
        found = await _read_state(session, user_id, device_id)
        if found.epoch is None:
            await session.rollback()
            await cursors.ensure_epoch(session)
            await begin_snapshot(session)
            found = await _read_state(session, user_id, device_id)
            assert found.epoch is not None
        return await _pull(session, previous, found, limit, secret)
    finally:
        if session.in_transaction():
            await session.rollback()


@dataclass(frozen=True)
class _State:
    """What every pull reads first, as of its snapshot."""

    epoch: str | None
    user: UserState | None
    device_flagged: bool
    rooms: dict[uuid.UUID, RoomAccess]
    last_mutation_ids: dict[str, int]


async def _read_state(
    session: AsyncSession, user_id: uuid.UUID, device_id: uuid.UUID | None
) -> _State:
    """The epoch, the user, the device's wipe flag, the user's rooms with their versions and
    the user's clients' last mutation ids, in one query.

    A pull that finds nothing new needs nothing else, and every statement is a round trip
    (on SQLite a hop through the driver's thread, several per statement): outer joins on a
    one-row anchor and scalar subqueries make it one. The rules are those of
    `access.user_state` / `access.user_rooms` (membership rows are read for every user and
    dropped here for those who may read no room).
    """
    dialect = session.get_bind().dialect.name
    statement = _STATE_QUERIES.get((dialect, device_id is not None))
    if statement is None:
        statement = _state_query(dialect, with_device=device_id is not None)
        _STATE_QUERIES[(dialect, device_id is not None)] = statement
    params: dict[str, Any] = {"user_id": user_id}
    if device_id is not None:
        params["device_id"] = device_id
    rows = list(await session.execute(statement, params))
    first = rows[0]
    user = (
        None
        if first.user_id is None
        else UserState(first.user_status, first.user_role, int(first.membership_version))
    )
    rooms = rooms_from_rows(rows) if user is not None and user.may_read_rooms else {}
    last_ids = {str(k): int(v) for k, v in (first.mutations or {}).items()}
    return _State(
        None if first.epoch is None else str(first.epoch),
        user,
        first.flagged is not None,
        rooms,
        last_ids,
    )


# Built once per dialect and device/no device, with bound parameters: SQLAlchemy then reuses
# the statement's cache key and compiled form instead of rebuilding both for every pull.
_STATE_QUERIES: dict[tuple[str, bool], Any] = {}


def _state_query(dialect: str, *, with_device: bool) -> Any:
    epoch = select(SystemSetting.value).where(SystemSetting.key == cursors.EPOCH_KEY)
    flagged: Any = (
        select(Device.wipe_requested_at)
        .where(Device.id == bindparam("device_id"))
        .scalar_subquery()
        if with_device
        else null()
    )
    aggregate = func.json_object_agg if dialect == "postgresql" else func.json_group_object
    mutations = (
        select(aggregate(ClientMutation.client_id, ClientMutation.last_mutation_id))
        .where(ClientMutation.user_id == bindparam("user_id"))
        .scalar_subquery()
    )
    anchor = select(literal(1).label("one")).subquery()
    return (
        select(
            epoch.scalar_subquery().label("epoch"),
            flagged.label("flagged"),
            type_coerce(mutations, JSON).label("mutations"),
            User.id.label("user_id"),
            User.status.label("user_status"),
            User.role.label("user_role"),
            User.membership_version.label("membership_version"),
            RoomMember.room_id.label("room_id"),
            RoomMember.permission.label("permission"),
            Room.patient_id.label("patient_id"),
            Room.status.label("status"),
            Room.version.label("version"),
        )
        .select_from(anchor)
        .outerjoin(User, User.id == bindparam("user_id"))
        .outerjoin(RoomMember, and_(RoomMember.user_id == User.id, RoomMember.left_at.is_(None)))
        .outerjoin(Room, Room.id == RoomMember.room_id)
    )


async def _pull(
    session: AsyncSession,
    previous: Cursor | None,
    found: _State,
    limit: int,
    secret: str,
) -> PullResult:
    epoch = found.epoch
    assert epoch is not None
    known = dict(previous.rooms) if previous is not None else {}
    same_epoch = previous is not None and previous.epoch == epoch
    state = found.user
    wipe = state is None or state.status == UserStatus.stopped or found.device_flagged
    if wipe:
        return PullResult(
            wire.PullOut(
                cursor=None,
                rooms={},
                revoked_rooms=sorted(str(r) for r in known),
                reset_rooms=[],
                last_mutation_ids={},
                wipe=True,
            ),
            [],
        )
    assert state is not None
    rooms = found.rooms
    revoked = sorted(str(r) for r in known if r not in rooms)
    reset = [] if same_epoch else sorted(str(r) for r in known if r in rooms)
    positions = known if same_epoch else {}

    out_rooms: dict[str, wire.RoomChanges] = {}
    new_positions: dict[uuid.UUID, RoomPosition] = {}
    served: list[RoomServed] = []
    for room_id in sorted(rooms):
        access = rooms[room_id]
        position = positions.get(room_id) or RoomPosition(-1, access.version)
        changes, position, has_more = await _serve_room(session, access, position, limit)
        new_positions[room_id] = position
        if changes or has_more:
            out_rooms[str(room_id)] = wire.RoomChanges(changes, has_more)
        if changes:
            served.append(RoomServed(room_id, access.patient_id, len(changes)))

    last_ids = found.last_mutation_ids
    token = cursors.encode(Cursor(epoch, state.membership_version, new_positions), secret)
    return PullResult(
        wire.PullOut(
            cursor=token,
            rooms=out_rooms,
            revoked_rooms=revoked,
            reset_rooms=reset,
            last_mutation_ids=last_ids,
            wipe=False,
        ),
        served,
    )


async def _serve_room(
    session: AsyncSession, access: RoomAccess, position: RoomPosition, limit: int
) -> tuple[list[wire.Change], RoomPosition, bool]:
    changes: list[wire.Change] = []
    if position.snapshot is not None:
        page, position, more = await _page(session, access, position, limit)
        changes.extend(page)
        if more:
            return changes, position, True
        limit -= len(page) - 2  # the room and patient heading each page do not count
    if limit <= 0:
        return changes, position, access.version > position.version
    delta, position, more = await _delta(session, access, position.version, limit)
    changes.extend(delta)
    return changes, position, more


# --- from scratch: live rows up to the snapshot, in room-version order --------------------


async def _page(
    session: AsyncSession, access: RoomAccess, position: RoomPosition, limit: int
) -> tuple[list[wire.Change], RoomPosition, bool]:
    snapshot = position.snapshot
    assert snapshot is not None
    after = position.version
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
    items.sort(key=lambda item: item.version)
    more = len(items) > limit
    items = items[:limit]
    changes = heading + [item.change for item in items]
    if more:
        return changes, RoomPosition(items[-1].version, snapshot), True
    return changes, RoomPosition(snapshot), False


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


# --- incremental: the change log after the cursor -------------------------------------------


async def _delta(
    session: AsyncSession, access: RoomAccess, since: int, limit: int
) -> tuple[list[wire.Change], RoomPosition, bool]:
    if access.version <= since:
        return [], RoomPosition(since), False  # the common case: nothing new, no query
    rows = list(
        await session.execute(
            select(ChangeLog.version, ChangeLog.entity_type, ChangeLog.entity_id)
            .where(ChangeLog.room_id == access.room_id, ChangeLog.version > since)
            .order_by(ChangeLog.version)
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    reached = rows[-1].version if more else access.version
    latest: dict[tuple[str, str], int] = {}
    for row in rows:
        latest[(row.entity_type, row.entity_id)] = int(row.version)
    by_type: dict[str, list[str]] = {}
    for entity_type, entity_id in latest:
        by_type.setdefault(entity_type, []).append(entity_id)
    current = await _current_states(session, access, by_type)
    items: list[_Item] = []
    for (entity_type, entity_id), version in latest.items():
        found = current.get((entity_type, entity_id))
        if found is None:
            items.append(_Item(version, wire.change(entity_type, entity_id, version, None)))
        else:
            row_version, change = found
            change.version = max(version, row_version)
            items.append(_Item(version, change))
    items.sort(key=lambda item: item.version)
    return [item.change for item in items], RoomPosition(reached), more


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    out: list[uuid.UUID] = []
    for value in values:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            continue
    return out


async def _current_states(
    session: AsyncSession, access: RoomAccess, by_type: dict[str, list[str]]
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
    return out


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
