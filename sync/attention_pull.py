"""Serving this issue's entities in a pull: thresholds and addressees to every member of
the room, the personal state (`EntityType.personal`) to its own member only.

Kept apart from `sync/pull.py` so the engine's paging and cursor logic stays in one place;
pull asks this module for the rows of a window (a room served from scratch) and for the
current state of logged changes (a room served from the change log).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Addressee, RoomPersonal, VitalThreshold

from . import wire
from .changes import EntityType

TYPES = frozenset({EntityType.threshold, EntityType.addressee, EntityType.personal})

Versioned = tuple[int, wire.Change]


def visible(entity_type: str, entity_id: str, user_id: uuid.UUID) -> bool:
    """Whether a logged change may reach this user at all (another's personal state may not)."""
    return entity_type != EntityType.personal or entity_id == str(user_id)


def _fresh(stmt: Any) -> Any:
    return stmt.execution_options(populate_existing=True)


def _threshold(row: VitalThreshold) -> Versioned:
    return row.version, wire.change(EntityType.threshold, str(row.id), row.version,
                                    wire.threshold_data(row))


def _addressee(row: Addressee) -> Versioned:
    return row.version, wire.change(EntityType.addressee, str(row.id), row.version,
                                    wire.addressee_data(row))


def _personal(row: RoomPersonal) -> Versioned:
    return row.version, wire.change(EntityType.personal, str(row.user_id), row.version,
                                    wire.personal_data(row))


async def page(
    session: AsyncSession, room_id: uuid.UUID, user_id: uuid.UUID,
    window: Callable[[Any], list[Any]], fetch: int,
) -> list[Versioned]:
    """The live rows of a room whose version lies in `window`, at most `fetch` per type."""
    out: list[Versioned] = []
    for threshold in await session.scalars(
        _fresh(select(VitalThreshold))
        .where(VitalThreshold.room_id == room_id, *window(VitalThreshold.version))
        .order_by(VitalThreshold.version).limit(fetch)
    ):
        out.append(_threshold(threshold))
    for addressee in await session.scalars(
        _fresh(select(Addressee))
        .where(Addressee.room_id == room_id, Addressee.deleted_at.is_(None),
               *window(Addressee.version))
        .order_by(Addressee.version).limit(fetch)
    ):
        out.append(_addressee(addressee))
    for personal in await session.scalars(
        _fresh(select(RoomPersonal))
        .where(RoomPersonal.room_id == room_id, RoomPersonal.user_id == user_id,
               *window(RoomPersonal.version))
    ):
        out.append(_personal(personal))
    return out


async def current(
    session: AsyncSession, room_id: uuid.UUID, user_id: uuid.UUID, entity_type: str,
    keys: Sequence[uuid.UUID],
) -> list[Versioned]:
    """The current state of logged entities of one type (missing or deleted: left out)."""
    if entity_type == EntityType.threshold:
        rows: Any = await session.scalars(
            _fresh(select(VitalThreshold))
            .where(VitalThreshold.room_id == room_id, VitalThreshold.id.in_(keys))
        )
        return [_threshold(row) for row in rows]
    if entity_type == EntityType.addressee:
        rows = await session.scalars(
            _fresh(select(Addressee)).where(Addressee.id.in_(keys),
                                            Addressee.deleted_at.is_(None))
        )
        return [_addressee(row) for row in rows if row.room_id == room_id]
    if entity_type == EntityType.personal:
        if user_id not in keys:
            return []
        rows = await session.scalars(
            _fresh(select(RoomPersonal))
            .where(RoomPersonal.room_id == room_id, RoomPersonal.user_id == user_id)
        )
        return [_personal(row) for row in rows]
    return []
