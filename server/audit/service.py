"""The audit log (アクセスログ): append-only rows, each hashed over the previous row's hash.

Callers pass identifiers and short reasons only — never passwords, codes,
tokens or post text.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import AuditEvent

GENESIS = "0" * 64
_FORBIDDEN_DETAIL_KEYS = {"password", "code", "token", "body", "secret", "newPassword"}


@dataclass(frozen=True)
class Actor:
    """Who did it and from where: the user (if known), the IP and the device."""

    user_id: uuid.UUID | None = None
    login_id: str | None = None
    ip: str | None = None
    device_key: str | None = None


def _canonical(event: AuditEvent) -> bytes:
    fields = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_login": event.actor_login,
        "action": event.action,
        "outcome": event.outcome,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "room_id": str(event.room_id) if event.room_id else None,
        "patient_id": str(event.patient_id) if event.patient_id else None,
        "ip": event.ip,
        "device_key": event.device_key,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


async def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor: Actor,
    action: str,
    outcome: str = "ok",
    target_type: str | None = None,
    target_id: str | uuid.UUID | None = None,
    room_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits with the change it records)."""
    details = details or {}
    leaked = _FORBIDDEN_DETAIL_KEYS.intersection(details)
    if leaked:
        raise ValueError(f"audit details must not carry {sorted(leaked)}")
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # One writer at a time appends to the chain; released at commit.
        await session.execute(_CHAIN_LOCK)
    last = (await session.execute(_CHAIN_HEAD)).first()
    seq = (last.seq + 1) if last else 1
    event = AuditEvent(
        seq=seq,
        at=at,
        actor_id=actor.user_id,
        actor_login=actor.login_id,
        action=action,
        outcome=outcome,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        room_id=room_id,
        patient_id=patient_id,
        ip=actor.ip,
        device_key=actor.device_key,
        details=details,
        prev_hash=last.hash if last else GENESIS,
        hash="",
    )
    event.hash = event_hash(event)
    # Written as one INSERT of its columns, not through the unit of work (a flush of every
    # pending object, the largest share of this function's cost); the event returned is
    # what was written, not attached to the session.
    await session.execute(_APPEND, {name: getattr(event, name) for name in _COLUMNS})
    return event


_AUDIT_TABLE = cast(Table, AuditEvent.__table__)
_COLUMNS = tuple(column.name for column in _AUDIT_TABLE.columns)
_APPEND = insert(_AUDIT_TABLE)
_CHAIN_HEAD = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(4242001)")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Walk the whole chain; name the first row whose hash or link does not match."""
    prev = None
    checked = 0
    result = await session.stream_scalars(select(AuditEvent).order_by(AuditEvent.seq))
    async for event in result:
        if prev is not None and event.prev_hash != prev:
            return ChainReport(checked, event.seq)
        if event.hash != event_hash(event):
            return ChainReport(checked, event.seq)
        prev = event.hash
        checked += 1
    return ChainReport(checked, None)
