"""Audit-log integrity for operators: verify the hash chain, export a period, purge by retention.

Purging must not make the chain unverifiable, so the last purged row's seq and
hash are kept as an anchor (`SystemSetting` "audit_anchor"): verification starts
from it instead of the all-zero genesis. The purge itself is recorded in the
chain with the same seq and hash, so an anchor edited afterwards no longer
matches the chain and verification fails.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import AuditEvent, SystemSetting
from store.writer import begin_write

from ..audit import service as audit
from ..spreadsheet import defuse

ANCHOR_KEY = "audit_anchor"
PURGE_ACTION = "audit.purge"
EXPORT_ACTION = "audit.export"
_CHAIN_LOCK = 4242001  # the advisory lock `audit.record` appends under (PostgreSQL)

EXPORT_COLUMNS = [
    "seq",
    "at",
    "at_local",
    "actor_login",
    "actor_id",
    "action",
    "outcome",
    "target_type",
    "target_id",
    "room_id",
    "patient_id",
    "ip",
    "device_key",
    "details",
    "prev_hash",
    "hash",
]


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    first_broken_seq: int | None
    reason: str | None = None
    anchor: Anchor | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


@dataclass(frozen=True)
class PurgeReport:
    deleted: int
    through_seq: int | None
    cutoff: datetime


async def read_anchor(session: AsyncSession) -> Anchor | None:
    value = await session.scalar(select(SystemSetting.value).where(SystemSetting.key == ANCHOR_KEY))
    if not isinstance(value, dict):
        return None
    return Anchor(seq=int(value["seq"]), hash=str(value["hash"]))


async def _events(session: AsyncSession, *where: Any) -> AsyncIterator[AuditEvent]:
    query = select(AuditEvent).where(*where).order_by(AuditEvent.seq)
    result = await session.stream_scalars(query.execution_options(yield_per=500))
    async for event in result:
        yield event
        session.expunge(event)  # keep memory flat on long chains


async def verify(session: AsyncSession) -> VerifyReport:
    """Walk the chain from the anchor (or genesis) to the newest row; name the first bad link.

    A row is bad when its seq is not the next one (a row before it was deleted), when
    it does not name the previous row's hash, or when its own hash does not match its
    content (it was altered).
    """
    anchor = await read_anchor(session)
    expected_seq = anchor.seq + 1 if anchor else 1
    expected_prev = anchor.hash if anchor else audit.GENESIS
    last_purge: dict[str, Any] | None = None
    checked = 0
    async for event in _events(session):
        if event.seq != expected_seq:
            where = "before the anchor" if anchor and event.seq <= anchor.seq else "missing"
            return VerifyReport(
                checked, expected_seq, f"row {expected_seq} is {where} (found {event.seq})", anchor
            )
        if event.prev_hash != expected_prev:
            return VerifyReport(
                checked, event.seq, "does not link to the previous row's hash", anchor
            )
        if event.hash != audit.event_hash(event):
            return VerifyReport(checked, event.seq, "content does not match its hash", anchor)
        if event.action == PURGE_ACTION:
            last_purge = dict(event.details)
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    if anchor is not None and (
        last_purge is None
        or last_purge.get("throughSeq") != anchor.seq
        or last_purge.get("throughHash") != anchor.hash
    ):
        return VerifyReport(
            checked, anchor.seq, "the purge anchor does not match the chain's purge record", anchor
        )
    return VerifyReport(checked, None, None, anchor)


async def purge(
    session: AsyncSession,
    *,
    now: datetime,
    retention_days: int,
    actor: audit.Actor,
) -> PurgeReport:
    """Delete the oldest rows (a contiguous prefix, all older than retention); keep an anchor.

    Refuses (ValueError) on a chain that does not verify: purging would destroy the
    evidence. Never deletes the newest row, so new rows keep extending the chain.
    """
    cutoff = now - timedelta(days=retention_days)
    await begin_write(session)
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"SELECT pg_advisory_xact_lock({_CHAIN_LOCK})"))
    report = await verify(session)
    if not report.ok:
        raise ValueError(
            f"the audit chain is broken at seq {report.first_broken_seq} ({report.reason}); "
            "nothing was purged"
        )
    newest = await session.scalar(select(func.max(AuditEvent.seq)))
    if newest is None:
        await session.rollback()
        return PurgeReport(0, None, cutoff)
    first_kept = await session.scalar(
        select(func.min(AuditEvent.seq)).where(AuditEvent.at >= cutoff)
    )
    through = min(newest, first_kept if first_kept is not None else newest + 1) - 1
    last = await session.get(AuditEvent, through) if through >= 1 else None
    if last is None:
        await session.rollback()
        return PurgeReport(0, None, cutoff)
    done = await session.execute(delete(AuditEvent).where(AuditEvent.seq <= through))
    deleted = int(getattr(done, "rowcount", 0) or 0)
    previous = await session.get(SystemSetting, ANCHOR_KEY)
    purged_before = int(previous.value.get("purgedRows", 0)) if previous is not None else 0
    value = {
        "seq": through,
        "hash": last.hash,
        "at": last.at.isoformat(),
        "purgedAt": now.isoformat(),
        "purgedRows": purged_before + deleted,
    }
    if previous is None:
        session.add(SystemSetting(key=ANCHOR_KEY, value=value, updated_at=now))
    else:
        previous.value = value
        previous.updated_at = now
    await session.flush()
    await audit.record(
        session,
        at=now,
        actor=actor,
        action=PURGE_ACTION,
        target_type="audit_event",
        details={
            "throughSeq": through,
            "throughHash": last.hash,
            "rows": deleted,
            "retentionDays": retention_days,
        },
    )
    await session.commit()
    return PurgeReport(deleted, through, cutoff)


def _row(event: AuditEvent, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "at_local": event.at.astimezone(tz).isoformat(),
        "actor_login": event.actor_login,
        "actor_id": str(event.actor_id) if event.actor_id else None,
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
        "hash": event.hash,
    }


def _csv_cell(value: Any) -> str:
    """Text for a spreadsheet: JSON for details, and no formula a spreadsheet would run."""
    if value is None:
        return ""
    cell = json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, dict) else (
        str(value)
    )
    return defuse(cell)


async def export(
    session: AsyncSession,
    out: TextIO,
    *,
    start: datetime,
    end: datetime,
    fmt: str,
    tz: ZoneInfo,
) -> int:
    """Write the events with start <= at < end to `out` (CSV with a header, or JSON lines).

    The caller opens `out` (UTF-8 with BOM for CSV, so that Excel reads the Japanese).
    """
    writer = csv.writer(out, lineterminator="\r\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(EXPORT_COLUMNS)
    count = 0
    async for event in _events(session, AuditEvent.at >= start, AuditEvent.at < end):
        row = _row(event, tz)
        if writer is not None:
            writer.writerow([_csv_cell(row[name]) for name in EXPORT_COLUMNS])
        else:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


async def record_export(
    session: AsyncSession,
    *,
    now: datetime,
    actor: audit.Actor,
    start: datetime,
    end: datetime,
    fmt: str,
    rows: int,
) -> None:
    """An export of the audit log is itself an audited action (SECURITY.md 20)."""
    await begin_write(session)
    await audit.record(
        session,
        at=now,
        actor=actor,
        action=EXPORT_ACTION,
        target_type="audit_event",
        details={"from": start.isoformat(), "to": end.isoformat(), "format": fmt, "rows": rows},
    )
    await session.commit()
