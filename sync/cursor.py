"""The sync cursor: an opaque, signed token of a stream position, the same size whatever the
number of rooms (under 110 bytes).

It holds the installation's sync epoch and the stream position `position` up to which the
client holds every room it may hold (`sync/stream.py` says why a database-wide position is
safe: a pull never serves past the position its snapshot sees, and nothing at or below that
position can still commit). Which rooms those are is not in the token: the user's stays carry
the stream positions at which they began and ended, so a pull works out from `position` alone
which rooms the client holds, which it must drop and which it has never had.

A pull that cannot serve everything within its `limit` leaves a `Progress`: the boundary
position it serves up to, and how far, room by room in room-id order, it has got.

Also in the token: whether the user could read rooms at all (admins and stopped users
cannot), so that a change of that is a reset rather than a silent gap.

The token is base64url(payload) + "." + base64url(HMAC-SHA256, first 16 bytes): clients can
neither forge a position nor read meaning into it. Tokens of the earlier format (a version per
room, as JSON) are still recognised by their signature and shape: they make the pull reset
the rooms they name, so clients in the field start over cleanly instead of failing.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import secrets
import struct
import uuid
from dataclasses import dataclass
from enum import IntEnum

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import SystemSetting
from store.writer import begin_write

EPOCH_KEY = "sync_epoch"
MAX_TOKEN_LENGTH = 64 * 1024  # the earlier format grew with rooms; nothing longer was ever made
FORMAT = 2
MAC_BYTES = 16


class CursorError(ValueError):
    """The token was not made by this server (or was damaged): the client must start over."""


class Stage(IntEnum):
    """How far a pass has got in the room it stopped at."""

    done = 0  # the room is done; the pass goes on with the next one
    scratch = 1  # the room is served from scratch, its live rows up to `Progress.version`
    delta = 2  # its changes are served up to (`Progress.at`, `Progress.version`)


@dataclass(frozen=True)
class Progress:
    """A pass in progress: every room the client may hold is being brought from the cursor's
    `position` to `boundary`, room by room in room-id order. Rooms before `room_id` are done;
    `room_id` itself as `stage` says; rooms after it are still at `position`."""

    boundary: int
    room_id: uuid.UUID
    stage: Stage
    version: int = 0
    at: int = 0


@dataclass(frozen=True)
class Cursor:
    """`position`: every room the user may hold (see `sync/pull.py`) is complete up to this
    stream position in the client (-1: the client holds nothing). `readable`: the user could
    read rooms when it was made."""

    epoch: str
    position: int
    readable: bool = True
    progress: Progress | None = None


@dataclass(frozen=True)
class LegacyCursor:
    """A token of the earlier format: only the rooms it names still matter (to reset them)."""

    epoch: str
    rooms: frozenset[uuid.UUID]


@functools.cache
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"carebook sync cursor\x00" + secret.encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_HEAD = struct.Struct(">BBq")  # format, flags, position
_PROGRESS = struct.Struct(">q16sBqq")  # boundary, room id, stage, version, at
_READABLE, _IN_PROGRESS = 1, 2


def encode(cursor: Cursor, secret: str) -> str:
    epoch = cursor.epoch.encode()
    if len(epoch) > 64:
        raise ValueError("epoch too long")
    flags = (_READABLE if cursor.readable else 0) | (_IN_PROGRESS if cursor.progress else 0)
    payload = _HEAD.pack(FORMAT, flags, cursor.position) + bytes([len(epoch)]) + epoch
    progress = cursor.progress
    if progress is not None:
        payload += _PROGRESS.pack(progress.boundary, progress.room_id.bytes, progress.stage,
                                  progress.version, progress.at)
    mac = hmac.digest(_key(secret), payload, "sha256")[:MAC_BYTES]
    return f"{_b64(payload)}.{_b64(mac)}"


def decode(token: str, secret: str) -> Cursor | LegacyCursor:
    """The cursor in `token`; `CursorError` unless this server signed it."""
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise CursorError("malformed cursor")
    body, _, mac_text = token.partition(".")
    try:
        payload = _unb64(body)
        mac = _unb64(mac_text)
    except (binascii.Error, ValueError) as exc:
        raise CursorError("malformed cursor") from exc
    expected = hmac.digest(_key(secret), payload, "sha256")
    if len(mac) not in (MAC_BYTES, 32) or not hmac.compare_digest(mac, expected[: len(mac)]):
        raise CursorError("cursor signature does not match")
    if len(mac) == 32:
        return _legacy(payload)
    try:
        fmt, flags, position = _HEAD.unpack_from(payload)
        length = payload[_HEAD.size]
        start = _HEAD.size + 1
        epoch = payload[start : start + length].decode()
        rest = payload[start + length :]
        if fmt != FORMAT or len(epoch) != length:
            raise ValueError("unknown format")
        progress = None
        if flags & _IN_PROGRESS:
            boundary, room, stage, version, at = _PROGRESS.unpack(rest)
            progress = Progress(boundary, uuid.UUID(bytes=room), Stage(stage), version, at)
        elif rest:
            raise ValueError("trailing bytes")
        return Cursor(epoch, position, bool(flags & _READABLE), progress)
    except (struct.error, IndexError, UnicodeDecodeError, ValueError) as exc:
        raise CursorError("unreadable cursor") from exc  # signed by us: a bug if it happens


def _legacy(payload: bytes) -> LegacyCursor:
    """The earlier format: JSON {"e": epoch, "m": membership version, "r": {room hex: …}}."""
    try:
        data = json.loads(payload)
        return LegacyCursor(str(data["e"]), frozenset(uuid.UUID(hex=k) for k in data["r"]))
    except (KeyError, TypeError, ValueError) as exc:
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
    """Start a new epoch (e.g. after restoring a backup: stream positions went back in time).

    Every cursor of the old epoch then resets: its rooms are served from scratch and the rooms
    its user may no longer read are revoked. Runs in the caller's transaction.
    """
    epoch = secrets.token_hex(8)
    row = await session.get(SystemSetting, EPOCH_KEY)
    if row is None:
        session.add(SystemSetting(key=EPOCH_KEY, value=epoch))
    else:
        row.value = epoch
    await session.flush()
    return epoch
