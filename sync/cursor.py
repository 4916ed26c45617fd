"""The sync cursor: an opaque, signed token of stream positions, never of rows or times.

It holds the installation's sync epoch, the user's membership version and, per
room, either the room version the client holds everything up to, or — while a
first pull pages through a room — the room version the paging is a snapshot of
and the room version of the last live row served. Room versions are taken in
the writing transaction on the room row, so they order commits; table ids and
timestamps do not, and would skip rows under concurrent writers.

The token is base64url(JSON) + "." + base64url(HMAC-SHA256): clients cannot
forge positions (e.g. claim a room they never got) nor read meaning into it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import begin_write
from server.models import SystemSetting

EPOCH_KEY = "sync_epoch"
MAX_TOKEN_LENGTH = 64 * 1024


class CursorError(ValueError):
    """The token was not made by this server (or was damaged): the client must start over."""


@dataclass(frozen=True)
class RoomPosition:
    """Where a client stands in one room.

    `version`: the client holds every change up to this room version. While a
    first pull is still paging, `snapshot` is the room version the paging serves
    live rows up to and `version` is the version of the last live row served.
    """

    version: int
    snapshot: int | None = None

    @property
    def paging(self) -> bool:
        return self.snapshot is not None


@dataclass(frozen=True)
class Cursor:
    epoch: str
    membership_version: int
    rooms: dict[uuid.UUID, RoomPosition] = field(default_factory=dict)


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"carebook sync cursor\x00" + secret.encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(cursor: Cursor, secret: str) -> str:
    rooms: dict[str, int | list[int]] = {}
    for room_id, position in cursor.rooms.items():
        rooms[room_id.hex] = (
            position.version if position.snapshot is None else [position.snapshot,
                                                                 position.version]
        )
    payload = json.dumps(
        {"e": cursor.epoch, "m": cursor.membership_version, "r": rooms},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    mac = hmac.new(_key(secret), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def decode(token: str, secret: str) -> Cursor:
    """The cursor in `token`; `CursorError` unless this server signed it."""
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise CursorError("malformed cursor")
    body, _, mac_text = token.partition(".")
    try:
        payload = _unb64(body)
        mac = _unb64(mac_text)
    except (binascii.Error, ValueError) as exc:
        raise CursorError("malformed cursor") from exc
    expected = hmac.new(_key(secret), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        raise CursorError("cursor signature does not match")
    try:
        data = json.loads(payload)
        rooms: dict[uuid.UUID, RoomPosition] = {}
        for key, value in data["r"].items():
            if isinstance(value, list):
                snapshot, version = value
                rooms[uuid.UUID(hex=key)] = RoomPosition(int(version), int(snapshot))
            else:
                rooms[uuid.UUID(hex=key)] = RoomPosition(int(value))
        return Cursor(str(data["e"]), int(data["m"]), rooms)
    except (KeyError, TypeError, ValueError) as exc:  # signed by us, so a bug if it happens
        raise CursorError("unreadable cursor") from exc


# --- the epoch -----------------------------------------------------------------------------


async def read_epoch(session: AsyncSession) -> str | None:
    value = await session.scalar(select(SystemSetting.value).where(SystemSetting.key == EPOCH_KEY))
    return None if value is None else str(value)


async def ensure_epoch(session: AsyncSession) -> str:
    """Create the epoch on first use (in its own committed transaction); return it."""
    await begin_write(session)
    values = {"key": EPOCH_KEY, "value": secrets.token_hex(8)}
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(pg_insert(SystemSetting).values(values).on_conflict_do_nothing())
    else:
        await session.execute(
            sqlite_insert(SystemSetting).values(values).on_conflict_do_nothing()
        )
    epoch = await read_epoch(session)
    await session.commit()
    assert epoch is not None
    return epoch


async def new_epoch(session: AsyncSession) -> str:
    """Start a new epoch (e.g. after restoring a backup: room versions went back in time).

    Every cursor of the old epoch then resets its rooms, which are served from scratch.
    Runs in the caller's transaction.
    """
    epoch = secrets.token_hex(8)
    row = await session.get(SystemSetting, EPOCH_KEY)
    if row is None:
        session.add(SystemSetting(key=EPOCH_KEY, value=epoch))
    else:
        row.value = epoch
    await session.flush()
    return epoch
