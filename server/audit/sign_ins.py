"""When people last signed in, read from the audit log (the sign-in steps write it there).

The help desk and the clerk list show it; no column on the user row has to be kept in step.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import AuditEvent


async def last_sign_ins(
    session: AsyncSession, user_ids: list[uuid.UUID], outcome: str = "ok"
) -> dict[uuid.UUID, datetime]:
    """The latest `auth.signin` of each user with that outcome ("ok" or "failure")."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(AuditEvent.actor_id, func.max(AuditEvent.at))
        .where(
            AuditEvent.action == "auth.signin",
            AuditEvent.outcome == outcome,
            AuditEvent.actor_id.in_(user_ids),
        )
        .group_by(AuditEvent.actor_id)
    )
    return {actor: at for actor, at in rows.all() if actor is not None}
