"""The stream position: one number for the whole database, taken by each writing transaction
that records changes, at its commit.

Writers queue their changes in the transaction (`queue_change`, `queue_stay`;
`changes.record_change` and `membership.membership_changed` do it for them). Just before
COMMIT the transaction takes the next position and writes, at that position, its change-log
rows, the `changed_position` of every room it changed and the positions of the stays it began
or ended (`_stamp`, from SQLAlchemy's `before_commit`).

**The invariant** that makes a database-wide position safe in a cursor (table ids and commit
times are not: concurrent writers commit them out of order and a reader would skip rows):
*a reader whose snapshot sees `sync_stream.position = N` sees every change at a position
≤ N, and no change at a position ≤ N can commit after that snapshot.* A pull therefore never
serves past N and loses nothing it did not serve (`sync/pull.py`). Why it holds:

- SQLite has one writer at a time (BEGIN IMMEDIATE, across processes too), and the position
  is taken inside that write transaction: positions commit in their order.
- PostgreSQL: `UPDATE sync_stream SET position = position + 1` locks the stream's one row
  until the transaction ends, so the next writer's update waits until this one has committed
  (or rolled back, handing its number back: there are no holes), and PostgreSQL makes a
  transaction visible to new snapshots before it releases its locks. So positions become
  visible in order: a snapshot that sees N sees all of 1…N, and any transaction still in
  flight will take a number above N. (This is the "persisted up to" position of a Matrix
  server's stream, kept by the database instead of by each writer process.)

Cost, and why this scheme: writers that record changes queue on the stream row, but only
for the end of their transaction — one statement (the position, the change-log rows, the
rooms' `changed_position`, the stays and the NOTIFYs together) and the COMMIT; their reads,
checks, room-version bumps (under per-room locks) and row writes run before it, in parallel.
At ~0.2 ms of lock time per commit on a local database that caps change-recording
transactions at thousands per second, far above what one post.create costs otherwise
(docs/benchmarks.md). With `synchronous_commit = on` the WAL flush is inside that window
too (commits that record changes then do not share flushes); the alternative — positions from
a sequence plus every reader working out which lower positions are still in flight (Matrix
tracks this per writer process) — has no such cap but needs a registry of in-flight
positions visible across processes, which PostgreSQL does not give cheaply and a crash can
leave stale. One row lock held for the commit is simpler to prove and ample here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, event, insert, select, text, update
from sqlalchemy.orm import Session

from store.models import ChangeLog, Room, RoomMember, SyncStream

from . import notify

_CHANGES = "carebook_sync_changes"
_STAYS = "carebook_sync_stays"
_INSERT_ROWS = 500  # change-log rows per INSERT on SQLite (7 parameters each, < 32,766)


@dataclass(frozen=True)
class PendingChange:
    """A change-log row waiting for its transaction's position."""

    room_id: uuid.UUID
    version: int
    entity_type: str
    entity_id: str
    op: str
    at: datetime


def queue_change(session: Any, change: PendingChange) -> None:
    """Log `change` at this transaction's position when it commits (nothing on rollback)."""
    session.info.setdefault(_CHANGES, []).append(change)


def queue_stay(session: Any, member_id: uuid.UUID) -> None:
    """Stamp the stay `member_id` at this transaction's position when it commits: its
    `joined_position` if it is open and not yet stamped, its `left_position` if it ended."""
    session.info.setdefault(_STAYS, []).append(member_id)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    # What the ORM still holds is written first: before the stream row is locked, and before
    # the events it queues (its write hooks may queue some) are read.
    session.flush()
    changes: list[PendingChange] = session.info.pop(_CHANGES, None) or []
    stays: list[uuid.UUID] = session.info.pop(_STAYS, None) or []
    notes = notify.pending_payloads(session)
    postgres = session.get_bind().dialect.name == "postgresql"
    if changes or stays:
        if postgres:
            _stamp_postgresql(session, changes, stays, notes)
        else:
            _stamp_sqlite(session, changes, stays)
    elif postgres and notes:
        notify.send_notifications(session, notes)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_CHANGES, None)
    session.info.pop(_STAYS, None)


def _rooms(changes: list[PendingChange]) -> list[uuid.UUID]:
    return sorted({change.room_id for change in changes})


