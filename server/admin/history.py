"""The correction history (訂正履歴): one row per changed field, written with the change.

A correction of a person, an office or a patient must stay visible — who
changed what, from what, to what, and when — on the screen that shows the
entity, and in the audit log. Values are kept as the text a clerk reads
(labels, not codes), so the history stays readable after codes or offices
change again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import ChangeRecord

from ..auth.context import AuthContext
from .correction_schemas import ChangeOut, EntityKind

EMPTY = "（なし）"


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    return str(value)


async def note_changes(
    session: AsyncSession,
    ctx: AuthContext,
    entity_type: str,
    entity_id: uuid.UUID,
    before: Mapping[str, object],
    after: Mapping[str, object],
    *,
    note: str | None = None,
) -> list[str]:
    """A row per field whose value differs; returns the changed fields' names, in order."""
    changed = [f for f in after if _text(before.get(f)) != _text(after[f])]
    actor = ctx.user
    for field in changed:
        session.add(
            ChangeRecord(
                entity_type=entity_type,
                entity_id=entity_id,
                field=field,
                before=_text(before.get(field)),
                after=_text(after[field]),
                actor_id=actor.id if actor else None,
                actor_name=actor.name if actor else "",
                actor_role=actor.role if actor else "",
                note=note or None,
                at=ctx.now,
            )
        )
    return changed


async def history_of(
    session: AsyncSession, entity_type: str, entity_ids: list[uuid.UUID]
) -> list[ChangeOut]:
    """Every recorded change of these entities, newest first."""
    if not entity_ids:
        return []
    rows = await session.scalars(
        select(ChangeRecord)
        .where(ChangeRecord.entity_type == entity_type, ChangeRecord.entity_id.in_(entity_ids))
        .order_by(ChangeRecord.at.desc(), ChangeRecord.id.desc())
    )
    return [
        ChangeOut(
            at=r.at,
            entity_type=cast(EntityKind, r.entity_type),
            field=r.field,
            before=r.before,
            after=r.after,
            actor_id=r.actor_id,
            actor_name=r.actor_name,
            actor_role=r.actor_role,
            note=r.note,
        )
        for r in rows
    ]