# One statement and one round trip on PostgreSQL: the position, the rows stamped with it and the
# NOTIFYs (PostgreSQL delivers them at commit, in this order, to every listening process).
_STAMP_POSTGRESQL = text("""
WITH stream AS (
    UPDATE sync_stream SET position = position + 1 WHERE id = 1 RETURNING position
), logged AS (
    INSERT INTO change_log (room_id, version, entity_type, entity_id, op, at, position)
    SELECT c.room_id, c.version, c.entity_type, c.entity_id, c.op, c.at, stream.position
    FROM stream, unnest(CAST(:room_ids AS uuid[]), CAST(:versions AS bigint[]),
                        CAST(:types AS text[]), CAST(:entity_ids AS text[]),
                        CAST(:ops AS text[]), CAST(:ats AS timestamptz[]))
        AS c(room_id, version, entity_type, entity_id, op, at)
), rooms AS (
    UPDATE room SET changed_position = stream.position FROM stream
    WHERE room.id = ANY(CAST(:rooms AS uuid[]))
), joined AS (
    UPDATE room_member SET joined_position = stream.position FROM stream
    WHERE room_member.id = ANY(CAST(:stays AS uuid[])) AND room_member.left_at IS NULL
      AND room_member.joined_position IS NULL
), ended AS (
    UPDATE room_member SET left_position = stream.position FROM stream
    WHERE room_member.id = ANY(CAST(:stays AS uuid[])) AND room_member.left_at IS NOT NULL
      AND room_member.left_position IS NULL
)
SELECT stream.position,
       (SELECT count(pg_notify(:channel, note)) FROM unnest(CAST(:notes AS text[])) AS note)
FROM stream
""")


def _stamp_postgresql(
    session: Session, changes: list[PendingChange], stays: list[uuid.UUID], notes: list[str]
) -> None:
    row = session.execute(
        _STAMP_POSTGRESQL,
        {
            "room_ids": [c.room_id for c in changes],
            "versions": [c.version for c in changes],
            "types": [c.entity_type for c in changes],
            "entity_ids": [c.entity_id for c in changes],
            "ops": [c.op for c in changes],
            "ats": [c.at for c in changes],
            "rooms": _rooms(changes),
            "stays": stays,
            "channel": notify.CHANNEL,
            "notes": notes,
        },
    ).first()
    if row is None:
        raise RuntimeError("sync_stream has no row: run `carebook db upgrade`")


_CHANGE_LOG = cast(Table, ChangeLog.__table__)
_ROOM = cast(Table, Room.__table__)
_ROOM_MEMBER = cast(Table, RoomMember.__table__)

_NEXT_POSITION = (
    update(SyncStream)
    .where(SyncStream.id == 1)
    .values(position=SyncStream.position + 1)
    .returning(SyncStream.position)
    .execution_options(synchronize_session=False)
)


def _stamp_sqlite(session: Session, changes: list[PendingChange], stays: list[uuid.UUID]) -> None:
    # SQLite has one writer at a time: the transaction holds the write lock already.
    position = session.execute(_NEXT_POSITION).scalar()
    if position is None:
        raise RuntimeError("sync_stream has no row: run `carebook db upgrade`")
    for start in range(0, len(changes), _INSERT_ROWS):
        session.execute(insert(_CHANGE_LOG).values([
            {"room_id": c.room_id, "version": c.version, "entity_type": c.entity_type,
             "entity_id": c.entity_id, "op": c.op, "at": c.at, "position": position}
            for c in changes[start : start + _INSERT_ROWS]
        ]))
    rooms = _rooms(changes)
    if rooms:
        session.execute(
            update(_ROOM).where(_ROOM.c.id.in_(rooms))
            .values(changed_position=position)
        )
    if stays:
        members = _ROOM_MEMBER.c
        session.execute(
            update(_ROOM_MEMBER)
            .where(members.id.in_(stays), members.left_at.is_(None),
                   members.joined_position.is_(None))
            .values(joined_position=position)
        )
        session.execute(
            update(_ROOM_MEMBER)
            .where(members.id.in_(stays), members.left_at.is_not(None),
                   members.left_position.is_(None))
            .values(left_position=position)
        )


# --- reading ------------------------------------------------------------------------------------

STREAM_POSITION = (
    select(SyncStream.position).where(SyncStream.id == 1).scalar_subquery()
)
"""The stream position as of the reader's snapshot (see the invariant above)."""


def room_version_at(room_id: Any, position: Any) -> Any:
    """The room's version as of stream position `position` (its last change at or before it):
    versions and positions rise together within a room, since both are taken under the room
    row's lock (SQLite: the one writer) and the position at commit."""
    return (
        select(ChangeLog.version)
        .where(ChangeLog.room_id == room_id, ChangeLog.position <= position)
        .order_by(ChangeLog.position.desc(), ChangeLog.version.desc())
        .limit(1)
        .scalar_subquery()
    )
